// One step of a field path, as sigs.k8s.io/structured-merge-diff's fieldpath.PathElement: a field
// name (`f:`), an associative-list key (`k:`), a set-list value (`v:`) or a list index (`i:`). Their
// order, serialized form (fieldsV1 keys) and printed form (conflict messages) are upstream's. Pure.

/** A JSON scalar (or, rarely, a composite) as it appears in a key or a set. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export type PathElement =
  | { field: string }
  | { key: [string, Json][] } // sorted by name
  | { value: Json }
  | { index: number };

export type Path = PathElement[];

// ------------------------------------------------------------------ ordering (Compare)

/** strings.Compare: byte order of the UTF-8 encodings. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x < 0x80 && y < 0x80) return x < y ? -1 : 1;
    return Buffer.compare(Buffer.from(a.slice(i)), Buffer.from(b.slice(i)));
  }
  return a.length < b.length ? -1 : 1;
}

function rank(v: Json): number {
  if (typeof v === "number") return 0;
  if (typeof v === "string") return 1;
  if (typeof v === "boolean") return 2;
  if (Array.isArray(v)) return 3;
  if (v !== null && typeof v === "object") return 4;
  return 5; // null sorts last
}

/** value.Compare: numbers < strings < booleans < lists < maps < null. */
export function compareValues(a: Json, b: Json): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 1:
      return compareStrings(a as string, b as string);
    case 2:
      return a === b ? 0 : a === false ? -1 : 1;
    case 3: {
      const la = a as Json[];
      const lb = b as Json[];
      for (let i = 0; i < Math.min(la.length, lb.length); i++) {
        const c = compareValues(la[i]!, lb[i]!);
        if (c !== 0) return c;
      }
      return la.length === lb.length ? 0 : la.length < lb.length ? -1 : 1;
    }
    case 4:
      return compareFieldLists(
        sortedFields(a as Record<string, Json>),
        sortedFields(b as Record<string, Json>),
      );
    default:
      return 0;
  }
}

export function sortedFields(m: Record<string, Json>): [string, Json][] {
  return Object.entries(m).sort(([x], [y]) => compareStrings(x, y));
}

/** value.FieldList.Compare: lexical over (name, value) pairs, the shorter list first. */
function compareFieldLists(a: [string, Json][], b: [string, Json][]): number {
  for (let i = 0; ; i++) {
    if (i >= a.length && i >= b.length) return 0;
    if (i >= a.length) return -1;
    if (i >= b.length) return 1;
    const c = compareStrings(a[i]![0], b[i]![0]) || compareValues(a[i]![1], b[i]![1]);
    if (c !== 0) return c;
  }
}

function kindRank(pe: PathElement): number {
  if ("field" in pe) return 0;
  if ("key" in pe) return 1;
  if ("value" in pe) return 2;
  return 3;
}

/** PathElement.Compare: field names, then keys, then values, then indexes. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  const ra = kindRank(a);
  const rb = kindRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if ("field" in a) return compareStrings(a.field, (b as { field: string }).field);
  if ("key" in a) return compareFieldLists(a.key, (b as { key: [string, Json][] }).key);
  if ("value" in a) return compareValues(a.value, (b as { value: Json }).value);
  const x = (a as { index: number }).index;
  const y = (b as { index: number }).index;
  return x < y ? -1 : x > y ? 1 : 0;
}

// ------------------------------------------------------------------ serialized form (fieldsV1 keys)

const GO_ESCAPED = /[<>&\u2028\u2029]/;

/** encoding/json's output for a value: like JSON.stringify, plus Go's HTML and U+2028/9 escapes. */
export function goJson(v: unknown): string {
  const s = JSON.stringify(v);
  if (!GO_ESCAPED.test(s)) return s;
  return s
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** SerializePathElement: `f:name`, `k:{"name":"nginx"}`, `v:"value"`, `i:0`. */
export function serializePathElement(pe: PathElement): string {
  if ("field" in pe) return `f:${pe.field}`;
  if ("key" in pe) return `k:{${pe.key.map(([k, v]) => `${goJson(k)}:${goJson(v)}`).join(",")}}`;
  if ("value" in pe) return `v:${goJson(pe.value)}`;
  return `i:${pe.index}`;
}

export class UnknownPathElementType extends Error {}

/** DeserializePathElement; throws UnknownPathElementType for a prefix it does not know. */
export function deserializePathElement(s: string): PathElement {
  if (s.length < 2) throw new Error(`key must be 2 characters long: ${s}`);
  if (s[1] !== ":") throw new Error(`missing colon: ${s}`);
  const body = s.slice(2);
  switch (s[0]) {
    case "f":
      return { field: body };
    case "v":
      return { value: JSON.parse(body) as Json };
    case "k": {
      const m = JSON.parse(body) as unknown;
      if (typeof m !== "object" || m === null || Array.isArray(m)) throw new Error(`invalid key: ${s}`);
      return { key: sortedFields(m as Record<string, Json>) };
    }
    case "i": {
      if (!/^-?\d+$/.test(body)) throw new Error(`invalid index: ${s}`);
      return { index: Number(body) };
    }
    default:
      throw new UnknownPathElementType(`unknown path element type: ${s}`);
  }
}

// ------------------------------------------------------------------ printed form (conflicts, errors)

/** value.ToString: Go's %q for strings, %v for the rest. */
export function valueToString(v: Json): string {
  if (v === null) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(valueToString).join(",")}]`;
  if (typeof v === "object")
    return sortedFields(v)
      .map(([k, x]) => `${k}=${valueToString(x)}`)
      .join("");
  return String(v);
}

/** PathElement.String: `.name`, `[name="nginx"]`, `[containerPort=80,protocol="TCP"]`, `[=v]`, `[0]`. */
export function pathElementToString(pe: PathElement): string {
  if ("field" in pe) return `.${pe.field}`;
  if ("key" in pe) return `[${pe.key.map(([k, v]) => `${k}=${valueToString(v)}`).join(",")}]`;
  if ("value" in pe) return `[=${valueToString(pe.value)}]`;
  return `[${pe.index}]`;
}

/** Path.String: the elements' printed forms joined, e.g. `.spec.containers[name="nginx"].image`. */
export function pathToString(p: Path): string {
  return p.map(pathElementToString).join("");
}
