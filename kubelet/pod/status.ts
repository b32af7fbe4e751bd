// The pod status the kubelet reports (kubelet_pods.go generateAPIPodStatus, getPhase,
// convertToAPIContainerStatuses and status/generate.go), as a pure function of the pod, what the engine
// has, the start-failure reasons, the probe results and the previous status.
import type {
  ContainerStatus as ApiContainerStatus,
  Container,
  ContainerState,
  Pod,
  PodCondition,
  PodStatus,
} from "kubernetes-types/core/v1";
import type { ContainerStatus, PodRuntimeStatus } from "../runtime/types.js";
import { containerHistory, findContainerStatus } from "../runtime/types.js";
import { shouldContainerBeRestarted } from "./actions.js";
import { podQOSClass } from "./qos.js";

/** A container's last start failure (kubelet's reasonCache): ErrImagePull, CrashLoopBackOff, ... */
export interface StartFailure {
  reason: string;
  message: string;
}

export interface PodStatusContext {
  now: number;
  hostIP: string;
  /** the IP of the pod's current sandbox ("" when none) */
  podIP: string;
  /** start failures by container name */
  reasons: Map<string, StartFailure>;
  /** readiness by container id (true = ready) */
  readiness: (containerId: string) => boolean | undefined;
  /** whether the startup probe of a container id has succeeded (true when it has none) */
  started: (containerId: string) => boolean | undefined;
  /** the pod has finished for good: its containers will not be restarted */
  podIsTerminal?: boolean;
}

export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

function containerID(id: string): string {
  return `docker://${id}`;
}

function terminatedState(s: ContainerStatus): ContainerState {
  return {
    terminated: {
      exitCode: s.exitCode ?? 0,
      reason: s.reason ?? (s.exitCode === 0 ? "Completed" : "Error"),
      ...(s.message ? { message: s.message } : {}),
      startedAt: s.startedAt ? rfc3339(s.startedAt) : undefined,
      finishedAt: s.finishedAt ? rfc3339(s.finishedAt) : undefined,
      containerID: containerID(s.id),
    } as NonNullable<ContainerState["terminated"]>,
  };
}

function apiContainerStatus(
  c: Container,
  pod: Pod,
  runtime: PodRuntimeStatus | undefined,
  ctx: PodStatusContext,
  isInit: boolean,
): ApiContainerStatus {
  const hasInits = (pod.spec?.initContainers ?? []).length > 0;
  const history = containerHistory(runtime, c.name);
  const latest = history[0];
  const status: ApiContainerStatus = {
    name: c.name,
    image: c.image ?? "",
    imageID: "",
    ready: false,
    restartCount: 0,
    started: false,
    state: { waiting: { reason: hasInits && !isInit ? "PodInitializing" : "ContainerCreating" } },
    lastState: {},
  };
  if (latest) {
    status.image = latest.image || status.image;
    status.imageID = latest.imageRef;
    status.containerID = containerID(latest.id);
    status.restartCount = latest.restartCount;
    switch (latest.state) {
      case "running":
        status.state = { running: { startedAt: rfc3339(latest.startedAt ?? latest.createdAt) } };
        status.started = ctx.started(latest.id) ?? true;
        status.ready = status.started && (ctx.readiness(latest.id) ?? true);
        break;
      case "exited":
        status.state = terminatedState(latest);
        break;
      case "created":
        status.state = { waiting: { reason: "ContainerCreating" } };
        break;
      default:
        status.state = { waiting: {} };
    }
    const previous = history[1];
    if (previous && previous.state === "exited") status.lastState = terminatedState(previous);
  }
  // Containers that will be started again and failed to start last time are Waiting, with that reason.
  const failure = ctx.reasons.get(c.name);
  if (failure && shouldContainerBeRestarted(c, pod, runtime)) {
    if (status.state?.terminated) status.lastState = status.state;
    status.state = { waiting: { reason: failure.reason, message: failure.message } };
  }
  return status;
}

/** getPhase */
export function podPhase(
  pod: Pod,
  init: ApiContainerStatus[],
  regular: ApiContainerStatus[],
  terminal: boolean,
): string {
  let pendingInit = 0;
  let failedInit = 0;
  for (const c of pod.spec?.initContainers ?? []) {
    const s = init.find((x) => x.name === c.name);
    if (!s) {
      pendingInit++;
      continue;
    }
    const st = s.state ?? {};
    if (st.running) pendingInit++;
    else if (st.terminated && st.terminated.exitCode === 0) {
      // done
    } else if (st.terminated) failedInit++;
    else if (st.waiting) {
      if (s.lastState?.terminated) {
        if (s.lastState.terminated.exitCode !== 0) failedInit++;
      } else pendingInit++;
    } else pendingInit++;
  }
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of pod.spec?.containers ?? []) {
    const s = regular.find((x) => x.name === c.name);
    if (!s) {
      unknown++;
      continue;
    }
    const st = s.state ?? {};
    if (st.running) running++;
    else if (st.terminated) {
      stopped++;
      if (st.terminated.exitCode === 0) succeeded++;
    } else if (st.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  const policy = pod.spec?.restartPolicy ?? "Always";
  if (failedInit > 0 && policy === "Never") return "Failed";
  const anyRegularStarted = regular.some(
    (s) => s.state?.running || s.state?.terminated || s.lastState?.terminated,
  );
  if ((pendingInit > 0 && !anyRegularStarted) || waiting > 0) return "Pending";
  if (running > 0 && unknown === 0) return "Running";
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (terminal) return stopped === succeeded ? "Succeeded" : "Failed";
    if (policy === "Always") return "Running";
    if (stopped === succeeded) return "Succeeded";
    if (policy === "Never") return "Failed";
    return "Running";
  }
  return "Pending";
}

