// Parses a request path into what it addresses, as Kubernetes' RequestInfoFactory does
// (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go). Pure.

export interface ResourceRequestInfo {
  isResourceRequest: true;
  /** Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection, proxy/connect verbs. */
  verb: string;
  apiPrefix: "api" | "apis";
  group: string;
  version: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  /** Path after the subresource (proxy paths): `/healthz` in `/pods/x/proxy/healthz`. */
  rest: string;
}

export interface NonResourceRequestInfo {
  isResourceRequest: false;
  verb: string;
  path: string;
}

export type RequestInfo = ResourceRequestInfo | NonResourceRequestInfo;

const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);

const METHOD_VERBS: Record<string, string> = {
  POST: "create",
  GET: "get",
  HEAD: "get",
  PUT: "update",
  PATCH: "patch",
  DELETE: "delete",
};

function nonResource(method: string, path: string): NonResourceRequestInfo {
  return { isResourceRequest: false, verb: (method || "GET").toLowerCase(), path };
}

/** `query` is consulted only for `watch=true`/`watch=1`. */
export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const parts = path
    .replace(/^\/+|\/+$/g, "")
    .split("/")
    .filter((p) => p !== "")
    .map(decodeURIComponent);
  if (parts.length < 2 || (parts[0] !== "api" && parts[0] !== "apis")) return nonResource(method, path);
  const apiPrefix = parts[0] as "api" | "apis";
  let i = 1;
  let group = "";
  if (apiPrefix === "apis") {
    if (parts.length < 3) return nonResource(method, path);
    group = parts[i++]!;
  }
  const version = parts[i++]!;
  let rest = parts.slice(i);
  if (rest.length === 0) return nonResource(method, path);

  let verb = METHOD_VERBS[method] ?? method.toLowerCase();
  let watchPath = false;
  if (rest[0] === "watch") {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace = "";
  if (rest[0] === "namespaces") {
    if (rest.length > 1) {
      namespace = rest[1]!;
      if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2]!)) rest = rest.slice(2);
    }
  }
  const resource = rest[0] ?? "";
  const name = rest[1] ?? "";
  const subresource = rest[2] ?? "";
  const tail = rest.length > 3 ? `/${rest.slice(3).join("/")}` : "";
  if (resource === "namespaces" && name === "" && rest.length === 1) namespace = "";
  if (resource === "namespaces" && name !== "") namespace = "";

  if (watchPath) verb = "watch";
  else if (verb === "get" && name === "")
    verb = query.get("watch") === "true" || query.get("watch") === "1" ? "watch" : "list";
  else if (verb === "delete" && name === "") verb = "deletecollection";
  // A watch of one object by name on the old /watch/ path is a watch with a name field selector.
  return {
    isResourceRequest: true,
    verb,
    apiPrefix,
    group,
    version,
    namespace,
    resource,
    subresource,
    name,
    rest: tail,
  };
}
