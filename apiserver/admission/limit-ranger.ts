// LimitRanger admission (plugin/pkg/admission/limitranger), for pods: the namespace's LimitRanges of
// type Container fill in missing limits (`default`) and requests (`defaultRequest`), noted in the
// `kubernetes.io/limit-ranger` annotation, then each container is checked against `min` and `max`
// with Kubernetes' messages (403 Forbidden).
import type { Container, LimitRange, Pod } from "kubernetes-types/core/v1";
import { tryParseQuantity } from "../../pkg/api/quantity.js";
import type { StoredObject } from "../../pkg/api/types.js";
import { forbidden } from "../handlers/status.js";
import { qosClass } from "../registry/strategy.js";
import type { AdmissionPlugin } from "./types.js";

export const LIMIT_RANGER_ANNOTATION = "kubernetes.io/limit-ranger";

function containerItems(ranges: LimitRange[]) {
  return ranges.flatMap((r) => (r.spec?.limits ?? []).filter((l) => l.type === "Container"));
}

/** Fills in defaults in place; returns the annotation text (empty when nothing was set). */
export function applyContainerDefaults(pod: Pod, ranges: LimitRange[]): string {
  const notes: string[] = [];
  const items = containerItems(ranges);
  const visit = (c: Container, field: string) => {
    const setRequests: string[] = [];
    const setLimits: string[] = [];
    for (const item of items) {
      for (const [res, v] of Object.entries(item.default ?? {})) {
        c.resources ??= {};
        c.resources.limits ??= {};
        if (c.resources.limits[res] === undefined) {
          c.resources.limits[res] = v;
          setLimits.push(res);
        }
      }
      for (const [res, v] of Object.entries(item.defaultRequest ?? {})) {
        c.resources ??= {};
        c.resources.requests ??= {};
        if (c.resources.requests[res] === undefined) {
          c.resources.requests[res] = v;
          setRequests.push(res);
        }
      }
    }
    if (setRequests.length > 0) notes.push(`${setRequests.sort().join(", ")} request for ${field} ${c.name}`);
    if (setLimits.length > 0) notes.push(`${setLimits.sort().join(", ")} limit for ${field} ${c.name}`);
  };
  for (const c of pod.spec?.initContainers ?? []) visit(c, "init container");
  for (const c of pod.spec?.containers ?? []) visit(c, "container");
  return notes.length > 0 ? `LimitRanger plugin set: ${notes.join("; ")}` : "";
}

/** min/max violations of the containers, in Kubernetes' words. */
export function containerViolations(pod: Pod, ranges: LimitRange[]): string[] {
  const errs: string[] = [];
  const items = containerItems(ranges);
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const item of items) {
      for (const [res, v] of Object.entries(item.min ?? {})) {
        const enforced = tryParseQuantity(v);
        if (!enforced) continue;
        const r = tryParseQuantity(req[res]);
        const l = tryParseQuantity(lim[res]);
        if (req[res] === undefined)
          errs.push(`minimum ${res} usage per Container is ${v}.  No request is specified`);
        else if (r && r.cmp(enforced) < 0)
          errs.push(`minimum ${res} usage per Container is ${v}, but request is ${req[res]}`);
        else if (l && l.cmp(enforced) < 0)
          errs.push(`minimum ${res} usage per Container is ${v}, but limit is ${lim[res]}`);
      }
      for (const [res, v] of Object.entries(item.max ?? {})) {
        const enforced = tryParseQuantity(v);
        if (!enforced) continue;
        const r = tryParseQuantity(req[res]);
        const l = tryParseQuantity(lim[res]);
        if (lim[res] === undefined)
          errs.push(`maximum ${res} usage per Container is ${v}.  No limit is specified`);
        else if (l && l.cmp(enforced) > 0)
          errs.push(`maximum ${res} usage per Container is ${v}, but limit is ${lim[res]}`);
        else if (r && r.cmp(enforced) > 0)
          errs.push(`maximum ${res} usage per Container is ${v}, but request is ${req[res]}`);
      }
    }
  }
  return errs;
}

export const limitRangerAdmission: AdmissionPlugin = {
  name: "LimitRanger",
  async admitCreate(ctx, scope, obj) {
    if (scope.gr.group !== "" || scope.gr.resource !== "pods" || scope.info.subresource) return undefined;
    if (ctx.cache.knownEmpty("limitranges", `${ctx.prefix}/limitranges/${scope.info.namespace}/`))
      return undefined;
    const { kvs } = await ctx.store.list(`${ctx.prefix}/limitranges/${scope.info.namespace}/`);
    if (kvs.length === 0) return undefined;
    const ranges: LimitRange[] = [];
    for (const kv of kvs) {
      try {
        ranges.push(JSON.parse(kv.value) as LimitRange);
      } catch {
        // An undecodable LimitRange constrains nothing.
      }
    }
    const pod = obj as unknown as Pod;
    const note = applyContainerDefaults(pod, ranges);
    if (note) {
      obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [LIMIT_RANGER_ANNOTATION]: note };
      const status = (obj.status ?? {}) as Record<string, unknown>;
      if (status.qosClass) status.qosClass = qosClass(obj as StoredObject);
    }
    const errs = containerViolations(pod, ranges);
    if (errs.length > 0) {
      const name = obj.metadata.name ?? "";
      throw forbidden(scope.gr, name, errs.length === 1 ? (errs[0] as string) : `[${errs.join(", ")}]`);
    }
    return undefined;
  },
};
