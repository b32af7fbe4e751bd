// OpenAPI v3: the index (/openapi/v3) and one document per group-version, with a path per resource
// whose PATCH declares x-kubernetes-group-version-kind and the fieldValidation parameter (what kubectl
// checks before trusting server-side validation), and components.schemas for `kubectl explain`.
// The PATCH request bodies do not list strategic-merge-patch: without Kubernetes' merge-key extensions
// in the schemas kubectl would compute wrong patches; it uses its compiled-in types instead.
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import type { Catalogue, ServedResource } from "../registry/catalogue.js";
import { type SchemaSet, schemasFor } from "./schemas.js";

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

const FIELD_VALIDATION_PARAM = {
  name: "fieldValidation",
  in: "query",
  description:
    "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict",
  schema: { type: "string", uniqueItems: true },
};

function operation(r: ServedResource, verb: string, action: string, body: boolean): Record<string, unknown> {
  const d = r.def;
  const op: Record<string, unknown> = {
    operationId: `${verb}${d.kind}`,
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": { group: d.group, version: d.version, kind: d.kind },
    responses: { "200": { description: "OK" } },
  };
  if (body) {
    op.parameters = [FIELD_VALIDATION_PARAM];
    op.requestBody = {
      content:
        action === "patch"
          ? {
              "application/json-patch+json": { schema: { type: "object" } },
              "application/merge-patch+json": { schema: { type: "object" } },
              "application/apply-patch+yaml": { schema: { type: "object" } },
            }
          : { "*/*": { schema: { type: "object" } } },
      required: true,
    };
  }
  return op;
}

function paths(rs: ServedResource[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of rs) {
    const d = r.def;
    const base = `/${gvPath(d.group, d.version)}${d.namespaced ? "/namespaces/{namespace}" : ""}/${d.resource}`;
    out[base] = {
      get: operation(r, "list", "list", false),
      post: operation(r, "create", "post", true),
    };
    out[`${base}/{name}`] = {
      get: operation(r, "read", "get", false),
      put: operation(r, "replace", "put", true),
      patch: operation(r, "patch", "patch", true),
      delete: operation(r, "delete", "delete", false),
    };
  }
  return out;
}

/** One group-version document: its key (`api/v1`, `apis/apps/v1`), JSON and hash. */
export interface OpenApiDoc {
  key: string;
  body: string;
  hash: string;
}

/** The group-version documents, made one at a time (a caller that keeps only their gzip bytes never holds
 * all of their 1.9 MiB of JSON at once). */
export function* openApiDocs(cat: Catalogue, schemas: SchemaSet | null): Generator<OpenApiDoc> {
  for (const g of cat.groups) {
    for (const v of g.versions) {
      const rs = cat.inGroupVersion(g.name, v);
      const doc = {
        openapi: "3.0.0",
        info: { title: "Kubernetes", version: "v1.32.4" },
        paths: paths(rs),
        components: { schemas: schemas ? schemasFor(schemas, rs) : {} },
      };
      const body = JSON.stringify(doc);
      const hash = createHash("sha512").update(body).digest("hex").slice(0, 128).toUpperCase();
      yield { key: gvPath(g.name, v), body, hash };
    }
  }
}

/** The index: where each document is, with its hash (kubectl caches documents by it). */
function indexOf(docs: { key: string; hash: string }[]): Record<string, unknown> {
  const pathsIndex: Record<string, unknown> = {};
  for (const d of docs) pathsIndex[d.key] = { serverRelativeURL: `/openapi/v3/${d.key}?hash=${d.hash}` };
  return { paths: pathsIndex };
}

/** One group-version document as kept in memory: gzip bytes, with the hash of its JSON. */
export interface CompressedDoc {
  gzip: Buffer;
  hash: string;
  /** Length of the uncompressed JSON. */
  length: number;
}

/**
 * The OpenAPI v3 documents as served: built once at start-up and kept gzip-compressed (412 KiB for
 * 1.9 MiB of JSON); the described schemas they are made from are dropped after the build. Built on the
 * first request instead (kubectl apply and explain ask; the cluster's start applies its add-ons), the
 * build's garbage stayed resident in the busy heap: 9 MiB more after one `kubectl apply`.
 */
export class OpenApiV3 {
  private constructor(
    private readonly indexDoc: Record<string, unknown>,
    private readonly docs: Map<string, CompressedDoc>,
  ) {}

  static build(cat: Catalogue, schemas: SchemaSet | null): OpenApiV3 {
    const docs = new Map<string, CompressedDoc>();
    for (const d of openApiDocs(cat, schemas)) {
      const json = Buffer.from(d.body);
      docs.set(d.key, { gzip: gzipSync(json), hash: d.hash, length: json.length });
    }
    return new OpenApiV3(indexOf([...docs].map(([key, d]) => ({ key, hash: d.hash }))), docs);
  }

  index(): Record<string, unknown> {
    return this.indexDoc;
  }

  /** The document of `api/v1`, `apis/apps/v1`, ..., or undefined. */
  doc(key: string): CompressedDoc | undefined {
    return this.docs.get(key);
  }
}

/** A document's bytes for a client: the gzip bytes when it accepts gzip, else the JSON. */
export function docBody(
  doc: CompressedDoc,
  acceptEncoding: string | undefined,
): { body: Buffer; gzip: boolean } {
  if (acceptsGzip(acceptEncoding)) return { body: doc.gzip, gzip: true };
  return { body: gunzipSync(doc.gzip), gzip: false };
}

/** Whether an Accept-Encoding header admits gzip (`gzip`, `gzip;q=0.5`, `*`; not `gzip;q=0`). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  for (const part of header.split(",")) {
    const [coding, ...params] = part.trim().toLowerCase().split(";");
    if (coding !== "gzip" && coding !== "*") continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    if (!q || Number(q.slice(2)) > 0) return true;
  }
  return false;
}
