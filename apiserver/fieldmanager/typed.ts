// Objects as structured-merge-diff sees them ("typed" values): what a field is (a struct of named
// fields, a map, an atomic value, an associative list keyed by its merge keys, a set of scalars),
// and the walks upstream makes over them: the fields an object sets (ToFieldSet), the difference of
// two objects (Compare), the merge of an applied configuration into an object (Merge), the removal
// of fields (RemoveItems), and EnsureNamedFieldsAreMembers. Pure.
//
// The types come from the strategic-merge-patch metadata (pkg/api/strategicpatch/schema.ts), as the
// OpenAPI-to-SMD converter does: a list with `patchStrategy: merge` and a merge key is a map-list
// keyed by it, one without a key a set, every other list atomic. Three things that table does not
// say are below: the lists whose `+listMapKey`s are more than their merge key, key defaults, and the
// `+structType=atomic`/`+mapType=atomic` fields and map-typed fields, recognised by name.
import { type PatchSchema, schemaFor } from "../standins/strategicpatch.js";
import { FieldSet } from "./fieldset.js";
import {
  comparePathElements,
  compareStrings,
  type Json,
  type Path,
  type PathElement,
  pathElementToString,
  pathToString,
  serializePathElement,
  sortedFields,
} from "./pathelement.js";

export type TypeNode =
  /**
   * Named fields; their types come from the patch schema (a field it does not know is a struct too).
   * `pointer`: a Go pointer field, which can appear or disappear whole (see POINTER_STRUCT_FIELDS).
   */
  | { kind: "struct"; schema: PatchSchema; pointer?: boolean }
  /** map[string]X: every key is owned as a member. */
  | { kind: "map"; elem: TypeNode }
  /** Owned, compared and replaced as a whole. */
  | { kind: "atomic" }
  /** An associative list: keyed by `keys`, or (keys null) a set of scalars. */
  | { kind: "list"; keys: string[] | null; elem: TypeNode };

/** `+listMapKey`s beyond the patch merge key, by merge key (container ports, service ports, spread). */
const LIST_MAP_KEYS: Record<string, string[]> = {
  containerPort: ["containerPort", "protocol"],
  port: ["port", "protocol"],
  topologyKey: ["topologyKey", "whenUnsatisfiable"],
};

/** OpenAPI defaults of key fields, used when an item omits them (the protocol of ports). */
const KEY_DEFAULTS: Record<string, Json> = { protocol: "TCP" };

/** `+structType=atomic` / `+mapType=atomic` fields: label and node selectors, object references. */
const ATOMIC_FIELDS = new Set([
  "selector",
  "labelSelector",
  "namespaceSelector",
  "nodeSelector",
  "requiredDuringSchedulingIgnoredDuringExecution",
  "fieldRef",
  "resourceFieldRef",
  "configMapKeyRef",
  "secretKeyRef",
  "secretRef",
  "roleRef",
  "involvedObject",
  "claimRef",
  "targetRef",
  "dataSource",
  "dataSourceRef",
]);

/**
 * Struct fields that are Go pointers (`*RollingUpdateDeployment`, `*Probe`, volume sources...): unlike a
 * struct held by value, which an object always has (empty at worst), they can be added or removed,
 * and Compare reports them themselves then, as it does for maps (`f:rollingUpdate: {".": {}, ...}`).
 */
const POINTER_STRUCT_FIELDS = new Set([
  "rollingUpdate",
  "securityContext",
  "affinity",
  "nodeAffinity",
  "podAffinity",
  "podAntiAffinity",
  "dnsConfig",
  "os",
  "livenessProbe",
  "readinessProbe",
  "startupProbe",
  "lifecycle",
  "postStart",
  "preStop",
  "exec",
  "httpGet",
  "tcpSocket",
  "grpc",
  "valueFrom",
  "configMapRef",
  "capabilities",
  "seLinuxOptions",
  "seccompProfile",
  "appArmorProfile",
  "windowsOptions",
  "hostPath",
  "emptyDir",
  "secret",
  "configMap",
  "persistentVolumeClaim",
  "downwardAPI",
  "projected",
  "nfs",
  "csi",
  "ephemeral",
  "sessionAffinityConfig",
  "clientIP",
  "defaultBackend",
  "http",
  "service",
  "persistentVolumeClaimRetentionPolicy",
  "ordinals",
  "behavior",
  "scaleUp",
  "scaleDown",
  "podFailurePolicy",
  "successPolicy",
  "running",
  "waiting",
  "terminated",
]);

