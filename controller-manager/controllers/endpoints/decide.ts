// What the Endpoints and EndpointSlice objects of a Service should hold, from the Service and the pods
// its selector matches (pkg/controller/endpoint and pkg/controller/endpointslice upstream). Pure functions:
// the controllers compare these with what is stored and write the difference.
import type {
  EndpointAddress,
  EndpointPort,
  EndpointSubset,
  Endpoints,
  Pod,
  Service,
  ServicePort,
} from "kubernetes-types/core/v1";
import type { Endpoint, EndpointSlice } from "kubernetes-types/discovery/v1";
import { semanticEqual } from "../../lib/hash.js";

export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";
export const MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
export const MANAGED_BY = "endpointslice-controller.k8s.io";
export const HEADLESS_LABEL = "service.kubernetes.io/headless";
export const MAX_ENDPOINTS_PER_SLICE = 100;

const isPodReady = (pod: Pod): boolean =>
  (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");

const isTerminal = (pod: Pod): boolean => pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";

/** Resolves a Service port's targetPort against a pod: a number, or a named container port. */
export function resolveTargetPort(sp: ServicePort, pod: Pod): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === "number") return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? "TCP") === (sp.protocol ?? "TCP")) return p.containerPort;
    }
  }
  return undefined;
}

/** Pods that back the Service: with an IP, not terminal, and (unless publishing not-ready ones) not deleted. */
export function endpointPods(svc: Service, pods: readonly Pod[]): Pod[] {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  return pods.filter((p) => {
    if (!p.status?.podIP || isTerminal(p)) return false;
    if (p.metadata?.deletionTimestamp && !publishNotReady) {
      // Endpoints drop terminating pods; slices keep them as terminating (see sliceEndpoint).
      return false;
    }
    return true;
  });
}

/** The DNS hostname of a pod behind a headless-style service: its spec.hostname when its subdomain is the service. */
function hostnameFor(svc: Service, pod: Pod): string | undefined {
  if (
    pod.spec?.hostname &&
    pod.spec.subdomain === svc.metadata?.name &&
    svc.metadata?.namespace === pod.metadata?.namespace
  ) {
    return pod.spec.hostname;
  }
  return undefined;
}

function address(svc: Service, pod: Pod): EndpointAddress {
  const a: EndpointAddress = {
    ip: pod.status?.podIP ?? "",
    nodeName: pod.spec?.nodeName,
    targetRef: {
      kind: "Pod",
      namespace: pod.metadata?.namespace,
      name: pod.metadata?.name,
      uid: pod.metadata?.uid,
    },
  };
  const hostname = hostnameFor(svc, pod);
  if (hostname) a.hostname = hostname;
  return a;
}

const portKey = (ports: EndpointPort[]): string =>
  ports
    .map((p) => `${p.name ?? ""}/${p.protocol}/${p.port}`)
    .sort()
    .join(",");

/**
 * The Endpoints object for a Service with a selector: subsets grouped by identical port sets (upstream's
 * RepackSubsets), ready addresses in `addresses`, the others in `notReadyAddresses`, sorted by IP.
 */
export function desiredEndpoints(svc: Service, pods: readonly Pod[]): Endpoints {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const groups = new Map<
    string,
    { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }
  >();
  for (const pod of endpointPods(svc, pods)) {
    const ports: EndpointPort[] = [];
    for (const sp of svc.spec?.ports ?? []) {
      const port = resolveTargetPort(sp, pod);
      if (port === undefined) continue;
      const ep: EndpointPort = { port, protocol: sp.protocol ?? "TCP" };
      if (sp.name) ep.name = sp.name;
      if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
      ports.push(ep);
    }
    // A service without ports still lists its addresses (headless services may have none).
    if ((svc.spec?.ports ?? []).length > 0 && ports.length === 0) continue;
    const key = portKey(ports);
    const group = groups.get(key) ?? { ports, ready: [], notReady: [] };
    groups.set(key, group);
    if (publishNotReady || isPodReady(pod)) group.ready.push(address(svc, pod));
    else group.notReady.push(address(svc, pod));
  }
  const byIp = (a: EndpointAddress, b: EndpointAddress): number => compareIp(a.ip, b.ip);
  const subsets: EndpointSubset[] = [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, g]) => {
      const s: EndpointSubset = {};
      if (g.ready.length) s.addresses = g.ready.sort(byIp);
      if (g.notReady.length) s.notReadyAddresses = g.notReady.sort(byIp);
      if (g.ports.length) s.ports = [...g.ports].sort((a, b) => (a.name ?? "").localeCompare(b.name ?? ""));
      return s;
    });
  const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}) };
  if (svc.spec?.clusterIP === "None") labels[HEADLESS_LABEL] = "";
  return {
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: { name: svc.metadata?.name, namespace: svc.metadata?.namespace, labels },
    subsets,
  };
}

