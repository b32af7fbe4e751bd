// The Deployment controller's arithmetic, pure (pkg/controller/deployment/util/deployment_util.go):
// surge and unavailability, how far to scale each ReplicaSet, revisions and annotations, status and
// conditions. Each function works on plain objects and is tested on tables.
import type { Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet } from "kubernetes-types/apps/v1";
import type { PodTemplateSpec } from "kubernetes-types/core/v1";
import {
  type Condition,
  formatTime,
  getCondition,
  removeCondition,
  setWorkloadCondition as setCondition,
} from "../../../pkg/api/meta.js";
import { semanticEqual } from "../../lib/hash.js";
import { scaledValue } from "../../lib/intstr.js";

export const POD_TEMPLATE_HASH = "pod-template-hash";
export const REVISION = "deployment.kubernetes.io/revision";
export const REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
export const DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas";
export const MAX_REPLICAS = "deployment.kubernetes.io/max-replicas";
export const CHANGE_CAUSE = "kubernetes.io/change-cause";
const MAX_REV_HISTORY_CHARS = 2000;

/** Deployment annotations never copied to ReplicaSets (annotationsToSkip). */
const SKIP_ANNOTATIONS = new Set([
  "kubectl.kubernetes.io/last-applied-configuration",
  REVISION,
  REVISION_HISTORY,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  "deprecated.deployment.rollback.to",
]);

// Condition reasons (deploymentutil).
export const Reasons = {
  FoundNewRS: "FoundNewReplicaSet",
  NewRSCreated: "NewReplicaSetCreated",
  FailedRSCreate: "ReplicaSetCreateError",
  NewRSAvailable: "NewReplicaSetAvailable",
  RSUpdated: "ReplicaSetUpdated",
  TimedOut: "ProgressDeadlineExceeded",
  Paused: "DeploymentPaused",
  Resumed: "DeploymentResumed",
  MinimumReplicasAvailable: "MinimumReplicasAvailable",
  MinimumReplicasUnavailable: "MinimumReplicasUnavailable",
} as const;

export const replicasOf = (o: { spec?: { replicas?: number } } | undefined): number => o?.spec?.replicas ?? 1;
const rsReplicas = (rs: ReplicaSet | undefined): number => rs?.spec?.replicas ?? 0;

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec?.strategy?.type ?? "RollingUpdate") === "RollingUpdate";
}

/** maxSurge and maxUnavailable resolved against replicas (ResolveFenceposts); both 0 ⇒ unavailable 1. */
export function resolveFenceposts(d: Deployment): { surge: number; unavailable: number } {
  const ru = d.spec?.strategy?.rollingUpdate;
  const desired = replicasOf(d);
  const surge = scaledValue(ru?.maxSurge ?? "25%", desired, true);
  let unavailable = scaledValue(ru?.maxUnavailable ?? "25%", desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  return resolveFenceposts(d).surge;
}

export function maxUnavailable(d: Deployment): number {
  if (!isRollingUpdate(d) || replicasOf(d) === 0) return 0;
  return Math.min(resolveFenceposts(d).unavailable, replicasOf(d));
}

export const sumReplicas = (rss: readonly (ReplicaSet | undefined)[]): number =>
  rss.reduce((n, rs) => n + rsReplicas(rs), 0);
export const sumActualReplicas = (rss: readonly (ReplicaSet | undefined)[]): number =>
  rss.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);
export const sumReadyReplicas = (rss: readonly (ReplicaSet | undefined)[]): number =>
  rss.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);
export const sumAvailableReplicas = (rss: readonly (ReplicaSet | undefined)[]): number =>
  rss.reduce((n, rs) => n + (rs?.status?.availableReplicas ?? 0), 0);

export function activeReplicaSets(rss: readonly (ReplicaSet | undefined)[]): ReplicaSet[] {
  return rss.filter((rs): rs is ReplicaSet => rs !== undefined && rsReplicas(rs) > 0);
}

const created = (rs: ReplicaSet): number => Date.parse(rs.metadata?.creationTimestamp ?? "") || 0;

/** Oldest first; ties by name (ReplicaSetsByCreationTimestamp). */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  return created(a) - created(b) || (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? "");
}

/** Larger first, then newer first (ReplicaSetsBySizeNewer). */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  return rsReplicas(b) - rsReplicas(a) || -byCreation(a, b);
}

