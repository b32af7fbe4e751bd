// Pure decisions of the node lifecycle controller (pkg/controller/nodelifecycle) and of the NoExecute
// taint manager (pkg/controller/tainteviction): when a node's health is stale, what its conditions and
// taints become, how disrupted a zone is, and what happens to a pod on a NoExecute-tainted node.
import type { Node, NodeCondition, Pod, Taint, Toleration } from "kubernetes-types/core/v1";

export const TAINT_UNREACHABLE = "node.kubernetes.io/unreachable";
export const TAINT_NOT_READY = "node.kubernetes.io/not-ready";
/** The conditions besides Ready that go Unknown with it (nodelifecycle's remainingNodeConditionTypes). */
export const OTHER_CONDITION_TYPES = ["MemoryPressure", "DiskPressure", "PIDPressure"];

/** metav1.Time text (seconds precision). */
export function metaTime(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

export function readyCondition(node: Node): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === "Ready");
}

/**
 * The node's conditions once its health is known to be stale (no lease renewal or status heartbeat
 * seen for longer than the grace period): Ready and the pressure conditions go Unknown, as
 * tryUpdateNodeHealth does. Returns undefined when nothing changes.
 */
export function staleNodeConditions(node: Node, nowMs: number): NodeCondition[] | undefined {
  const now = metaTime(nowMs);
  const conds = [...(node.status?.conditions ?? [])];
  let changed = false;
  for (const type of ["Ready", ...OTHER_CONDITION_TYPES]) {
    const i = conds.findIndex((c) => c.type === type);
    if (i < 0) {
      conds.push({
        type,
        status: "Unknown",
        reason: "NodeStatusNeverUpdated",
        message: "Kubelet never posted node status.",
        lastHeartbeatTime: node.metadata?.creationTimestamp,
        lastTransitionTime: now,
      });
      changed = true;
    } else if (conds[i].status !== "Unknown") {
      conds[i] = {
        ...conds[i],
        status: "Unknown",
        reason: "NodeStatusUnknown",
        message: "Kubelet stopped posting node status.",
        lastTransitionTime: now,
      };
      changed = true;
    }
  }
  return changed ? conds : undefined;
}

/** The condition-driven taint key for a Ready status (undefined when Ready is True). */
export function conditionTaintKey(readyStatus: string | undefined): string | undefined {
  if (readyStatus === "True") return undefined;
  return readyStatus === "False" ? TAINT_NOT_READY : TAINT_UNREACHABLE;
}

function isLifecycleTaint(t: Taint): boolean {
  return (
    (t.key === TAINT_UNREACHABLE || t.key === TAINT_NOT_READY) &&
    (t.effect === "NoSchedule" || t.effect === "NoExecute")
  );
}

/**
 * The node's taints given its Ready status: the not-ready/unreachable NoSchedule taint always follows
 * the condition; the NoExecute one is added only when `mayAddNoExecute` (the zone's eviction rate
 * limiter said yes) and kept once there while the condition holds. Other taints are left alone.
 * Returns undefined when nothing changes.
 */
export function desiredTaints(
  current: readonly Taint[] | undefined,
  readyStatus: string | undefined,
  nowMs: number,
  mayAddNoExecute: boolean,
): Taint[] | undefined {
  const taints = current ?? [];
  const key = conditionTaintKey(readyStatus);
  const keep = taints.filter((t) => !isLifecycleTaint(t) || t.key === key);
  const next = [...keep];
  if (key !== undefined) {
    if (!keep.some((t) => t.key === key && t.effect === "NoSchedule"))
      next.push({ key, effect: "NoSchedule" });
    if (!keep.some((t) => t.key === key && t.effect === "NoExecute") && mayAddNoExecute)
      next.push({ key, effect: "NoExecute", timeAdded: metaTime(nowMs) });
  }
  return next.length === taints.length && next.every((t, i) => t === taints[i]) ? undefined : next;
}

/** Whether the node lacks a NoExecute taint its Ready status calls for (it waits for the rate limiter). */
export function needsNoExecuteTaint(node: Node): boolean {
  const key = conditionTaintKey(readyCondition(node)?.status);
  return (
    key !== undefined && !(node.spec?.taints ?? []).some((t) => t.key === key && t.effect === "NoExecute")
  );
}

// ---------------------------------------------------------------- zones

export type ZoneState = "Initial" | "Normal" | "FullDisruption" | "PartialDisruption";