/** Associative lists whose items are atomic structs (LocalObjectReference, ObjectReference, OwnerReference). */
const ATOMIC_ITEM_LISTS = new Set(["imagePullSecrets", "secrets", "ownerReferences"]);

/** map[string]X fields: their keys are owned one by one, as members. */
const MAP_FIELDS = new Set([
  "labels",
  "annotations",
  "data",
  "binaryData",
  "stringData",
  "limits",
  "requests",
  "capacity",
  "allocatable",
  "hard",
  "used",
  "overhead",
  "parameters",
  "matchLabels",
]);

const OPAQUE: PatchSchema = {};
export const ATOMIC: TypeNode = { kind: "atomic" };

function nodeOfSchema(schema: PatchSchema): TypeNode {
  return schema.values ? { kind: "map", elem: nodeOfSchema(schema.values) } : { kind: "struct", schema };
}

/** The type of a built-in kind's object (a struct of everything unknown for other kinds). */
export function rootType(group: string, kind: string): TypeNode {
  return nodeOfSchema(schemaFor(group, kind) ?? OPAQUE);
}

/** Field types by schema and name: every walk asks for them at every field. */
const fieldTypes = new WeakMap<PatchSchema, Map<string, TypeNode>>();

function fieldType(schema: PatchSchema, name: string): TypeNode {
  let byName = fieldTypes.get(schema);
  if (!byName) {
    byName = new Map();
    fieldTypes.set(schema, byName);
  }
  let t = byName.get(name);
  if (!t) {
    t = fieldTypeOf(schema, name);
    byName.set(name, t);
  }
  return t;
}

function fieldTypeOf(schema: PatchSchema, name: string): TypeNode {
  if (ATOMIC_FIELDS.has(name)) return ATOMIC;
  const f = schema.fields?.[name];
  const sub = f?.schema ?? schema.values ?? OPAQUE;
  if (f?.meta.strategies.includes("merge")) {
    const keys = f.meta.mergeKey ? (LIST_MAP_KEYS[f.meta.mergeKey] ?? [f.meta.mergeKey]) : null;
    return { kind: "list", keys, elem: ATOMIC_ITEM_LISTS.has(name) ? ATOMIC : nodeOfSchema(sub) };
  }
  if (MAP_FIELDS.has(name)) return { kind: "map", elem: { kind: "struct", schema: OPAQUE } };
  const node = nodeOfSchema(sub);
  return node.kind === "struct" && POINTER_STRUCT_FIELDS.has(name) ? { ...node, pointer: true } : node;
}

/** The type of the child of a `node` at `pe`. */
export function childType(node: TypeNode, pe: PathElement): TypeNode {
  if (node.kind === "struct" && "field" in pe) return fieldType(node.schema, pe.field);
  if (node.kind === "map" && "field" in pe) return node.elem;
  if (node.kind === "list" && ("key" in pe || "value" in pe)) return node.elem;
  return ATOMIC;
}

// ------------------------------------------------------------------ values

type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Deep equality of JSON values (key order ignored), as value.Equals. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObj(a)) {
    if (!isObj(b)) return false;
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

/**
 * `v` without null or undefined map entries: what a typed Go object holds after decoding. Subtrees
 * without any are shared with `v`, not copied: the result is read, never modified.
 */
export function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x = dropNulls(v[i]);
      if (x !== v[i] && !out) out = v.slice(0, i);
      out?.push(x);
    }
    return out ?? v;
  }
  if (!isObj(v)) return v;
  let out: Obj | undefined;
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const x = v[k];
    const y = x === null || x === undefined ? undefined : dropNulls(x);
    if (y !== x && !out) {
      out = {};
      for (let j = 0; j < i; j++) out[keys[j]!] = v[keys[j]!];
    }
    if (out && y !== undefined) out[k] = y;
  }
  return out ?? v;
}