/** Larger first, then older first (ReplicaSetsBySizeOlder). */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  return rsReplicas(b) - rsReplicas(a) || byCreation(a, b);
}

export function revisionOf(obj: { metadata?: { annotations?: Record<string, string> } } | undefined): number {
  const v = obj?.metadata?.annotations?.[REVISION];
  const n = v === undefined ? 0 : Number(v);
  return Number.isInteger(n) ? n : 0;
}

export function maxRevision(rss: readonly ReplicaSet[]): number {
  return rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

/** Templates equal apart from the pod-template-hash label (EqualIgnoreHash). */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  const strip = (t: PodTemplateSpec | undefined) => {
    const c = structuredClone(t ?? {});
    if (c.metadata?.labels) delete c.metadata.labels[POD_TEMPLATE_HASH];
    return c;
  };
  return semanticEqual(strip(a), strip(b));
}

/** The ReplicaSet whose template is the Deployment's (the oldest such, if several). */
export function findNewReplicaSet(d: Deployment, rss: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

export function findOldReplicaSets(d: Deployment, rss: readonly ReplicaSet[]): ReplicaSet[] {
  const newRS = findNewReplicaSet(d, rss);
  return rss.filter((rs) => rs.metadata?.uid !== newRS?.metadata?.uid);
}

/** How many replicas the new ReplicaSet may have now (NewRSNewReplicas). */
export function newRSNewReplicas(d: Deployment, allRSs: readonly ReplicaSet[], newRS: ReplicaSet): number {
  if (!isRollingUpdate(d)) return replicasOf(d);
  const current = sumReplicas(allRSs);
  const maxTotal = replicasOf(d) + maxSurge(d);
  if (current >= maxTotal) return rsReplicas(newRS);
  const up = Math.min(maxTotal - current, replicasOf(d) - rsReplicas(newRS));
  return rsReplicas(newRS) + Math.max(0, up);
}

/** The scale-down budget for old ReplicaSets in a rolling update (reconcileOldReplicaSets' maxScaledDown). */
export function oldScaleDownBudget(
  d: Deployment,
  allRSs: readonly ReplicaSet[],
  newRS: ReplicaSet | undefined,
): number {
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newUnavailable = rsReplicas(newRS) - (newRS?.status?.availableReplicas ?? 0);
  return sumReplicas(allRSs) - minAvailable - newUnavailable;
}

/** New sizes for old ReplicaSets with unhealthy replicas, oldest first, within budget (cleanupUnhealthyReplicas). */
export function cleanupUnhealthyPlan(oldRSs: readonly ReplicaSet[], budget: number): Map<string, number> {
  const plan = new Map<string, number>();
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= budget) break;
    if (rsReplicas(rs) === 0) continue;
    const unhealthy = rsReplicas(rs) - (rs.status?.availableReplicas ?? 0);
    if (unhealthy <= 0) continue;
    const down = Math.min(budget - total, unhealthy);
    plan.set(rs.metadata?.name ?? "", rsReplicas(rs) - down);
    total += down;
  }
  return plan;
}

/** New sizes for old ReplicaSets so that availability stays above the minimum (scaleDownOldReplicaSetsForRollingUpdate). */
export function scaleDownOldPlan(
  d: Deployment,
  allRSs: readonly ReplicaSet[],
  oldRSs: readonly ReplicaSet[],
): Map<string, number> {
  const plan = new Map<string, number>();
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const available = sumAvailableReplicas(allRSs);
  if (available <= minAvailable) return plan;
  const total = available - minAvailable;
  let done = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (done >= total) break;
    if (rsReplicas(rs) === 0) continue;
    const down = Math.min(rsReplicas(rs), total - done);
    plan.set(rs.metadata?.name ?? "", rsReplicas(rs) - down);
    done += down;
  }
  return plan;
}

function annotationInt(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata?.annotations?.[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
}

/** Is this a change of spec.replicas rather than of the template (isScalingEvent)? */
export function isScalingEvent(d: Deployment, rss: readonly (ReplicaSet | undefined)[]): boolean {
  for (const rs of activeReplicaSets(rss)) {
    const desired = annotationInt(rs, DESIRED_REPLICAS);
    if (desired === undefined) continue;
    if (desired !== replicasOf(d)) return true;
  }
  return false;
}

/** The one active ReplicaSet, or the newest if none is active (FindActiveOrLatest); undefined if several are active. */
export function findActiveOrLatest(
  newRS: ReplicaSet | undefined,
  oldRSs: readonly ReplicaSet[],
): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const olds = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = activeReplicaSets([...olds, newRS]);
  if (active.length === 0) return newRS ?? olds[0];
  if (active.length === 1) return active[0];
  return undefined;
}

