// The RBAC rule evaluator, as kube-apiserver's (plugin/pkg/auth/authorizer/rbac/rbac.go, the rule
// resolver of pkg/registry/rbac/validation/rule.go and the matchers of pkg/apis/rbac/v1/
// evaluation_helpers.go): ClusterRoleBindings, then the RoleBindings of the request's namespace; the
// first rule that covers the request allows it. Pure: the RBAC objects come from an RbacSource.
//
// ClusterRoles with an aggregationRule: the controller-manager's clusterrole-aggregation controller
// writes the union of the selected roles' rules into the aggregated role, and those are used; while
// they are empty the union is taken when a rule is looked up (`aggregatedRules`), so admin / edit /
// view work without that controller.
import type {
  ClusterRole,
  ClusterRoleBinding,
  PolicyRule,
  Role,
  RoleBinding,
  RoleRef,
  Subject,
} from "kubernetes-types/rbac/v1";
import { aggregationUnion } from "../../pkg/api/rbac.js";
import type { UserInfo } from "./authn.js";

export { aggregationUnion };

/** What an authorizer decides on (authorizer.Attributes). */
export interface AuthzAttributes {
  verb: string;
  /** Resource requests: */
  group?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** Non-resource requests: */
  path?: string;
}

export interface Decision {
  allowed: boolean;
  /** Why (upstream's reason string): "RBAC: allowed by ...", or the rule-resolution errors of a denial. */
  reason: string;
}

/** The RBAC objects the evaluator reads (upstream's listers). */
export interface RbacSource {
  clusterRoleBindings(): readonly ClusterRoleBinding[];
  roleBindings(namespace: string): readonly RoleBinding[];
  role(namespace: string, name: string): Role | undefined;
  clusterRole(name: string): ClusterRole | undefined;
  clusterRoles(): readonly ClusterRole[];
  /** The effective rules of a ClusterRole (aggregated ones resolved); undefined when it does not exist. */
  clusterRoleRules?(name: string): readonly PolicyRule[] | undefined;
}

// ------------------------------------------------------------------ matchers (evaluation_helpers.go)

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs?.some((v) => v === "*" || v === verb) ?? false;
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return rule.apiGroups?.some((g) => g === "*" || g === group) ?? false;
}

/** `combined` is "pods" or "pods/log"; a rule's "*\/log" covers every resource's log subresource. */
export function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  for (const r of rule.resources ?? []) {
    if (r === "*" || r === combined) return true;
    if (subresource && r.length === subresource.length + 2 && r.startsWith("*/") && r.endsWith(subresource))
      return true;
  }
  return false;
}

export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(name);
}

/** Exact URLs, "*", and a trailing "*" as a prefix ("/apis/*" covers "/apis/apps/v1"). */
export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === "*" || u === path) return true;
    if (u.endsWith("*") && path.startsWith(u.replace(/\*+$/, ""))) return true;
  }
  return false;
}

export function isResourceRequest(a: AuthzAttributes): boolean {
  return a.path === undefined;
}

/** rbac.go RuleAllows. */
export function ruleAllows(a: AuthzAttributes, rule: PolicyRule): boolean {
  if (isResourceRequest(a)) {
    const resource = a.resource ?? "";
    const sub = a.subresource ?? "";
    const combined = sub ? `${resource}/${sub}` : resource;
    return (
      verbMatches(rule, a.verb) &&
      apiGroupMatches(rule, a.group ?? "") &&
      resourceMatches(rule, combined, sub) &&
      resourceNameMatches(rule, a.name ?? "")
    );
  }
  return verbMatches(rule, a.verb) && nonResourceURLMatches(rule, a.path ?? "");
}

// ------------------------------------------------------------------ subjects (rule.go appliesTo)

/** The user name of a service account, as serviceaccount.MakeUsername. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/**
 * Whether a binding subject names the user. A ServiceAccount subject without a namespace means one in
 * the binding's namespace (none for a ClusterRoleBinding: then it matches nobody).
 */
export function subjectApplies(user: UserInfo, s: Subject, bindingNamespace: string): boolean {
  switch (s.kind) {
    case "User":
      return user.name === s.name;
    case "Group":
      return user.groups.includes(s.name);
    case "ServiceAccount": {
      const ns = s.namespace || bindingNamespace;
      return ns !== "" && user.name === serviceAccountUsername(ns, s.name);
    }
    default:
      return false;
  }
}