export function compareIp(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** One pod as an EndpointSlice endpoint, with the ready/serving/terminating conditions. */
export function sliceEndpoint(svc: Service, pod: Pod): Endpoint {
  const terminating = !!pod.metadata?.deletionTimestamp;
  const podReady = isPodReady(pod);
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const e: Endpoint = {
    addresses: [pod.status?.podIP ?? ""],
    conditions: {
      ready: publishNotReady || (podReady && !terminating),
      serving: publishNotReady || podReady,
      terminating,
    },
    targetRef: {
      kind: "Pod",
      namespace: pod.metadata?.namespace,
      name: pod.metadata?.name,
      uid: pod.metadata?.uid,
    },
  };
  const hostname = hostnameFor(svc, pod);
  if (hostname) e.hostname = hostname;
  if (pod.spec?.nodeName) e.nodeName = pod.spec.nodeName;
  return e;
}

export interface DesiredSlice {
  ports: { name?: string; port: number; protocol: string; appProtocol?: string }[];
  endpoints: Endpoint[];
}

/**
 * The slices a Service should have: pods grouped by their resolved port set, at most 100 endpoints a
 * slice, sorted by IP so the result is stable. Terminating pods stay (as terminating) so kube-proxy can
 * drain to them when nothing else is ready.
 */
export function desiredSlices(svc: Service, pods: readonly Pod[]): DesiredSlice[] {
  const groups = new Map<string, DesiredSlice>();
  for (const pod of pods) {
    if (!pod.status?.podIP || isTerminal(pod)) continue;
    const ports: DesiredSlice["ports"] = [];
    for (const sp of svc.spec?.ports ?? []) {
      const port = resolveTargetPort(sp, pod);
      if (port === undefined) continue;
      const p: DesiredSlice["ports"][number] = { port, protocol: sp.protocol ?? "TCP" };
      if (sp.name !== undefined) p.name = sp.name;
      if (sp.appProtocol) p.appProtocol = sp.appProtocol;
      ports.push(p);
    }
    if ((svc.spec?.ports ?? []).length > 0 && ports.length === 0) continue;
    const key = ports
      .map((p) => `${p.name ?? ""}/${p.protocol}/${p.port}`)
      .sort()
      .join(",");
    const group = groups.get(key) ?? { ports, endpoints: [] };
    groups.set(key, group);
    group.endpoints.push(sliceEndpoint(svc, pod));
  }
  const out: DesiredSlice[] = [];
  for (const [, g] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    g.endpoints.sort((a, b) => compareIp(a.addresses[0], b.addresses[0]));
    for (let i = 0; i < g.endpoints.length; i += MAX_ENDPOINTS_PER_SLICE) {
      out.push({ ports: g.ports, endpoints: g.endpoints.slice(i, i + MAX_ENDPOINTS_PER_SLICE) });
    }
  }
  // A service with a selector but no endpoints still gets one empty slice (upstream keeps a placeholder).
  if (out.length === 0) out.push({ ports: [], endpoints: [] });
  return out;
}

/** The labels every slice of the Service carries: the Service's own plus the ownership ones. */
export function sliceLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}) };
  labels[SERVICE_NAME_LABEL] = svc.metadata?.name ?? "";
  labels[MANAGED_BY_LABEL] = MANAGED_BY;
  if (svc.spec?.clusterIP === "None") labels[HEADLESS_LABEL] = "";
  return labels;
}

/** Whether a stored slice already says what a desired one says (so no write is needed). */
export function sliceMatches(
  stored: EndpointSlice,
  want: DesiredSlice,
  labels: Record<string, string>,
): boolean {
  return (
    semanticEqual(stored.endpoints ?? [], want.endpoints) &&
    semanticEqual(stored.ports ?? [], want.ports) &&
    semanticEqual(stored.metadata?.labels ?? {}, labels)
  );
}

/** Whether stored Endpoints already hold the desired subsets and labels. */
export function endpointsMatch(stored: Endpoints, want: Endpoints): boolean {
  return (
    semanticEqual(stored.subsets ?? [], want.subsets ?? []) &&
    semanticEqual(stored.metadata?.labels ?? {}, want.metadata?.labels ?? {})
  );
}
