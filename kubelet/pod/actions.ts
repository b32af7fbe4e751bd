// Which sandbox and containers to create, start and kill for one pod: kuberuntime_manager.go's
// computePodActions, as a pure function of the pod, what the engine has, the probe results and the
// crash-loop back-off.
import type { Container, Pod } from "kubernetes-types/core/v1";
import type { ContainerStatus, PodRuntimeStatus } from "../runtime/types.js";
import { findContainerStatus } from "../runtime/types.js";
import { backoffKey, type CrashLoopBackoff, goDuration } from "./backoff.js";
import { containerHash } from "./hash.js";

export interface ContainerToKill {
  id: string;
  name: string;
  message: string;
  /** event reason when the kill comes from a probe */
  reason?: "Unhealthy" | "FailedPostStartHook";
}

export interface BackingOff {
  name: string;
  /** "back-off 10s restarting failed container=x pod=y_ns(uid)" */
  message: string;
  until: number;
}

export interface PodActions {
  /** stop every container and the sandbox (a new sandbox follows when createSandbox) */
  killPod: boolean;
  createSandbox: boolean;
  /** the current sandbox */
  sandboxId?: string;
  /** attempt number for a new sandbox */
  attempt: number;
  nextInitContainerToStart?: string;
  containersToStart: string[];
  containersToKill: ContainerToKill[];
  /** containers that would start but wait in CrashLoopBackOff */
  backingOff: BackingOff[];
}

export type ProbeVerdict = "success" | "failure" | undefined;

export interface PodActionsContext {
  now: number;
  backoff: CrashLoopBackoff;
  /** liveness result by container id */
  liveness?: (containerId: string) => ProbeVerdict;
  startup?: (containerId: string) => ProbeVerdict;
}

export function restartPolicy(pod: Pod): "Always" | "OnFailure" | "Never" {
  const p = pod.spec?.restartPolicy;
  return p === "OnFailure" || p === "Never" ? p : "Always";
}

function shouldRestartOnFailure(pod: Pod): boolean {
  return restartPolicy(pod) !== "Never";
}

function containerSucceeded(c: Container, status: PodRuntimeStatus | undefined): boolean {
  const s = findContainerStatus(status, c.name);
  return s !== undefined && s.state === "exited" && s.exitCode === 0;
}

/** kubecontainer.ShouldContainerBeRestarted */
export function shouldContainerBeRestarted(
  c: Container,
  pod: Pod,
  status: PodRuntimeStatus | undefined,
): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  const s = findContainerStatus(status, c.name);
  if (!s) return true;
  if (s.state === "running") return false;
  if (s.state === "unknown" || s.state === "created") return true;
  const policy = restartPolicy(pod);
  if (policy === "Never") return false;
  if (policy === "OnFailure" && s.exitCode === 0) return false;
  return true;
}

export function isInitContainerFailed(s: ContainerStatus): boolean {
  if (s.state === "exited" && s.exitCode !== 0) return true;
  if (s.state === "unknown") return true;
  return false;
}

/** podSandboxChanged: whether a (new) sandbox is needed, its attempt, and the current sandbox. */
export function podSandboxChanged(
  pod: Pod,
  status: PodRuntimeStatus | undefined,
): { create: boolean; attempt: number; sandboxId?: string } {
  const sandboxes = status?.sandboxes ?? [];
  // Stopped sandboxes are removed at once (their address is freed): containers left behind mean there was one.
  if (sandboxes.length === 0) return { create: true, attempt: (status?.containers.length ?? 0) > 0 ? 1 : 0 };
  const newest = sandboxes[0];
  const ready = sandboxes.filter((s) => s.ready).length;
  if (ready > 1 || !newest.ready) return { create: true, attempt: newest.attempt + 1, sandboxId: newest.id };
  if (!pod.spec?.hostNetwork && !newest.ip)
    return { create: true, attempt: newest.attempt + 1, sandboxId: newest.id };
  return { create: false, attempt: newest.attempt, sandboxId: newest.id };
}

/** findNextInitContainerToRun: the last failed init status, the next one to run, and whether all are done. */
export function findNextInitContainerToRun(
  pod: Pod,
  status: PodRuntimeStatus | undefined,
): { lastFailed?: ContainerStatus; next?: Container; done: boolean } {
  const inits = pod.spec?.initContainers ?? [];
  if (inits.length === 0) return { done: true };
  for (const c of pod.spec?.containers ?? []) {
    if (findContainerStatus(status, c.name)?.state === "running") return { done: true };
  }
  for (let i = inits.length - 1; i >= 0; i--) {
    const s = findContainerStatus(status, inits[i].name);
    if (s && isInitContainerFailed(s)) return { lastFailed: s, next: inits[i], done: false };
  }
  for (let i = inits.length - 1; i >= 0; i--) {
    const s = findContainerStatus(status, inits[i].name);
    if (!s) continue;
    if (s.state === "running") return { done: false };
    if (s.state === "exited") {
      if (i === inits.length - 1) return { done: true };
      return { next: inits[i + 1], done: false };
    }
  }
  return { next: inits[0], done: false };
}