/** The index of the first subject that applies, or -1. */
export function appliesTo(
  user: UserInfo,
  subjects: readonly Subject[] | undefined,
  namespace: string,
): number {
  return (subjects ?? []).findIndex((s) => subjectApplies(user, s, namespace));
}

// ------------------------------------------------------------------ roles

/** An API NotFound message, as the listers return it. */
function notFoundMessage(resource: string, name: string): string {
  return `${resource}.rbac.authorization.k8s.io "${name}" not found`;
}

/** Whether the aggregation controller has filled in the role's rules (the authorizer then uses them). */
function hasStoredRules(role: ClusterRole): boolean {
  return (role.rules?.length ?? 0) > 0;
}

/**
 * The rules of a ClusterRole with an aggregationRule: the rules the clusterrole-aggregation controller
 * stored in it, as upstream; while they are empty (the controller not running, or not yet), their
 * union computed here, selected roles that aggregate in turn (admin selects edit, edit selects view)
 * contributing theirs the same way; a cycle stops.
 */
export function aggregatedRules(
  all: readonly ClusterRole[],
  role: ClusterRole,
  visiting: Set<string> = new Set(),
): readonly PolicyRule[] {
  if (hasStoredRules(role)) return role.rules!;
  const name = role.metadata?.name ?? "";
  visiting.add(name);
  const rules = aggregationUnion(all, role, (r) => {
    if (!r.aggregationRule || hasStoredRules(r)) return r.rules ?? [];
    return visiting.has(r.metadata?.name ?? "") ? [] : aggregatedRules(all, r, visiting);
  });
  visiting.delete(name);
  return rules;
}

/** The effective rules of a ClusterRole, or undefined when there is none of that name. */
export function clusterRoleRules(src: RbacSource, name: string): readonly PolicyRule[] | undefined {
  if (src.clusterRoleRules) return src.clusterRoleRules(name);
  const role = src.clusterRole(name);
  if (!role) return undefined;
  return role.aggregationRule ? aggregatedRules(src.clusterRoles(), role) : (role.rules ?? []);
}

/** rule.go GetRoleReferenceRules: the rules a binding's roleRef names, or the error resolving it. */
export function roleRefRules(
  src: RbacSource,
  ref: RoleRef,
  bindingNamespace: string,
): { rules: readonly PolicyRule[] } | { error: string } {
  switch (ref.kind) {
    case "Role": {
      const role = bindingNamespace ? src.role(bindingNamespace, ref.name) : undefined;
      return role ? { rules: role.rules ?? [] } : { error: notFoundMessage("role", ref.name) };
    }
    case "ClusterRole": {
      const rules = clusterRoleRules(src, ref.name);
      return rules ? { rules } : { error: notFoundMessage("clusterrole", ref.name) };
    }
    default:
      return { error: `unsupported role reference kind: "${ref.kind}"` };
  }
}

// ------------------------------------------------------------------ the resolver and the authorizer

function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === "ServiceAccount") return `${s.kind} "${s.name}/${s.namespace || bindingNamespace}"`;
  return `${s.kind} "${s.name}"`;
}

/**
 * Calls `visit` with each rule that applies to the user in the namespace ("" for cluster-wide
 * requests), with where it comes from, and with each error met resolving a binding's role. Stops when
 * `visit` returns false. rule.go VisitRulesFor.
 */
export function visitRulesFor(
  src: RbacSource,
  user: UserInfo,
  namespace: string,
  visit: (source: string, rule: PolicyRule | null, error: string | null) => boolean,
): void {
  for (const b of src.clusterRoleBindings()) {
    const i = appliesTo(user, b.subjects, "");
    if (i < 0) continue;
    const res = roleRefRules(src, b.roleRef, "");
    if ("error" in res) {
      if (!visit("", null, res.error)) return;
      continue;
    }
    const source = `ClusterRoleBinding "${b.metadata?.name ?? ""}" of ${b.roleRef.kind} "${b.roleRef.name}" to ${describeSubject(b.subjects![i]!, "")}`;
    for (const rule of res.rules) if (!visit(source, rule, null)) return;
  }
  if (!namespace) return;
  for (const b of src.roleBindings(namespace)) {
    const i = appliesTo(user, b.subjects, namespace);
    if (i < 0) continue;
    const res = roleRefRules(src, b.roleRef, namespace);
    if ("error" in res) {
      if (!visit("", null, res.error)) return;
      continue;
    }
    const source = `RoleBinding "${b.metadata?.name ?? ""}/${namespace}" of ${b.roleRef.kind} "${b.roleRef.name}" to ${describeSubject(b.subjects![i]!, namespace)}`;
    for (const rule of res.rules) if (!visit(source, rule, null)) return;
  }
}

