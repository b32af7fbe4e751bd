// DefaultPreemption (PostFilter): when no node fits, find a node where deleting lower-priority pods would
// let the pod fit, choosing the victims and the node as Kubernetes' preemption Evaluator does (minimal
// highest victim priority, then sum of priorities, then count, then latest start). PodDisruptionBudgets
// are not consulted. Messages follow preemption.go: "preemption: 0/3 nodes are available: ...".
import type { NodeInfo, PodInfo } from "../framework/nodeinfo.js";
import {
  Code,
  type CycleState,
  fitErrorMessage,
  newDiagnosis,
  type PostFilterContext,
  type PostFilterPlugin,
  type PostFilterResult,
  type Snapshot,
  type Status,
  unresolvable,
  unschedulable,
} from "../framework/types.js";

export const NO_VICTIMS = "No preemption victims found for incoming pod";
export const PREEMPTION_NOT_HELPFUL = "Preemption is not helpful for scheduling";

export interface Candidate {
  nodeName: string;
  victims: PodInfo[];
}

/** Kubernetes' pickOneNodeForPreemption criteria, in order. */
export function pickCandidate(cands: Candidate[]): Candidate | undefined {
  const startOf = (p: PodInfo) => Date.parse(p.pod.status?.startTime ?? "") || 0;
  const keyed = cands.map((c) => {
    const prios = c.victims.map((v) => v.priority);
    const highest = prios.length ? Math.max(...prios) : Number.NEGATIVE_INFINITY;
    const highestVictims = c.victims.filter((v) => v.priority === highest);
    return {
      c,
      highest,
      sum: prios.reduce((a, p) => a + p + 2147483648, 0),
      count: c.victims.length,
      // The latest start among the highest-priority victims (prefer disrupting young pods).
      earliestStart: highestVictims.length ? Math.min(...highestVictims.map(startOf)) : 0,
    };
  });
  keyed.sort(
    (a, b) =>
      a.highest - b.highest || a.sum - b.sum || a.count - b.count || b.earliestStart - a.earliestStart,
  );
  return keyed[0]?.c;
}

/** An overlay snapshot where one node is replaced by a modified copy. */
function withNode(snapshot: Snapshot, copy: NodeInfo): Snapshot {
  return {
    nodes: snapshot.nodes.map((n) => (n.name === copy.name ? copy : n)),
    get: (name) => (name === copy.name ? copy : snapshot.get(name)),
    namespaceLabels: (ns) => snapshot.namespaceLabels(ns),
    imageNumNodes: (img) => snapshot.imageNumNodes(img),
    volumes: snapshot.volumes,
  };
}

function needsClusterWideRecheck(pod: PodInfo, node: NodeInfo): boolean {
  return (
    pod.requiredAffinity.length + pod.requiredAntiAffinity.length > 0 ||
    (pod.pod.spec?.topologySpreadConstraints?.length ?? 0) > 0 ||
    node.podsWithRequiredAntiAffinity > 0
  );
}

export class DefaultPreemption implements PostFilterPlugin {
  readonly name = "DefaultPreemption";

  postFilter(
    state: CycleState,
    pod: PodInfo,
    filtered: ReadonlyMap<string, Status>,
    ctx: PostFilterContext,
  ): PostFilterResult {
    if (pod.pod.spec?.preemptionPolicy === "Never") {
      return { status: unschedulable("preemption: not eligible due to preemptionPolicy=Never.") };
    }
    const { snapshot } = ctx;
    const statuses = new Map<string, Status>();
    const potential: NodeInfo[] = [];
    for (const node of snapshot.nodes) {
      const s = filtered.get(node.name);
      if (!s || s.code === Code.UnschedulableAndUnresolvable) {
        statuses.set(node.name, unresolvable(PREEMPTION_NOT_HELPFUL));
      } else potential.push(node);
    }
    const candidates: Candidate[] = [];
    for (const node of potential) {
      const r = this.selectVictimsOnNode(state, pod, node, ctx);
      if ("victims" in r) candidates.push({ nodeName: node.name, victims: r.victims });
      else statuses.set(node.name, r.status);
    }
    const best = pickCandidate(candidates);
    if (!best) {
      const d = newDiagnosis();
      for (const [k, v] of statuses) d.nodeToStatus.set(k, v);
      return {
        status: unschedulable(`preemption: ${fitErrorMessage(statuses.size, d)}`),
        nominatedNodeName: "",
      };
    }
    return {
      status: { code: Code.Success, reasons: [] },
      nominatedNodeName: best.nodeName,
      victims: best.victims,
    };
  }

  selectVictimsOnNode(
    state: CycleState,
    pod: PodInfo,
    node: NodeInfo,
    ctx: PostFilterContext,
  ): { victims: PodInfo[] } | { status: Status } {
    const copy = node.clone();
    const lower = [...copy.pods.values()].filter((p) => p.priority < pod.priority);
    // Nothing to remove: the node's state would not change, so there is nothing to evaluate.
    if (lower.length === 0) return { status: unresolvable(NO_VICTIMS) };
    for (const p of lower) copy.removePod(p.key);
    const recheck = needsClusterWideRecheck(pod, node);
    const fits = (): Status | null => {
      let st = state;
      let snap = ctx.snapshot;
      if (recheck) {
        snap = withNode(ctx.snapshot, copy);
        st = state.clone();
        const pre = ctx.runPreFilters(st, pod, snap);
        if (pre) return pre;
      }
      return ctx.runFiltersOn(st, pod, copy, snap);
    };
    const s = fits();
    if (s) return { status: s };
    // Reprieve as many as possible, highest priority first.
    lower.sort((a, b) => b.priority - a.priority);
    const victims: PodInfo[] = [];
    for (const p of lower) {
      copy.addPod(p);
      if (fits()) {
        copy.removePod(p.key);
        victims.push(p);
      }
    }
    if (victims.length === 0) {
      return {
        status: { code: Code.Error, reasons: [`expected at least one victim pod on node "${node.name}"`] },
      };
    }
    return { victims };
  }
}