export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = annotationInt(rs, DESIRED_REPLICAS);
  return (
    rsReplicas(rs) === replicasOf(d) &&
    desired === replicasOf(d) &&
    (rs.status?.availableReplicas ?? 0) === replicasOf(d)
  );
}

/**
 * Proportional scaling (DeploymentController.scale): when a Deployment is resized during a rollout,
 * spread the change over the active ReplicaSets by their share of the max-replicas they were sized
 * for, leftovers to the largest. Returns the new size of every active ReplicaSet, by name.
 */
export function proportionalScalePlan(d: Deployment, active: readonly ReplicaSet[]): Map<string, number> {
  const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
  const toAdd = allowed - sumReplicas(active);
  const sorted = [...active].sort(toAdd > 0 ? bySizeNewer : bySizeOlder);
  const plan = new Map<string, number>();
  let added = 0;
  for (const rs of sorted) {
    let proportion = 0;
    if (toAdd !== 0 && rsReplicas(rs) > 0 && toAdd !== added) {
      const fraction = replicaSetFraction(rs, d);
      const left = toAdd - added;
      proportion = toAdd > 0 ? Math.min(fraction, left) : Math.max(fraction, left);
    }
    plan.set(rs.metadata?.name ?? "", rsReplicas(rs) + proportion);
    added += proportion;
  }
  if (toAdd !== added && sorted.length > 0) {
    const name = sorted[0].metadata?.name ?? "";
    plan.set(name, Math.max(0, (plan.get(name) ?? 0) + toAdd - added));
  }
  return plan;
}

function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (replicasOf(d) === 0) return -rsReplicas(rs);
  const deploymentReplicas = replicasOf(d) + maxSurge(d);
  const annotated = annotationInt(rs, MAX_REPLICAS) ?? d.status?.replicas ?? 0;
  if (annotated === 0) return 0;
  const size = (rsReplicas(rs) * deploymentReplicas) / annotated;
  return roundHalfAway(size) - rsReplicas(rs);
}

function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * Annotations a ReplicaSet should carry for this Deployment (SetNewReplicaSetAnnotations): the
 * Deployment's own (minus the skipped ones), the revision (only raised), the revision history when
 * an old ReplicaSet is reused, and the replica annotations for a new one. undefined when unchanged.
 */
export function newReplicaSetAnnotations(
  d: Deployment,
  rs: ReplicaSet,
  newRevision: number,
  exists: boolean,
): Record<string, string> | undefined {
  const ann: Record<string, string> = { ...(rs.metadata?.annotations ?? {}) };
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (SKIP_ANNOTATIONS.has(k) || ann[k] === v) continue;
    ann[k] = v;
    changed = true;
  }
  const oldRevision = ann[REVISION];
  const oldRev = oldRevision === undefined ? 0 : Number(oldRevision);
  if (Number.isInteger(oldRev) && oldRev < newRevision) {
    ann[REVISION] = String(newRevision);
    changed = true;
    if (oldRevision !== undefined && oldRevision !== "") {
      const history = ann[REVISION_HISTORY];
      let list = history ? history.split(",") : [];
      list.push(oldRevision);
      while (list.join(",").length > MAX_REV_HISTORY_CHARS && list.length > 1) list = list.slice(1);
      ann[REVISION_HISTORY] = list.join(",");
    }
  }
  if (!exists) {
    const desired = String(replicasOf(d));
    const max = String(replicasOf(d) + maxSurge(d));
    if (ann[DESIRED_REPLICAS] !== desired || ann[MAX_REPLICAS] !== max) {
      ann[DESIRED_REPLICAS] = desired;
      ann[MAX_REPLICAS] = max;
      changed = true;
    }
  }
  return changed ? ann : undefined;
}

