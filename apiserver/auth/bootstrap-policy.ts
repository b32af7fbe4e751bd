// The default RBAC policy kube-apiserver creates at start-up (plugin/pkg/auth/authorizer/rbac/
// bootstrappolicy/policy.go, its rbac/bootstrap-roles post-start hook), kept to the roles users and
// kubectl rely on: cluster-admin, the user-facing admin / edit / view (aggregated from the
// system:aggregate-to-* roles), system:discovery, system:basic-user, system:public-info-viewer, and
// their ClusterRoleBindings. The control-plane components' own roles (system:kube-scheduler,
// system:kube-controller-manager, system:node, ...) are not made: authz.ts allows those users as a
// whole. The add-ons bring the roles their service accounts need (deploy/addons).
import type { ClusterRole, ClusterRoleBinding, PolicyRule } from "kubernetes-types/rbac/v1";
import type { StoredObject } from "../../pkg/api/types.js";
import { internalScope } from "../bootstrap.js";
import type { ApiContext } from "../handlers/scope.js";
import { createObject } from "../handlers/write.js";
import { objectKey } from "../storage/keys.js";
import type { RbacObjects } from "./rbac.js";

const RBAC_GROUP = "rbac.authorization.k8s.io";
const RBAC_API_VERSION = "rbac.authorization.k8s.io/v1";
const LABELS = { "kubernetes.io/bootstrapping": "rbac-defaults" };
const ANNOTATIONS = { "rbac.authorization.kubernetes.io/autoupdate": "true" };

const READ = ["get", "list", "watch"];
const WRITE = ["create", "delete", "deletecollection", "patch", "update"];
const READ_WRITE = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

function rule(verbs: string[], apiGroups: string[], resources: string[]): PolicyRule {
  return { apiGroups, resources, verbs };
}

function urls(verbs: string[], nonResourceURLs: string[]): PolicyRule {
  return { nonResourceURLs, verbs };
}

function clusterRole(
  name: string,
  body: Pick<ClusterRole, "rules" | "aggregationRule">,
  labels: Record<string, string> = {},
): ClusterRole {
  return {
    apiVersion: RBAC_API_VERSION,
    kind: "ClusterRole",
    metadata: { name, labels: { ...LABELS, ...labels }, annotations: { ...ANNOTATIONS } },
    ...body,
  };
}

function aggregate(to: string): ClusterRole["aggregationRule"] {
  return {
    clusterRoleSelectors: [{ matchLabels: { [`rbac.authorization.k8s.io/aggregate-to-${to}`]: "true" } }],
  };
}

function groupBinding(name: string, groups: string[]): ClusterRoleBinding {
  return {
    apiVersion: RBAC_API_VERSION,
    kind: "ClusterRoleBinding",
    metadata: { name, labels: { ...LABELS }, annotations: { ...ANNOTATIONS } },
    roleRef: { apiGroup: RBAC_GROUP, kind: "ClusterRole", name },
    subjects: groups.map((g) => ({ apiGroup: RBAC_GROUP, kind: "Group", name: g })),
  };
}

