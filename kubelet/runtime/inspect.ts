// Docker's view of a container turned into the kubelet's (pure): state, times, exit code and reason, and
// the pod identity read back from the labels.
import type Docker from "dockerode";
import {
  LABEL_CONTAINER_HASH,
  LABEL_CONTAINER_NAME,
  LABEL_CONTAINER_TYPE,
  LABEL_INIT,
  LABEL_POD_IP,
  LABEL_POD_NAME,
  LABEL_POD_NAMESPACE,
  LABEL_POD_UID,
  LABEL_RESTART_COUNT,
  LABEL_SANDBOX_ATTEMPT,
  TYPE_SANDBOX,
} from "./labels.js";
import type { ContainerStatus, PodRuntimeStatus, SandboxStatus } from "./types.js";

/** Docker's zero time is "0001-01-01T00:00:00Z". */
export function dockerTime(s: string | undefined): number | undefined {
  if (!s || s.startsWith("0001-")) return undefined;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : ms;
}

export function isSandbox(info: Pick<Docker.ContainerInspectInfo, "Config">): boolean {
  return info.Config.Labels?.[LABEL_CONTAINER_TYPE] === TYPE_SANDBOX;
}

export function sandboxStatus(info: Docker.ContainerInspectInfo): SandboxStatus {
  const labels = info.Config.Labels ?? {};
  return {
    id: info.Id,
    ready: info.State.Running,
    createdAt: dockerTime(info.Created) ?? 0,
    attempt: Number(labels[LABEL_SANDBOX_ATTEMPT] ?? 0),
    ip: labels[LABEL_POD_IP] ?? "",
  };
}

export function containerStatus(info: Docker.ContainerInspectInfo): ContainerStatus {
  const labels = info.Config.Labels ?? {};
  const st = info.State;
  const base = {
    id: info.Id,
    name: labels[LABEL_CONTAINER_NAME] ?? "",
    createdAt: dockerTime(info.Created) ?? 0,
    image: info.Config.Image,
    imageRef: `docker://${info.Image}`,
    restartCount: Number(labels[LABEL_RESTART_COUNT] ?? 0),
    hash: labels[LABEL_CONTAINER_HASH] ?? "",
    isInit: labels[LABEL_INIT] === "true",
  };
  if (st.Running || st.Paused || st.Restarting) {
    return { ...base, state: "running", startedAt: dockerTime(st.StartedAt) };
  }
  if (st.Status === "created" && !st.Error) return { ...base, state: "created" };
  const startedAt = dockerTime(st.StartedAt);
  const finishedAt = dockerTime(st.FinishedAt) ?? (st.Error ? base.createdAt : undefined);
  let reason = st.ExitCode === 0 ? "Completed" : "Error";
  if (st.OOMKilled) reason = "OOMKilled";
  // A container Docker could not start (no such executable, ...) is reported as dockershim did.
  if (st.Error && !startedAt) reason = "ContainerCannotRun";
  return {
    ...base,
    state: "exited",
    exitCode: st.ExitCode,
    reason,
    ...(st.Error ? { message: st.Error } : {}),
    startedAt: startedAt ?? finishedAt,
    finishedAt,
  };
}

/** Groups inspected containers into pods (newest first), keyed by pod uid. */
export function groupPods(infos: Docker.ContainerInspectInfo[]): Map<string, PodRuntimeStatus> {
  const pods = new Map<string, PodRuntimeStatus>();
  for (const info of infos) {
    const labels = info.Config.Labels ?? {};
    const uid = labels[LABEL_POD_UID];
    if (!uid) continue;
    let pod = pods.get(uid);
    if (!pod) {
      pod = {
        uid,
        name: labels[LABEL_POD_NAME] ?? "",
        namespace: labels[LABEL_POD_NAMESPACE] ?? "",
        sandboxes: [],
        containers: [],
      };
      pods.set(uid, pod);
    }
    if (isSandbox(info)) pod.sandboxes.push(sandboxStatus(info));
    else pod.containers.push(containerStatus(info));
  }
  for (const pod of pods.values()) {
    pod.sandboxes.sort((a, b) => b.attempt - a.attempt || b.createdAt - a.createdAt);
    pod.containers.sort((a, b) => b.createdAt - a.createdAt || b.restartCount - a.restartCount);
  }
  return pods;
}
