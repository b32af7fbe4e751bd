// NodeAffinity: spec.nodeSelector and required node affinity must match (Filter); preferred terms add their
// weights (Score, default weight 2). A DaemonSet pod's matchFields on metadata.name narrows the candidate
// nodes in PreFilter, as Kubernetes does.
import type { NodeInfo, PodInfo } from "../framework/nodeinfo.js";
import {
  type CycleState,
  type FilterPlugin,
  type PreFilterPlugin,
  type PreFilterResult,
  type ScorePlugin,
  type Status,
  unresolvable,
} from "../framework/types.js";
import { defaultNormalizeScore, nodeSelectorMatches, nodeSelectorTermMatches } from "./helpers.js";

export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";

export function podMatchesNodeSelectorAndAffinity(pod: PodInfo, node: NodeInfo): boolean {
  const sel = pod.pod.spec?.nodeSelector;
  if (sel) {
    for (const k of Object.keys(sel)) if (node.labels[k] !== sel[k]) return false;
  }
  const required = pod.pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required && !nodeSelectorMatches(required, node)) return false;
  return true;
}

/** The node names a required affinity pins the pod to (every term has matchFields metadata.name In). */
export function pinnedNodeNames(pod: PodInfo): Set<string> | undefined {
  const terms =
    pod.pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms || terms.length === 0) return undefined;
  const names = new Set<string>();
  for (const t of terms) {
    const f = (t.matchFields ?? []).find((r) => r.key === "metadata.name" && r.operator === "In");
    if (!f) return undefined;
    for (const v of f.values ?? []) names.add(v);
  }
  return names;
}

export class NodeAffinity implements PreFilterPlugin, FilterPlugin, ScorePlugin {
  readonly name = "NodeAffinity";

  preFilter(state: CycleState, pod: PodInfo): PreFilterResult | null {
    const spec = pod.pod.spec;
    if (
      !spec?.nodeSelector &&
      !spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
    ) {
      state.skipFilter.add(this.name);
    }
    const names = pinnedNodeNames(pod);
    return names ? { nodeNames: names } : null;
  }

  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    return podMatchesNodeSelectorAndAffinity(pod, node) ? null : unresolvable(ERR_REASON_POD);
  }

  score(_s: CycleState, pod: PodInfo, node: NodeInfo): number {
    const preferred = pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
    if (!preferred) return 0;
    let sum = 0;
    for (const p of preferred)
      if (p.weight && p.preference && nodeSelectorTermMatches(p.preference, node)) sum += p.weight;
    return sum;
  }

  normalizeScore(_s: CycleState, _p: PodInfo, scores: number[]): void {
    defaultNormalizeScore(scores, false);
  }
}
