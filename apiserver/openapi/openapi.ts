// OpenAPI v3: the index (/openapi/v3) and one document per group-version, with a path per resource
// whose PATCH declares x-kubernetes-group-version-kind and the fieldValidation parameter (what kubectl
// checks before trusting server-side validation), and components.schemas for `kubectl explain`.
// The PATCH request bodies do not list strategic-merge-patch: without Kubernetes' merge-key extensions
// in the schemas kubectl would compute wrong patches; it uses its compiled-in types instead.
import { createHash } from "node:crypto";
import type { Catalogue, ServedResource } from "../registry/catalogue.js";
import { type SchemaSet, schemasFor } from "./schemas.js";

export interface OpenApiDocs {
  index: Record<string, unknown>;
  /** Keyed by `api/v1`, `apis/apps/v1`. Serialized once. */
  docs: Map<string, { body: string; hash: string }>;
}

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

export function buildOpenApi(cat: Catalogue, schemas: SchemaSet | null): OpenApiDocs {
  const docs = new Map<string, { body: string; hash: string }>();
  const index: Record<string, unknown> = {};
  const pathsIndex: Record<string, unknown> = {};
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
      const key = gvPath(g.name, v);
      docs.set(key, { body, hash });
      pathsIndex[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
    }
  }
  index.paths = pathsIndex;
  return { index, docs };
}
