// TaintToleration: NoSchedule/NoExecute taints must be tolerated (Filter); untolerated PreferNoSchedule
// taints count against a node (Score, reversed so fewer is better). Default weight 3.
import type { Taint, Toleration } from "kubernetes-types/core/v1";
import type { NodeInfo, PodInfo } from "../framework/nodeinfo.js";
import {
  type CycleState,
  type FilterPlugin,
  type ScorePlugin,
  type Status,
  unresolvable,
} from "../framework/types.js";
import { defaultNormalizeScore, tolerationsTolerateTaint } from "./helpers.js";

export function untoleratedTaintMessage(t: Taint): string {
  return `node(s) had untolerated taint {${t.key}: ${t.value ?? ""}}`;
}

/** The first NoSchedule/NoExecute taint the tolerations do not tolerate. */
export function findUntoleratedTaint(
  taints: readonly Taint[],
  tolerations: readonly Toleration[] | undefined,
): Taint | undefined {
  for (const t of taints) {
    if (t.effect !== "NoSchedule" && t.effect !== "NoExecute") continue;
    if (!tolerationsTolerateTaint(tolerations, t)) return t;
  }
  return undefined;
}

export class TaintToleration implements FilterPlugin, ScorePlugin {
  readonly name = "TaintToleration";
  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    if (node.taints.length === 0) return null;
    const t = findUntoleratedTaint(node.taints, pod.pod.spec?.tolerations);
    return t ? unresolvable(untoleratedTaintMessage(t)) : null;
  }

  score(_s: CycleState, pod: PodInfo, node: NodeInfo): number {
    if (node.taints.length === 0) return 0;
    const tolerations = (pod.pod.spec?.tolerations ?? []).filter(
      (t) => !t.effect || t.effect === "PreferNoSchedule",
    );
    let n = 0;
    for (const t of node.taints) {
      if (t.effect === "PreferNoSchedule" && !tolerationsTolerateTaint(tolerations, t)) n++;
    }
    return n;
  }

  normalizeScore(_s: CycleState, _p: PodInfo, scores: number[]): void {
    defaultNormalizeScore(scores, true);
  }
}
