// What controllers ask of a pod (pkg/api/v1/pod and controller_utils.go): is it active, ready,
// available; and which pods to delete first when scaling down (ActivePodsWithRanks).
import type { Pod, PodCondition } from "kubernetes-types/core/v1";

export function isPodTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === "Succeeded" || phase === "Failed";
}

/** controller.IsPodActive: not finished and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  return !isPodTerminal(pod) && !pod.metadata?.deletionTimestamp;
}

export function getPodReadyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === "Ready");
}

export function isPodReady(pod: Pod): boolean {
  return getPodReadyCondition(pod)?.status === "True";
}

/** Ready for at least minReadySeconds (podutil.IsPodAvailable). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  const c = getPodReadyCondition(pod);
  if (c?.status !== "True") return false;
  if (!minReadySeconds) return true;
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : Number.NaN;
  if (Number.isNaN(since)) return false;
  return since + minReadySeconds * 1000 <= nowMs;
}

/** Milliseconds until a ready pod becomes available (0 if it is, undefined if it is not ready). */
export function msUntilAvailable(pod: Pod, minReadySeconds: number, nowMs: number): number | undefined {
  const c = getPodReadyCondition(pod);
  if (c?.status !== "True") return undefined;
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : nowMs;
  return Math.max(0, since + minReadySeconds * 1000 - nowMs);
}

function timeOf(s: string | undefined): number {
  const t = s ? Date.parse(s) : Number.NaN;
  return Number.isNaN(t) ? 0 : t;
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function deletionCost(pod: Pod): number {
  const v = pod.metadata?.annotations?.["controller.kubernetes.io/pod-deletion-cost"];
  const n = v === undefined ? 0 : Number(v);
  return Number.isInteger(n) ? n : 0;
}

function restarts(pod: Pod): number {
  let max = 0;
  for (const s of pod.status?.containerStatuses ?? []) max = Math.max(max, s.restartCount ?? 0);
  return max;
}

/** Logarithmic bucket of a duration, so that pods started close together rank alike (LogarithmicScaleDown). */
function logBucket(sinceMs: number, nowMs: number): number {
  const d = Math.max(0, nowMs - sinceMs) / 1000;
  return d < 1 ? 0 : Math.floor(Math.log2(d)) + 1;
}

export interface RankedPod {
  pod: Pod;
  /** Pods of the same owner set on the same node: doubled-up pods go first. */
  rank: number;
}

/**
 * Comparator for deletion order (controller.ActivePodsWithRanks): negative when a should be deleted
 * before b. Unscheduled < scheduled; Pending < Unknown < Running; not ready < ready; lower deletion
 * cost first; more pods on the same node first; ready for less time first; more restarts first;
 * newer first.
 */
export function compareForDeletion(a: RankedPod, b: RankedPod, nowMs: number): number {
  const pa = a.pod;
  const pb = b.pod;
  const na = pa.spec?.nodeName ?? "";
  const nb = pb.spec?.nodeName ?? "";
  if ((na === "") !== (nb === "")) return na === "" ? -1 : 1;
  const ra = PHASE_RANK[pa.status?.phase ?? "Pending"] ?? 0;
  const rb = PHASE_RANK[pb.status?.phase ?? "Pending"] ?? 0;
  if (ra !== rb) return ra - rb;
  const ya = isPodReady(pa);
  const yb = isPodReady(pb);
  if (ya !== yb) return ya ? 1 : -1;
  const ca = deletionCost(pa);
  const cb = deletionCost(pb);
  if (ca !== cb) return ca - cb;
  if (a.rank !== b.rank) return b.rank - a.rank;
  if (ya && yb) {
    const ta = logBucket(timeOf(getPodReadyCondition(pa)?.lastTransitionTime), nowMs);
    const tb = logBucket(timeOf(getPodReadyCondition(pb)?.lastTransitionTime), nowMs);
    if (ta !== tb) return ta - tb;
  }
  const xa = restarts(pa);
  const xb = restarts(pb);
  if (xa !== xb) return xb - xa;
  const ka = logBucket(timeOf(pa.metadata?.creationTimestamp), nowMs);
  const kb = logBucket(timeOf(pb.metadata?.creationTimestamp), nowMs);
  if (ka !== kb) return ka - kb;
  return timeOf(pb.metadata?.creationTimestamp) - timeOf(pa.metadata?.creationTimestamp);
}

/**
 * The `count` pods to delete first (getPodsToDelete): ranked by how many of relatedPods share
 * their node, then by compareForDeletion.
 */
export function podsToDelete(
  pods: readonly Pod[],
  relatedPods: readonly Pod[],
  count: number,
  nowMs: number,
): Pod[] {
  if (count <= 0) return [];
  if (count >= pods.length) return [...pods];
  const perNode = new Map<string, number>();
  for (const p of relatedPods) {
    if (!isPodActive(p)) continue;
    const node = p.spec?.nodeName;
    if (node) perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const ranked: RankedPod[] = pods.map((pod) => ({
    pod,
    rank: pod.spec?.nodeName ? (perNode.get(pod.spec.nodeName) ?? 0) : 0,
  }));
  ranked.sort((a, b) => compareForDeletion(a, b, nowMs));
  return ranked.slice(0, count).map((r) => r.pod);
}

/** Pods ordered so that the best ones to keep come first (for status: which are "current"). */
export function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ""}/${pod.metadata?.name ?? ""}`;
}