export function zoneOf(node: Node): string {
  const l = node.metadata?.labels ?? {};
  const region = l["topology.kubernetes.io/region"] ?? "";
  const zone = l["topology.kubernetes.io/zone"] ?? "";
  return region || zone ? `${region}:\x00:${zone}` : "";
}

/** ComputeZoneState: no ready node ⇒ full disruption; more than 2 and ≥ threshold not ready ⇒ partial. */
export function computeZoneState(
  readyStatuses: readonly (string | undefined)[],
  unhealthyThreshold = 0.55,
): ZoneState {
  let ready = 0;
  let notReady = 0;
  for (const s of readyStatuses) {
    if (s === "True") ready++;
    else notReady++;
  }
  if (ready === 0 && notReady > 0) return "FullDisruption";
  if (notReady > 2 && notReady / (ready + notReady) >= unhealthyThreshold) return "PartialDisruption";
  return "Normal";
}

/**
 * NoExecute tainting rate for a zone (nodes per second): the normal rate, the secondary rate in a
 * partially disrupted large zone, none in a small one or when the zone is fully disrupted (then the
 * problem is more likely the control plane's view than the nodes).
 */
export function zoneEvictionRate(
  state: ZoneState,
  zoneSize: number,
  opts: { evictionRate: number; secondaryEvictionRate: number; largeClusterSizeThreshold: number },
): number {
  if (state === "Normal" || state === "Initial") return opts.evictionRate;
  if (state === "PartialDisruption")
    return zoneSize <= opts.largeClusterSizeThreshold ? 0 : opts.secondaryEvictionRate;
  return 0;
}

// ---------------------------------------------------------------- taint manager

/** v1helper.ToleratesTaint (Toleration.ToleratesTaint). */
export function toleratesTaint(tol: Toleration, taint: Taint): boolean {
  if (tol.effect && tol.effect !== taint.effect) return false;
  if (tol.key && tol.key !== taint.key) return false;
  const op = tol.operator ?? "Equal";
  if (op === "Exists") return true;
  if (op === "Equal") return (tol.value ?? "") === (taint.value ?? "");
  return false;
}

export type EvictionDecision = { kind: "keep" } | { kind: "evict" } | { kind: "wait"; ms: number };

/**
 * What the taint manager does with a pod on a node with these NoExecute taints (processPodOnNode):
 * evict now if a taint is not tolerated; wait for the smallest tolerationSeconds of the tolerations
 * used, counted from when the taints were added (or the pod created, if later); keep forever if
 * they tolerate without a limit.
 */
export function evictionDecision(
  pod: Pod,
  noExecuteTaints: readonly Taint[],
  nowMs: number,
): EvictionDecision {
  if (noExecuteTaints.length === 0) return { kind: "keep" };
  const tolerations = pod.spec?.tolerations ?? [];
  const used: Toleration[] = [];
  for (const taint of noExecuteTaints) {
    const matching = tolerations.filter(
      (t) => (t.effect === "NoExecute" || !t.effect) && toleratesTaint(t, taint),
    );
    if (matching.length === 0) return { kind: "evict" };
    used.push(...matching);
  }
  let minSeconds = Number.POSITIVE_INFINITY;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    minSeconds = Math.min(minSeconds, Math.max(0, t.tolerationSeconds));
  }
  if (!Number.isFinite(minSeconds)) return { kind: "keep" };
  const taintTimes = noExecuteTaints
    .map((t) => (t.timeAdded ? Date.parse(t.timeAdded) : Number.NaN))
    .filter((n) => !Number.isNaN(n));
  const created = pod.metadata?.creationTimestamp ? Date.parse(pod.metadata.creationTimestamp) : Number.NaN;
  let start = taintTimes.length ? Math.max(...taintTimes) : nowMs;
  if (!Number.isNaN(created)) start = Math.max(start, created);
  const due = start + minSeconds * 1000;
  return due <= nowMs ? { kind: "evict" } : { kind: "wait", ms: due - nowMs };
}

/** The pod's conditions with Ready set False (MarkPodsNotReady), or undefined if it already is. */
export function notReadyConditions(pod: Pod, nowMs: number): Pod["status"] | undefined {
  const conds = pod.status?.conditions ?? [];
  const ready = conds.find((c) => c.type === "Ready");
  if (ready?.status === "False") return undefined;
  const next = { type: "Ready", status: "False", lastTransitionTime: metaTime(nowMs) };
  const conditions = ready
    ? conds.map((c) => (c.type === "Ready" ? { ...c, ...next } : c))
    : [...conds, next];
  return { ...pod.status, conditions };
}