function emptyContainer(v: unknown): boolean {
  return v === undefined || (Array.isArray(v) && v.length === 0) || (isObj(v) && Object.keys(v).length === 0);
}

// ------------------------------------------------------------------ list items and validation

/** A schema error in an object, as SMD's ValidationError: `<path>: <message>`. */
export class TypedError extends Error {
  constructor(readonly errors: string[]) {
    super(errors.length === 1 ? errors[0]! : `errors:\n  ${errors.join("\n  ")}`);
  }
}

function err(path: Path, msg: string): string {
  return path.length ? `${pathToString(path)}: ${msg}` : msg;
}

/** The path element of a list item (listItemToPathElement); throws its error message. */
function itemElement(node: TypeNode & { kind: "list" }, item: unknown): PathElement {
  if (node.keys) {
    if (item === null) throw new Error("associative list with keys may not have a null element");
    if (!isObj(item)) throw new Error("associative list with keys may not have non-map elements");
    const key: [string, Json][] = [];
    for (const k of node.keys) {
      if (item[k] !== undefined && item[k] !== null) key.push([k, item[k] as Json]);
      else if (k in KEY_DEFAULTS) key.push([k, KEY_DEFAULTS[k]!]);
      else
        throw new Error(
          `associative list with keys has an element that omits key field "${k}" (and doesn't have default value)`,
        );
    }
    return { key: sortedFields(Object.fromEntries(key)) };
  }
  if (isObj(item)) throw new Error("associative list without keys has an element that's a map type");
  if (Array.isArray(item)) throw new Error("associative list without keys has an element that's a list type");
  return { value: item as Json };
}

interface Indexed {
  /** Every item with its path element, in list order (duplicates included). */
  items: { pe: PathElement; key: string; item: unknown }[];
  /** Item by path element key; undefined for a duplicated key. */
  byKey: Map<string, unknown>;
  /** The first item of each key. */
  first: Map<string, unknown>;
}

function indexList(node: TypeNode & { kind: "list" }, list: unknown[], path: Path | (() => Path)): Indexed {
  const items: Indexed["items"] = [];
  const byKey = new Map<string, unknown>();
  const first = new Map<string, unknown>();
  list.forEach((item, i) => {
    let pe: PathElement;
    try {
      pe = itemElement(node, item);
    } catch (e) {
      throw new TypedError([
        err(typeof path === "function" ? path() : path, `element ${i}: ${(e as Error).message}`),
      ]);
    }
    const key = serializePathElement(pe);
    byKey.set(key, byKey.has(key) ? undefined : item);
    if (!first.has(key)) first.set(key, item);
    items.push({ pe, key, item });
  });
  return { items, byKey, first };
}

/** The schema errors of an applied configuration: bad list items and duplicate keys. */
export function validate(value: unknown, node: TypeNode): string[] {
  const errors: string[] = [];
  const walk = (v: unknown, n: TypeNode, path: Path): void => {
    if (n.kind === "atomic") return;
    if (n.kind === "list") {
      if (!Array.isArray(v)) return;
      const seen = new Set<string>();
      v.forEach((item, i) => {
        let pe: PathElement;
        try {
          pe = itemElement(n, item);
        } catch (e) {
          errors.push(err(path, `element ${i}: ${(e as Error).message}`));
          return;
        }
        const key = serializePathElement(pe);
        if (seen.has(key)) errors.push(err(path, `duplicate entries for key ${pathElementToString(pe)}`));
        seen.add(key);
        walk(item, n.elem, [...path, pe]);
      });
      return;
    }
    if (!isObj(v)) return;
    for (const [k, x] of Object.entries(v)) walk(x, childType(n, { field: k }), [...path, { field: k }]);
  };
  walk(value, node, []);
  return errors;
}

// ------------------------------------------------------------------ ToFieldSet

