// List and watch filters: namespace, labelSelector, fieldSelector. Pure.
import type { ResourceDefinition } from "../../pkg/api/resource-definition.js";
import type { StoredObject } from "../../pkg/api/types.js";
import { parseFieldSelector, parseLabelSelector } from "../standins/selectors.js";
import type { CachedObject } from "../watchcache/cache.js";
import { badRequest } from "./status.js";

export type Predicate = (o: CachedObject) => boolean;

export interface FilterSpec {
  namespace: string;
  labelSelector?: string | null;
  fieldSelector?: string | null;
}

/** Generic dotted-path lookup used when the catalogue declares no field selectors for a kind. */
function pathValue(obj: StoredObject, path: string): string | undefined {
  let cur: unknown = obj;
  for (const part of path.split(".")) {
    if (typeof cur !== "object" || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return undefined;
  return typeof cur === "object" ? JSON.stringify(cur) : String(cur);
}

export function fieldGetter(
  def: ResourceDefinition,
  field: string,
): ((obj: StoredObject) => string | undefined) | undefined {
  if (field === "metadata.name") return (o) => o.metadata.name;
  if (field === "metadata.namespace") return (o) => o.metadata.namespace ?? "";
  const known = def.fieldSelectors?.[field];
  if (known) return known;
  if (def.fieldSelectors && Object.keys(def.fieldSelectors).length > 0) return undefined;
  return (o) => pathValue(o, field);
}

/** The name a `metadata.name=x` field selector pins, so a watch can be narrowed to one key. */
export function exactName(fieldSelector: string | null | undefined): string | undefined {
  if (!fieldSelector) return undefined;
  const reqs = parseFieldSelector(fieldSelector);
  return reqs.find((r) => r.field === "metadata.name" && r.op === "=")?.value;
}

export function buildPredicate(
  def: ResourceDefinition,
  spec: FilterSpec,
): { predicate: Predicate; selective: boolean } {
  const tests: Predicate[] = [];
  if (spec.namespace) tests.push((o) => o.namespace === spec.namespace);
  let selective = false;
  if (spec.labelSelector) {
    let m: ReturnType<typeof parseLabelSelector>;
    try {
      m = parseLabelSelector(spec.labelSelector);
    } catch (err) {
      throw badRequest(`unable to parse requirement: ${err instanceof Error ? err.message : String(err)}`);
    }
    selective = true;
    tests.push((o) => m.matches(o.obj.metadata.labels));
  }
  if (spec.fieldSelector) {
    let reqs: ReturnType<typeof parseFieldSelector>;
    try {
      reqs = parseFieldSelector(spec.fieldSelector);
    } catch (err) {
      throw badRequest(err instanceof Error ? err.message : String(err));
    }
    for (const r of reqs) {
      const get = fieldGetter(def, r.field);
      if (!get) throw badRequest(`field label not supported: ${r.field}`);
      selective = true;
      if (r.op === "=") tests.push((o) => (get(o.obj) ?? "") === r.value);
      else tests.push((o) => (get(o.obj) ?? "") !== r.value);
    }
  }
  if (tests.length === 0) return { predicate: () => true, selective };
  if (tests.length === 1) return { predicate: tests[0]!, selective };
  return { predicate: (o) => tests.every((t) => t(o)), selective };
}
