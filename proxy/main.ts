// kube-proxy (iptables mode), one per node: the pod of the kube-proxy DaemonSet in kube-system, on the node's
// network (deploy/addons/kube-proxy.yaml). Watches Services and EndpointSlices and keeps the node's KUBE-*
// chains equal to what renderRules() says, applying each change with one atomic `iptables-restore --noflush`,
// at most once per --min-sync-period and at least once per --sync-period.
import { Command } from "commander";
import type { Service } from "kubernetes-types/core/v1";
import type { EndpointSlice } from "kubernetes-types/discovery/v1";
import { Gauge, Histogram } from "prom-client";
import {
  EndpointSlices,
  InformerFactory,
  loadClientConfig,
  RestClient,
  Services,
} from "../pkg/client/index.js";
import { startHealthServer } from "../pkg/util/health-server.js";
import { newLogger } from "../pkg/util/log.js";
import { LoadBalancerSpeaker, parsePool } from "./loadbalancer.js";
import { endpointsOf, type ProxyState, type ServicePort, servicePortsOf } from "./rules.js";
import { syncProxyRules } from "./sync.js";

const program = new Command("kube-proxy")
  .option("--kubeconfig <path>", "kubeconfig of kube-proxy")
  .option("--hostname-override <name>", "this node's name", process.env.NODE_NAME ?? "")
  .option("--cluster-cidr <cidr>", "the pod network", "10.244.0.0/16")
  .option("--min-sync-period <ms>", "minimum time between two syncs", "250")
  .option("--sync-period <ms>", "full resync period", "30000")
  .option("--healthz-port <port>", "health endpoint port", "10256")
  .option("--node-ip <ip>", "this node's address on the cluster network", process.env.NODE_IP ?? "")
  .option(
    "--loadbalancer-pool <range>",
    "addresses for LoadBalancer services ('' to disable)",
    "172.28.1.0/24",
  )
  .allowExcessArguments(true)
  .parse(process.argv);
const opts = program.opts<{
  kubeconfig?: string;
  hostnameOverride: string;
  clusterCidr: string;
  minSyncPeriod: string;
  syncPeriod: string;
  healthzPort: string;
  nodeIp: string;
  loadbalancerPool: string;
}>();
const log = newLogger("kube-proxy");
const conntrackLog = log.child({ subsystem: "conntrack" });

const syncDuration = new Histogram({
  name: "kubeproxy_sync_proxy_rules_duration_seconds",
  help: "SyncProxyRules latency in seconds",
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
});
const lastSyncTimestamp = new Gauge({
  name: "kubeproxy_sync_proxy_rules_last_timestamp_seconds",
  help: "The last time proxy rules were successfully synced",
});

async function main(): Promise<void> {
  const nodeName = opts.hostnameOverride;
  const client = new RestClient(loadClientConfig({ kubeconfig: opts.kubeconfig }), {
    userAgent: "kube-proxy",
  });
  const factory = new InformerFactory(client, { logger: log });
  const services = factory.informerFor(Services);
  const slices = factory.informerFor(EndpointSlices, {
    indexers: {
      byService: (s: EndpointSlice) => [
        `${s.metadata?.namespace}/${s.metadata?.labels?.["kubernetes.io/service-name"] ?? ""}`,
      ],
    },
  });

  let dirty = true;
  let syncing = false;
  let lastSync = 0;
  let timer: NodeJS.Timeout | undefined;
  let healthy = false;
  const minInterval = Number(opts.minSyncPeriod);

  const requestSync = (): void => {
    dirty = true;
    if (timer || syncing) return;
    const wait = Math.max(0, lastSync + minInterval - Date.now());
    timer = setTimeout(() => {
      timer = undefined;
      void sync();
    }, wait);
  };

  let lastFull = 0;
  const sync = async (): Promise<void> => {
    if (syncing) return;
    syncing = true;
    dirty = false;
    const full = Date.now() - lastFull >= Number(opts.syncPeriod);
    if (full) lastFull = Date.now();
    const end = syncDuration.startTimer();
    try {
      const servicePorts: ServicePort[] = services.store.list().flatMap((s: Service) => servicePortsOf(s));
      const endpoints = new Map<string, ReturnType<typeof endpointsOf>>();
      for (const sp of servicePorts) {
        endpoints.set(
          sp.key,
          endpointsOf(sp, slices.store.byIndex("byService", `${sp.namespace}/${sp.name}`)),
        );
      }
      const state: ProxyState = { servicePorts, endpoints, nodeName, clusterCIDR: opts.clusterCidr };
      const result = await syncProxyRules(state, full, conntrackLog);
      lastSyncTimestamp.setToCurrentTime();
      healthy = true;
      log.debug(
        { servicePorts: servicePorts.length, conntrackDeletions: result.conntrackDeletions },
        "synced proxy rules",
      );
    } catch (err) {
      log.error({ err: (err as Error).message }, "sync failed; retrying");
      dirty = true;
    } finally {
      end();
      lastSync = Date.now();
      syncing = false;
      if (dirty) requestSync();
    }
  };

  services.addEventHandler({ onAdd: requestSync, onUpdate: requestSync, onDelete: requestSync });
  slices.addEventHandler({ onAdd: requestSync, onUpdate: requestSync, onDelete: requestSync });
  const abort = new AbortController();
  startHealthServer({
    port: Number(opts.healthzPort),
    ready: () => (healthy ? undefined : "rules not synced yet"),
  });
  factory.start(abort.signal);
  await factory.waitForCacheSync(abort.signal);
  log.info({ nodeName, clusterCIDR: opts.clusterCidr }, "caches synced; programming iptables");
  await sync();
  setInterval(requestSync, Number(opts.syncPeriod)).unref();
  if (opts.loadbalancerPool && opts.nodeIp) {
    const speaker = new LoadBalancerSpeaker({
      client,
      services,
      pool: parsePool(opts.loadbalancerPool),
      nodeName,
      nodeIP: opts.nodeIp,
      logger: log.child({ subsystem: "loadbalancer" }),
    });
    void speaker.run(abort.signal);
  }
  process.on("SIGTERM", () => {
    abort.abort();
    process.exit(0);
  });
}

main().catch((err: Error) => {
  log.fatal({ err: err.message }, "kube-proxy failed");
  process.exit(1);
});
