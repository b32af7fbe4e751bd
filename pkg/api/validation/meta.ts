// Object metadata validation (k8s.io/apimachinery/pkg/api/validation/objectmeta.go and
// pkg/apis/meta/v1/validation), plus the small shared checks every kind uses: non-negative fields,
// immutable fields, label selectors. Paths and messages as Kubernetes 1.32 prints them.
import {
  child,
  type FieldError,
  type FieldPath,
  forbidden,
  index,
  invalid,
  key,
  required,
  struct,
  tooLong,
} from "./field.js";
import {
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  type NameValidator,
  nameIsDNSLabel,
} from "./strings.js";

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The object at key, or undefined. */
export function obj(o: Obj | undefined, k: string): Obj | undefined {
  const v = o?.[k];
  return isObj(v) ? v : undefined;
}

/** The array at key (object elements only kept as they are), or []. */
export function arr(o: Obj | undefined, k: string): unknown[] {
  const v = o?.[k];
  return Array.isArray(v) ? v : [];
}

/** The string at key, or "" (Go's zero value). */
export function str(o: Obj | undefined, k: string): string {
  const v = o?.[k];
  return typeof v === "string" ? v : "";
}

/** The number at key, or undefined when absent (a pointer left nil). */
export function num(o: Obj | undefined, k: string): number | undefined {
  const v = o?.[k];
  return typeof v === "number" ? v : undefined;
}

/** A string map (labels, annotations, selectors), or {}. */
export function strMap(o: Obj | undefined, k: string): Record<string, string> {
  const v = o?.[k];
  if (!isObj(v)) return {};
  const out: Record<string, string> = {};
  for (const [mk, mv] of Object.entries(v)) out[mk] = typeof mv === "string" ? mv : String(mv);
  return out;
}

export const IS_NEGATIVE_ERROR = "must be greater than or equal to 0";
export const FIELD_IMMUTABLE = "field is immutable";
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export function validateNonnegative(value: number | undefined, path: FieldPath): FieldError[] {
  return value !== undefined && value < 0 ? [invalid(path, value, IS_NEGATIVE_ERROR)] : [];
}

/** Deep equality of JSON values (apiequality.Semantic.DeepEqual for plain data). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  const ka = Object.keys(a as Obj).filter((k) => (a as Obj)[k] !== undefined);
  const kb = Object.keys(b as Obj).filter((k) => (b as Obj)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Obj)[k], (b as Obj)[k]));
}

/** ValidateImmutableField: `<path>: Invalid value: <new>: field is immutable`. */
export function validateImmutable(newVal: unknown, oldVal: unknown, path: FieldPath): FieldError[] {
  const n = newVal === null ? undefined : newVal;
  const o = oldVal === null ? undefined : oldVal;
  return deepEqual(n, o) ? [] : [invalid(path, n ?? null, FIELD_IMMUTABLE)];
}

export function validateLabelName(name: string, path: FieldPath): FieldError[] {
  return isQualifiedName(name).map((m) => invalid(path, name, m));
}

/** ValidateLabels: every key a qualified name, every value a label value (both at the map's path). */
export function validateLabels(labels: unknown, path: FieldPath): FieldError[] {
  if (!isObj(labels)) return [];
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels)) {
    errs.push(...validateLabelName(k, path));
    const value = typeof v === "string" ? v : String(v);
    for (const m of isValidLabelValue(value)) errs.push(invalid(path, value, m));
  }
  return errs;
}

export function validateAnnotations(annotations: unknown, path: FieldPath): FieldError[] {
  if (!isObj(annotations)) return [];
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations)) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(invalid(path, k, m));
    total += Buffer.byteLength(k) + Buffer.byteLength(typeof v === "string" ? v : String(v));
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

const STANDARD_FINALIZERS = new Set(["kubernetes", "orphan", "foregroundDeletion"]);