/** The fields an object sets: its leaves, map keys and list items (TypedValue.ToFieldSet). */
export function toFieldSet(value: unknown, node: TypeNode): FieldSet {
  const set = new FieldSet();
  const walk = (v: unknown, n: TypeNode, path: Path): void => {
    if (n.kind === "atomic") {
      set.insert(path);
      return;
    }
    if (n.kind === "list") {
      if (!Array.isArray(v)) {
        set.insert(path);
        return;
      }
      for (const { pe, item } of indexList(n, v, path).items) {
        const p = [...path, pe];
        walk(item, n.elem, p);
        set.insert(p);
      }
      return;
    }
    if (!isObj(v)) {
      set.insert(path); // a scalar
      return;
    }
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) continue;
      const p = [...path, { field: k }];
      walk(x, childType(n, { field: k }), p);
      if (n.kind === "map") set.insert(p);
    }
  };
  walk(value, node, []);
  return set;
}

// ------------------------------------------------------------------ Compare

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** A path built one element at a time, made into a Path only when a field is recorded. */
type Trail = { up: Trail; pe: PathElement } | null;

function trailPath(t: Trail): Path {
  const out: Path = [];
  for (let x = t; x; x = x.up) out.push(x.pe);
  return out.reverse();
}

/**
 * What changed from `lhs` to `rhs` (TypedValue.Compare). A container that appears or disappears
 * whole is reported itself too for list items, maps and pointer structs (as upstream's post-item
 * hook does), not for other structs: a Go struct field that is not a pointer never appears or
 * disappears. Fields at or below a member of `skip` are not walked (nor reported).
 */
export function compare(lhs: unknown, rhs: unknown, node: TypeNode, skip?: FieldSet): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  const leaf = (l: unknown, r: unknown, t: Trail): void => {
    if (l === undefined) c.added.insert(trailPath(t));
    else if (r === undefined) c.removed.insert(trailPath(t));
    else if (!deepEqual(l, r)) c.modified.insert(trailPath(t));
  };
  /** A leaf: a scalar, an atomic value, an empty container on both sides, or a change of type. */
  const isLeaf = (l: unknown, r: unknown, n: TypeNode): boolean => {
    if (n.kind === "atomic") return true;
    const shape = n.kind === "list" ? Array.isArray : isObj;
    if ((l !== undefined && !shape(l)) || (r !== undefined && !shape(r))) return true;
    return emptyContainer(l) && emptyContainer(r);
  };
  const walk = (
    l: unknown,
    r: unknown,
    n: TypeNode,
    t: Trail,
    hook: boolean,
    sk: FieldSet | undefined,
  ): void => {
    if (isLeaf(l, r, n)) {
      leaf(l, r, t);
      return;
    }
    if (n.kind === "list") {
      const li = indexList(n, (l as unknown[] | undefined) ?? [], () => trailPath(t));
      const ri = indexList(n, (r as unknown[] | undefined) ?? [], () => trailPath(t));
      const pes = new Map<string, PathElement>();
      for (const { key, pe } of li.items) pes.set(key, pe);
      for (const { key, pe } of ri.items) pes.set(key, pe);
      for (const [key, pe] of pes) {
        if (sk?.hasMember(pe)) continue;
        walk(li.first.get(key), ri.first.get(key), n.elem, { up: t, pe }, true, skipBelow(sk, pe));
      }
    } else {
      const lo = (l as Obj | undefined) ?? {};
      const ro = (r as Obj | undefined) ?? {};
      const visit = (k: string): void => {
        if (lo[k] === undefined && ro[k] === undefined) return;
        const pe = { field: k };
        if (sk?.hasMember(pe)) return;
        const cn = childType(n, pe);
        const childHook = cn.kind === "map" || (cn.kind === "struct" && !!cn.pointer);
        walk(lo[k], ro[k], cn, { up: t, pe }, childHook, skipBelow(sk, pe));
      };
      for (const k of Object.keys(lo)) visit(k);
      for (const k of Object.keys(ro)) if (!(k in lo)) visit(k);
    }
    if (hook) {
      if (l === undefined) c.added.insert(trailPath(t));
      else if (r === undefined) c.removed.insert(trailPath(t));
    }
  };
  walk(lhs, rhs, node, null, false, skip && !skip.empty() ? skip : undefined);
  return c;
}

function skipBelow(skip: FieldSet | undefined, pe: PathElement): FieldSet | undefined {
  if (!skip) return undefined;
  const below = skip.withPrefix(pe);
  return below.empty() ? undefined : below;
}

