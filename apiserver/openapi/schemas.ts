// OpenAPI v3 schemas (components.schemas) for the served kinds, as kube-apiserver publishes them:
// named `io.k8s.api.apps.v1.Deployment`, nested types by `allOf: [{$ref}]`, descriptions, required
// fields, and `x-kubernetes-group-version-kind` on each kind's schema. `kubectl explain` renders
// them and field validation (fieldValidation=Strict|Warn) walks them.
//
// Source of truth: Kubernetes' type metadata as `@kubernetes/client-node` ships it (k8s-models.ts).
// The parsed table is cached as JSON beside this module (`k8s-models.json`, written by gen-models.ts
// in the image build, where client-node, a devDependency, is present); without the cache it is parsed
// from client-node when that is installed (development, tests), and otherwise there are no schemas.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ResourceDefinition } from "../../pkg/api/resource-definition.js";
import type { Logger } from "../../pkg/util/log.js";
import type { ServedResource } from "../registry/catalogue.js";
import { protobufMessageNames } from "../standins/protobuf.js";
import { type ModelTable, readModels, splitModelName } from "./k8s-models.js";

export interface Schema {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema;
  allOf?: Schema[];
  $ref?: string;
  "x-kubernetes-group-version-kind"?: { group: string; version: string; kind: string }[];
}

export interface SchemaSet {
  /** Every schema, by Kubernetes' definition name. */
  schemas: Record<string, Schema>;
  /** `group/version/Kind` → definition name, for the served kinds that have one. */
  byKind: Map<string, string>;
}

const REF_PREFIX = "#/components/schemas/";
const INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";

export function kindKey(group: string, version: string, kind: string): string {
  return `${group}/${version}/${kind}`;
}

/** The definition-name prefix of an API package as Kubernetes' Go import paths give it. */
function packagePrefix(pkg: string): string {
  if (pkg === "meta") return "io.k8s.apimachinery.pkg.apis.meta";
  return `io.k8s.api.${pkg}`;
}

/** Definition names like Kubernetes' from client-node model names: by the model's package where the
 * docs gave it, else the protobuf descriptors' (`V1ObjectMeta` → io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta). */
export function definitionNamer(knownMessages: string[], models: ModelTable = {}): (model: string) => string {
  const byVersionKind = new Map<string, string[]>();
  for (const m of knownMessages) {
    const parts = m.split(".");
    const key = parts.slice(-2).join(".");
    const list = byVersionKind.get(key) ?? [];
    list.push(`io.k8s.${parts.slice(2).join(".")}`);
    byVersionKind.set(key, list);
  }
  return (model) => {
    const m = splitModelName(model);
    if (!m) return `io.k8s.${model}`;
    const pkg = models[model]?.pkg;
    if (pkg) return `${packagePrefix(pkg)}.${m.version}.${m.kind}`;
    const candidates = byVersionKind.get(`${m.version}.${m.kind}`) ?? [];
    const inGroup = m.prefix ? candidates.filter((c) => c.includes(`.api.${m.prefix}.`)) : candidates;
    if (inGroup.length > 0) return inGroup[0] as string;
    return `io.k8s.api.${m.prefix ?? "core"}.${m.version}.${m.kind}`;
  };
}

function ref(name: string): Schema {
  return { allOf: [{ $ref: `${REF_PREFIX}${name}` }] };
}

/** The schema of one field from client-node's type string and format. */
export function fieldSchema(type: string, format: string, nameOf: (model: string) => string): Schema {
  const arr = /^Array<(.*)>$/.exec(type);
  if (arr) return { type: "array", items: fieldSchema(arr[1] ?? "", format, nameOf) };
  const map = /^\{ \[key: string\]: (.*); \}$/.exec(type);
  if (map) return { type: "object", additionalProperties: fieldSchema(map[1] ?? "", format, nameOf) };
  switch (type) {
    case "string":
      if (format === "date-time-micro") return { type: "string", format: "date-time" };
      return format ? { type: "string", format } : { type: "string" };
    case "Date":
      return { type: "string", format: "date-time" };
    case "number":
      if (format === "int32" || format === "int64") return { type: "integer", format };
      return { type: "number", format: format || "double" };
    case "boolean":
      return { type: "boolean" };
    case "any":
    case "object":
      return { type: "object" };
    case "IntOrString":
      return ref(INT_OR_STRING);
    default:
      return ref(nameOf(type));
  }
}

function modelForKind(
  models: ModelTable,
  def: { group: string; version: string; kind: string },
): string | undefined {
  const ver = def.version.charAt(0).toUpperCase() + def.version.slice(1);
  const g = def.group.split(".")[0] || "core";
  const prefixed = `${g.charAt(0).toUpperCase()}${g.slice(1)}${ver}${def.kind}`;
  if (models[prefixed]) return prefixed;
  if (models[`${ver}${def.kind}`]) return `${ver}${def.kind}`;
  return undefined;
}

