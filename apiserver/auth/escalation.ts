// RBAC escalation prevention, as kube-apiserver's RBAC storage (pkg/registry/rbac/validation:
// policy_comparator.go Covers, policy_compact.go CompactRules, rule.go ConfirmNoEscalation; the
// CompactString of pkg/apis/rbac/v1/evaluation_helpers.go): a user may write a role, or bind one, only
// with rules the user already holds. Pure: the caller resolves the user's rules.
import type { PolicyRule } from "kubernetes-types/rbac/v1";
import type { UserInfo } from "./authn.js";

/** What a user needs to set an aggregationRule: everything (clusterrole/policybased fullAuthority). */
export const FULL_AUTHORITY: readonly PolicyRule[] = [
  { verbs: ["*"], apiGroups: ["*"], resources: ["*"] },
  { verbs: ["*"], nonResourceURLs: ["*"] },
];

/** BreakdownRule: one rule per group × resource × verb (× resource name), then per URL × verb. */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  const names = rule.resourceNames ?? [];
  for (const group of rule.apiGroups ?? [])
    for (const resource of rule.resources ?? [])
      for (const verb of rule.verbs ?? []) {
        if (names.length > 0)
          for (const name of names)
            out.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
        else out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
      }
  for (const url of rule.nonResourceURLs ?? [])
    for (const verb of rule.verbs ?? []) out.push({ nonResourceURLs: [url], verbs: [verb] });
  return out;
}

const has = (set: readonly string[] | undefined, e: string) => (set ?? []).includes(e);
const hasAll = (set: readonly string[] | undefined, want: readonly string[] | undefined) =>
  (want ?? []).every((w) => has(set, w));

/** Every resource is in the set, "*" covers all, "*\/scale" covers any resource's scale subresource. */
export function resourceCoversAll(
  set: readonly string[] | undefined,
  covers: readonly string[] | undefined,
): boolean {
  if (has(set, "*") || hasAll(set, covers)) return true;
  for (const path of covers ?? []) {
    if (has(set, path)) continue;
    const slash = path.indexOf("/");
    if (slash < 0) return false;
    if (!has(set, `*/${path.slice(slash + 1)}`)) return false;
  }
  return true;
}

export function nonResourceURLCovers(owner: string, sub: string): boolean {
  return owner === sub || (owner.endsWith("*") && sub.startsWith(owner.replace(/\*+$/, "")));
}

/** ruleCovers: whether an owner rule covers a broken-down rule (at most one verb, resource, name). */
export function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = has(owner.verbs, "*") || hasAll(owner.verbs, sub.verbs);
  const groups = has(owner.apiGroups, "*") || hasAll(owner.apiGroups, sub.apiGroups);
  const resources = resourceCoversAll(owner.resources, sub.resources);
  const urls = (sub.nonResourceURLs ?? []).every((p) =>
    (owner.nonResourceURLs ?? []).some((o) => nonResourceURLCovers(o, p)),
  );
  const ownerNames = owner.resourceNames ?? [];
  const names =
    (sub.resourceNames ?? []).length === 0
      ? ownerNames.length === 0
      : ownerNames.length === 0 || hasAll(ownerNames, sub.resourceNames);
  return verbs && groups && resources && names && urls;
}

/** Covers: whether the owner's rules cover every servant rule, and the broken-down rules they do not. */
export function covers(
  ownerRules: readonly PolicyRule[],
  servantRules: readonly PolicyRule[],
): { covered: boolean; missing: PolicyRule[] } {
  const missing = servantRules
    .flatMap(breakdownRule)
    .filter((sub) => !ownerRules.some((owner) => ruleCovers(owner, sub)));
  return { covered: missing.length === 0, missing };
}

/**
 * CompactRules: rules of one group and one resource (at most one name, nothing else) that differ only
 * in their verbs become one rule; the others stay as they are, before them.
 */
export function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const compacted: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    const names = r.resourceNames ?? [];
    const isSimple =
      names.length <= 1 &&
      (r.nonResourceURLs ?? []).length === 0 &&
      r.apiGroups?.length === 1 &&
      r.resources?.length === 1;
    if (!isSimple) {
      compacted.push(r);
      continue;
    }
    const key = JSON.stringify([r.apiGroups, r.resources, names]);
    const existing = simple.get(key);
    if (existing) existing.verbs = [...(existing.verbs ?? []), ...(r.verbs ?? [])];
    else simple.set(key, structuredClone(r));
  }
  return [...compacted, ...simple.values()];
}

/** Go's %q of a []string: ["a" "b"]. */
function goQuoteList(list: readonly string[]): string {
  return `[${list.map((s) => JSON.stringify(s)).join(" ")}]`;
}

/** CompactString: {APIGroups:[""], Resources:["pods"], Verbs:["get"]}. */
export function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  const add = (label: string, v: readonly string[] | undefined) => {
    if (v && v.length > 0) parts.push(`${label}:${goQuoteList(v)}`);
  };
  add("APIGroups", r.apiGroups);
  add("Resources", r.resources);
  add("NonResourceURLs", r.nonResourceURLs);
  add("ResourceNames", r.resourceNames);
  add("Verbs", r.verbs);
  return `{${parts.join(", ")}}`;
}

/**
 * ConfirmNoEscalation: null when the owner's rules cover the rules to grant, else upstream's message
 * (the missing rules compacted, sorted, one a line; the owner's rule-resolution errors appended).
 */
export function escalationError(
  user: UserInfo,
  ownerRules: readonly PolicyRule[],
  ruleErrors: readonly string[],
  rules: readonly PolicyRule[],
): string | null {
  const { covered, missing } = covers(ownerRules, rules);
  if (covered) return null;
  const descriptions = [...new Set(compactRules(missing).map(compactString))].sort();
  let msg = `user ${JSON.stringify(user.name)} (groups=${goQuoteList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${descriptions.join("\n")}`;
  if (ruleErrors.length > 0) msg += `; resolution errors: [${aggregateForGo(ruleErrors)}]`;
  return msg;
}

/** utilerrors.NewAggregate(errs).Error(), as one element of the []error upstream prints. */
function aggregateForGo(errors: readonly string[]): string {
  const unique = [...new Set(errors)];
  return unique.length === 1 ? unique[0]! : `[${unique.join(", ")}]`;
}