/** The replica annotations for this Deployment's current size, or undefined if already there. */
export function replicasAnnotations(d: Deployment, rs: ReplicaSet): Record<string, string> | undefined {
  const desired = String(replicasOf(d));
  const max = String(replicasOf(d) + maxSurge(d));
  const ann = rs.metadata?.annotations ?? {};
  if (ann[DESIRED_REPLICAS] === desired && ann[MAX_REPLICAS] === max) return undefined;
  return { ...ann, [DESIRED_REPLICAS]: desired, [MAX_REPLICAS]: max };
}

export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const r = replicasOf(d);
  return (
    (s.updatedReplicas ?? 0) === r &&
    (s.replicas ?? 0) === r &&
    (s.availableReplicas ?? 0) === r &&
    (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0)
  );
}

export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (
    (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

export function progressDeadlineSeconds(d: Deployment): number | undefined {
  const v = d.spec?.progressDeadlineSeconds;
  // Unset is defaulted to 600 by the apiserver; MaxInt32 means "no deadline".
  if (v === undefined || v === null) return 600;
  return v === 2147483647 ? undefined : v;
}

export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, nowMs: number): boolean {
  const deadline = progressDeadlineSeconds(d);
  if (deadline === undefined) return false;
  const c = getCondition(s.conditions, "Progressing");
  if (!c) return false;
  if (c.reason === Reasons.NewRSAvailable) return false;
  if (c.reason === Reasons.TimedOut) return true;
  const from = Date.parse(c.lastUpdateTime ?? c.lastTransitionTime ?? "");
  if (Number.isNaN(from)) return false;
  return from + deadline * 1000 < nowMs;
}

export function newCondition(
  type: string,
  status: string,
  reason: string,
  message: string,
  nowMs: number,
): DeploymentCondition {
  const t = formatTime(new Date(nowMs));
  return { type, status, reason, message, lastUpdateTime: t, lastTransitionTime: t };
}

/** The status the ReplicaSets add up to (calculateStatus), with the Available condition. */
export function calculateStatus(
  allRSs: readonly ReplicaSet[],
  newRS: ReplicaSet | undefined,
  d: Deployment,
  nowMs: number,
): DeploymentStatus {
  const available = sumAvailableReplicas(allRSs);
  const total = sumReplicas(allRSs);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata?.generation,
    replicas: sumActualReplicas(allRSs),
    updatedReplicas: sumActualReplicas([newRS]),
    readyReplicas: sumReadyReplicas(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
    conditions: [...(d.status?.conditions ?? [])],
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  const cond =
    available >= replicasOf(d) - maxUnavailable(d)
      ? newCondition(
          "Available",
          "True",
          Reasons.MinimumReplicasAvailable,
          "Deployment has minimum availability.",
          nowMs,
        )
      : newCondition(
          "Available",
          "False",
          Reasons.MinimumReplicasUnavailable,
          "Deployment does not have minimum availability.",
          nowMs,
        );
  status.conditions = setCondition(status.conditions, cond);
  return status;
}

/**
 * The rollout status with the Progressing and ReplicaFailure conditions (syncRolloutStatus), and
 * when to look again if nothing happens (requeueStuckDeployment): ms, or undefined.
 */
export function rolloutStatus(
  allRSs: readonly ReplicaSet[],
  newRS: ReplicaSet | undefined,
  d: Deployment,
  nowMs: number,
): { status: DeploymentStatus; recheckAfterMs?: number } {
  const status = calculateStatus(allRSs, newRS, d, nowMs);
  const deadline = progressDeadlineSeconds(d);
  if (deadline === undefined) status.conditions = removeCondition(status.conditions, "Progressing");
  const current = getCondition(status.conditions, "Progressing");
  const isComplete = status.replicas === status.updatedReplicas && current?.reason === Reasons.NewRSAvailable;
  if (deadline !== undefined && !isComplete) {
    const rsName = newRS?.metadata?.name;
    if (deploymentComplete(d, status)) {
      const msg = rsName
        ? `ReplicaSet "${rsName}" has successfully progressed.`
        : "Deployment has successfully progressed.";
      status.conditions = setCondition(
        status.conditions,
        newCondition("Progressing", "True", Reasons.NewRSAvailable, msg, nowMs),
      );
    } else if (deploymentProgressing(d, status)) {
      const msg = rsName ? `ReplicaSet "${rsName}" is progressing.` : "Deployment is progressing.";
      const c = newCondition("Progressing", "True", Reasons.RSUpdated, msg, nowMs);
      // Progress refreshes lastUpdateTime; the transition time stays while the status stays True.
      if (current?.status === "True" && current.lastTransitionTime)
        c.lastTransitionTime = current.lastTransitionTime;
      status.conditions = [...removeCondition(status.conditions, "Progressing"), c];
    } else if (deploymentTimedOut(d, status, nowMs)) {
      const msg = rsName
        ? `ReplicaSet "${rsName}" has timed out progressing.`
        : `Deployment "${d.metadata?.name}" has timed out progressing.`;
      status.conditions = setCondition(
        status.conditions,
        newCondition("Progressing", "False", Reasons.TimedOut, msg, nowMs),
      );
    }
  }
  const failure = replicaFailure(allRSs, newRS);
  status.conditions = failure
    ? setCondition(status.conditions, failure)
    : removeCondition(status.conditions, "ReplicaFailure");
  let recheckAfterMs: number | undefined;
  const cond = getCondition(status.conditions, "Progressing");
  if (deadline !== undefined && cond && !deploymentComplete(d, status) && cond.reason !== Reasons.TimedOut) {
    const from = Date.parse(cond.lastUpdateTime ?? "");
    if (!Number.isNaN(from)) recheckAfterMs = Math.max(1000, from + deadline * 1000 - nowMs + 1000);
  }
  return { status, recheckAfterMs };
}

function replicaFailure(
  allRSs: readonly ReplicaSet[],
  newRS: ReplicaSet | undefined,
): DeploymentCondition | undefined {
  const order = newRS ? [newRS, ...allRSs.filter((r) => r !== newRS)] : [...allRSs];
  for (const rs of order) {
    const c = (rs.status?.conditions ?? []).find((x) => x.type === "ReplicaFailure");
    if (c)
      return {
        type: "ReplicaFailure",
        status: c.status,
        reason: c.reason,
        message: c.message,
        lastTransitionTime: c.lastTransitionTime,
        lastUpdateTime: c.lastTransitionTime,
      };
  }
  return undefined;
}

/** Paused and resumed conditions (checkPausedConditions); undefined when nothing changes. */
export function pausedConditions(d: Deployment, nowMs: number): DeploymentCondition[] | undefined {
  if (progressDeadlineSeconds(d) === undefined) return undefined;
  const c = getCondition(d.status?.conditions, "Progressing");
  if (c?.reason === Reasons.TimedOut) return undefined;
  const pausedCond = c?.reason === Reasons.Paused;
  if (d.spec?.paused && !pausedCond)
    return setCondition(
      d.status?.conditions,
      newCondition("Progressing", "Unknown", Reasons.Paused, "Deployment is paused", nowMs),
    );
  if (!d.spec?.paused && pausedCond)
    return setCondition(
      d.status?.conditions,
      newCondition("Progressing", "Unknown", Reasons.Resumed, "Deployment is resumed", nowMs),
    );
  return undefined;
}

/** Old ReplicaSets to delete beyond revisionHistoryLimit, lowest revision first (cleanupDeployment). */
export function replicaSetsToCleanUp(d: Deployment, oldRSs: readonly ReplicaSet[]): ReplicaSet[] {
  const limit = d.spec?.revisionHistoryLimit ?? 10;
  const alive = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp);
  const diff = alive.length - limit;
  if (diff <= 0) return [];
  const sorted = [...alive].sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
  const out: ReplicaSet[] = [];
  for (const rs of sorted.slice(0, diff)) {
    if ((rs.status?.replicas ?? 0) !== 0 || rsReplicas(rs) !== 0) continue;
    if ((rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
    out.push(rs);
  }
  return out;
}

/** Status equality for deciding whether to write (ignores condition timestamps only when identical). */
export function statusEqual(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  return JSON.stringify(normalize(a ?? {})) === JSON.stringify(normalize(b));
}

function normalize(s: DeploymentStatus): unknown {
  return {
    o: s.observedGeneration ?? 0,
    r: s.replicas ?? 0,
    u: s.updatedReplicas ?? 0,
    y: s.readyReplicas ?? 0,
    a: s.availableReplicas ?? 0,
    n: s.unavailableReplicas ?? 0,
    c: s.collisionCount ?? 0,
    k: (s.conditions ?? []).map((c: Condition) => [
      c.type,
      c.status,
      c.reason,
      c.message,
      c.lastUpdateTime,
      c.lastTransitionTime,
    ]),
  };
}