/**
 * Fields the old beta versions have beyond their v1 kind (k8s.io/api 1.15), by `group/version/Kind`:
 * extra properties of the kind's spec. Otherwise an old version's schema is its v1 kind's, which
 * is a superset (v1 only added fields). Ingress is left out: its v1beta1 backends differ from v1's.
 */
const LEGACY_SPEC_FIELDS: Record<string, (pkg: string) => Record<string, Schema>> = {
  "extensions/v1beta1/DaemonSet": () => ({
    templateGeneration: {
      type: "integer",
      format: "int64",
      description:
        "DEPRECATED. A sequence number representing a specific generation of the template. Populated by the system. It can be set only during the creation.",
    },
  }),
  "extensions/v1beta1/Deployment": (pkg) => ({ rollbackTo: rollbackTo(pkg) }),
  "apps/v1beta1/Deployment": (pkg) => ({ rollbackTo: rollbackTo(pkg) }),
};

function rollbackTo(pkg: string): Schema {
  return {
    ...ref(`${pkg}.RollbackConfig`),
    description:
      "DEPRECATED. The config this deployment is rolling back to. Will be cleared after rollback is done.",
  };
}

const ROLLBACK_CONFIG: Schema = {
  type: "object",
  description: "DEPRECATED.",
  properties: {
    revision: {
      type: "integer",
      format: "int64",
      description: "The revision to rollback to. If set to 0, rollback to the last revision.",
    },
  },
};

/**
 * The schema of an old beta version served from a v1 storage kind (`io.k8s.api.extensions.v1beta1.DaemonSet`):
 * the v1 schema under the old package's name, its spec extended where the old version had more fields.
 */
function addLegacySchema(
  schemas: Record<string, Schema>,
  d: { group: string; version: string; kind: string },
  v1Name: string,
): string | undefined {
  const v1 = schemas[v1Name];
  if (!v1) return undefined;
  const pkg = `io.k8s.api.${d.group.split(".")[0]}.${d.version}`;
  const name = `${pkg}.${d.kind}`;
  const schema: Schema = structuredClone(v1);
  schema["x-kubernetes-group-version-kind"] = [{ group: d.group, version: d.version, kind: d.kind }];
  const extra = LEGACY_SPEC_FIELDS[kindKey(d.group, d.version, d.kind)]?.(pkg);
  const specProp = schema.properties?.spec;
  if (extra && specProp) {
    const specName = `${pkg}.${d.kind}Spec`;
    const spec: Schema = structuredClone(resolveSchema({ schemas, byKind: new Map() }, specProp));
    spec.properties = { ...spec.properties, ...extra };
    schemas[specName] = spec;
    schema.properties = {
      ...schema.properties,
      spec: { ...ref(specName), description: specProp.description },
    };
    if ("rollbackTo" in extra) schemas[`${pkg}.RollbackConfig`] = ROLLBACK_CONFIG;
  }
  schemas[name] = schema;
  return name;
}

export interface SchemaSetOptions {
  /** Keep the doc comments (`kubectl explain` needs them; field validation does not). Default true. */
  descriptions?: boolean;
}

/** All schemas for the models, and the served kinds' definition names. */
export function buildSchemaSet(
  models: ModelTable,
  defs: Pick<ResourceDefinition, "group" | "version" | "kind" | "storage">[],
  knownMessages: string[] = protobufMessageNames,
  opts: SchemaSetOptions = {},
): SchemaSet {
  const descriptions = opts.descriptions ?? true;
  const nameOf = definitionNamer(knownMessages, models);
  const schemas: Record<string, Schema> = {
    [INT_OR_STRING]: { type: "string", format: "int-or-string" },
  };
  for (const [modelName, model] of Object.entries(models)) {
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    for (const f of model.fields) {
      const s = fieldSchema(f.type, f.format, nameOf);
      if (f.description && descriptions) s.description = f.description;
      properties[f.name] = s;
      if (f.required) required.push(f.name);
    }
    const schema: Schema = { type: "object", properties };
    if (model.description && descriptions) schema.description = model.description;
    if (required.length > 0) schema.required = required;
    const name = nameOf(modelName);
    if (!schemas[name]) schemas[name] = schema;
  }
  const byKind = new Map<string, string>();
  for (const d of defs) {
    const model = modelForKind(models, d);
    if (!model) continue;
    const name = nameOf(model);
    const schema = schemas[name];
    if (!schema) continue;
    const gvks = schema["x-kubernetes-group-version-kind"] ?? [];
    if (!gvks.some((x) => x.group === d.group && x.version === d.version && x.kind === d.kind)) {
      gvks.push({ group: d.group, version: d.version, kind: d.kind });
    }
    schema["x-kubernetes-group-version-kind"] = gvks;
    byKind.set(kindKey(d.group, d.version, d.kind), name);
  }
  for (const d of defs) {
    if (!d.storage || d.kind === "Ingress" || byKind.has(kindKey(d.group, d.version, d.kind))) continue;
    const v1 = byKind.get(kindKey(d.storage.group, d.storage.version, d.kind));
    const name = v1 ? addLegacySchema(schemas, d, v1) : undefined;
    if (name) byKind.set(kindKey(d.group, d.version, d.kind), name);
  }
  return { schemas, byKind };
}

