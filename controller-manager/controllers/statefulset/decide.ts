// The StatefulSet controller's decisions, pure (stateful_set_control.go): which pod to create,
// delete or replace next, by ordinal, for OrderedReady and Parallel, RollingUpdate with partition
// and OnDelete; and the status the pods add up to.
import type { ControllerRevision, StatefulSet, StatefulSetStatus } from "kubernetes-types/apps/v1";
import type { Pod } from "kubernetes-types/core/v1";
import { matches, type Selector } from "../../../pkg/api/labels.js";
import { getControllerOf } from "../../../pkg/api/meta.js";
import { isPodAvailable, isPodReady, isPodTerminal } from "../../lib/pods.js";

export const REVISION_LABEL = "controller-revision-hash";
export const POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
export const POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";

/** web-3 → 3 for set "web"; -1 when the name is not one of the set's. */
export function ordinalOf(setName: string, podName: string): number {
  if (!podName.startsWith(`${setName}-`)) return -1;
  const rest = podName.slice(setName.length + 1);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : -1;
}

/**
 * The set's template history (history.ListControllerRevisions): the revisions its selector matches
 * that it controls or that nobody controls, oldest number first; `orphans` are those it must adopt
 * (adoptOrphanRevisions). A set re-created after `delete --cascade=orphan` thus finds its old
 * revisions, reuses the one equal to its template (re-numbered as the newest) and keeps the pods
 * already at that revision, as upstream does.
 */
export function setHistory(
  set: StatefulSet,
  selector: Selector,
  all: readonly ControllerRevision[],
): { history: ControllerRevision[]; orphans: ControllerRevision[] } {
  const history = all
    .filter((r) => matches(selector, r.metadata?.labels))
    .filter((r) => {
      const ref = getControllerOf(r);
      return !ref || ref.uid === set.metadata?.uid;
    })
    .sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
  return { history, orphans: history.filter((r) => !getControllerOf(r)) };
}

export const revisionOfPod = (p: Pod): string | undefined => p.metadata?.labels?.[REVISION_LABEL];
const terminating = (p: Pod): boolean => Boolean(p.metadata?.deletionTimestamp);
const runningAndReady = (p: Pod): boolean => p.status?.phase === "Running" && isPodReady(p);

export type SetAction =
  | { kind: "create"; ordinal: number; revision: "current" | "update" }
  | { kind: "delete"; pod: Pod; why: "failed" | "condemned" | "update" };

export interface SetInput {
  set: StatefulSet;
  /** The set's pods, by ordinal (at most one per ordinal). */
  pods: ReadonlyMap<number, Pod>;
  currentRevision: string;
  updateRevision: string;
  nowMs: number;
}

/** Which revision a newly created pod at `ordinal` gets (newVersionedStatefulSetPod). */
export function revisionForNewPod(
  set: StatefulSet,
  ordinal: number,
  currentReplicas: number,
): "current" | "update" {
  const strategy = set.spec?.updateStrategy;
  if ((strategy?.type ?? "RollingUpdate") !== "RollingUpdate") return "update";
  const partition = strategy?.rollingUpdate?.partition;
  if (partition === undefined || partition === null) return ordinal < currentReplicas ? "current" : "update";
  return ordinal < partition ? "current" : "update";
}

/**
 * The actions of one sync, in order. OrderedReady returns at most one step that must complete
 * before the next (create web-0, wait until it is Running and Ready, then web-1, ...); Parallel
 * returns every create and delete at once.
 */
export function decideSet(input: SetInput): SetAction[] {
  const { set, pods } = input;
  const replicas = set.spec?.replicas ?? 1;
  const parallel = set.spec?.podManagementPolicy === "Parallel";
  const currentReplicas = set.status?.currentReplicas ?? 0;
  const out: SetAction[] = [];
  // Failed pods are deleted first, to be recreated.
  for (const [ord, p] of pods) {
    if (ord < replicas && isPodTerminal(p) && !terminating(p)) {
      out.push({ kind: "delete", pod: p, why: "failed" });
      if (!parallel) return out;
    }
  }
  // Missing replicas, lowest ordinal first; OrderedReady waits on each one.
  for (let ord = 0; ord < replicas; ord++) {
    const p = pods.get(ord);
    if (!p) {
      out.push({ kind: "create", ordinal: ord, revision: revisionForNewPod(set, ord, currentReplicas) });
      if (!parallel) return out;
      continue;
    }
    if (!parallel && (terminating(p) || !runningAndReady(p))) return out;
  }
  if (out.length > 0) return out;
  // Condemned pods (ordinal >= replicas), highest first; OrderedReady one at a time, only when all are healthy.
  const condemned = [...pods.entries()].filter(([o]) => o >= replicas).sort((a, b) => b[0] - a[0]);
  for (const [, p] of condemned) {
    if (terminating(p)) {
      if (!parallel) return out;
      continue;
    }
    if (!parallel && [...pods.values()].some((x) => x !== p && (terminating(x) || !runningAndReady(x))))
      return out;
    out.push({ kind: "delete", pod: p, why: "condemned" });
    if (!parallel) return out;
  }
  if (out.length > 0 || condemned.length > 0) return out;
  // Rolling update: from the highest ordinal down to the partition, one pod at a time.
  const strategy = set.spec?.updateStrategy;
  if ((strategy?.type ?? "RollingUpdate") !== "RollingUpdate") return out;
  const partition = strategy?.rollingUpdate?.partition ?? 0;
  for (let ord = replicas - 1; ord >= partition; ord--) {
    const p = pods.get(ord);
    if (!p) return out;
    if (revisionOfPod(p) !== input.updateRevision && !terminating(p)) {
      out.push({ kind: "delete", pod: p, why: "update" });
      return out;
    }
    if (terminating(p) || !runningAndReady(p)) return out;
  }
  return out;
}

export function calculateSetStatus(input: SetInput, collisionCount: number | undefined): StatefulSetStatus {
  const { set, pods } = input;
  const minReady = set.spec?.minReadySeconds ?? 0;
  let replicas = 0;
  let ready = 0;
  let available = 0;
  let current = 0;
  let updated = 0;
  for (const p of pods.values()) {
    if (terminating(p)) continue;
    replicas++;
    if (runningAndReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, input.nowMs)) available++;
    }
    if (revisionOfPod(p) === input.currentRevision) current++;
    if (revisionOfPod(p) === input.updateRevision) updated++;
  }
  const status: StatefulSetStatus = {
    observedGeneration: set.metadata?.generation,
    replicas,
    readyReplicas: ready,
    availableReplicas: available,
    currentReplicas: current,
    updatedReplicas: updated,
    currentRevision: input.currentRevision,
    updateRevision: input.updateRevision,
    collisionCount: collisionCount ?? 0,
  };
  // A finished rolling update makes the update revision current (completeRollingUpdate).
  const desired = set.spec?.replicas ?? 1;
  const rolling = (set.spec?.updateStrategy?.type ?? "RollingUpdate") === "RollingUpdate";
  if (rolling && updated === desired && ready === desired && replicas === desired) {
    status.currentRevision = input.updateRevision;
    status.currentReplicas = updated;
  }
  return status;
}
