// Small helpers for defaulting untyped JSON the way Go's defaulters treat typed structs: a string
// field defaults when empty, a pointer field when nil (absent or null), and malformed input (a string
// where an object belongs) is left alone for validation to report, never thrown on.

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The child object at key, created when absent or null; undefined when the value is not an object. */
export function child(parent: Obj, key: string): Obj | undefined {
  const v = parent[key];
  if (v === undefined || v === null) {
    const created: Obj = {};
    parent[key] = created;
    return created;
  }
  return isObj(v) ? v : undefined;
}

/** The child object at key if present, never created. */
export function existing(parent: Obj | undefined, key: string): Obj | undefined {
  if (!parent) return undefined;
  const v = parent[key];
  return isObj(v) ? v : undefined;
}

/** Call fn for every object element of the array at key. */
export function each(parent: Obj | undefined, key: string, fn: (item: Obj, index: number) => void): void {
  if (!parent) return;
  const v = parent[key];
  if (!Array.isArray(v)) return;
  v.forEach((item, i) => {
    if (isObj(item)) fn(item, i);
  });
}

/** Default a string field (Go: `if x == ""`). */
export function defStr(o: Obj, key: string, value: string): void {
  if (o[key] === undefined || o[key] === null || o[key] === "") o[key] = value;
}

/** Default a pointer field (Go: `if x == nil`). */
export function defPtr(o: Obj, key: string, value: unknown): void {
  if (o[key] === undefined || o[key] === null) o[key] = value;
}

/** A deep copy of plain JSON data. */
export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** Whether a labels map is present and non-empty. */
export function nonEmpty(v: unknown): v is Record<string, unknown> {
  return isObj(v) && Object.keys(v).length > 0;
}

/**
 * Rewrite every quantity of a resource list in Kubernetes' canonical form (`0.5` -> `500m`, `1024Mi` ->
 * `1Gi`, numbers -> strings), as the apiserver stores and returns them. Malformed ones are left for
 * validation to report.
 */
export function canonicalizeResourceList(
  list: unknown,
  canonical: (q: string | number) => string | undefined,
): void {
  if (!isObj(list)) return;
  for (const [k, v] of Object.entries(list)) {
    if (typeof v !== "string" && typeof v !== "number") continue;
    const c = canonical(v);
    if (c !== undefined) list[k] = c;
  }
}