/**
 * The schemas field validation walks: the served kinds' and what they reference, without doc comments,
 * kept for the process's life (the documents `kubectl explain` reads are built on request, openapi.ts).
 */
export function validationSchemaSet(
  models: ModelTable,
  defs: Pick<ResourceDefinition, "group" | "version" | "kind" | "storage">[],
  knownMessages: string[] = protobufMessageNames,
): SchemaSet {
  const all = buildSchemaSet(models, defs, knownMessages, { descriptions: false });
  const names = new Set<string>();
  for (const name of all.byKind.values()) collectRefs(all, { $ref: `${REF_PREFIX}${name}` }, names);
  const schemas: Record<string, Schema> = {};
  for (const n of names) schemas[n] = all.schemas[n] as Schema;
  return { schemas, byKind: all.byKind };
}

/** The definition a `$ref` or `allOf: [{$ref}]` schema points to, or the schema itself. */
export function resolveSchema(set: SchemaSet, s: Schema): Schema {
  let cur = s;
  for (let i = 0; i < 8; i++) {
    const r = cur.$ref ?? cur.allOf?.[0]?.$ref;
    if (!r) return cur;
    const next = set.schemas[r.slice(REF_PREFIX.length)];
    if (!next) return {};
    cur = next;
  }
  return cur;
}

function collectRefs(set: SchemaSet, s: Schema, into: Set<string>): void {
  const r = s.$ref;
  if (r) {
    const name = r.slice(REF_PREFIX.length);
    if (!into.has(name) && set.schemas[name]) {
      into.add(name);
      collectRefs(set, set.schemas[name] as Schema, into);
    }
  }
  for (const a of s.allOf ?? []) collectRefs(set, a, into);
  for (const p of Object.values(s.properties ?? {})) collectRefs(set, p, into);
  if (s.items) collectRefs(set, s.items, into);
  if (s.additionalProperties) collectRefs(set, s.additionalProperties, into);
}

/** The schemas one group-version document needs: its kinds' and everything they reference. */
export function schemasFor(set: SchemaSet, rs: ServedResource[]): Record<string, Schema> {
  const names = new Set<string>();
  for (const r of rs) {
    const name = set.byKind.get(kindKey(r.def.group, r.def.version, r.def.kind));
    if (name) collectRefs(set, { $ref: `${REF_PREFIX}${name}` }, names);
  }
  const out: Record<string, Schema> = {};
  for (const n of [...names].sort()) out[n] = set.schemas[n] as Schema;
  return out;
}

export const MODEL_CACHE_FILE = "k8s-models.json";

function clientNodeModelsDir(): string | null {
  try {
    const main = createRequire(import.meta.url).resolve("@kubernetes/client-node");
    const dir = join(dirname(main), "gen", "models");
    return existsSync(dir) ? dir : null;
  } catch {
    return null;
  }
}

/** kubernetes-types' folder (it has no main: found through its package.json). */
export function kubernetesTypesDir(): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve("kubernetes-types/package.json"));
  } catch {
    return undefined;
  }
}

/** The model table: from the cache beside this module, else parsed from client-node (and cached). */
export function loadModels(
  log: Logger,
  cacheDir = dirname(fileURLToPath(import.meta.url)),
): ModelTable | null {
  const cache = join(cacheDir, MODEL_CACHE_FILE);
  try {
    if (existsSync(cache)) return JSON.parse(readFileSync(cache, "utf8")) as ModelTable;
  } catch (err) {
    log.warn({ err, cache }, "unreadable OpenAPI model cache; regenerating");
  }
  const dir = clientNodeModelsDir();
  if (!dir) {
    log.warn(
      "no Kubernetes type metadata (k8s-models.json or @kubernetes/client-node): OpenAPI without schemas",
    );
    return null;
  }
  const models = readModels(dir, kubernetesTypesDir());
  try {
    writeFileSync(cache, JSON.stringify(models));
  } catch {
    // A read-only install still works; it parses again next start.
  }
  return models;
}
