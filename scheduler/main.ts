// kube-scheduler: process entry point. Skeleton from the foundation issue: parses its flags, serves its health
// endpoint, and waits. The component itself is built in its own issue.
import { Command } from "commander";
import { startHealthServer } from "../pkg/util/health-server.js";
import { newLogger } from "../pkg/util/log.js";

const program = new Command("kube-scheduler")
  .option("--kubeconfig <path>", "kubeconfig of this component")
  .option("--hostname-override <name>", "node name")
  .option("--node-ip <ip>", "node address")
  .option("--leader-elect [bool]", "use leader election", "true")
  .option("--healthz-port <port>", "health endpoint port", "10251")
  .allowUnknownOption(true)
  .allowExcessArguments(true)
  .parse(process.argv);
const opts = program.opts<{ kubeconfig?: string; healthzPort: string }>();
const log = newLogger("kube-scheduler");
startHealthServer({ port: Number(opts.healthzPort) });
log.info({ kubeconfig: opts.kubeconfig, healthzPort: Number(opts.healthzPort) }, "started");
process.on("SIGTERM", () => process.exit(0));
