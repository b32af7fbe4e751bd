// One scheduling decision, as schedule_one.go's schedulePod: PreFilter, Filter over a sample of the nodes
// (percentageOfNodesToScore, round-robin start), PreScore/Score over the feasible ones, pick the best
// (ties broken at random). Pure over the snapshot: no I/O; the caller assumes, binds and reports.

import type { NodeInfo, PodInfo } from "./framework/nodeinfo.js";
import type { Framework } from "./framework/runtime.js";
import {
  Code,
  CycleState,
  type Diagnosis,
  NO_NODE_AVAILABLE_MSG,
  newDiagnosis,
  type Snapshot,
  type Status,
  unresolvable,
} from "./framework/types.js";

export const MIN_FEASIBLE_NODES_TO_FIND = 100;
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/** How many feasible nodes to look for before scoring (numFeasibleNodesToFind); percentage 0 = adaptive. */
export function numFeasibleNodesToFind(numAllNodes: number, percentage = 0): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND || percentage >= 100) return numAllNodes;
  let pct = percentage;
  if (pct <= 0) {
    pct = 50 - Math.trunc(numAllNodes / 125);
    if (pct < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) pct = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  const n = Math.trunc((numAllNodes * pct) / 100);
  return Math.max(n, MIN_FEASIBLE_NODES_TO_FIND);
}

/** The highest total; among equals, each is chosen with equal probability (reservoir sampling). */
export function selectHost(
  nodes: readonly NodeInfo[],
  totals: readonly number[],
  random = Math.random,
): string {
  let best = 0;
  let ties = 1;
  for (let i = 1; i < nodes.length; i++) {
    if (totals[i] > totals[best]) {
      best = i;
      ties = 1;
    } else if (totals[i] === totals[best]) {
      ties++;
      if (random() * ties < 1) best = i;
    }
  }
  return nodes[best].name;
}

export interface ScheduleSuccess {
  kind: "scheduled";
  nodeName: string;
  evaluatedNodes: number;
  feasibleNodes: number;
  state: CycleState;
}
export interface ScheduleFailure {
  kind: "unschedulable";
  numAllNodes: number;
  diagnosis: Diagnosis;
  state: CycleState;
  /** Set for "no nodes available" and plugin errors (not a FitError). */
  error?: string;
}
export type ScheduleResult = ScheduleSuccess | ScheduleFailure;

/** Pods nominated to a node by preemption that must be counted there (priority >= the pod's). */
export interface Nominator {
  nominatedPodsFor(nodeName: string): readonly PodInfo[];
}

export interface ScheduleOptions {
  percentageOfNodesToScore?: number;
  nominator?: Nominator;
  random?: () => number;
}

export class Algorithm {
  /** Where the next pod's filtering starts, so that sampling spreads over all nodes. */
  nextStartNodeIndex = 0;
  constructor(
    readonly framework: Framework,
    readonly opts: ScheduleOptions = {},
  ) {}

  /** Filters with the nominated pods of higher or equal priority added to (a copy of) the node. */
  filterWithNominated(state: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    const nominated = this.opts.nominator?.nominatedPodsFor(node.name);
    if (!nominated || nominated.length === 0) return this.framework.runFilters(state, pod, node);
    const relevant = nominated.filter((p) => p.key !== pod.key && p.priority >= pod.priority);
    if (relevant.length === 0) return this.framework.runFilters(state, pod, node);
    const copy = node.clone();
    for (const p of relevant) copy.addPod(p);
    return this.framework.runFilters(state, pod, copy);
  }

  schedule(pod: PodInfo, snapshot: Snapshot): ScheduleResult {
    const state = new CycleState();
    const diagnosis = newDiagnosis();
    const all = snapshot.nodes;
    if (all.length === 0) {
      return { kind: "unschedulable", numAllNodes: 0, diagnosis, state, error: NO_NODE_AVAILABLE_MSG };
    }
    if (pod.parseError) {
      return { kind: "unschedulable", numAllNodes: all.length, diagnosis, state, error: pod.parseError };
    }
    const pre = this.framework.runPreFilters(state, pod, snapshot);
    if (pre.status) {
      if (pre.status.code === Code.Error) {
        return {
          kind: "unschedulable",
          numAllNodes: all.length,
          diagnosis,
          state,
          error: pre.status.reasons.join(", "),
        };
      }
      diagnosis.preFilterMsg = pre.status.reasons.join(", ");
      diagnosis.absentNodesStatus = pre.status;
      if (pre.status.plugin) diagnosis.unschedulablePlugins.add(pre.status.plugin);
      return { kind: "unschedulable", numAllNodes: all.length, diagnosis, state };
    }
    let candidates: readonly NodeInfo[] = all;
    let sampled = true;
    if (pre.nodeNames) {
      candidates = [...pre.nodeNames].map((n) => snapshot.get(n)).filter((n): n is NodeInfo => !!n);
      diagnosis.absentNodesStatus = unresolvable(
        `node(s) didn't satisfy plugin(s) [${pre.narrowedBy.sort().join(" ")}]`,
      );
      sampled = false;
    }
    const feasible = this.findFeasible(state, pod, candidates, sampled, diagnosis);
    if (feasible.length === 0) {
      return { kind: "unschedulable", numAllNodes: all.length, diagnosis, state };
    }
    if (feasible.length === 1) {
      return {
        kind: "scheduled",
        nodeName: feasible[0].name,
        evaluatedNodes: feasible.length + diagnosis.nodeToStatus.size,
        feasibleNodes: 1,
        state,
      };
    }
    const ps = this.framework.runPreScores(state, pod, feasible, snapshot);
    if (ps) {
      return {
        kind: "unschedulable",
        numAllNodes: all.length,
        diagnosis,
        state,
        error: ps.reasons.join(", "),
      };
    }
    const totals = this.framework.runScores(state, pod, feasible);
    return {
      kind: "scheduled",
      nodeName: selectHost(feasible, totals, this.opts.random),
      evaluatedNodes: feasible.length + diagnosis.nodeToStatus.size,
      feasibleNodes: feasible.length,
      state,
    };
  }

  private findFeasible(
    state: CycleState,
    pod: PodInfo,
    nodes: readonly NodeInfo[],
    sampled: boolean,
    diagnosis: Diagnosis,
  ): NodeInfo[] {
    const n = nodes.length;
    const want = sampled ? numFeasibleNodesToFind(n, this.opts.percentageOfNodesToScore) : n;
    const start = sampled ? this.nextStartNodeIndex % n : 0;
    const feasible: NodeInfo[] = [];
    let processed = 0;
    for (; processed < n && feasible.length < want; processed++) {
      const node = nodes[(start + processed) % n];
      const s = this.filterWithNominated(state, pod, node);
      if (!s) feasible.push(node);
      else {
        diagnosis.nodeToStatus.set(node.name, s);
        if (s.plugin) diagnosis.unschedulablePlugins.add(s.plugin);
      }
    }
    if (sampled) this.nextStartNodeIndex = (start + processed) % n;
    return feasible;
  }
}