export function validateFinalizers(finalizers: unknown, path: FieldPath): FieldError[] {
  if (!Array.isArray(finalizers)) return [];
  const errs: FieldError[] = [];
  for (const f of finalizers) {
    const name = typeof f === "string" ? f : String(f);
    const msgs = isQualifiedName(name);
    for (const m of msgs) errs.push(invalid(path, name, m));
    if (msgs.length === 0 && !name.includes("/") && !STANDARD_FINALIZERS.has(name)) {
      errs.push(invalid(path, name, "name is neither a standard finalizer name nor is it fully qualified"));
    }
  }
  if (finalizers.includes("orphan") && finalizers.includes("foregroundDeletion")) {
    errs.push(invalid(path, finalizers, "finalizer orphan and foregroundDeletion cannot be both set"));
  }
  return errs;
}

export function validateOwnerReferences(refs: unknown, path: FieldPath): FieldError[] {
  if (!Array.isArray(refs)) return [];
  const errs: FieldError[] = [];
  let controllerName = "";
  for (const r of refs) {
    if (!isObj(r)) continue;
    const apiVersion = str(r, "apiVersion");
    const version = apiVersion.includes("/") ? apiVersion.slice(apiVersion.indexOf("/") + 1) : apiVersion;
    if (!version) errs.push(invalid(child(path, "apiVersion"), apiVersion, "version must not be empty"));
    if (!str(r, "kind")) errs.push(invalid(child(path, "kind"), str(r, "kind"), "must not be empty"));
    if (!str(r, "name")) errs.push(invalid(child(path, "name"), str(r, "name"), "must not be empty"));
    if (!str(r, "uid")) errs.push(invalid(child(path, "uid"), str(r, "uid"), "must not be empty"));
    if (r.controller === true) {
      const cur = `${str(r, "kind")}/${str(r, "name")}`;
      if (controllerName) {
        errs.push(
          invalid(
            path,
            refs,
            `Only one reference can have Controller set to true. Found "true" in references for ${controllerName} and ${cur}`,
          ),
        );
      } else controllerName = cur;
    }
  }
  return errs;
}

export interface MetaOptions {
  /** Whether the kind is namespaced (metadata.namespace required) or cluster-scoped (forbidden). */
  namespaced: boolean;
  /** How names of this kind are checked (DNS subdomain for most). */
  nameFn: NameValidator;
}

/** ValidateObjectMeta at `metadata` (or `path`). */
export function validateObjectMeta(
  meta: unknown,
  opts: MetaOptions,
  path: FieldPath = "metadata",
): FieldError[] {
  const m = isObj(meta) ? meta : {};
  const errs: FieldError[] = [];
  const generateName = str(m, "generateName");
  if (generateName) {
    for (const msg of opts.nameFn(generateName, true))
      errs.push(invalid(child(path, "generateName"), generateName, msg));
  }
  const name = str(m, "name");
  if (!name) errs.push(required(child(path, "name"), "name or generateName is required"));
  else for (const msg of opts.nameFn(name, false)) errs.push(invalid(child(path, "name"), name, msg));
  const namespace = str(m, "namespace");
  if (opts.namespaced) {
    if (!namespace) errs.push(required(child(path, "namespace")));
    else
      for (const msg of nameIsDNSLabel(namespace, false))
        errs.push(invalid(child(path, "namespace"), namespace, msg));
  } else if (namespace) {
    errs.push(forbidden(child(path, "namespace"), "not allowed on this type"));
  }
  errs.push(...validateNonnegative(num(m, "generation"), child(path, "generation")));
  errs.push(...validateLabels(m.labels, child(path, "labels")));
  errs.push(...validateAnnotations(m.annotations, child(path, "annotations")));
  errs.push(...validateOwnerReferences(m.ownerReferences, child(path, "ownerReferences")));
  errs.push(...validateFinalizers(m.finalizers, child(path, "finalizers")));
  return errs;
}

