// Cluster DNS: keeps a view of Services, EndpointSlices and Pods from informers and answers
// `cluster.local` over UDP and TCP; other names go to the upstream resolvers.
//   node dist/dns/main.js [--kubeconfig F] [--port 53] [--upstream 10.255.255.53] [--health-port 8080]
// In a pod it uses the in-cluster service-account credentials; upstreams default to /etc/resolv.conf's.
import { readFileSync } from "node:fs";
import { Command } from "commander";
import type { Pod, Service } from "kubernetes-types/core/v1";
import type { EndpointSlice } from "kubernetes-types/discovery/v1";
import {
  type ApiObject,
  EndpointSlices,
  InformerFactory,
  loadClientConfig,
  objectOf,
  Pods,
  RestClient,
  Services,
  type SharedInformer,
} from "../pkg/client/index.js";
import { startHealthServer } from "../pkg/util/health-server.js";
import { newLogger } from "../pkg/util/log.js";
import { ClusterDnsView } from "./records.js";
import { DnsServer } from "./server.js";

const program = new Command("tskube-dns")
  .option("--kubeconfig <path>", "kubeconfig (default: in-cluster)")
  .option("--port <port>", "DNS port (UDP and TCP)", "53")
  .option("--bind-address <ip>", "address to listen on", "0.0.0.0")
  .option("--upstream <ips>", "comma-separated upstream resolvers (default: from /etc/resolv.conf)")
  .option("--zone <zone>", "cluster domain", "cluster.local")
  .option("--health-port <port>", "health endpoint port", "8080")
  .parse(process.argv);
const opts = program.opts<{
  kubeconfig?: string;
  port: string;
  bindAddress: string;
  upstream?: string;
  zone: string;
  healthPort: string;
}>();
const log = newLogger("dns");

function resolvConfUpstreams(): string[] {
  try {
    return readFileSync("/etc/resolv.conf", "utf8")
      .split("\n")
      .map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1])
      .filter((ip): ip is string => !!ip && !ip.startsWith("127.") && ip !== "10.96.0.10");
  } catch {
    return [];
  }
}

function feed<T extends ApiObject>(
  informer: SharedInformer<T>,
  upsert: (o: T) => void,
  remove: (o: T) => void,
): void {
  informer.addEventHandler({
    onAdd: (o) => upsert(o),
    onUpdate: (_old, o) => upsert(o),
    onDelete: (o) => remove(objectOf(o)),
  });
}

async function main(): Promise<void> {
  const view = new ClusterDnsView(opts.zone);
  const upstreams = opts.upstream ? opts.upstream.split(",").filter(Boolean) : resolvConfUpstreams();
  const client = new RestClient(loadClientConfig({ kubeconfig: opts.kubeconfig }), {
    userAgent: "tskube-dns",
  });
  const factory = new InformerFactory(client, { logger: log });
  const services = factory.informerFor(Services);
  const slices = factory.informerFor(EndpointSlices);
  const pods = factory.informerFor(Pods);
  feed<Service>(
    services,
    (s) => view.upsertService(s),
    (s) => view.deleteService(s.metadata?.namespace ?? "", s.metadata?.name ?? ""),
  );
  feed<EndpointSlice>(
    slices,
    (s) => view.upsertEndpointSlice(s),
    (s) => view.deleteEndpointSlice(s.metadata?.namespace ?? "", s.metadata?.name ?? ""),
  );
  feed<Pod>(
    pods,
    (p) => view.upsertPod(p),
    (p) => view.deletePod(p.metadata?.namespace ?? "", p.metadata?.name ?? ""),
  );

  const abort = new AbortController();
  factory.start(abort.signal);
  let synced = false;
  startHealthServer({
    port: Number(opts.healthPort),
    ready: () => (synced ? undefined : "informers not synced"),
  });
  const server = new DnsServer(view, {
    port: Number(opts.port),
    host: opts.bindAddress,
    upstreams,
    logger: log,
  });
  await server.start();
  log.info({ port: Number(opts.port), upstreams, zone: opts.zone }, "serving DNS");
  synced = await factory.waitForCacheSync(abort.signal);
  log.info("caches synced");

  const stop = async (): Promise<void> => {
    abort.abort();
    await server.stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
}

main().catch((err: Error) => {
  log.fatal({ err: err.message }, "dns failed to start");
  process.exit(1);
});
