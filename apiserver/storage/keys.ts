// etcd key layout, as Kubernetes': /registry/<resource>/<namespace>/<name> and /registry/<resource>/<name>
// for cluster-scoped resources. Pure.

export const DEFAULT_PREFIX = "/registry";

/** The storage segment of a resource. Kinds served in several groups share one (events). */
export function storageResource(group: string, resource: string): string {
  if (group === "events.k8s.io" && resource === "events") return "events";
  return resource;
}

export function resourcePrefix(prefix: string, storage: string, namespace = ""): string {
  return namespace ? `${prefix}/${storage}/${namespace}/` : `${prefix}/${storage}/`;
}

export function objectKey(prefix: string, storage: string, namespace: string, name: string): string {
  return namespace ? `${prefix}/${storage}/${namespace}/${name}` : `${prefix}/${storage}/${name}`;
}

export interface ParsedKey {
  storage: string;
  /** The rest after the storage segment: `ns/name` or `name`. */
  rest: string;
}

/** Splits a key under `prefix` into its storage segment and the rest; null for keys outside. */
export function parseKey(prefix: string, key: string): ParsedKey | null {
  if (!key.startsWith(`${prefix}/`)) return null;
  const tail = key.slice(prefix.length + 1);
  const slash = tail.indexOf("/");
  if (slash <= 0 || slash === tail.length - 1) return null;
  return { storage: tail.slice(0, slash), rest: tail.slice(slash + 1) };
}

/** Splits `ns/name` (namespaced) or `name` (cluster-scoped). */
export function splitRest(rest: string, namespaced: boolean): { namespace: string; name: string } | null {
  if (!namespaced) return rest.includes("/") ? null : { namespace: "", name: rest };
  const slash = rest.indexOf("/");
  if (slash <= 0 || rest.indexOf("/", slash + 1) >= 0) return null;
  return { namespace: rest.slice(0, slash), name: rest.slice(slash + 1) };
}
