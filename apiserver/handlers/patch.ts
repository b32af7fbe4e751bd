// PATCH bodies by Content-Type: JSON Patch (RFC 6902), JSON merge patch (RFC 7386), strategic merge
// patch (Kubernetes' directives and merge keys) and apply-patch+yaml (server-side apply). Pure.
import fastJsonPatch from "fast-json-patch";
import type { ResourceDefinition } from "../../pkg/api/resource-definition.js";
import type { KubeObject } from "../../pkg/api/types.js";
import { applyStrategicMergePatch, StrategicMergePatchError } from "../standins/strategicpatch.js";
import { parseJson, parseYamlDoc } from "./negotiation.js";
import { ApiError, badRequest, unsupportedMediaType } from "./status.js";

export type PatchType = "json" | "merge" | "strategic" | "apply";

const PATCH_TYPES: Record<string, PatchType> = {
  "application/json-patch+json": "json",
  "application/merge-patch+json": "merge",
  "application/strategic-merge-patch+json": "strategic",
  "application/apply-patch+yaml": "apply",
  "application/apply-patch+cbor": "apply",
};

export const ACCEPTED_PATCH_TYPES = Object.keys(PATCH_TYPES).filter((t) => !t.endsWith("cbor"));

export function patchTypeOf(contentType: string | undefined): PatchType {
  const mt = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  const t = PATCH_TYPES[mt];
  if (!t) throw unsupportedMediaType(mt, ACCEPTED_PATCH_TYPES);
  return t;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return patch;
  const out: Record<string, unknown> = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function invalidPatch(message: string): ApiError {
  return new ApiError({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason: "Invalid",
    code: 422,
  });
}

function smpError(err: unknown): ApiError {
  if (err instanceof StrategicMergePatchError) {
    if (err.code === 415)
      return unsupportedMediaType(
        "application/strategic-merge-patch+json",
        ACCEPTED_PATCH_TYPES.filter((t) => !t.includes("strategic")),
      );
    return new ApiError({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: err.message,
      reason: err.reason,
      code: err.code,
    });
  }
  return invalidPatch(err instanceof Error ? err.message : String(err));
}

/**
 * The body of an apply patch: the applied configuration, YAML or JSON. Server-side apply itself
 * (merge, ownership, conflicts) is apiserver/fieldmanager's.
 */
export async function decodeApplyConfiguration(raw: Buffer): Promise<KubeObject> {
  const text = raw.toString("utf8");
  if (text.trim() === "") throw badRequest("the body of the request was empty");
  const patch = text.trim().startsWith("{") ? parseJson(text) : await parseYamlDoc(text);
  if (!isObj(patch)) throw badRequest("error decoding YAML: the applied configuration must be an object");
  return patch as KubeObject;
}

/**
 * Applies a patch body to `current`. An apply patch is only merged here for /scale, whose writes are
 * not tracked in managedFields; the main resource and /status apply through apiserver/fieldmanager.
 */
export async function applyPatch(
  type: PatchType,
  current: KubeObject | undefined,
  raw: Buffer,
  def: ResourceDefinition,
): Promise<KubeObject> {
  const text = raw.toString("utf8");
  if (text.trim() === "") throw badRequest("the body of the request was empty");
  const base = current === undefined ? {} : structuredClone(current);
  let result: unknown;
  switch (type) {
    case "json": {
      const ops = parseJson(text);
      if (!Array.isArray(ops))
        throw badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
      try {
        result = fastJsonPatch.applyPatch(base, ops as fastJsonPatch.Operation[], true, true).newDocument;
      } catch (err) {
        const e = err as { name?: string; message?: string };
        throw invalidPatch(e.message?.split("\n")[0] ?? "the patch could not be applied");
      }
      break;
    }
    case "merge": {
      const patch = parseJson(text);
      if (!isObj(patch))
        throw badRequest("json: cannot unmarshal into Go value of type map[string]interface {}");
      result = mergePatch(base, patch);
      break;
    }
    case "strategic": {
      const patch = parseJson(text);
      if (!isObj(patch))
        throw badRequest("json: cannot unmarshal into Go value of type map[string]interface {}");
      try {
        result = applyStrategicMergePatch(base, patch, {
          group: def.group,
          version: def.version,
          kind: def.kind,
        });
      } catch (err) {
        throw smpError(err);
      }
      break;
    }
    case "apply": {
      const patch = await decodeApplyConfiguration(raw);
      try {
        result =
          current === undefined
            ? patch
            : applyStrategicMergePatch(base, patch, {
                group: def.group,
                version: def.version,
                kind: def.kind,
              });
      } catch (err) {
        throw smpError(err);
      }
      break;
    }
  }
  if (!isObj(result)) throw invalidPatch("the patched object is not an object");
  return result as KubeObject;
}
