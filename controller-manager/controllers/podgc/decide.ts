// Pure decisions of the pod garbage collector (pkg/controller/podgc): which pods to delete and why.
import type { Pod } from "kubernetes-types/core/v1";

export type GCReason = "terminated" | "orphaned" | "unscheduledTerminating";

export interface PodToDelete {
  pod: Pod;
  reason: GCReason;
  /** Force (grace period 0) and mark Failed first, as upstream does for orphaned pods. */
  force: boolean;
}

function isTerminated(p: Pod): boolean {
  return p.status?.phase === "Succeeded" || p.status?.phase === "Failed";
}

function created(p: Pod): number {
  const t = p.metadata?.creationTimestamp ? Date.parse(p.metadata.creationTimestamp) : 0;
  return Number.isNaN(t) ? 0 : t;
}

/**
 * gcTerminated: beyond `threshold` terminated pods (≤ 0: no limit), the oldest go.
 * gcOrphaned: pods bound to a node that is gone (`nodeGone` says so only after the quarantine).
 * gcUnscheduledTerminating: pods being deleted that never got a node.
 */
export function podsToDelete(
  pods: readonly Pod[],
  nodeGone: (name: string) => boolean,
  threshold: number,
): PodToDelete[] {
  const out: PodToDelete[] = [];
  const seen = new Set<Pod>();
  if (threshold > 0) {
    const terminated = pods.filter((p) => isTerminated(p) && !p.metadata?.deletionTimestamp);
    if (terminated.length > threshold) {
      const oldest = [...terminated]
        .sort((a, b) => created(a) - created(b))
        .slice(0, terminated.length - threshold);
      for (const pod of oldest) {
        out.push({ pod, reason: "terminated", force: false });
        seen.add(pod);
      }
    }
  }
  for (const pod of pods) {
    if (seen.has(pod)) continue;
    const node = pod.spec?.nodeName;
    if (node && nodeGone(node)) out.push({ pod, reason: "orphaned", force: true });
    else if (!node && pod.metadata?.deletionTimestamp)
      out.push({ pod, reason: "unscheduledTerminating", force: true });
  }
  return out;
}
