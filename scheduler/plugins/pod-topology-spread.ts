// PodTopologySpread: DoNotSchedule constraints bound the skew between topology domains (Filter);
// ScheduleAnyway constraints prefer the less crowded domains (Score, default weight 2). Counted over the
// nodes that pass the pod's nodeSelector/affinity (nodeAffinityPolicy Honor) and carry every key. The
// system default constraints (which need Service/ReplicaSet listers) are not applied.
import type { TopologySpreadConstraint } from "kubernetes-types/core/v1";
import { labelSelectorAsSelector, matches, type Selector } from "../../pkg/api/labels.js";
import type { NodeInfo, PodInfo } from "../framework/nodeinfo.js";
import {
  type CycleState,
  type FilterPlugin,
  MAX_NODE_SCORE,
  type PreFilterPlugin,
  type PreFilterResult,
  type PreScorePlugin,
  type ScorePlugin,
  type Snapshot,
  type Status,
  unresolvable,
  unschedulable,
} from "../framework/types.js";
import { podMatchesNodeSelectorAndAffinity } from "./node-affinity.js";
import { findUntoleratedTaint } from "./taint-toleration.js";

export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;

interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: Selector;
  minDomains: number;
  honorTaints: boolean;
  honorAffinity: boolean;
}

function compile(c: TopologySpreadConstraint, pod: PodInfo): Constraint {
  let ls = c.labelSelector;
  // matchLabelKeys: the incoming pod's values for these keys are ANDed into the selector.
  if (c.matchLabelKeys?.length) {
    const extra = c.matchLabelKeys
      .filter((k) => pod.labels[k] !== undefined)
      .map((k) => ({ key: k, operator: "In", values: [pod.labels[k]] }));
    ls = { ...(ls ?? {}), matchExpressions: [...(ls?.matchExpressions ?? []), ...extra] };
  }
  return {
    maxSkew: c.maxSkew,
    topologyKey: c.topologyKey,
    selector: labelSelectorAsSelector(ls),
    minDomains: c.minDomains ?? 1,
    honorTaints: c.nodeTaintsPolicy === "Honor",
    honorAffinity: c.nodeAffinityPolicy !== "Ignore",
  };
}

function constraintsOf(pod: PodInfo, when: "DoNotSchedule" | "ScheduleAnyway"): Constraint[] {
  return (pod.pod.spec?.topologySpreadConstraints ?? [])
    .filter((c) => c.whenUnsatisfiable === when)
    .map((c) => compile(c, pod));
}

function nodeCounts(c: Constraint, pod: PodInfo, node: NodeInfo): boolean {
  if (c.honorAffinity && !podMatchesNodeSelectorAndAffinity(pod, node)) return false;
  if (c.honorTaints && findUntoleratedTaint(node.taints, pod.pod.spec?.tolerations)) return false;
  return true;
}

function countMatching(c: Constraint, pod: PodInfo, node: NodeInfo): number {
  let n = 0;
  for (const other of node.pods.values()) {
    if (other.namespace !== pod.namespace || other.pod.metadata?.deletionTimestamp) continue;
    if (matches(c.selector, other.labels)) n++;
  }
  return n;
}

function hasAllKeys(cs: Constraint[], node: NodeInfo): boolean {
  for (const c of cs) if (node.labels[c.topologyKey] === undefined) return false;
  return true;
}

interface FilterState {
  constraints: Constraint[];
  /** Per constraint: domain value -> matching pods. */
  counts: Map<string, number>[];
  minMatch: number[];
}

export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = "PodTopologySpread";

  preFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): PreFilterResult | null {
    let constraints: Constraint[];
    try {
      constraints = constraintsOf(pod, "DoNotSchedule");
    } catch (err) {
      return { status: unresolvable(`invalid topology spread constraint: ${(err as Error).message}`) };
    }
    if (constraints.length === 0) {
      state.skipFilter.add(this.name);
      return null;
    }
    const counts = constraints.map(() => new Map<string, number>());
    for (const ni of snapshot.nodes) {
      if (!hasAllKeys(constraints, ni)) continue;
      constraints.forEach((c, i) => {
        if (!nodeCounts(c, pod, ni)) return;
        const v = ni.labels[c.topologyKey];
        counts[i].set(v, (counts[i].get(v) ?? 0) + countMatching(c, pod, ni));
      });
    }
    const minMatch = counts.map((m, i) => {
      if (m.size < constraints[i].minDomains) return 0;
      let min = Number.POSITIVE_INFINITY;
      for (const v of m.values()) if (v < min) min = v;
      return Number.isFinite(min) ? min : 0;
    });
    state.write(this.name, { constraints, counts, minMatch } satisfies FilterState);
    return null;
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    const s = state.read<FilterState>(this.name);
    if (!s) return null;
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i];
      const v = node.labels[c.topologyKey];
      if (v === undefined) return unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH);
      const self = matches(c.selector, pod.labels) ? 1 : 0;
      const skew = (s.counts[i].get(v) ?? 0) + self - s.minMatch[i];
      if (skew > c.maxSkew) return unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH);
    }
    return null;
  }

  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], snapshot: Snapshot): Status | null {
    let constraints: Constraint[];
    try {
      constraints = constraintsOf(pod, "ScheduleAnyway");
    } catch {
      constraints = [];
    }
    if (constraints.length === 0) {
      state.skipScore.add(this.name);
      return null;
    }
    const counts = constraints.map(() => new Map<string, number>());
    const domains = constraints.map(() => new Set<string>());
    for (const ni of nodes) {
      if (!hasAllKeys(constraints, ni)) continue;
      constraints.forEach((c, i) => {
        domains[i].add(ni.labels[c.topologyKey]);
      });
    }
    for (const ni of snapshot.nodes) {
      if (!hasAllKeys(constraints, ni)) continue;
      constraints.forEach((c, i) => {
        const v = ni.labels[c.topologyKey];
        if (!domains[i].has(v) || !nodeCounts(c, pod, ni)) return;
        counts[i].set(v, (counts[i].get(v) ?? 0) + countMatching(c, pod, ni));
      });
    }
    const weights = domains.map((d) => Math.log(d.size + 2));
    state.write(`${this.name}/score`, { constraints, counts, weights });
    return null;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const s = state.read<{ constraints: Constraint[]; counts: Map<string, number>[]; weights: number[] }>(
      `${this.name}/score`,
    );
    if (!s) return 0;
    if (!hasAllKeys(s.constraints, node)) return -1; // ignored node: normalized to 0
    let score = 0;
    s.constraints.forEach((c, i) => {
      const cnt = s.counts[i].get(node.labels[c.topologyKey]) ?? 0;
      score += cnt * s.weights[i] + (c.maxSkew - 1);
    });
    return Math.round(score);
  }

  normalizeScore(_s: CycleState, _p: PodInfo, scores: number[]): void {
    let min = Number.POSITIVE_INFINITY;
    let max = 0;
    for (const s of scores) {
      if (s < 0) continue;
      if (s < min) min = s;
      if (s > max) max = s;
    }
    for (let i = 0; i < scores.length; i++) {
      if (scores[i] < 0) scores[i] = 0;
      else if (max === 0) scores[i] = MAX_NODE_SCORE;
      else scores[i] = Math.trunc((MAX_NODE_SCORE * (max + min - scores[i])) / max);
    }
  }
}
