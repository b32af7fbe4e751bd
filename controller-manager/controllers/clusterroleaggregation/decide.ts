// The clusterrole-aggregation controller's decision (pkg/controller/clusterroleaggregation
// syncClusterRole): the rules an aggregated ClusterRole should hold, and whether to write them.
import type { ClusterRole, PolicyRule } from "kubernetes-types/rbac/v1";
import { aggregationUnion } from "../../../pkg/api/rbac.js";

/** The field manager of the controller's server-side applies, as upstream's. */
export const FIELD_MANAGER = "clusterrole-aggregation-controller";

/** Semantic equality of rule lists: a missing list equals an empty one, as equality.Semantic. */
function sameRules(a: readonly PolicyRule[] | undefined, b: readonly PolicyRule[] | undefined): boolean {
  const norm = (rules: readonly PolicyRule[] | undefined) =>
    JSON.stringify(
      (rules ?? []).map((r) => [
        r.verbs ?? [],
        r.apiGroups ?? [],
        r.resources ?? [],
        r.resourceNames ?? [],
        r.nonResourceURLs ?? [],
      ]),
    );
  return norm(a) === norm(b);
}

/**
 * The rules to write into `role`, or null when there is nothing to do (not aggregated, or its rules
 * already are the union of the stored rules of the ClusterRoles its selectors match).
 */
export function rulesToWrite(
  all: readonly ClusterRole[],
  role: ClusterRole | undefined,
): PolicyRule[] | null {
  if (!role?.aggregationRule) return null;
  const rules = aggregationUnion(all, role);
  return sameRules(rules, role.rules) ? null : rules;
}

/** The server-side apply configuration upstream sends (ClusterRole(name).WithRules(...)). */
export function applyConfiguration(name: string, rules: readonly PolicyRule[]): ClusterRole {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name },
    rules: [...rules],
  };
}
