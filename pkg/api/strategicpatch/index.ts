// Strategic merge patch (application/strategic-merge-patch+json) as kube-apiserver applies it:
// merge keys and patch strategies of the built-in kinds, the directives `$patch`
// (replace/delete), `$retainKeys`, `$deleteFromPrimitiveList/<f>`, `$setElementOrder/<f>`, and
// null meaning delete. This is what `kubectl apply` (client-side), `edit`, `set image`, `rollout`,
// `cordon` and `taint` send.
import type { GroupVersionKind } from "../resource-definition.js";
import type { KubeObject } from "../types.js";
import { errUnsupportedStrategicMergePatchFormat, goType, StrategicMergePatchError } from "./errors.js";
import { mergeMap } from "./merge.js";
import { type Schema, schemaFor } from "./schema.js";

export { type PatchErrorReason, StrategicMergePatchError } from "./errors.js";
export { type Field, type PatchMeta, type Schema, schemaFor } from "./schema.js";

/** Whether SMP applies to this kind; the apiserver answers 415 for the others (custom resources). */
export function supportsStrategicMergePatch(gvk: GroupVersionKind): boolean {
  return schemaFor(gvk.group, gvk.kind) !== undefined;
}

/**
 * Apply a strategic merge patch to an object of a built-in kind. Neither argument is modified.
 * Throws StrategicMergePatchError (with the Status reason and HTTP code to answer) on a bad patch.
 */
export function applyStrategicMergePatch<T extends KubeObject>(
  original: T,
  patch: unknown,
  gvk: GroupVersionKind,
): T {
  const schema = schemaFor(gvk.group, gvk.kind);
  if (!schema) throw errUnsupportedStrategicMergePatchFormat();
  return strategicMergePatch(original, patch, schema) as T;
}

/** Apply a strategic merge patch with an explicit schema (the generic form of applyStrategicMergePatch). */
export function strategicMergePatch(
  original: unknown,
  patch: unknown,
  schema: Schema,
): Record<string, unknown> {
  // the body is decoded into map[string]interface{}: JSON null is an empty patch, other non-objects fail
  if (patch === null || patch === undefined) return structuredClone(original) as Record<string, unknown>;
  if (typeof patch !== "object" || Array.isArray(patch)) {
    throw new StrategicMergePatchError(
      `json: cannot unmarshal ${jsonKind(patch)} into Go value of type map[string]interface {}`,
      "BadRequest",
    );
  }
  if (typeof original !== "object" || original === null || Array.isArray(original)) {
    throw new StrategicMergePatchError(
      `expected a map[string]interface {}, but received a ${goType(original)}`,
    );
  }
  return mergeMap(
    structuredClone(original) as Record<string, unknown>,
    structuredClone(patch) as Record<string, unknown>,
    schema,
  );
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (typeof v === "boolean") return "bool";
  return typeof v;
}