/** ValidateObjectMetaUpdate: identity fields are immutable; labels and annotations stay valid. */
export function validateObjectMetaUpdate(
  meta: unknown,
  oldMeta: unknown,
  path: FieldPath = "metadata",
): FieldError[] {
  const m = isObj(meta) ? meta : {};
  const o = isObj(oldMeta) ? oldMeta : {};
  const errs: FieldError[] = [];
  errs.push(...validateImmutable(str(m, "name"), str(o, "name"), child(path, "name")));
  errs.push(...validateImmutable(str(m, "namespace"), str(o, "namespace"), child(path, "namespace")));
  if (o.uid !== undefined && m.uid !== undefined)
    errs.push(...validateImmutable(m.uid, o.uid, child(path, "uid")));
  if (o.creationTimestamp !== undefined && m.creationTimestamp !== undefined) {
    errs.push(
      ...validateImmutable(m.creationTimestamp, o.creationTimestamp, child(path, "creationTimestamp")),
    );
  }
  if (o.deletionTimestamp) {
    const oldF = new Set(arr(o, "finalizers"));
    for (const f of arr(m, "finalizers")) {
      if (!oldF.has(f)) {
        errs.push(
          forbidden(
            child(path, "finalizers"),
            `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(arr(m, "finalizers").filter((x) => !oldF.has(x)))}`,
          ),
        );
        break;
      }
    }
  }
  const gen = num(m, "generation");
  const oldGen = num(o, "generation");
  if (gen !== undefined && oldGen !== undefined && gen < oldGen) {
    errs.push(invalid(child(path, "generation"), gen, "must not be decremented"));
  }
  errs.push(...validateNonnegative(gen, child(path, "generation")));
  errs.push(...validateLabels(m.labels, child(path, "labels")));
  errs.push(...validateAnnotations(m.annotations, child(path, "annotations")));
  errs.push(...validateOwnerReferences(m.ownerReferences, child(path, "ownerReferences")));
  errs.push(...validateFinalizers(m.finalizers, child(path, "finalizers")));
  return errs;
}

/** metav1validation.ValidateLabelSelector. */
export function validateLabelSelector(
  sel: unknown,
  path: FieldPath,
  allowInvalidValues = false,
): FieldError[] {
  if (!isObj(sel)) return [];
  const errs: FieldError[] = [];
  errs.push(...validateLabels(sel.matchLabels, child(path, "matchLabels")));
  arr(sel, "matchExpressions").forEach((e, i) => {
    if (!isObj(e)) return;
    errs.push(
      ...validateLabelSelectorRequirement(e, index(child(path, "matchExpressions"), i), allowInvalidValues),
    );
  });
  return errs;
}

export function validateLabelSelectorRequirement(
  e: Obj,
  path: FieldPath,
  allowInvalidValues = false,
): FieldError[] {
  const errs: FieldError[] = [];
  const values = arr(e, "values");
  const op = e.operator;
  switch (op) {
    case "In":
    case "NotIn":
      if (values.length === 0)
        errs.push(required(child(path, "values"), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case "Exists":
    case "DoesNotExist":
      if (values.length > 0) {
        errs.push(
          forbidden(
            child(path, "values"),
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
          ),
        );
      }
      break;
    default:
      errs.push(invalid(child(path, "operator"), op ?? "", "not a valid selector operator"));
  }
  errs.push(...validateLabelName(str(e, "key"), child(path, "key")));
  if (!allowInvalidValues) {
    values.forEach((v, i) => {
      const value = typeof v === "string" ? v : String(v);
      for (const m of isValidLabelValue(value)) errs.push(invalid(index(child(path, "values"), i), value, m));
    });
  }
  return errs;
}

/** A LabelSelector as Go marshals it (matchLabels before matchExpressions). */
export function selectorValue(sel: unknown): unknown {
  if (!isObj(sel)) return sel ?? null;
  const out: Obj = {};
  if (sel.matchLabels !== undefined) out.matchLabels = sel.matchLabels;
  if (sel.matchExpressions !== undefined) out.matchExpressions = sel.matchExpressions;
  return struct(out);
}

export function validateDNS1123Subdomain(value: string, path: FieldPath): FieldError[] {
  return isDNS1123Subdomain(value).map((m) => invalid(path, value, m));
}

export { key };
