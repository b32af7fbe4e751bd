// Small shared matchers used by several plugins (v1helper in Kubernetes).
import type { NodeSelector, NodeSelectorTerm, Taint, Toleration } from "kubernetes-types/core/v1";
import { type NodeInfo, nodeSelectorRequirementMatches } from "../framework/nodeinfo.js";
import { MAX_NODE_SCORE } from "../framework/types.js";

/** Toleration.ToleratesTaint. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  // An empty key with operator Exists matches every taint.
  switch (t.operator ?? "Equal") {
    case "Exists":
      return true;
    case "Equal":
      return (t.value ?? "") === (taint.value ?? "");
    default:
      return false;
  }
}

export function tolerationsTolerateTaint(
  tolerations: readonly Toleration[] | undefined,
  taint: Taint,
): boolean {
  if (!tolerations) return false;
  for (const t of tolerations) if (toleratesTaint(t, taint)) return true;
  return false;
}

/** A NodeSelectorTerm: all expressions and fields match; an empty term matches nothing. */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: NodeInfo): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  for (const r of exprs) if (!nodeSelectorRequirementMatches(r, node.labels)) return false;
  if (fields.length > 0) {
    const set = { "metadata.name": node.name };
    for (const r of fields) {
      if (r.key !== "metadata.name") return false;
      if (!nodeSelectorRequirementMatches(r, set)) return false;
    }
  }
  return true;
}

/** A NodeSelector: any term matches (terms are ORed). */
export function nodeSelectorMatches(sel: NodeSelector, node: NodeInfo): boolean {
  for (const term of sel.nodeSelectorTerms ?? [])
    if (term && nodeSelectorTermMatches(term, node)) return true;
  return false;
}

/** helper.DefaultNormalizeScore: scale to 0..MAX by the maximum; reverse flips high and low. */
export function defaultNormalizeScore(scores: number[], reverse: boolean, max = MAX_NODE_SCORE): void {
  let top = 0;
  for (const s of scores) if (s > top) top = s;
  if (top === 0) {
    if (reverse) scores.fill(max);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    let s = Math.trunc((max * scores[i]) / top);
    if (reverse) s = max - s;
    scores[i] = s;
  }
}