function podDesc(pod: Pod): string {
  return `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;
}

/** Splits the containers to start into those that may start now and those waiting in back-off. */
function applyBackoff(
  pod: Pod,
  names: string[],
  containers: Container[],
  status: PodRuntimeStatus | undefined,
  ctx: PodActionsContext,
): { start: string[]; backingOff: BackingOff[] } {
  const start: string[] = [];
  const backingOff: BackingOff[] = [];
  const uid = pod.metadata?.uid ?? "";
  for (const name of names) {
    const prev = findContainerStatus(status, name);
    const spec = containers.find((c) => c.name === name);
    if (!prev || prev.state !== "exited" || !spec) {
      start.push(name);
      continue;
    }
    const key = backoffKey(uid, name, containerHash(spec));
    const finished = prev.finishedAt ?? prev.createdAt;
    if (ctx.backoff.isInBackOffSince(key, finished, ctx.now)) {
      const delay = ctx.backoff.current(key) ?? ctx.backoff.initialMs;
      backingOff.push({
        name,
        message: `back-off ${goDuration(delay)} restarting failed container=${name} pod=${podDesc(pod)}`,
        until: ctx.backoff.backOffUntil(key, finished),
      });
    } else {
      start.push(name);
    }
  }
  return { start, backingOff };
}

export function computePodActions(
  pod: Pod,
  status: PodRuntimeStatus | undefined,
  ctx: PodActionsContext,
): PodActions {
  const containers = pod.spec?.containers ?? [];
  const inits = pod.spec?.initContainers ?? [];
  const sandbox = podSandboxChanged(pod, status);
  const actions: PodActions = {
    killPod: sandbox.create,
    createSandbox: sandbox.create,
    sandboxId: sandbox.sandboxId,
    attempt: sandbox.attempt,
    containersToStart: [],
    containersToKill: [],
    backingOff: [],
  };

  // A pod being deleted, or one that has finished for good, only winds down.
  const phase = pod.status?.phase;
  if (pod.metadata?.deletionTimestamp || phase === "Succeeded" || phase === "Failed") {
    actions.killPod = true;
    actions.createSandbox = false;
    return actions;
  }

  if (sandbox.create) {
    if (!shouldRestartOnFailure(pod) && sandbox.attempt !== 0 && (status?.containers.length ?? 0) !== 0) {
      // The sandbox died under a pod that must not restart: it stays down.
      actions.createSandbox = false;
      return actions;
    }
    const toStart = containers
      .filter((c) => !(restartPolicy(pod) === "OnFailure" && containerSucceeded(c, status)))
      .map((c) => c.name);
    if (toStart.length === 0) {
      actions.createSandbox = false;
      return actions;
    }
    if (inits.length > 0) {
      actions.nextInitContainerToStart = inits[0].name;
      return actions;
    }
    actions.containersToStart = toStart;
    return actions;
  }

  if (inits.length > 0) {
    const { lastFailed, next, done } = findNextInitContainerToRun(pod, status);
    if (!done) {
      if (next) {
        if (lastFailed && !shouldRestartOnFailure(pod)) {
          actions.killPod = true;
        } else {
          if (lastFailed?.state === "unknown") {
            actions.containersToKill.push({
              id: lastFailed.id,
              name: lastFailed.name,
              message: "Init container is in unknown state, try killing it before restart",
            });
          }
          const { start, backingOff } = applyBackoff(pod, [next.name], inits, status, ctx);
          actions.nextInitContainerToStart = start[0];
          actions.backingOff = backingOff;
        }
      }
      return actions;
    }
  }

  let keep = 0;
  const wanted: string[] = [];
  for (const c of containers) {
    const s = findContainerStatus(status, c.name);
    if (!s || s.state !== "running") {
      if (shouldContainerBeRestarted(c, pod, status)) {
        wanted.push(c.name);
        if (s?.state === "unknown" || s?.state === "created") {
          actions.containersToKill.push({
            id: s.id,
            name: c.name,
            message: "Container is in unknown state, try killing it before restart",
          });
        }
      }
      continue;
    }
    let restart = shouldRestartOnFailure(pod);
    let message: string;
    let reason: ContainerToKill["reason"];
    if (s.hash !== containerHash(c)) {
      message = `Container ${c.name} definition changed`;
      restart = true;
    } else if (ctx.liveness?.(s.id) === "failure") {
      message = `Container ${c.name} failed liveness probe`;
      reason = "Unhealthy";
    } else if (ctx.startup?.(s.id) === "failure") {
      message = `Container ${c.name} failed startup probe`;
      reason = "Unhealthy";
    } else {
      keep++;
      continue;
    }
    if (restart) {
      message += ", will be restarted";
      wanted.push(c.name);
    }
    actions.containersToKill.push({ id: s.id, name: c.name, message, ...(reason ? { reason } : {}) });
  }
  const { start, backingOff } = applyBackoff(pod, wanted, containers, status, ctx);
  actions.containersToStart = start;
  actions.backingOff = backingOff;
  if (keep === 0 && wanted.length === 0) actions.killPod = true;
  return actions;
}
