// NodeResourcesFit (Filter, and LeastAllocated scoring with weight 1) and NodeResourcesBalancedAllocation
// (weight 1), after pkg/scheduler/framework/plugins/noderesources. Requests are summed as Kubernetes does
// (init containers, sidecars, overhead: see podRequests) and compared with allocatable.
import type { NodeInfo, PodInfo } from "../framework/nodeinfo.js";
import {
  Code,
  type CycleState,
  type FilterPlugin,
  MAX_NODE_SCORE,
  type ScorePlugin,
  type Status,
} from "../framework/types.js";

export interface InsufficientResource {
  resourceName: string;
  reason: string;
  /** Even an empty node would not fit: preemption cannot help. */
  unresolvable: boolean;
}

/**
 * Whether the pod fits the node's free resources (no InsufficientResource at all). The filter asks this
 * for hundreds of nodes per pod: it allocates nothing, and only a node that fails gets fitsRequest.
 */
export function fitsAll(pod: PodInfo, node: NodeInfo): boolean {
  if (node.pods.size + 1 > node.allowedPodNumber) return false;
  const req = pod.requests;
  const alloc = node.allocatable;
  const used = node.requested;
  if (req.milliCPU > 0 && req.milliCPU > alloc.milliCPU - used.milliCPU) return false;
  if (req.memory > 0 && req.memory > alloc.memory - used.memory) return false;
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage)
    return false;
  if (req.scalar) {
    for (const [name, v] of req.scalar) {
      if (v === 0) continue;
      if (v > (alloc.scalar?.get(name) ?? 0) - (used.scalar?.get(name) ?? 0)) return false;
    }
  }
  return true;
}

/** fitsRequest: every resource the pod lacks on this node. */
export function fitsRequest(pod: PodInfo, node: NodeInfo): InsufficientResource[] {
  const out: InsufficientResource[] = [];
  if (node.pods.size + 1 > node.allowedPodNumber) {
    out.push({ resourceName: "pods", reason: "Too many pods", unresolvable: false });
  }
  const req = pod.requests;
  if (req.milliCPU === 0 && req.memory === 0 && req.ephemeralStorage === 0 && !req.scalar) return out;
  const alloc = node.allocatable;
  const used = node.requested;
  if (req.milliCPU > 0 && req.milliCPU > alloc.milliCPU - used.milliCPU) {
    out.push({
      resourceName: "cpu",
      reason: "Insufficient cpu",
      unresolvable: req.milliCPU > alloc.milliCPU,
    });
  }
  if (req.memory > 0 && req.memory > alloc.memory - used.memory) {
    out.push({
      resourceName: "memory",
      reason: "Insufficient memory",
      unresolvable: req.memory > alloc.memory,
    });
  }
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) {
    out.push({
      resourceName: "ephemeral-storage",
      reason: "Insufficient ephemeral-storage",
      unresolvable: req.ephemeralStorage > alloc.ephemeralStorage,
    });
  }
  for (const [name, v] of req.scalar ?? []) {
    if (v === 0) continue;
    const a = alloc.scalar?.get(name) ?? 0;
    const u = used.scalar?.get(name) ?? 0;
    if (v > a - u) out.push({ resourceName: name, reason: `Insufficient ${name}`, unresolvable: v > a });
  }
  return out;
}

export interface ResourceWeight {
  name: "cpu" | "memory";
  weight: number;
}
const DEFAULT_RESOURCES: ResourceWeight[] = [
  { name: "cpu", weight: 1 },
  { name: "memory", weight: 1 },
];

/** leastRequestedScore: (capacity - requested) * 100 / capacity, 0 when over capacity or capacity is 0. */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export class NodeResourcesFit implements FilterPlugin, ScorePlugin {
  readonly name = "NodeResourcesFit";
  constructor(private readonly resources: ResourceWeight[] = DEFAULT_RESOURCES) {}

  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    if (fitsAll(pod, node)) return null;
    const insufficient = fitsRequest(pod, node);
    if (insufficient.length === 0) return null;
    const code = insufficient.some((i) => i.unresolvable)
      ? Code.UnschedulableAndUnresolvable
      : Code.Unschedulable;
    return { code, reasons: insufficient.map((i) => i.reason) };
  }

  /** LeastAllocated over the non-zero requests (absent requests count as 100m / 200Mi). */
  score(_s: CycleState, pod: PodInfo, node: NodeInfo): number {
    let score = 0;
    let weights = 0;
    for (const r of this.resources) {
      const cap = r.name === "cpu" ? node.allocatable.milliCPU : node.allocatable.memory;
      const req =
        r.name === "cpu"
          ? node.nonZeroRequested.milliCPU + pod.nonZeroRequests.milliCPU
          : node.nonZeroRequested.memory + pod.nonZeroRequests.memory;
      score += leastRequestedScore(req, cap) * r.weight;
      weights += r.weight;
    }
    return weights === 0 ? 0 : Math.trunc(score / weights);
  }
}

/** balancedResourceScorer: 100 * (1 - standard deviation of the requested fractions). */
export function balancedScore(fractions: number[]): number {
  if (fractions.length === 0) return 0;
  let std = 0;
  if (fractions.length === 2) {
    std = Math.abs((fractions[0] - fractions[1]) / 2);
  } else if (fractions.length > 2) {
    const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
    std = Math.sqrt(fractions.reduce((a, f) => a + (f - mean) * (f - mean), 0) / fractions.length);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

export class NodeResourcesBalancedAllocation implements ScorePlugin {
  readonly name = "NodeResourcesBalancedAllocation";
  score(_s: CycleState, pod: PodInfo, node: NodeInfo): number {
    // A pod without cpu or memory requests is skipped (PreScore Skip in Kubernetes): same score everywhere.
    if (pod.requests.milliCPU === 0 && pod.requests.memory === 0) return 0;
    const fractions: number[] = [];
    const alloc = node.allocatable;
    if (alloc.milliCPU > 0) {
      fractions.push(Math.min(1, (node.requested.milliCPU + pod.requests.milliCPU) / alloc.milliCPU));
    }
    if (alloc.memory > 0)
      fractions.push(Math.min(1, (node.requested.memory + pod.requests.memory) / alloc.memory));
    return balancedScore(fractions);
  }
}