/** The bootstrap ClusterRoles, with upstream 1.32's rules. */
export function bootstrapClusterRoles(): ClusterRole[] {
  return [
    clusterRole("cluster-admin", { rules: [rule(["*"], ["*"], ["*"]), urls(["*"], ["*"])] }),
    clusterRole("system:discovery", {
      rules: [
        urls(
          ["get"],
          [
            "/api",
            "/api/*",
            "/apis",
            "/apis/*",
            "/healthz",
            "/livez",
            "/openapi",
            "/openapi/*",
            "/readyz",
            "/version",
            "/version/",
          ],
        ),
      ],
    }),
    clusterRole("system:basic-user", {
      rules: [
        rule(["create"], ["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
        rule(["create"], ["authentication.k8s.io"], ["selfsubjectreviews"]),
      ],
    }),
    clusterRole("system:public-info-viewer", {
      rules: [urls(["get"], ["/healthz", "/livez", "/readyz", "/version", "/version/"])],
    }),
    clusterRole("admin", { aggregationRule: aggregate("admin") }),
    clusterRole(
      "edit",
      { aggregationRule: aggregate("edit") },
      { "rbac.authorization.k8s.io/aggregate-to-admin": "true" },
    ),
    clusterRole(
      "view",
      { aggregationRule: aggregate("view") },
      { "rbac.authorization.k8s.io/aggregate-to-edit": "true" },
    ),
    clusterRole(
      "system:aggregate-to-admin",
      {
        rules: [
          rule(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews"]),
          rule(READ_WRITE, [RBAC_GROUP], ["rolebindings", "roles"]),
        ],
      },
      { "rbac.authorization.k8s.io/aggregate-to-admin": "true" },
    ),
    clusterRole(
      "system:aggregate-to-edit",
      {
        rules: [
          rule(
            READ,
            [""],
            ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"],
          ),
          rule(["impersonate"], [""], ["serviceaccounts"]),
          rule(WRITE, [""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"]),
          rule(["create"], [""], ["pods/eviction"]),
          rule(
            WRITE,
            [""],
            [
              "configmaps",
              "events",
              "persistentvolumeclaims",
              "replicationcontrollers",
              "replicationcontrollers/scale",
              "secrets",
              "serviceaccounts",
              "services",
              "services/proxy",
            ],
          ),
          rule(["create"], [""], ["serviceaccounts/token"]),
          rule(
            WRITE,
            ["apps"],
            [
              "daemonsets",
              "deployments",
              "deployments/rollback",
              "deployments/scale",
              "replicasets",
              "replicasets/scale",
              "statefulsets",
              "statefulsets/scale",
            ],
          ),
          rule(WRITE, ["autoscaling"], ["horizontalpodautoscalers"]),
          rule(WRITE, ["batch"], ["cronjobs", "jobs"]),
          rule(
            WRITE,
            ["extensions"],
            [
              "daemonsets",
              "deployments",
              "deployments/rollback",
              "deployments/scale",
              "ingresses",
              "networkpolicies",
              "replicasets",
              "replicasets/scale",
              "replicationcontrollers/scale",
            ],
          ),
          rule(WRITE, ["policy"], ["poddisruptionbudgets"]),
          rule(WRITE, ["networking.k8s.io"], ["ingresses", "networkpolicies"]),
        ],
      },
      { "rbac.authorization.k8s.io/aggregate-to-edit": "true" },
    ),
    clusterRole(
      "system:aggregate-to-view",
      {
        rules: [
          rule(
            READ,
            [""],
            [
              "configmaps",
              "endpoints",
              "persistentvolumeclaims",
              "persistentvolumeclaims/status",
              "pods",
              "replicationcontrollers",
              "replicationcontrollers/scale",
              "serviceaccounts",
              "services",
              "services/status",
            ],
          ),
          rule(
            READ,
            [""],
            [
              "bindings",
              "events",
              "limitranges",
              "namespaces/status",
              "pods/log",
              "pods/status",
              "replicationcontrollers/status",
              "resourcequotas",
              "resourcequotas/status",
            ],
          ),
          rule(READ, [""], ["namespaces"]),
          rule(READ, ["discovery.k8s.io"], ["endpointslices"]),
          rule(
            READ,
            ["apps"],
            [
              "controllerrevisions",
              "daemonsets",
              "daemonsets/status",
              "deployments",
              "deployments/scale",
              "deployments/status",
              "replicasets",
              "replicasets/scale",
              "replicasets/status",
              "statefulsets",
              "statefulsets/scale",
              "statefulsets/status",
            ],
          ),
          rule(READ, ["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
          rule(READ, ["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"]),
          rule(
            READ,
            ["extensions"],
            [
              "daemonsets",
              "daemonsets/status",
              "deployments",
              "deployments/scale",
              "deployments/status",
              "ingresses",
              "ingresses/status",
              "networkpolicies",
              "replicasets",
              "replicasets/scale",
              "replicasets/status",
              "replicationcontrollers/scale",
            ],
          ),
          rule(READ, ["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
          rule(READ, ["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"]),
        ],
      },
      { "rbac.authorization.k8s.io/aggregate-to-view": "true" },
    ),
  ];
}

/** The bootstrap ClusterRoleBindings. */
export function bootstrapClusterRoleBindings(): ClusterRoleBinding[] {
  return [
    groupBinding("cluster-admin", ["system:masters"]),
    groupBinding("system:discovery", ["system:authenticated"]),
    groupBinding("system:basic-user", ["system:authenticated"]),
    groupBinding("system:public-info-viewer", ["system:authenticated", "system:unauthenticated"]),
  ];
}

/** The bootstrap policy as RBAC objects (what the authorizer falls back on before its cache is ready). */
export function bootstrapPolicy(): RbacObjects {
  return {
    roles: [],
    roleBindings: [],
    clusterRoles: bootstrapClusterRoles(),
    clusterRoleBindings: bootstrapClusterRoleBindings(),
  };
}

/**
 * Creates the bootstrap roles and bindings that do not exist yet. An existing object is left as it is
 * (a user's change to a default role stays), and AlreadyExists from another apiserver starting at the
 * same moment is fine. Throws on other errors (the caller retries).
 */
export async function ensureBootstrapPolicy(ctx: ApiContext): Promise<number> {
  let created = 0;
  const sets: [string, (ClusterRole | ClusterRoleBinding)[]][] = [
    ["clusterroles", bootstrapClusterRoles()],
    ["clusterrolebindings", bootstrapClusterRoleBindings()],
  ];
  for (const [resource, objs] of sets) {
    const scope = internalScope(ctx, RBAC_GROUP, "v1", resource);
    for (const obj of objs) {
      const name = obj.metadata?.name ?? "";
      const key = objectKey(ctx.prefix, scope.served.storage, "", name);
      if (ctx.cache.ready && ctx.cache.caches.get(scope.served.storage)?.items.has(key)) continue;
      if (await ctx.store.get(key)) continue;
      try {
        await createObject(ctx, scope, structuredClone(obj) as unknown as StoredObject);
        created++;
      } catch (err) {
        if ((err as { code?: number }).code !== 409) throw err;
      }
    }
  }
  return created;
}

/**
 * The rbac/bootstrap-roles post-start hook: ensureBootstrapPolicy until it succeeds (with backoff), then
 * `done()`. Stops trying once `stopped()` says the server is shutting down.
 */
export async function runBootstrapPolicy(
  ctx: ApiContext,
  done: () => void,
  stopped: () => boolean,
): Promise<void> {
  let delay = 200;
  while (!stopped()) {
    try {
      const created = await ensureBootstrapPolicy(ctx);
      done();
      ctx.log.info({ created }, "rbac bootstrap roles in place");
      return;
    } catch (err) {
      ctx.log.warn({ err: String(err) }, "rbac bootstrap roles failed; retrying");
      await new Promise((r) => setTimeout(r, delay).unref());
      delay = Math.min(delay * 2, 5000);
    }
  }
}
