// metrics.k8s.io/v1beta1 (NodeMetrics, PodMetrics), what metrics-server serves behind kube-aggregator,
// here inside the apiserver: every kubelet's /stats/summary is scraped on a timer (with the kubelet
// client's certificate) and the last figures are served from memory, so `kubectl top node|pod` work.
// The group is advertised in discovery only while some kubelet answered recently: a group that fails
// would make every kubectl command print discovery errors (KUBECTL.md §1).
import type { StoredObject } from "../../pkg/api/types.js";
import type { Logger } from "../../pkg/util/log.js";
import type { ApiContext } from "../handlers/scope.js";
import { badRequest, notFound, serviceUnavailable } from "../handlers/status.js";
import { kubeletEndpointOf, kubeletGet } from "../kubeletclient/client.js";
import { parseLabelSelector } from "../standins/selectors.js";

export const METRICS_GROUP = "metrics.k8s.io";
export const METRICS_VERSION = "v1beta1";
const METRICS_GV = `${METRICS_GROUP}/${METRICS_VERSION}`;
/** Figures older than this are dropped, and with none left the group is not advertised. */
const STALE_MS = 120_000;
const WINDOW = "20s";

interface Usage {
  cpu: string;
  memory: string;
}
export interface NodeMetrics {
  kind?: string;
  apiVersion?: string;
  metadata: { name: string; creationTimestamp: string; labels?: Record<string, string> };
  timestamp: string;
  window: string;
  usage: Usage;
}
export interface PodMetrics {
  kind?: string;
  apiVersion?: string;
  metadata: { name: string; namespace: string; creationTimestamp: string; labels?: Record<string, string> };
  timestamp: string;
  window: string;
  containers: { name: string; usage: Usage }[];
}

interface CpuStats {
  time?: string;
  usageNanoCores?: number;
}
interface MemStats {
  time?: string;
  workingSetBytes?: number;
}
/** The parts of the kubelet's stats/v1alpha1 Summary that metrics come from. */
export interface Summary {
  node?: { nodeName?: string; cpu?: CpuStats; memory?: MemStats };
  pods?: {
    podRef?: { name?: string; namespace?: string };
    containers?: { name?: string; cpu?: CpuStats; memory?: MemStats }[];
  }[];
}

/** As metrics-server formats them: cpu in nanocores, memory in KiB. */
export function usageOf(cpu: CpuStats | undefined, mem: MemStats | undefined): Usage {
  return {
    cpu: `${Math.max(0, Math.round(cpu?.usageNanoCores ?? 0))}n`,
    memory: `${Math.max(0, Math.round((mem?.workingSetBytes ?? 0) / 1024))}Ki`,
  };
}

/** One node's NodeMetrics and PodMetrics from its summary; `now` stamps creationTimestamp. */
export function metricsFromSummary(
  nodeName: string,
  s: Summary,
  now: Date,
): { node: NodeMetrics | null; pods: PodMetrics[] } {
  const created = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  const node: NodeMetrics | null = s.node
    ? {
        metadata: { name: nodeName, creationTimestamp: created },
        timestamp: s.node.cpu?.time ?? s.node.memory?.time ?? created,
        window: WINDOW,
        usage: usageOf(s.node.cpu, s.node.memory),
      }
    : null;
  const pods: PodMetrics[] = [];
  for (const p of s.pods ?? []) {
    const name = p.podRef?.name;
    const namespace = p.podRef?.namespace;
    if (!name || !namespace) continue;
    const containers = (p.containers ?? [])
      .filter((c) => c.name)
      .map((c) => ({ name: c.name as string, usage: usageOf(c.cpu, c.memory) }));
    const first = p.containers?.[0];
    pods.push({
      metadata: { name, namespace, creationTimestamp: created },
      timestamp: first?.cpu?.time ?? created,
      window: WINDOW,
      containers,
    });
  }
  return { node, pods };
}

interface Scrape {
  at: number;
  node: NodeMetrics | null;
  pods: PodMetrics[];
}

function labelsOf(o: StoredObject | undefined): Record<string, string> | undefined {
  const l = o?.metadata.labels;
  return l && Object.keys(l).length > 0 ? { ...l } : undefined;
}

/** The metrics.k8s.io/v1beta1 APIResourceList. */
export function metricsResourceList(): Record<string, unknown> {
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: METRICS_GV,
    resources: [
      { name: "nodes", singularName: "", namespaced: false, kind: "NodeMetrics", verbs: ["get", "list"] },
      { name: "pods", singularName: "", namespaced: true, kind: "PodMetrics", verbs: ["get", "list"] },
    ],
  };
}

export function metricsGroup(): Record<string, unknown> {
  const v = { groupVersion: METRICS_GV, version: METRICS_VERSION };
  return { name: METRICS_GROUP, versions: [v], preferredVersion: v };
}

/** The group's entry in aggregated discovery (apidiscovery.k8s.io/v2). */
export function metricsDiscoveryGroup(): Record<string, unknown> {
  const resource = (name: string, kind: string, scope: string) => ({
    resource: name,
    responseKind: { group: METRICS_GROUP, version: METRICS_VERSION, kind },
    scope,
    singularResource: name === "nodes" ? "node" : "pod",
    verbs: ["get", "list"],
  });
  return {
    metadata: { name: METRICS_GROUP, creationTimestamp: null },
    versions: [
      {
        version: METRICS_VERSION,
        freshness: "Current",
        resources: [
          resource("nodes", "NodeMetrics", "Cluster"),
          resource("pods", "PodMetrics", "Namespaced"),
        ],
      },
    ],
  };
}

