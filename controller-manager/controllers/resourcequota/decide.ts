// Pure usage accounting of the resource quota controller (pkg/quota/v1/evaluator/core): what each
// quota key's usage is in a namespace, as status.used holds it.
import type { PersistentVolumeClaim, Pod, Service } from "kubernetes-types/core/v1";
import { parseQuantity, type Quantity, tryParseQuantity } from "../../../pkg/api/quantity.js";

/** The objects of a namespace the accounting looks at; `counts` holds count/<resource>[.<group>] figures. */
export interface NamespaceObjects {
  pods: readonly Pod[];
  services: readonly Service[];
  claims: readonly PersistentVolumeClaim[];
  /** "configmaps", "secrets", "deployments.apps", ... → number of objects. */
  counts: ReadonlyMap<string, number>;
}

/** Pods that count against a quota: not Succeeded/Failed (and not being deleted past their grace). */
export function podCounts(pod: Pod): boolean {
  return pod.status?.phase !== "Succeeded" && pod.status?.phase !== "Failed";
}

function sum(qs: Quantity[]): Quantity {
  if (qs.length === 0) return parseQuantity("0");
  return qs.slice(1).reduce((a, q) => a.add(q), qs[0]);
}

/** A pod's request or limit for a resource: the containers' sum, at least the largest init container's. */
export function podResource(pod: Pod, kind: "requests" | "limits", resource: string): Quantity | undefined {
  const pick = (c: {
    resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  }) => {
    const v =
      c.resources?.[kind]?.[resource] ?? (kind === "requests" ? c.resources?.limits?.[resource] : undefined);
    return v === undefined ? undefined : tryParseQuantity(v);
  };
  const main = (pod.spec?.containers ?? []).map(pick).filter((q): q is Quantity => q !== undefined);
  const init = (pod.spec?.initContainers ?? []).map(pick).filter((q): q is Quantity => q !== undefined);
  if (main.length === 0 && init.length === 0) return undefined;
  let total = sum(main);
  for (const q of init) if (q.cmp(total) > 0) total = q;
  return total;
}

/** Legacy count names (`pods`, `services`, ...) and their count/ equivalents. */
const LEGACY_COUNTS: Record<string, string> = {
  configmaps: "configmaps",
  secrets: "secrets",
  replicationcontrollers: "replicationcontrollers",
  resourcequotas: "resourcequotas",
};

/** The usage for one quota key, or undefined for keys this controller does not account. */
export function usageFor(key: string, objs: NamespaceObjects): Quantity | undefined {
  const pods = objs.pods.filter(podCounts);
  const count = (n: number) => parseQuantity(String(n));
  const podSum = (kind: "requests" | "limits", res: string) =>
    sum(pods.map((p) => podResource(p, kind, res)).filter((q): q is Quantity => q !== undefined));
  switch (key) {
    case "pods":
    case "count/pods":
      return count(pods.length);
    case "cpu":
    case "requests.cpu":
      return podSum("requests", "cpu");
    case "memory":
    case "requests.memory":
      return podSum("requests", "memory");
    case "ephemeral-storage":
    case "requests.ephemeral-storage":
      return podSum("requests", "ephemeral-storage");
    case "limits.cpu":
      return podSum("limits", "cpu");
    case "limits.memory":
      return podSum("limits", "memory");
    case "limits.ephemeral-storage":
      return podSum("limits", "ephemeral-storage");
    case "services":
    case "count/services":
      return count(objs.services.length);
    case "services.nodeports":
      return count(
        objs.services
          .filter((s) => s.spec?.type === "NodePort" || s.spec?.type === "LoadBalancer")
          .reduce((a, s) => a + (s.spec?.ports ?? []).length, 0),
      );
    case "services.loadbalancers":
      return count(objs.services.filter((s) => s.spec?.type === "LoadBalancer").length);
    case "persistentvolumeclaims":
    case "count/persistentvolumeclaims":
      return count(objs.claims.length);
    case "requests.storage":
      return sum(
        objs.claims
          .map((c) => tryParseQuantity(c.spec?.resources?.requests?.storage ?? ""))
          .filter((q): q is Quantity => q !== undefined),
      );
  }
  const classStorage =
    /^(.+)\.storageclass\.storage\.k8s\.io\/(requests\.storage|persistentvolumeclaims)$/.exec(key);
  if (classStorage) {
    const claims = objs.claims.filter((c) => (c.spec?.storageClassName ?? "") === classStorage[1]);
    if (classStorage[2] === "persistentvolumeclaims") return count(claims.length);
    return sum(
      claims
        .map((c) => tryParseQuantity(c.spec?.resources?.requests?.storage ?? ""))
        .filter((q): q is Quantity => q !== undefined),
    );
  }
  const legacy = LEGACY_COUNTS[key];
  const name = legacy ?? (key.startsWith("count/") ? key.slice("count/".length) : undefined);
  if (name !== undefined) {
    const n = objs.counts.get(name);
    return n === undefined ? undefined : count(n);
  }
  return undefined;
}

/** The count/… names (`deployments.apps`, `configmaps`) the quota's hard keys ask for. */
export function countedResources(hard: Record<string, string> | undefined): string[] {
  const out = new Set<string>();
  for (const k of Object.keys(hard ?? {})) {
    if (LEGACY_COUNTS[k]) out.add(LEGACY_COUNTS[k]);
    else if (k.startsWith("count/")) out.add(k.slice("count/".length));
  }
  for (const own of ["pods", "services", "persistentvolumeclaims"]) out.delete(own);
  return [...out];
}

/** status.hard and status.used for a quota (used has exactly the hard keys that are accounted). */
export function quotaStatus(
  hard: Record<string, string> | undefined,
  objs: NamespaceObjects,
): { hard: Record<string, string>; used: Record<string, string> } {
  const h: Record<string, string> = {};
  const used: Record<string, string> = {};
  for (const [k, v] of Object.entries(hard ?? {})) {
    h[k] = v;
    const u = usageFor(k, objs);
    if (u !== undefined) used[k] = u.toString();
  }
  return { hard: h, used };
}
