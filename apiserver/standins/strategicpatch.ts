// STAND-IN for pkg/api/strategicpatch (being written by the printers helper). When it lands, replace this
// whole file with: `export { applyStrategicMergePatch } from "../../pkg/api/strategicpatch/index.js";`
// Until then: RFC 7386 merge semantics plus merge-by-name for lists of named objects, directives dropped.
import type { GroupVersionKind } from "../../pkg/api/resource-definition.js";

type Json = unknown;

function isObj(v: Json): v is Record<string, Json> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function mergeList(orig: Json[], patch: Json[]): Json[] {
  const keyed = patch.every((p) => isObj(p) && typeof p.name === "string");
  if (!keyed || !orig.every((o) => isObj(o) && typeof o.name === "string")) return patch.filter((p) => !isObj(p) || p.$patch !== "delete");
  const out = orig.slice() as Record<string, Json>[];
  for (const p of patch as Record<string, Json>[]) {
    const i = out.findIndex((o) => o.name === p.name);
    if (p.$patch === "delete") {
      if (i >= 0) out.splice(i, 1);
    } else if (i >= 0) out[i] = merge(out[i], p) as Record<string, Json>;
    else out.push(merge(undefined, p) as Record<string, Json>);
  }
  return out;
}

function merge(orig: Json, patch: Json): Json {
  if (!isObj(patch)) return patch;
  const base: Record<string, Json> = isObj(orig) ? { ...orig } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith("$")) continue;
    if (v === null) delete base[k];
    else if (Array.isArray(v) && Array.isArray(base[k])) base[k] = mergeList(base[k] as Json[], v);
    else base[k] = merge(base[k], v);
  }
  return base;
}

export function applyStrategicMergePatch(original: Json, patch: Json, _gvk: GroupVersionKind): Json {
  return merge(original, patch);
}
