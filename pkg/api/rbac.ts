// RBAC decisions shared by the apiserver's authorizer and the controller-manager's clusterrole-aggregation
// controller. Pure.
import type { ClusterRole, PolicyRule } from "kubernetes-types/rbac/v1";
import { labelSelectorMatches } from "./labels.js";

export function ruleKey(r: PolicyRule): string {
  return JSON.stringify([r.verbs, r.apiGroups, r.resources, r.resourceNames, r.nonResourceURLs]);
}

/**
 * The union of the rules of the ClusterRoles an aggregationRule selects, as the clusterrole-
 * aggregation controller computes it (syncClusterRole): selector by selector, the selected roles in
 * name order, the role itself excepted, each rule once (the first time it appears). `rulesOf` gives a
 * selected role's rules (the controller: its stored ones).
 */
export function aggregationUnion(
  all: readonly ClusterRole[],
  role: ClusterRole,
  rulesOf: (selected: ClusterRole) => readonly PolicyRule[] = (r) => r.rules ?? [],
): PolicyRule[] {
  const name = role.metadata?.name ?? "";
  const out: PolicyRule[] = [];
  const seen = new Set<string>();
  for (const sel of role.aggregationRule?.clusterRoleSelectors ?? []) {
    const selected = all
      .filter((r) => labelSelectorMatches(sel, r.metadata?.labels) && (r.metadata?.name ?? "") !== name)
      .sort((a, b) => ((a.metadata?.name ?? "") < (b.metadata?.name ?? "") ? -1 : 1));
    for (const r of selected)
      for (const rule of rulesOf(r)) {
        const k = ruleKey(rule);
        if (seen.has(k)) continue;
        seen.add(k);
        out.push(rule);
      }
  }
  return out;
}
