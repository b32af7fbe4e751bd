// RBAC escalation prevention, in the write path of roles, clusterroles, rolebindings and
// clusterrolebindings as kube-apiserver's policy-based RBAC storage (pkg/registry/rbac/role/policybased,
// clusterrole/policybased, rolebinding/policybased, clusterrolebinding/policybased):
//   - a Role / ClusterRole is written only by a user who holds every rule in it already, or may
//     `escalate` roles / clusterroles; an aggregationRule (which can gather anything) needs every right;
//   - a RoleBinding / ClusterRoleBinding is written only by a user who may `bind` the role it names, or
//     holds every rule of that role in the binding's namespace (all namespaces for a ClusterRoleBinding);
//   - system:masters always passes; an update touching only ownerReferences / finalizers (the garbage
//     collector's) is not checked.
import type { ClusterRole, PolicyRule, RoleRef } from "kubernetes-types/rbac/v1";
import type { StoredObject } from "../../pkg/api/types.js";
import type { Authorizer } from "../auth/authz.js";
import { MASTERS_GROUP } from "../auth/authz.js";
import { escalationError, FULL_AUTHORITY } from "../auth/escalation.js";
import { roleRefRules } from "../auth/rbac.js";
import type { RequestScope } from "../handlers/scope.js";
import { forbidden, notFound } from "../handlers/status.js";
import type { AdmissionPlugin } from "./types.js";

const RBAC_GROUP = "rbac.authorization.k8s.io";
const ROLE_RESOURCES = new Set(["roles", "clusterroles"]);
const BINDING_RESOURCES = new Set(["rolebindings", "clusterrolebindings"]);

/** IsOnlyMutatingGCFields: equal but for ownerReferences, finalizers and what the server maintains. */
export function onlyGCFieldsChanged(obj: StoredObject, old: StoredObject): boolean {
  const strip = (o: StoredObject) => {
    const {
      ownerReferences: _o,
      finalizers: _f,
      resourceVersion: _r,
      managedFields: _m,
      generation: _g,
      ...meta
    } = o.metadata;
    return JSON.stringify(canonical({ ...o, metadata: meta }));
  };
  return strip(obj) === strip(old);
}

/** The value with its object keys sorted (key order does not make objects differ). */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === "object")
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  return v;
}

/** The RBAC write check, with the apiserver's authorizer (late-bound: it is built after the plugins). */
export function rbacEscalationAdmission(authorizer: () => Authorizer): AdmissionPlugin {
  const isRbac = (scope: RequestScope) => scope.served.def.group === RBAC_GROUP && !scope.info.subresource;

  /** RoleEscalationAuthorized / BindingAuthorized: the `escalate` or `bind` verb. */
  const may = async (scope: RequestScope, verb: string, resource: string, name: string, ns: string) =>
    (
      await authorizer().authorizeFresh(scope.user, {
        verb,
        group: RBAC_GROUP,
        resource,
        name,
        namespace: ns,
      })
    ).allowed;

  /** ConfirmNoEscalation in the request's namespace; throws 403 with upstream's message. */
  const confirm = (scope: RequestScope, name: string, rules: readonly PolicyRule[], reason?: string) => {
    const owner = authorizer().rulesFor(scope.user, scope.info.namespace);
    const err = escalationError(scope.user, owner.rules, owner.errors, rules);
    if (err) throw forbidden(scope.gr, name, reason ?? err);
  };

  const checkRole = async (scope: RequestScope, obj: StoredObject, old?: StoredObject) => {
    const resource = scope.served.def.resource;
    if (await may(scope, "escalate", resource, scope.info.name, scope.info.namespace)) return;
    const role = obj as unknown as ClusterRole;
    confirm(scope, obj.metadata.name, role.rules ?? []);
    const aggregates = (o?: StoredObject) => !!(o as unknown as ClusterRole | undefined)?.aggregationRule;
    if (resource === "clusterroles" && (aggregates(obj) || aggregates(old)))
      confirm(
        scope,
        obj.metadata.name,
        FULL_AUTHORITY,
        "must have cluster-admin privileges to use the aggregationRule",
      );
  };

  const checkBinding = async (scope: RequestScope, obj: StoredObject) => {
    const ns = scope.info.namespace;
    const ref = (obj as unknown as { roleRef?: RoleRef }).roleRef;
    if (!ref) return; // validation refuses it
    const resource = ref.kind === "Role" ? "roles" : ref.kind === "ClusterRole" ? "clusterroles" : "";
    if (resource && (await may(scope, "bind", resource, ref.name, ns))) return;
    const res = roleRefRules(authorizer().source(), ref, ns);
    if ("error" in res) throw notFound({ group: RBAC_GROUP, resource: resource || "roles" }, ref.name);
    confirm(scope, obj.metadata.name, res.rules);
  };

  const check = async (scope: RequestScope, obj: StoredObject, old?: StoredObject) => {
    if (!isRbac(scope) || scope.user.groups.includes(MASTERS_GROUP)) return undefined;
    if (old && onlyGCFieldsChanged(obj, old)) return undefined;
    const resource = scope.served.def.resource;
    if (ROLE_RESOURCES.has(resource)) await checkRole(scope, obj, old);
    else if (BINDING_RESOURCES.has(resource)) await checkBinding(scope, obj);
    return undefined;
  };

  return {
    name: "RBACEscalation",
    admitCreate: (_ctx, scope, obj) => check(scope, obj),
    admitUpdate: (_ctx, scope, obj, old) => check(scope, obj, old),
  };
}
