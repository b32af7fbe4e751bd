// Impersonation (`kubectl --as` / `--as-group` / `--as-uid`), as kube-apiserver's WithImpersonation
// filter (staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation.go): the requester must be
// allowed the verb `impersonate` on each thing it asks to act as (users, groups, serviceaccounts,
// userextras/<key>, uids); the request then runs as the impersonated user.
import { failure, forbidden } from "../handlers/status.js";
import type { UserInfo } from "./authn.js";
import { forbiddenMessage } from "./authz.js";
import type { AuthzAttributes, Decision } from "./rbac.js";

const SA_PREFIX = "system:serviceaccount:";

/** One thing asked for, with the attributes its `impersonate` check uses. */
export interface ImpersonationRequest {
  kind: "User" | "ServiceAccount" | "Group" | "UserExtra" | "UID";
  attrs: AuthzAttributes;
  value: string;
  extraKey?: string;
}

/** Request headers, each with all its values (IncomingMessage.headersDistinct), names in lower case. */
export type DistinctHeaders = Record<string, string[] | undefined>;

function headerValues(h: DistinctHeaders, name: string): string[] {
  return (h[name] ?? []).filter((x) => x !== "");
}

/** serviceaccount.SplitUsername: namespace and name of `system:serviceaccount:<ns>:<name>`, else null. */
export function splitServiceAccount(user: string): { namespace: string; name: string } | null {
  if (!user.startsWith(SA_PREFIX)) return null;
  const parts = user.slice(SA_PREFIX.length).split(":");
  if (parts.length !== 2 || !parts[0] || !parts[1]) return null;
  return { namespace: parts[0], name: parts[1] };
}

/** The impersonation the headers ask for (buildImpersonationRequests); [] for none. Throws when malformed. */
export function impersonationRequests(h: DistinctHeaders): ImpersonationRequest[] {
  const out: ImpersonationRequest[] = [];
  const user = headerValues(h, "impersonate-user")[0] ?? "";
  if (user) {
    const sa = splitServiceAccount(user);
    if (sa)
      out.push({
        kind: "ServiceAccount",
        value: user,
        attrs: {
          verb: "impersonate",
          group: "",
          resource: "serviceaccounts",
          namespace: sa.namespace,
          name: sa.name,
        },
      });
    else
      out.push({
        kind: "User",
        value: user,
        attrs: { verb: "impersonate", group: "", resource: "users", name: user },
      });
  }
  for (const g of headerValues(h, "impersonate-group")) {
    out.push({
      kind: "Group",
      value: g,
      attrs: { verb: "impersonate", group: "", resource: "groups", name: g },
    });
  }
  for (const name of Object.keys(h)) {
    if (!name.startsWith("impersonate-extra-")) continue;
    let key = name.slice("impersonate-extra-".length);
    try {
      key = decodeURIComponent(key).toLowerCase();
    } catch {}
    for (const value of headerValues(h, name)) {
      out.push({
        kind: "UserExtra",
        value,
        extraKey: key,
        attrs: {
          verb: "impersonate",
          group: "authentication.k8s.io",
          resource: "userextras",
          subresource: key,
          name: value,
        },
      });
    }
  }
  const uid = headerValues(h, "impersonate-uid")[0] ?? "";
  if (uid) {
    out.push({
      kind: "UID",
      value: uid,
      attrs: { verb: "impersonate", group: "authentication.k8s.io", resource: "uids", name: uid },
    });
  }
  if (!user && out.length > 0) {
    const what = out.map((r) => `${r.kind} ${r.value}`).join(", ");
    throw failure(
      500,
      "InternalError",
      `Internal error occurred: requested [${what}] without impersonating a user`,
    );
  }
  return out;
}

/** Whether any Impersonate-* header is present (the request path's cheap test). */
export function asksImpersonation(headers: Record<string, unknown>): boolean {
  for (const k in headers) if (k.startsWith("impersonate-")) return true;
  return false;
}

/**
 * The user the request acts as: `requester` when it asks for no impersonation, else the impersonated
 * user, once every part is authorized. Throws 403 (Kubernetes' message for the first refused part).
 */
export function impersonate(
  req: { headers: Record<string, unknown>; headersDistinct: DistinctHeaders },
  requester: UserInfo,
  authorize: (user: UserInfo, a: AuthzAttributes) => Decision,
): UserInfo {
  if (!asksImpersonation(req.headers)) return requester;
  const reqs = impersonationRequests(req.headersDistinct);
  if (reqs.length === 0) return requester;
  const groupsSpecified = reqs.some((r) => r.kind === "Group");
  let name = "";
  let uid: string | undefined;
  let groups: string[] = [];
  const extra: Record<string, string[]> = {};
  for (const r of reqs) {
    switch (r.kind) {
      case "ServiceAccount": {
        name = r.value;
        if (!groupsSpecified)
          groups = ["system:serviceaccounts", `system:serviceaccounts:${r.attrs.namespace}`];
        break;
      }
      case "User":
        name = r.value;
        break;
      case "Group":
        groups.push(r.value);
        break;
      case "UserExtra":
        extra[r.extraKey!] = [...(extra[r.extraKey!] ?? []), r.value];
        break;
      case "UID":
        uid = r.value;
        break;
    }
    const d = authorize(requester, r.attrs);
    if (!d.allowed) {
      throw forbidden(
        { group: r.attrs.group ?? "", resource: r.attrs.resource ?? "" },
        r.attrs.name ?? "",
        forbiddenMessage(requester, r.attrs, d.reason),
      );
    }
  }
  // Upstream: a non-anonymous user is system:authenticated unless the groups say otherwise; anonymous
  // is system:unauthenticated.
  if (name !== "system:anonymous") {
    if (!groups.includes("system:authenticated") && !groups.includes("system:unauthenticated")) {
      groups.push("system:authenticated");
    }
  } else if (!groups.includes("system:unauthenticated")) groups.push("system:unauthenticated");
  const user: UserInfo = { name, groups };
  if (uid !== undefined) user.uid = uid;
  if (Object.keys(extra).length > 0) user.extra = extra;
  return user;
}