function condition(
  type: string,
  ok: boolean,
  previous: PodCondition[] | undefined,
  now: number,
  reason?: string,
  message?: string,
): PodCondition {
  const status = ok ? "True" : "False";
  const old = previous?.find((c) => c.type === type);
  const lastTransitionTime =
    old && old.status === status && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(now);
  return {
    type,
    status,
    lastProbeTime: null as unknown as string,
    lastTransitionTime,
    ...(ok || !reason ? {} : { reason }),
    ...(ok || !message ? {} : { message }),
  };
}

function names(list: string[]): string {
  return `[${list.join(" ")}]`;
}

export function generatePodStatus(
  pod: Pod,
  runtime: PodRuntimeStatus | undefined,
  ctx: PodStatusContext,
): PodStatus {
  const old = pod.status ?? {};
  const initSpecs = pod.spec?.initContainers ?? [];
  const specs = pod.spec?.containers ?? [];
  const initStatuses = initSpecs.map((c) => apiContainerStatus(c, pod, runtime, ctx, true));
  const statuses = specs.map((c) => apiContainerStatus(c, pod, runtime, ctx, false));
  let phase = podPhase(pod, initStatuses, statuses, ctx.podIsTerminal ?? false);
  // A terminal phase never changes back (status manager's checkContainerStateTransition).
  if (old.phase === "Succeeded" || old.phase === "Failed") phase = old.phase;

  const sandboxReady =
    (runtime?.sandboxes[0]?.ready ?? false) && (ctx.podIP !== "" || !!pod.spec?.hostNetwork);
  const incompleteInit = initSpecs
    .filter((c) => {
      const s = initStatuses.find((x) => x.name === c.name);
      return !(s?.state?.terminated && s.state.terminated.exitCode === 0);
    })
    .map((c) => c.name);
  const initialized = incompleteInit.length === 0 || phase === "Running" || phase === "Succeeded";
  const unready = specs.filter((c) => !statuses.find((s) => s.name === c.name)?.ready).map((c) => c.name);
  let containersReady = unready.length === 0;
  let readyReason = "ContainersNotReady";
  let readyMessage = `containers with unready status: ${names(unready)}`;
  if (phase === "Succeeded") {
    containersReady = false;
    readyReason = "PodCompleted";
    readyMessage = "";
  }
  if (!initialized) {
    containersReady = false;
    readyReason = "ContainersNotInitialized";
    readyMessage = `containers with incomplete status: ${names(incompleteInit)}`;
  }
  const conds = old.conditions;
  const conditions: PodCondition[] = [
    condition("PodReadyToStartContainers", sandboxReady, conds, ctx.now),
    condition(
      "Initialized",
      initialized,
      conds,
      ctx.now,
      phase === "Succeeded" ? "PodCompleted" : "ContainersNotInitialized",
      `containers with incomplete status: ${names(incompleteInit)}`,
    ),
    condition("Ready", containersReady, conds, ctx.now, readyReason, readyMessage),
    condition("ContainersReady", containersReady, conds, ctx.now, readyReason, readyMessage),
  ];
  // Conditions others own (PodScheduled, DisruptionTarget, readiness gates) are kept as they are.
  const ours = new Set(conditions.map((c) => c.type));
  for (const c of conds ?? []) if (!ours.has(c.type)) conditions.push(c);

  const status: PodStatus = {
    phase,
    conditions,
    hostIP: ctx.hostIP,
    hostIPs: ctx.hostIP ? [{ ip: ctx.hostIP }] : [],
    podIP: ctx.podIP || undefined,
    podIPs: ctx.podIP ? [{ ip: ctx.podIP }] : undefined,
    startTime: old.startTime ?? rfc3339(ctx.now),
    containerStatuses: statuses,
    qosClass: podQOSClass(pod),
  };
  if (initStatuses.length > 0) status.initContainerStatuses = initStatuses;
  if (pod.spec?.hostNetwork) {
    status.podIP = ctx.hostIP;
    status.podIPs = [{ ip: ctx.hostIP }];
  }
  if (!status.podIP) {
    delete status.podIP;
    delete status.podIPs;
  }
  return status;
}

/** Whether two statuses differ in anything but probe/heartbeat times (status manager's isPodStatusByKubeletEqual). */
export function podStatusEqual(a: PodStatus | undefined, b: PodStatus | undefined): boolean {
  return JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});
}

export { findContainerStatus };
