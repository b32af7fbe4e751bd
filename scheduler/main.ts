// kube-scheduler: process entry point. Flags, /healthz on :10251, leader election on the
// kube-system/kube-scheduler Lease (a standby takes over within the 15 s lease duration), then the
// scheduler (scheduler.ts) while leading. Losing the lease ends the process, as kube-scheduler does.

import { Command } from "commander";
import {
  EventBroadcaster,
  InformerFactory,
  loadClientConfig,
  RestClient,
  runLeaderElected,
  stripManagedFields,
} from "../pkg/client/index.js";
import { startHealthServer } from "../pkg/util/health-server.js";
import { newLogger } from "../pkg/util/log.js";
import { defaultProfile } from "./plugins/registry.js";
import { Scheduler } from "./scheduler.js";

const program = new Command("kube-scheduler")
  .option("--kubeconfig <path>", "kubeconfig of this component")
  .option("--hostname-override <name>", "node name")
  .option("--node-ip <ip>", "node address")
  .option("--leader-elect [bool]", "use leader election", "true")
  .option("--leader-elect-lease-duration <seconds>", "lease duration", "15")
  .option("--scheduler-name <name>", "the schedulerName this scheduler serves", "default-scheduler")
  .option("--percentage-of-nodes-to-score <pct>", "0 = adaptive, as Kubernetes", "0")
  .option("--healthz-port <port>", "health endpoint port", "10251")
  .allowUnknownOption(true)
  .allowExcessArguments(true)
  .parse(process.argv);
const opts = program.opts<{
  kubeconfig?: string;
  leaderElect: string | boolean;
  leaderElectLeaseDuration: string;
  schedulerName: string;
  percentageOfNodesToScore: string;
  healthzPort: string;
}>();
const log = newLogger("kube-scheduler");
let leading = false;
startHealthServer({ port: Number(opts.healthzPort), ready: () => (leading ? undefined : "not leading") });

const client = new RestClient(loadClientConfig({ kubeconfig: opts.kubeconfig }), {
  userAgent: "kube-scheduler",
  logger: log,
});
const broadcaster = new EventBroadcaster(client, { logger: log });
const recorder = broadcaster.newRecorder({ component: opts.schedulerName });
const stop = new AbortController();
for (const sig of ["SIGTERM", "SIGINT"] as const) {
  process.on(sig, () => {
    log.info({ signal: sig }, "stopping");
    stop.abort();
    setTimeout(() => process.exit(0), 2000).unref();
  });
}

async function runScheduler(signal: AbortSignal): Promise<void> {
  leading = true;
  const scheduler = new Scheduler({
    client,
    logger: log,
    recorder,
    profile: defaultProfile(opts.schedulerName),
    percentageOfNodesToScore: Number(opts.percentageOfNodesToScore) || 0,
  });
  // Informer objects without metadata.managedFields, as kube-scheduler's: nothing here reads them, and
  // they are a large part of every cached pod.
  const factory = new InformerFactory(client, { resyncMs: 0, logger: log, transform: stripManagedFields });
  await scheduler.run(factory, signal);
}

const leaderElect = opts.leaderElect !== false && opts.leaderElect !== "false";
log.info({ kubeconfig: opts.kubeconfig, leaderElect, schedulerName: opts.schedulerName }, "started");
const outcome = await runLeaderElected({
  client,
  name: "kube-scheduler",
  enabled: leaderElect,
  leaseDurationMs: Number(opts.leaderElectLeaseDuration) * 1000,
  logger: log,
  signal: stop.signal,
  work: runScheduler,
});
await broadcaster.shutdown().catch(() => {});
process.exit(outcome === "lost" ? 1 : 0);
