// kube-controller-manager: process entry point. Flags, /healthz on :10252, leader election on the
// kube-system/kube-controller-manager Lease, then every selected controller (registry.ts) while
// leading. Losing the lease ends the process (a restart starts clean), as kube-controller-manager does.
import { setMaxListeners } from "node:events";
import { Command } from "commander";
import {
  EventBroadcaster,
  InformerFactory,
  loadClientConfig,
  RestClient,
  runLeaderElected,
} from "../pkg/client/index.js";
import { startHealthServer } from "../pkg/util/health-server.js";
import { newLogger } from "../pkg/util/log.js";
import type { ControllerContext, ControllerManagerOptions } from "./context.js";
import { selectControllers } from "./registry.js";

const program = new Command("kube-controller-manager")
  .option("--kubeconfig <path>", "kubeconfig of this component")
  .option("--leader-elect [bool]", "use leader election", "true")
  .option("--leader-elect-lease-duration <seconds>", "lease duration", "15")
  .option("--controllers <list>", "controllers to run: * (the defaults), name, -name; comma-separated", "*")
  .option("--cluster-cidr <cidr>", "pod CIDR of the cluster (node IPAM)")
  .option("--node-cidr-mask-size <bits>", "size of each node's podCIDR", "24")
  .option("--service-account-private-key-file <path>", "key that signs service account tokens")
  .option("--concurrent-syncs <n>", "workers per controller", "5")
  .option("--kube-api-qps <qps>", "client QPS to the apiserver", "200")
  .option("--kube-api-burst <n>", "client burst to the apiserver", "400")
  .option("--healthz-port <port>", "health endpoint port", "10252")
  .allowUnknownOption(true)
  .allowExcessArguments(true)
  .parse(process.argv);
const opts = program.opts<{
  kubeconfig?: string;
  leaderElect: string | boolean;
  leaderElectLeaseDuration: string;
  controllers: string;
  clusterCidr?: string;
  nodeCidrMaskSize: string;
  serviceAccountPrivateKeyFile?: string;
  concurrentSyncs: string;
  kubeApiQps: string;
  kubeApiBurst: string;
  healthzPort: string;
}>();

const log = newLogger("kube-controller-manager");
const controllers = selectControllers([opts.controllers]);
let leading = false;
startHealthServer({ port: Number(opts.healthzPort), ready: () => (leading ? undefined : "not leading") });

const client = new RestClient(loadClientConfig({ kubeconfig: opts.kubeconfig }), {
  userAgent: "kube-controller-manager",
  qps: Number(opts.kubeApiQps),
  burst: Number(opts.kubeApiBurst),
  logger: log,
});
const events = new EventBroadcaster(client, { logger: log });
const options: ControllerManagerOptions = {
  clusterCIDR: opts.clusterCidr,
  nodeCIDRMaskSize: Number(opts.nodeCidrMaskSize),
  serviceAccountPrivateKeyFile: opts.serviceAccountPrivateKeyFile,
  concurrentSyncs: Math.max(1, Number(opts.concurrentSyncs) || 5),
};
const stop = new AbortController();
for (const sig of ["SIGTERM", "SIGINT"] as const) {
  process.on(sig, () => {
    log.info({ signal: sig }, "stopping");
    stop.abort();
    setTimeout(() => process.exit(0), 2000).unref();
  });
}

/** Starts every selected controller with fresh informers; resolves when the signal aborts. */
async function runControllers(signal: AbortSignal): Promise<void> {
  leading = true;
  // Every informer and worker pool listens on this one signal.
  setMaxListeners(0, signal);
  const factory = new InformerFactory(client, { resyncMs: 0, logger: log });
  const ctx: ControllerContext = { client, factory, events, log, signal, options, now: Date.now };
  const runs = controllers.map((c) => {
    log.info({ controller: c.name }, "starting controller");
    return c.init(ctx);
  });
  factory.start(signal);
  await Promise.all(
    runs.map((run, i) =>
      run().catch((err: unknown) =>
        log.error({ controller: controllers[i].name, err: String(err) }, "controller stopped"),
      ),
    ),
  );
}

const leaderElect = opts.leaderElect !== false && opts.leaderElect !== "false";
log.info(
  { kubeconfig: opts.kubeconfig, leaderElect, controllers: controllers.map((c) => c.name) },
  "started",
);
const outcome = await runLeaderElected({
  client,
  name: "kube-controller-manager",
  enabled: leaderElect,
  leaseDurationMs: Number(opts.leaderElectLeaseDuration) * 1000,
  logger: log,
  signal: stop.signal,
  work: runControllers,
});
if (outcome === "lost") process.exit(1);
await events.shutdown();
process.exit(0);