export class MetricsApi {
  private scrapes = new Map<string, Scrape>();
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly ctx: ApiContext,
    private readonly log: Logger,
    private readonly intervalMs = 15_000,
  ) {}

  start(): void {
    const tick = () => {
      void this.refresh().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, this.intervalMs).unref();
      });
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Whether the group can answer: some kubelet gave figures recently. */
  available(now = Date.now()): boolean {
    for (const s of this.scrapes.values()) if (now - s.at < STALE_MS) return true;
    return false;
  }

  private objects(resource: string): StoredObject[] {
    const served = this.ctx.catalogue.lookup("", "v1", resource);
    if (!served || !this.ctx.cache.ready) return [];
    return [...this.ctx.cache.cache(served.storage).items.values()].map((o) => o.obj);
  }

  /** Scrapes every node's kubelet once (in parallel); failures keep the last figures until stale. */
  async refresh(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const nodes = this.objects("nodes");
      const names = new Set(nodes.map((n) => n.metadata.name));
      for (const k of this.scrapes.keys()) if (!names.has(k)) this.scrapes.delete(k);
      await Promise.all(
        nodes.map(async (n) => {
          const ep = kubeletEndpointOf(n);
          try {
            const r = await kubeletGet(this.ctx.kubelet, ep, "/stats/summary");
            if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
            const m = metricsFromSummary(
              ep.nodeName,
              JSON.parse(r.body.toString()) as Summary,
              this.ctx.now(),
            );
            this.scrapes.set(ep.nodeName, { at: Date.now(), ...m });
          } catch (err) {
            this.log.debug({ node: ep.nodeName, err: String(err) }, "metrics scrape failed");
          }
        }),
      );
      const now = Date.now();
      for (const [k, s] of this.scrapes) if (now - s.at >= STALE_MS) this.scrapes.delete(k);
    } finally {
      this.running = false;
    }
  }

  /** GET /apis/metrics.k8s.io/v1beta1/{nodes[/name] | pods | namespaces/{ns}/pods[/name]}. */
  serve(resource: string, namespace: string, name: string, query: URLSearchParams, verb: string): unknown {
    if (verb !== "get" && verb !== "list") {
      throw badRequest(`the server does not allow this method on the requested resource`);
    }
    if (!this.available()) throw serviceUnavailable("the server is currently unable to handle the request");
    const selector = query.get("labelSelector");
    let matcher: { matches(l: Record<string, string> | undefined): boolean } | null = null;
    try {
      matcher = selector ? parseLabelSelector(selector) : null;
    } catch (err) {
      throw badRequest(err instanceof Error ? err.message : String(err));
    }
    const meta = { resourceVersion: "" };
    if (resource === "nodes") {
      const byName = new Map(this.objects("nodes").map((n) => [n.metadata.name, n]));
      const items: NodeMetrics[] = [];
      for (const s of this.scrapes.values()) {
        if (!s.node || !byName.has(s.node.metadata.name)) continue;
        const labels = labelsOf(byName.get(s.node.metadata.name));
        const m = { ...s.node, metadata: { ...s.node.metadata, ...(labels ? { labels } : {}) } };
        if (matcher && !matcher.matches(labels)) continue;
        items.push(m);
      }
      items.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
      if (name) {
        const one = items.find((i) => i.metadata.name === name);
        if (!one) throw notFound({ group: METRICS_GROUP, resource: "nodes" }, name);
        return { kind: "NodeMetrics", apiVersion: METRICS_GV, ...one };
      }
      return { kind: "NodeMetricsList", apiVersion: METRICS_GV, metadata: meta, items };
    }
    if (resource === "pods") {
      const pods = new Map(
        this.objects("pods").map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p]),
      );
      const items: PodMetrics[] = [];
      for (const s of this.scrapes.values()) {
        for (const pm of s.pods) {
          if (namespace && pm.metadata.namespace !== namespace) continue;
          const pod = pods.get(`${pm.metadata.namespace}/${pm.metadata.name}`);
          if (!pod) continue;
          const labels = labelsOf(pod);
          if (matcher && !matcher.matches(labels)) continue;
          items.push({ ...pm, metadata: { ...pm.metadata, ...(labels ? { labels } : {}) } });
        }
      }
      items.sort(
        (a, b) =>
          a.metadata.namespace.localeCompare(b.metadata.namespace) ||
          a.metadata.name.localeCompare(b.metadata.name),
      );
      if (name) {
        const one = items.find((i) => i.metadata.name === name);
        if (!one) throw notFound({ group: METRICS_GROUP, resource: "pods" }, name);
        return { kind: "PodMetrics", apiVersion: METRICS_GV, ...one };
      }
      return { kind: "PodMetricsList", apiVersion: METRICS_GV, metadata: meta, items };
    }
    throw notFound({ group: METRICS_GROUP, resource }, name);
  }
}
