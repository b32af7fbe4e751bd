// Authorization: one decision function in the request path. For now it allows system:masters, the
// control-plane components, nodes and service accounts, and lets anyone read the health and version
// endpoints (as the system:public-info-viewer and system:discovery roles do). RBAC slots in here.
import type { UserInfo } from "./authn.js";

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
  reason?: string;
}

const PUBLIC_PATHS = [/^\/healthz/, /^\/livez/, /^\/readyz/, /^\/version\/?$/];
const DISCOVERY_PATHS = [
  /^\/api\/?$/,
  /^\/apis\/?$/,
  /^\/api\//,
  /^\/apis\//,
  /^\/openapi\//,
  /^\/openapi\/v[23]/,
];

const PRIVILEGED_USERS = new Set([
  "system:kube-scheduler",
  "system:kube-controller-manager",
  "system:kube-proxy",
  "kube-apiserver",
  "system:apiserver",
]);

export function authorize(user: UserInfo, attrs: AuthzAttributes): Decision {
  if (attrs.path !== undefined) {
    if (PUBLIC_PATHS.some((r) => r.test(attrs.path!))) return { allowed: true };
    if (user.groups.includes("system:authenticated") && DISCOVERY_PATHS.some((r) => r.test(attrs.path!))) {
      return { allowed: true };
    }
  }
  if (user.groups.includes("system:masters")) return { allowed: true };
  if (PRIVILEGED_USERS.has(user.name)) return { allowed: true };
  if (user.groups.includes("system:nodes")) return { allowed: true };
  if (user.groups.includes("system:serviceaccounts")) return { allowed: true };
  return { allowed: false, reason: "" };
}

/** Kubernetes' forbidden message for a resource request. */
export function forbiddenMessage(user: UserInfo, a: AuthzAttributes): string {
  if (a.path !== undefined) return `forbidden: User "${user.name}" cannot ${a.verb} path "${a.path}"`;
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? ` in the namespace "${a.namespace}"` : " at the cluster scope";
  return `User "${user.name}" cannot ${a.verb} resource "${res}" in API group "${a.group ?? ""}"${scope}`;
}