/**
 * The fieldsV1 of what a create adds: `compare({}, value).added`, without what `skip` covers (as
 * compare's `skip`) and without the members of `strip` (as FieldSet.difference), written as
 * FieldSet.toFieldsV1 writes it: the same result in one walk that builds nothing but the output.
 * `value` is a typed value (no null map entries: they are passed over here as dropNulls drops them).
 * Returns undefined when nothing is left. Throws TypedError as compare does.
 */
export function addedFieldsV1(
  value: unknown,
  node: TypeNode,
  skip?: FieldSet,
  strip?: FieldSet,
): Record<string, unknown> | undefined {
  /** The children of the path at `t` as fieldsV1 entries, sorted; empty when none. */
  const children = (
    v: unknown,
    n: TypeNode,
    t: Trail,
    sk?: FieldSet,
    st?: FieldSet,
  ): [string, PathElement, unknown][] => {
    const out: [string, PathElement, unknown][] = [];
    const child = (x: unknown, cn: TypeNode, pe: PathElement, hook: boolean): void => {
      if (sk?.hasMember(pe)) return;
      const ct: Trail = { up: t, pe };
      const leaf = isAddedLeaf(x, cn);
      const below = leaf ? [] : children(x, cn, ct, skipBelow(sk, pe), skipBelow(st, pe));
      const member = (leaf || hook) && !st?.hasMember(pe);
      if (!member && below.length === 0) return;
      const entry: Record<string, unknown> = {};
      if (member && below.length > 0) entry["."] = {};
      for (const [k, , e] of below) entry[k] = e;
      out.push([serializePathElement(pe), pe, entry]);
    };
    if (n.kind === "list") {
      const seen = new Set<string>();
      for (const { key, pe, item } of indexList(n, v as unknown[], () => trailPath(t)).items) {
        if (seen.has(key)) continue;
        seen.add(key);
        child(item, n.elem, pe, true);
      }
    } else {
      for (const [k, x] of Object.entries(v as Obj)) {
        if (x === null || x === undefined) continue;
        const pe = { field: k };
        const cn = childType(n, pe);
        child(x, cn, pe, cn.kind === "map" || (cn.kind === "struct" && !!cn.pointer));
      }
    }
    if (out.every(([k]) => k.startsWith("f:"))) out.sort((a, b) => compareStrings(a[0], b[0]));
    else out.sort((a, b) => comparePathElements(a[1], b[1]));
    return out;
  };
  if (isAddedLeaf(value, node)) return undefined; // the whole object is never owned
  const top = children(value, node, null, skip && !skip.empty() ? skip : undefined, strip);
  if (top.length === 0) return undefined;
  return Object.fromEntries(top.map(([k, , e]) => [k, e]));
}

/** compare's isLeaf when the left side is absent (an object whose values are all null is empty). */
function isAddedLeaf(v: unknown, n: TypeNode): boolean {
  if (n.kind === "atomic") return true;
  if (n.kind === "list") return !Array.isArray(v) || v.length === 0;
  if (!isObj(v)) return true;
  for (const k in v) if (v[k] !== null && v[k] !== undefined) return false;
  return true;
}

// ------------------------------------------------------------------ Merge

/**
 * The applied configuration `rhs` merged into `lhs` (TypedValue.Merge): rhs wins on leaves and atomic
 * values, maps and structs merge by key, associative lists by item key in upstream's order (shared
 * items in rhs's order, lhs-only items where they were, rhs-only items where rhs has them).
 */
export function merge(lhs: unknown, rhs: unknown, node: TypeNode): unknown {
  const walk = (l: unknown, r: unknown, n: TypeNode, path: Path): unknown => {
    if (r === undefined) return l;
    if (l === undefined || n.kind === "atomic") return r;
    if (n.kind === "list") {
      if (!Array.isArray(l) || !Array.isArray(r) || (l.length === 0 && r.length === 0)) return r;
      return mergeList(indexList(n, l, path), indexList(n, r, path), (pe, li, ri) =>
        walk(li, ri, n.elem, [...path, pe]),
      );
    }
    if (!isObj(l) || !isObj(r) || (emptyContainer(l) && emptyContainer(r))) return r;
    const out: Obj = {};
    for (const [k, x] of Object.entries(l)) {
      const y = r[k];
      out[k] = y === undefined ? x : walk(x, y, childType(n, { field: k }), [...path, { field: k }]);
    }
    for (const [k, y] of Object.entries(r)) if (!(k in l) && y !== undefined) out[k] = y;
    return out;
  };
  return walk(lhs, rhs, node, []);
}

