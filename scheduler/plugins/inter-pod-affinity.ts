// InterPodAffinity: required pod affinity / anti-affinity of the incoming pod, and the required
// anti-affinity of pods already placed (Filter); preferred terms of both sides (Score, default weight 2).
// Counts are per topology pair (label key, node's value), computed once per cycle in PreFilter/PreScore.
import type { AffinityTerm, NodeInfo, PodInfo } from "../framework/nodeinfo.js";
import { termMatches } from "../framework/nodeinfo.js";
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

export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
/** Weight of an existing pod's required affinity term that matches the incoming pod (hardPodAffinityWeight). */
export const HARD_POD_AFFINITY_WEIGHT = 1;

type Counts = Map<string, number>;
const pairKey = (key: string, value: string) => `${key}\u0000${value}`;

function bump(m: Counts, node: NodeInfo, key: string, by: number): void {
  const v = node.labels[key];
  if (v === undefined) return;
  const k = pairKey(key, v);
  m.set(k, (m.get(k) ?? 0) + by);
}

interface FilterState {
  existingAnti: Counts;
  affinity: Counts;
  anti: Counts;
  /** The incoming pod matches all of its own affinity terms (lets the first pod of a group in). */
  selfMatch: boolean;
}

function matchesAll(terms: readonly AffinityTerm[], pod: PodInfo, snapshot: Snapshot): boolean {
  const ns = snapshot.namespaceLabels(pod.namespace);
  for (const t of terms) if (!termMatches(t, pod, ns)) return false;
  return true;
}

export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = "InterPodAffinity";

  preFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): PreFilterResult | null {
    const s: FilterState = {
      existingAnti: new Map(),
      affinity: new Map(),
      anti: new Map(),
      selfMatch: false,
    };
    const podNs = snapshot.namespaceLabels(pod.namespace);
    const hasRequired = pod.requiredAffinity.length + pod.requiredAntiAffinity.length > 0;
    for (const ni of snapshot.nodes) {
      if (ni.podsWithRequiredAntiAffinity === 0 && !hasRequired) continue;
      for (const other of ni.pods.values()) {
        for (const t of other.requiredAntiAffinity) {
          if (termMatches(t, pod, podNs)) bump(s.existingAnti, ni, t.topologyKey, 1);
        }
        if (!hasRequired) continue;
        if (pod.requiredAffinity.length > 0 && matchesAll(pod.requiredAffinity, other, snapshot)) {
          for (const t of pod.requiredAffinity) bump(s.affinity, ni, t.topologyKey, 1);
        }
        if (pod.requiredAntiAffinity.length > 0) {
          const ns = snapshot.namespaceLabels(other.namespace);
          for (const t of pod.requiredAntiAffinity)
            if (termMatches(t, other, ns)) bump(s.anti, ni, t.topologyKey, 1);
        }
      }
    }
    if (!hasRequired && s.existingAnti.size === 0) {
      state.skipFilter.add(this.name);
      return null;
    }
    s.selfMatch = pod.requiredAffinity.length > 0 && matchesAll(pod.requiredAffinity, pod, snapshot);
    state.write(this.name, s);
    return null;
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    const s = state.read<FilterState>(this.name);
    if (!s) return null;
    if (!this.satisfiesAffinity(s, pod, node)) return unresolvable(ERR_REASON_AFFINITY);
    for (const t of pod.requiredAntiAffinity) {
      const v = node.labels[t.topologyKey];
      if (v !== undefined && (s.anti.get(pairKey(t.topologyKey, v)) ?? 0) > 0) {
        return unschedulable(ERR_REASON_ANTI_AFFINITY);
      }
    }
    if (s.existingAnti.size > 0) {
      for (const [k, v] of Object.entries(node.labels)) {
        if ((s.existingAnti.get(pairKey(k, v)) ?? 0) > 0)
          return unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY);
      }
    }
    return null;
  }

  private satisfiesAffinity(s: FilterState, pod: PodInfo, node: NodeInfo): boolean {
    if (pod.requiredAffinity.length === 0) return true;
    let podsExist = true;
    for (const t of pod.requiredAffinity) {
      const v = node.labels[t.topologyKey];
      if (v === undefined) return false;
      if ((s.affinity.get(pairKey(t.topologyKey, v)) ?? 0) <= 0) podsExist = false;
    }
    if (podsExist) return true;
    // No pod anywhere matches the terms: the pod may go anywhere that has the keys if it matches itself,
    // so that the first pod of a self-affine group can be placed.
    return s.affinity.size === 0 && s.selfMatch;
  }

  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], snapshot: Snapshot): Status | null {
    const hasPreferred = pod.preferredAffinity.length + pod.preferredAntiAffinity.length > 0;
    const scores: Counts = new Map();
    const podNs = snapshot.namespaceLabels(pod.namespace);
    for (const ni of snapshot.nodes) {
      if (!hasPreferred && ni.podsWithAffinity === 0) continue;
      for (const other of ni.pods.values()) {
        if (hasPreferred) {
          const ns = snapshot.namespaceLabels(other.namespace);
          for (const t of pod.preferredAffinity)
            if (termMatches(t, other, ns)) bump(scores, ni, t.topologyKey, t.weight);
          for (const t of pod.preferredAntiAffinity) {
            if (termMatches(t, other, ns)) bump(scores, ni, t.topologyKey, -t.weight);
          }
        }
        for (const t of other.requiredAffinity) {
          if (termMatches(t, pod, podNs)) bump(scores, ni, t.topologyKey, HARD_POD_AFFINITY_WEIGHT);
        }
        for (const t of other.preferredAffinity)
          if (termMatches(t, pod, podNs)) bump(scores, ni, t.topologyKey, t.weight);
        for (const t of other.preferredAntiAffinity) {
          if (termMatches(t, pod, podNs)) bump(scores, ni, t.topologyKey, -t.weight);
        }
      }
    }
    if (scores.size === 0) state.skipScore.add(this.name);
    else state.write(`${this.name}/score`, scores);
    void nodes;
    return null;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const scores = state.read<Counts>(`${this.name}/score`);
    if (!scores) return 0;
    let sum = 0;
    for (const [k, v] of Object.entries(node.labels)) sum += scores.get(pairKey(k, v)) ?? 0;
    return sum;
  }

  normalizeScore(_s: CycleState, _p: PodInfo, scores: number[]): void {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const s of scores) {
      if (s < min) min = s;
      if (s > max) max = s;
    }
    const diff = max - min;
    for (let i = 0; i < scores.length; i++) {
      scores[i] = diff > 0 ? Math.trunc((MAX_NODE_SCORE * (scores[i] - min)) / diff) : 0;
    }
  }
}
