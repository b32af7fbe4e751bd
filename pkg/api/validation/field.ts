// Kubernetes' field.Path and field.Error (k8s.io/apimachinery/pkg/util/validation/field): every
// validation error names the offending field as a dotted path with indexes and carries the message
// Kubernetes prints for it (ErrorBody), so that `kubectl` shows exactly what a real apiserver shows.
import type { FieldError } from "../types.js";

export type { FieldError };

/** A field path, as field.Path prints it: `spec.template.spec.containers[0].image`, `metadata.labels[app]`. */
export type FieldPath = string;

export function child(path: FieldPath, ...names: string[]): FieldPath {
  let out = path;
  for (const n of names) out = out === "" ? n : `${out}.${n}`;
  return out;
}

export function index(path: FieldPath, i: number): FieldPath {
  return `${path}[${i}]`;
}

export function key(path: FieldPath, k: string): FieldPath {
  return `${path}[${k}]`;
}

/**
 * A bad value that Go would marshal as a struct: its fields keep the order given here. Plain objects
 * are marshalled as Go maps, with sorted keys.
 */
export class StructValue {
  constructor(readonly value: unknown) {}
}

export function struct(value: unknown): StructValue {
  return new StructValue(value);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v === "object" && v !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** A struct's own fields keep their order; the maps inside it are sorted. */
function structFields(v: unknown): unknown {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return sortKeys(v);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, sortKeys(x)]));
}

/** Go's json.Marshal escapes <, > and & (HTML-safe output). */
function goJSON(value: unknown): string {
  const s =
    (value instanceof StructValue
      ? JSON.stringify(structFields(value.value))
      : JSON.stringify(sortKeys(value))) ?? "null";
  return s.replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");
}

/** Go's %q for a string: double-quoted with Go escapes. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\x07") out += "\\a";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (ch === "\v") out += "\\v";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** How field.Error renders a bad value: numbers and booleans plain, strings %q, the rest as JSON. */
export function renderValue(value: unknown): string {
  if (typeof value === "string") return goQuote(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  if (value === undefined) return "null";
  return goJSON(value);
}

function withDetail(body: string, detail: string | undefined): string {
  return detail ? `${body}: ${detail}` : body;
}

export function required(field: FieldPath, detail = ""): FieldError {
  return { type: "FieldValueRequired", field, message: withDetail("Required value", detail) };
}

export function invalid(field: FieldPath, value: unknown, detail = ""): FieldError {
  return {
    type: "FieldValueInvalid",
    field,
    message: withDetail(`Invalid value: ${renderValue(value)}`, detail),
  };
}

export function notSupported(field: FieldPath, value: unknown, validValues: readonly string[]): FieldError {
  const detail = validValues.length > 0 ? `supported values: ${validValues.map(goQuote).join(", ")}` : "";
  return {
    type: "FieldValueNotSupported",
    field,
    message: withDetail(`Unsupported value: ${renderValue(value)}`, detail),
  };
}

export function duplicate(field: FieldPath, value: unknown): FieldError {
  return { type: "FieldValueDuplicate", field, message: `Duplicate value: ${renderValue(value)}` };
}

export function notFound(field: FieldPath, value: unknown): FieldError {
  return { type: "FieldValueNotFound", field, message: `Not found: ${renderValue(value)}` };
}

export function forbidden(field: FieldPath, detail: string): FieldError {
  return { type: "FieldValueForbidden", field, message: withDetail("Forbidden", detail) };
}

/** field.TooLong: the value itself is never printed. */
export function tooLong(field: FieldPath, maxLength: number): FieldError {
  const detail =
    maxLength >= 0
      ? `may not be more than ${maxLength} ${maxLength === 1 ? "byte" : "bytes"}`
      : "value is too long";
  return { type: "FieldValueTooLong", field, message: withDetail("Too long", detail) };
}

export function tooMany(field: FieldPath, actual: number, max: number): FieldError {
  const detail = max >= 0 ? `must have at most ${max} ${max === 1 ? "item" : "items"}` : "has too many items";
  const body = actual >= 0 ? `Too many: ${actual}` : "Too many";
  return { type: "FieldValueTooMany", field, message: withDetail(body, detail) };
}

export function internalError(field: FieldPath, err: string): FieldError {
  return { type: "InternalError", field, message: withDetail("Internal error", err) };
}

/** One error as field.Error.Error() prints it: `spec.replicas: Invalid value: -1: must be ...`. */
export function fieldErrorString(e: FieldError): string {
  return e.field ? `${e.field}: ${e.message}` : e.message;
}

/**
 * An error list as utilerrors.Aggregate prints it: the single message alone, otherwise `[a, b]`, with
 * duplicate messages dropped (this is the tail of `Deployment.apps "x" is invalid: ...`).
 */
export function aggregateFieldErrors(errs: readonly FieldError[]): string {
  const seen = new Set<string>();
  const msgs: string[] = [];
  for (const e of errs) {
    const m = fieldErrorString(e);
    if (!seen.has(m)) {
      seen.add(m);
      msgs.push(m);
    }
  }
  if (msgs.length === 1) return msgs[0];
  return `[${msgs.join(", ")}]`;
}

/** The message of a 422 Invalid Status: `Deployment.apps "x" is invalid: spec.replicas: ...`. */
export function invalidMessage(qualifiedKind: string, name: string, errs: readonly FieldError[]): string {
  return `${qualifiedKind} ${goQuote(name)} is invalid: ${aggregateFieldErrors(errs)}`;
}