function mergeList(
  lhs: Indexed,
  rhs: Indexed,
  mergeItem: (pe: PathElement, l: unknown, r: unknown) => unknown,
): unknown[] {
  // rhs duplicates are refused by validate(); keep the first of each key
  const seen = new Set<string>();
  const rItems = rhs.items.filter((x) => !seen.has(x.key) && seen.add(x.key));
  const rKeys = new Set(rItems.map((x) => x.key));
  const shared = rItems.filter((x) => lhs.byKey.has(x.key));
  let next = shared.shift()?.key;
  const merged = new Set<string>();
  const out: unknown[] = [];
  let lI = 0;
  let rI = 0;
  const L = lhs.items;
  while (lI < L.length || rI < rItems.length) {
    if (lI < L.length && rI < rItems.length) {
      const l = L[lI]!;
      if (l.key === rItems[rI]!.key) {
        merged.add(l.key);
        out.push(mergeItem(l.pe, lhs.byKey.get(l.key), rItems[rI]!.item));
        lI++;
        rI++;
        next = shared.shift()?.key;
        continue;
      }
      if (rKeys.has(l.key) && next !== undefined && next !== l.key) {
        lI++; // a shared item, but not the one this round wants
        continue;
      }
    }
    if (lI < L.length) {
      const l = L[lI]!;
      if (!rKeys.has(l.key)) {
        out.push(l.item);
        lI++;
        continue;
      }
      if (merged.has(l.key)) {
        lI++;
        continue;
      }
    }
    if (rI < rItems.length) {
      const r = rItems[rI]!;
      merged.add(r.key);
      out.push(mergeItem(r.pe, lhs.byKey.get(r.key), r.item));
      rI++;
      if (next === r.key) next = shared.shift()?.key;
    }
  }
  return out.filter((x) => x !== undefined);
}

// ------------------------------------------------------------------ RemoveItems

/**
 * `value` without the members of `toRemove` (TypedValue.RemoveItems): a member removes the whole
 * field or item; a map, struct or list left empty by removals disappears.
 */
export function removeItems(value: unknown, toRemove: FieldSet, node: TypeNode): unknown {
  const walk = (v: unknown, set: FieldSet, n: TypeNode): unknown => {
    if (n.kind === "atomic") return v;
    if (n.kind === "list") {
      if (!Array.isArray(v)) return v;
      if (v.length === 0) return undefined;
      const out: unknown[] = [];
      for (const item of v) {
        let pe: PathElement;
        try {
          pe = itemElement(n, item);
        } catch {
          out.push(item);
          continue;
        }
        if (set.hasMember(pe)) continue;
        const sub = set.withPrefix(pe);
        const kept = sub.empty() ? item : walk(item, sub, n.elem);
        if (kept !== undefined) out.push(kept);
      }
      return out.length ? out : undefined;
    }
    if (!isObj(v)) return v;
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) {
      const pe = { field: k };
      if (set.hasMember(pe)) continue;
      const sub = set.withPrefix(pe);
      const kept = sub.empty() ? x : walk(x, sub, childType(n, pe));
      if (kept !== undefined) out[k] = kept;
    }
    return Object.keys(out).length ? out : undefined;
  };
  return walk(value, toRemove, node) ?? {};
}

// ------------------------------------------------------------------ EnsureNamedFieldsAreMembers

/** `set` plus, as members, the struct fields it has children under (not map keys, not list items). */
export function ensureNamedFieldsAreMembers(set: FieldSet, node: TypeNode): FieldSet {
  const children = set
    .childElements()
    .map((pe): [PathElement, FieldSet] => [
      pe,
      ensureNamedFieldsAreMembers(set.withPrefix(pe), childType(node, pe)),
    ]);
  const named = node.kind === "struct" ? children.map(([pe]) => pe).filter((pe) => "field" in pe) : [];
  return FieldSet.compose([...set.memberElements(), ...named], children);
}