/** utilerrors.NewAggregate(errs).Error(): one message bare, several (without repeats) in brackets. */
export function aggregateErrors(errors: readonly string[]): string {
  const unique = [...new Set(errors)];
  return unique.length === 1 ? unique[0]! : `[${unique.join(", ")}]`;
}

/** rbac.go Authorize: allowed by the first rule that covers the request; else denied ("no opinion"). */
export function rbacAuthorize(src: RbacSource, user: UserInfo, a: AuthzAttributes): Decision {
  let allowedBy: string | null = null;
  const errors: string[] = [];
  visitRulesFor(src, user, a.namespace ?? "", (source, rule, error) => {
    if (rule && ruleAllows(a, rule)) {
      allowedBy = source;
      return false;
    }
    if (error) errors.push(error);
    return true;
  });
  if (allowedBy !== null) return { allowed: true, reason: `RBAC: allowed by ${allowedBy}` };
  return { allowed: false, reason: errors.length ? `RBAC: ${aggregateErrors(errors)}` : "" };
}

/** Every rule that applies to the user in the namespace, and the errors met (RulesFor). */
export function rbacRulesFor(
  src: RbacSource,
  user: UserInfo,
  namespace: string,
): { rules: PolicyRule[]; errors: string[] } {
  const rules: PolicyRule[] = [];
  const errors: string[] = [];
  visitRulesFor(src, user, namespace, (_source, rule, error) => {
    if (rule) rules.push(rule);
    if (error) errors.push(error);
    return true;
  });
  return { rules, errors };
}

// ------------------------------------------------------------------ an indexed source

/** The RBAC objects, as lists. */
export interface RbacObjects {
  roles: readonly Role[];
  roleBindings: readonly RoleBinding[];
  clusterRoles: readonly ClusterRole[];
  clusterRoleBindings: readonly ClusterRoleBinding[];
}

/**
 * An RbacSource over fixed lists, indexed for the request path: RoleBindings by namespace, roles by
 * name, and each ClusterRole's effective rules computed once. Rebuilt when the objects change.
 */
export class RbacIndex implements RbacSource {
  private readonly rolesByKey = new Map<string, Role>();
  private readonly bindingsByNs = new Map<string, RoleBinding[]>();
  private readonly clusterRolesByName = new Map<string, ClusterRole>();
  private readonly effective = new Map<string, readonly PolicyRule[]>();

  constructor(private readonly objs: RbacObjects) {
    for (const r of objs.roles)
      this.rolesByKey.set(`${r.metadata?.namespace ?? ""}/${r.metadata?.name ?? ""}`, r);
    for (const b of objs.roleBindings) {
      const ns = b.metadata?.namespace ?? "";
      const list = this.bindingsByNs.get(ns);
      if (list) list.push(b);
      else this.bindingsByNs.set(ns, [b]);
    }
    for (const r of objs.clusterRoles) this.clusterRolesByName.set(r.metadata?.name ?? "", r);
  }

  clusterRoleBindings(): readonly ClusterRoleBinding[] {
    return this.objs.clusterRoleBindings;
  }

  roleBindings(namespace: string): readonly RoleBinding[] {
    return this.bindingsByNs.get(namespace) ?? [];
  }

  role(namespace: string, name: string): Role | undefined {
    return this.rolesByKey.get(`${namespace}/${name}`);
  }

  clusterRole(name: string): ClusterRole | undefined {
    return this.clusterRolesByName.get(name);
  }

  clusterRoles(): readonly ClusterRole[] {
    return this.objs.clusterRoles;
  }

  clusterRoleRules(name: string): readonly PolicyRule[] | undefined {
    const cached = this.effective.get(name);
    if (cached) return cached;
    const role = this.clusterRolesByName.get(name);
    if (!role) return undefined;
    const rules = role.aggregationRule ? aggregatedRules(this.objs.clusterRoles, role) : (role.rules ?? []);
    this.effective.set(name, rules);
    return rules;
  }
}
