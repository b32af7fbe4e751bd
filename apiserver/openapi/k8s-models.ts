// Kubernetes' type metadata as `@kubernetes/client-node` ships it: per model class, the JSON field
// names, types and formats (`attributeTypeMap` in the .js) and the doc comments (in the .d.ts), both
// generated from Kubernetes' own OpenAPI spec. Parsed from the files as text (no import of 900
// modules); the result is small and cacheable as JSON (see schemas.ts).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface ModelField {
  /** The JSON field name (`$ref` for JSONSchemaProps.ref). */
  name: string;
  /** client-node's type: `string`, `number`, `boolean`, `Date`, `any`, `IntOrString`, `V1Container`,
   * `Array<T>`, `{ [key: string]: T; }`. */
  type: string;
  /** OpenAPI format: int32, int64, double, byte, date-time, int-or-string, or "". */
  format: string;
  description?: string;
  required?: boolean;
}

export interface Model {
  description?: string;
  /** The API package (`apps`, `core`, `meta`), when the doc source knows it. */
  pkg?: string;
  fields: ModelField[];
}

/** Model class name (`V1DeploymentStrategy`) → model. */
export type ModelTable = Record<string, Model>;

interface Attribute {
  name: string;
  baseName: string;
  type: string;
  format: string;
}

/** The `X.attributeTypeMap = [...]` literal of a model's .js (it is JSON). */
export function parseAttributeTypeMap(js: string): Attribute[] {
  const m = /\.attributeTypeMap = (\[[\s\S]*?\n\]);/.exec(js);
  if (!m?.[1]) return [];
  return JSON.parse(m[1]) as Attribute[];
}

function cleanComment(raw: string): string {
  return raw
    .split("\n")
    .map((l) => l.replace(/^\s*\*\s?/, ""))
    .join("\n")
    .trim()
    .replace(/\\"/g, '"');
}

/** The class doc comment and, per property name, its doc comment and whether it is required. */
export function parseModelDts(dts: string): {
  description?: string;
  props: Map<string, { description?: string; required: boolean }>;
} {
  const props = new Map<string, { description?: string; required: boolean }>();
  const cls = /(?:\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*)?export declare class \w+ \{/.exec(dts);
  const description = cls?.[1] ? cleanComment(cls[1]) : undefined;
  const body = cls ? dts.slice(cls.index + cls[0].length) : dts;
  const re = /(?:\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*)?'([^']+)'(\?)?:/g;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    const name = m[2] ?? "";
    props.set(name, { description: m[1] ? cleanComment(m[1]) : undefined, required: !m[3] });
  }
  return { description, props };
}

/** One model from its .d.ts and .js texts. */
export function parseModel(dts: string, js: string): Model {
  const { description, props } = parseModelDts(dts);
  const fields = parseAttributeTypeMap(js).map((a): ModelField => {
    const p = props.get(a.name);
    const f: ModelField = { name: a.baseName, type: a.type, format: a.format };
    if (p?.description) f.description = p.description;
    if (p?.required) f.required = true;
    return f;
  });
  return description ? { description, fields } : { fields };
}

/** Doc comments of one kubernetes-types package file: per interface, its own and its fields'. */
export type TypeDocs = Map<string, { description?: string; fields: Map<string, string> }>;

export function parseTypeDocs(dts: string): TypeDocs {
  const out: TypeDocs = new Map();
  const iface = /(?:\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*)?export interface (\w+) \{([\s\S]*?)\n\}/g;
  for (let m = iface.exec(dts); m; m = iface.exec(dts)) {
    const fields = new Map<string, string>();
    const field = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*'?([\w$-]+)'?\??:/g;
    const body = m[3] ?? "";
    for (let f = field.exec(body); f; f = field.exec(body)) fields.set(f[2] ?? "", cleanComment(f[1] ?? ""));
    out.set(m[2] ?? "", { description: m[1] ? cleanComment(m[1]) : undefined, fields });
  }
  return out;
}

const MODEL_NAME = /^([A-Z][a-z]+)?(V\d+(?:alpha\d+|beta\d+)?)([A-Z]\w*)$/;

/** Splits `CoreV1Event` into its group prefix (`core`), version (`v1`) and kind (`Event`). */
export function splitModelName(model: string): { prefix?: string; version: string; kind: string } | null {
  const m = MODEL_NAME.exec(model);
  if (!m) return null;
  return { prefix: m[1]?.toLowerCase(), version: (m[2] ?? "").toLowerCase(), kind: m[3] ?? "" };
}

/**
 * client-node's generator drops the descriptions of fields whose type is another model
 * (`strategy`, `rollingUpdate`); kubernetes-types (`<pkg>/<version>.d.ts`) keeps every doc comment and
 * says which package a type belongs to. Fills both in, in place.
 */
export function addTypeDocs(models: ModelTable, docs: Map<string, TypeDocs>): void {
  for (const [name, model] of Object.entries(models)) {
    const parts = splitModelName(name);
    if (!parts) continue;
    const candidates = [...docs.entries()].filter(
      ([key, d]) => key.endsWith(`/${parts.version}`) && d.has(parts.kind),
    );
    const pick =
      (parts.prefix ? candidates.find(([key]) => key.split("/")[0] === parts.prefix) : undefined) ??
      (parts.prefix ? undefined : candidates[0]);
    if (!pick) continue;
    const [key, d] = pick;
    const doc = d.get(parts.kind);
    model.pkg = key.split("/")[0];
    if (!model.description && doc?.description) model.description = doc.description;
    for (const f of model.fields) {
      const fd = doc?.fields.get(f.name);
      if (!f.description && fd) f.description = fd;
    }
  }
}

/** kubernetes-types' package files, keyed `<pkg>/<version>`. */
export function readTypeDocs(dir: string): Map<string, TypeDocs> {
  const out = new Map<string, TypeDocs>();
  for (const pkg of readdirSync(dir, { withFileTypes: true })) {
    if (!pkg.isDirectory()) continue;
    for (const file of readdirSync(join(dir, pkg.name))) {
      const m = /^(v\d+(?:alpha\d+|beta\d+)?)\.d\.ts$/.exec(file);
      if (m) out.set(`${pkg.name}/${m[1]}`, parseTypeDocs(readFileSync(join(dir, pkg.name, file), "utf8")));
    }
  }
  return out;
}

/** Every model in client-node's `dist/gen/models` folder (with kubernetes-types' docs when given). */
export function readModels(dir: string, typeDocsDir?: string): ModelTable {
  const table: ModelTable = {};
  for (const file of readdirSync(dir)) {
    if (!file.endsWith(".d.ts")) continue;
    const name = file.slice(0, -".d.ts".length);
    if (!/^[A-Z]/.test(name) || name === "ObjectSerializer" || name === "all") continue;
    let js: string;
    try {
      js = readFileSync(join(dir, `${name}.js`), "utf8");
    } catch {
      continue;
    }
    if (!js.includes(".attributeTypeMap")) continue;
    table[name] = parseModel(readFileSync(join(dir, file), "utf8"), js);
  }
  if (typeDocsDir) addTypeDocs(table, readTypeDocs(typeDocsDir));
  return table;
}
