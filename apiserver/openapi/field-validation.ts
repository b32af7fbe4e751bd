// Unknown-field detection for fieldValidation=Strict|Warn, against the OpenAPI schemas: what
// Kubernetes' strict JSON decoder reports, in document order, with its paths (`spec.foo`,
// `spec.template.spec.containers[0].bar`). Kinds without a schema are not checked.
import type { KubeObject } from "../../pkg/api/types.js";
import type { ServedResource } from "../registry/catalogue.js";
import { kindKey, resolveSchema, type Schema, type SchemaSet } from "./schemas.js";

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function walk(set: SchemaSet, schema: Schema, value: unknown, path: string, out: string[]): void {
  const s = resolveSchema(set, schema);
  if (Array.isArray(value)) {
    const items = s.items;
    if (items)
      value.forEach((v, i) => {
        walk(set, items, v, `${path}[${i}]`, out);
      });
    return;
  }
  if (!isObject(value)) return;
  if (s.properties) {
    for (const [k, v] of Object.entries(value)) {
      const p = s.properties[k];
      if (p) walk(set, p, v, join(path, k), out);
      else out.push(join(path, k));
    }
  } else if (s.additionalProperties) {
    for (const [k, v] of Object.entries(value)) walk(set, s.additionalProperties, v, join(path, k), out);
  }
}

/** Paths of the fields in `value` that the schema `name` does not know. */
export function unknownFieldsOf(set: SchemaSet, name: string, value: unknown): string[] {
  const out: string[] = [];
  walk(set, { $ref: `#/components/schemas/${name}` }, value, "", out);
  return out;
}

/** Paths of fields the kind's schema does not know (`spec.foo`, `spec.containers[0].bar`). */
export function checkUnknownFields(
  set: SchemaSet | null,
  served: ServedResource,
  body: KubeObject,
): string[] {
  if (!set) return [];
  const d = served.def;
  const name = set.byKind.get(kindKey(d.group, d.version, d.kind));
  return name ? unknownFieldsOf(set, name, body) : [];
}

function goTypeName(set: SchemaSet, s: Schema): string {
  const r = s.$ref ?? s.allOf?.[0]?.$ref;
  if (r) {
    const parts = r.split(".");
    const target = resolveSchema(set, s);
    if (target.format === "int-or-string") return "intstr.IntOrString";
    return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
  }
  switch (s.type) {
    case "string":
      return s.format === "date-time" ? "v1.Time" : "string";
    case "integer":
      return s.format === "int64" ? "int64" : "int32";
    case "number":
      return "float64";
    case "boolean":
      return "bool";
    case "array":
      return `[]${s.items ? goTypeName(set, s.items) : "interface {}"}`;
    default:
      return s.additionalProperties
        ? `map[string]${goTypeName(set, s.additionalProperties)}`
        : "map[string]interface {}";
  }
}

function jsonTypeOf(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return `number ${v}`.replace(/^number (-?\d+)$/, "number");
  return typeof v === "string" ? "string" : "object";
}

/** The first value whose JSON type the schema's Go type cannot take, in encoding/json's words. */
function typeError(
  set: SchemaSet,
  schema: Schema,
  value: unknown,
  path: string,
  root: string,
): string | null {
  if (value === null || value === undefined) return null;
  const s = resolveSchema(set, schema);
  const mismatch = () =>
    `json: cannot unmarshal ${jsonTypeOf(value)} into Go struct field ${root}.${path} of type ${goTypeName(set, schema)}`;
  if (s.format === "int-or-string")
    return typeof value === "string" || typeof value === "number" ? null : mismatch();
  switch (s.type) {
    case "string":
      return typeof value === "string" ? null : mismatch();
    case "integer":
      return typeof value === "number" && Number.isInteger(value) ? null : mismatch();
    case "number":
      return typeof value === "number" ? null : mismatch();
    case "boolean":
      return typeof value === "boolean" ? null : mismatch();
    case "array": {
      if (!Array.isArray(value)) return mismatch();
      for (const v of value) {
        const e = s.items ? typeError(set, s.items, v, path, root) : null;
        if (e) return e;
      }
      return null;
    }
    case "object": {
      if (!s.properties && !s.additionalProperties) return null;
      if (!isObject(value)) return mismatch();
      for (const [k, v] of Object.entries(value)) {
        const p = s.properties ? s.properties[k] : s.additionalProperties;
        const e = p ? typeError(set, p, v, s.properties ? join(path, k) : path, root) : null;
        if (e) return e;
      }
      return null;
    }
    default:
      return null;
  }
}

/** A wrong JSON type anywhere in the body (what Go's decoder refuses before anything else), or null. */
export function checkFieldTypes(
  set: SchemaSet | null,
  served: ServedResource,
  body: KubeObject,
): string | null {
  if (!set) return null;
  const d = served.def;
  const name = set.byKind.get(kindKey(d.group, d.version, d.kind));
  if (!name) return null;
  return (
    typeError(set, { $ref: `#/components/schemas/${name}` }, body, "", d.kind)?.replace(
      `${d.kind}..`,
      `${d.kind}.`,
    ) ?? null
  );
}

function zeroOf(s: Schema): unknown {
  if (s.format === "int-or-string") return 0;
  switch (s.type) {
    case "string":
      return "";
    case "integer":
    case "number":
      return 0;
    case "boolean":
      return false;
    case "array":
      return [];
    default:
      return {};
  }
}

function zeroNullsIn(set: SchemaSet, schema: Schema, value: unknown): void {
  const s = resolveSchema(set, schema);
  if (Array.isArray(value)) {
    const items = s.items;
    if (!items) return;
    const item = resolveSchema(set, items);
    value.forEach((v, i) => {
      if (v === null) value[i] = zeroOf(item);
      else zeroNullsIn(set, items, v);
    });
    return;
  }
  if (!isObject(value) || !s.properties) return;
  for (const [k, v] of Object.entries(value)) {
    const p = s.properties[k];
    if (v === null && p) delete value[k];
    else if (p) zeroNullsIn(set, p, v);
  }
}

/**
 * Nulls as Go's decoder reads them, in place: a null field stays unset (omitted), a null array item
 * becomes the item type's zero value (`containers: [null]` is one empty container, which validation
 * then reports).
 */
export function zeroNulls(set: SchemaSet | null, served: ServedResource, body: KubeObject): void {
  if (!set) return;
  const d = served.def;
  const name = set.byKind.get(kindKey(d.group, d.version, d.kind));
  if (name) zeroNullsIn(set, { $ref: `#/components/schemas/${name}` }, body);
}
