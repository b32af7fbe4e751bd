// The ReplicaSet controller's decisions, pure: how many pods to create or which to delete, and the
// status to report (replica_set.go manageReplicas / replica_set_utils.go calculateStatus).
import type { ReplicaSetCondition, ReplicaSetStatus } from "kubernetes-types/apps/v1";
import type { Pod } from "kubernetes-types/core/v1";
import { matches, selectorFromSet } from "../../../pkg/api/labels.js";
import {
  formatTime,
  getCondition,
  removeCondition,
  setWorkloadCondition as setCondition,
} from "../../../pkg/api/meta.js";
import { isPodAvailable, isPodReady, msUntilAvailable, podsToDelete } from "../../lib/pods.js";

/** At most this many creates or deletes per sync (BurstReplicas). */
export const BURST_REPLICAS = 500;

export type ReplicaAction =
  | { kind: "none" }
  | { kind: "create"; count: number }
  | { kind: "delete"; pods: Pod[] };

export function decideReplicas(
  desired: number,
  activePods: readonly Pod[],
  relatedPods: readonly Pod[],
  nowMs: number,
  burst = BURST_REPLICAS,
): ReplicaAction {
  const diff = activePods.length - desired;
  if (diff < 0) return { kind: "create", count: Math.min(-diff, burst) };
  if (diff > 0)
    return { kind: "delete", pods: podsToDelete(activePods, relatedPods, Math.min(diff, burst), nowMs) };
  return { kind: "none" };
}

/** The shape ReplicaSet and ReplicationController statuses share. */
export interface ReplicaStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaSetCondition[];
}

export interface StatusInput {
  generation: number | undefined;
  templateLabels: Record<string, string> | undefined;
  minReadySeconds: number;
  previous: ReplicaStatus | undefined;
  /** The pods the controller owns and that are active. */
  pods: readonly Pod[];
  /** The error of this sync's creates or deletes, if any, and which it was. */
  manageError?: { message: string; creating: boolean };
}

export function calculateStatus(input: StatusInput, nowMs: number): ReplicaStatus {
  const templateSel = selectorFromSet(input.templateLabels ?? {});
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of input.pods) {
    if (matches(templateSel, pod.metadata?.labels)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, input.minReadySeconds, nowMs)) available++;
    }
  }
  let conditions = input.previous?.conditions ?? [];
  const failure = getCondition(conditions, "ReplicaFailure");
  if (input.manageError && !failure) {
    conditions = setCondition(conditions, {
      type: "ReplicaFailure",
      status: "True",
      reason: input.manageError.creating ? "FailedCreate" : "FailedDelete",
      message: input.manageError.message,
      lastTransitionTime: formatTime(new Date(nowMs)),
    });
  } else if (!input.manageError && failure) {
    conditions = removeCondition(conditions, "ReplicaFailure");
  }
  const status: ReplicaStatus = {
    replicas: input.pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: input.generation,
  };
  if (conditions.length > 0) status.conditions = conditions;
  return status;
}

/** Whether two statuses differ in anything the controller writes. */
export function statusChanged(a: ReplicaStatus | ReplicaSetStatus | undefined, b: ReplicaStatus): boolean {
  const x = a ?? { replicas: 0 };
  return (
    (x.replicas ?? 0) !== b.replicas ||
    (x.fullyLabeledReplicas ?? 0) !== (b.fullyLabeledReplicas ?? 0) ||
    (x.readyReplicas ?? 0) !== (b.readyReplicas ?? 0) ||
    (x.availableReplicas ?? 0) !== (b.availableReplicas ?? 0) ||
    (x.observedGeneration ?? 0) !== (b.observedGeneration ?? 0) ||
    JSON.stringify(x.conditions ?? []) !== JSON.stringify(b.conditions ?? [])
  );
}

/** When the next ready-but-not-yet-available pod becomes available (ms), if any. */
export function nextAvailableAfter(
  pods: readonly Pod[],
  minReadySeconds: number,
  nowMs: number,
): number | undefined {
  if (!minReadySeconds) return undefined;
  let next: number | undefined;
  for (const p of pods) {
    const ms = msUntilAvailable(p, minReadySeconds, nowMs);
    if (ms !== undefined && ms > 0) next = next === undefined ? ms : Math.min(next, ms);
  }
  return next;
}
