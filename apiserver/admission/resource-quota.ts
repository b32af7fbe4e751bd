// ResourceQuota admission (plugin/pkg/admission/resourcequota): a create that would take a namespace's
// usage past a quota's hard limit is refused with Kubernetes' message; an admitted one adds its usage
// to the quota's status.used in the same etcd transaction (compare on the quota's revision), so that
// concurrent creates cannot both pass on a stale figure. The controller-manager recomputes usage.
import type { Pod } from "kubernetes-types/core/v1";
import { parseQuantity, type Quantity, tryParseQuantity } from "../../pkg/api/quantity.js";
import type { StoredObject } from "../../pkg/api/types.js";
import { forbidden } from "../handlers/status.js";
import { qosClass } from "../registry/strategy.js";
import { type NamespaceObjects, usageFor } from "../standins/quota.js";
import { stripResourceVersion } from "./store-helpers.js";
import type { AdmissionPlugin, TxnExtras } from "./types.js";

interface QuotaLike {
  metadata: { name?: string };
  spec?: { hard?: Record<string, string>; scopes?: string[] };
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
}

/** What one new object adds to a namespace's usage. */
export function deltaOf(resource: string, group: string, obj: StoredObject): NamespaceObjects {
  const counts = new Map<string, number>([[group ? `${resource}.${group}` : resource, 1]]);
  return {
    pods: resource === "pods" && !group ? [obj as unknown as Pod] : [],
    services: resource === "services" && !group ? [obj as never] : [],
    claims: resource === "persistentvolumeclaims" && !group ? [obj as never] : [],
    counts,
  };
}

function podMatchesScope(pod: Pod, scope: string): boolean {
  const terminating =
    pod.spec?.activeDeadlineSeconds !== undefined && pod.spec?.activeDeadlineSeconds !== null;
  const bestEffort = qosClass(pod as never) === "BestEffort";
  switch (scope) {
    case "Terminating":
      return terminating;
    case "NotTerminating":
      return !terminating;
    case "BestEffort":
      return bestEffort;
    case "NotBestEffort":
      return !bestEffort;
    default:
      return true;
  }
}

const COMPUTE = new Set(["cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"]);

/** The quota-required compute resources a pod's containers do not state (pods.go Constraints). */
export function missingCompute(pod: Pod, required: string[]): string | null {
  const need = required.filter((r) => COMPUTE.has(r)).sort();
  if (need.length === 0) return null;
  const missing = new Map<string, string[]>();
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    const has = new Set<string>();
    for (const r of ["cpu", "memory"]) {
      if (req[r] !== undefined) has.add(r).add(`requests.${r}`);
      if (lim[r] !== undefined) has.add(`limits.${r}`);
    }
    for (const r of need) if (!has.has(r)) missing.set(r, [...(missing.get(r) ?? []), c.name]);
  }
  if (missing.size === 0) return null;
  const parts = [...missing.keys()]
    .sort()
    .map((r) => `${r} for: ${[...new Set(missing.get(r))].sort().join(",")}`);
  return `must specify ${parts.join("; ")}`;
}

function pretty(list: Record<string, Quantity>): string {
  return Object.keys(list)
    .sort()
    .map((k) => `${k}=${list[k]?.toString()}`)
    .join(",");
}

export type QuotaDecision =
  | { kind: "skip" }
  | { kind: "deny"; message: string }
  | { kind: "admit"; used: Record<string, string> };

/** One quota's decision on a create whose usage is `delta` (`pod` when a pod is created). */
export function decideQuota(quota: QuotaLike, delta: NamespaceObjects, pod?: Pod): QuotaDecision {
  const name = quota.metadata.name ?? "";
  const hard = quota.status?.hard ?? quota.spec?.hard ?? {};
  const scopes = quota.spec?.scopes ?? [];
  if (scopes.length > 0 && (!pod || !scopes.every((s) => podMatchesScope(pod, s)))) return { kind: "skip" };
  const requested: Record<string, Quantity> = {};
  for (const k of Object.keys(hard)) {
    const d = usageFor(k, delta);
    if (d !== undefined) requested[k] = d;
  }
  const keys = Object.keys(requested);
  if (keys.length === 0) return { kind: "skip" };
  if (pod) {
    const missing = missingCompute(pod, keys);
    if (missing) return { kind: "deny", message: `failed quota: ${name}: ${missing}` };
  }
  const usedIn = quota.status?.used ?? {};
  const used: Record<string, Quantity> = {};
  const limited: Record<string, Quantity> = {};
  const exceeded: string[] = [];
  const next: Record<string, string> = { ...usedIn };
  for (const k of keys) {
    const u = tryParseQuantity(usedIn[k] ?? "0") ?? parseQuantity("0");
    const h = tryParseQuantity(hard[k]) ?? parseQuantity("0");
    const d = requested[k] as Quantity;
    const total = u.add(d);
    used[k] = u;
    limited[k] = h;
    if (!d.isZero() && total.cmp(h) > 0) exceeded.push(k);
    next[k] = total.toString();
  }
  if (exceeded.length > 0) {
    const mask = (l: Record<string, Quantity>) =>
      Object.fromEntries(exceeded.map((k) => [k, l[k] as Quantity]));
    return {
      kind: "deny",
      message: `exceeded quota: ${name}, requested: ${pretty(mask(requested))}, used: ${pretty(mask(used))}, limited: ${pretty(mask(limited))}`,
    };
  }
  return { kind: "admit", used: next };
}

/** The name a refusal shows: the generateName prefix when the name was generated, as upstream. */
function shownName(obj: StoredObject): string {
  const { name = "", generateName } = obj.metadata;
  return generateName && name.startsWith(generateName) && name.length === generateName.length + 5
    ? generateName
    : name;
}

export const resourceQuotaAdmission: AdmissionPlugin = {
  name: "ResourceQuota",
  async admitCreate(ctx, scope, obj) {
    const def = scope.served.def;
    if (!def.namespaced || scope.info.subresource) return undefined;
    const ns = scope.info.namespace;
    if (ctx.cache.knownEmpty("resourcequotas", `${ctx.prefix}/resourcequotas/${ns}/`)) return undefined;
    const { kvs } = await ctx.store.list(`${ctx.prefix}/resourcequotas/${ns}/`);
    if (kvs.length === 0) return undefined;
    const delta = deltaOf(def.resource, def.group, obj);
    const pod = def.resource === "pods" && !def.group ? (obj as unknown as Pod) : undefined;
    const extras: TxnExtras = { compares: [], ops: [] };
    for (const kv of kvs) {
      let quota: QuotaLike & StoredObject;
      try {
        quota = JSON.parse(kv.value) as QuotaLike & StoredObject;
      } catch {
        continue;
      }
      if (!quota?.metadata) continue;
      const d = decideQuota(quota, delta, pod);
      if (d.kind === "deny") throw forbidden(scope.gr, shownName(obj), d.message);
      if (d.kind === "admit") {
        quota.status = { ...(quota.status ?? {}), used: d.used };
        extras.compares.push({ key: kv.key, modRevision: kv.modRevision });
        extras.ops.push({ put: kv.key, value: stripResourceVersion(quota) });
      }
    }
    return extras;
  },
};
