// ClusterIP benchmark (issue 8): HTTP requests per second through a ClusterIP versus straight to the pod
// IP, goal ClusterIP/pod >= 0.90. On the running compose cluster, in a namespace of its own (deleted at the
// end, also on failure or Ctrl-C): one nginx pod pinned to node-2 behind a ClusterIP service. The load
// (autocannon, load.ts) runs on the host inside the network namespace of a client pod on node-1 (--client
// pod, the default: the pod-to-service path, DNAT only) or of node-1 itself (--client node: a hostNetwork
// client, DNAT and masquerade); both paths go from node-1 to node-2 over the same routes and differ only by
// the service's NAT. Keep-alive off (a new connection, a new conntrack entry and NAT decision per request)
// and on, each target measured `--rounds` times in ABBA order; the table shows the medians.
//   node dist/bench/clusterip/run.js [--seconds 10] [--rounds 2] [--connections 12] [--kubeconfig kubeconfig]
//        [--client pod|node] [--client-node node-1] [--client-container tskube_node-1_1] [--server-node node-2]
//        [--image nginx:1.14.2] [--direct-port 80]
import { execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import {
  GOAL_RATIO,
  type KeepAlive,
  type LoadReport,
  type Measurement,
  manifests,
  orderOf,
  parseLoadReport,
  ratioOfMode,
  rowsOf,
  TARGET_LABEL,
  type Target,
  table,
  tcpExtCounter,
} from "./figures.js";

const execFileP = promisify(execFile);

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? (process.argv[i + 1] as string) : fallback;
}
const seconds = Number(flag("--seconds", "10"));
const rounds = Number(flag("--rounds", "2"));
const connections = Number(flag("--connections", "12"));
const kubeconfig = flag("--kubeconfig", "kubeconfig");
/**
 * Where the load comes from: `pod` (default), a pod on the client node, the usual pod-to-service path (DNAT
 * only: a source in the cluster CIDR is not masqueraded); `node`, the client node's own network namespace
 * (a hostNetwork client: DNAT and masquerade --random-fully, as upstream renders it).
 */
const clientMode = flag("--client", "pod");
const clientContainer = flag("--client-container", "tskube_node-1_1");
const clientNode = flag("--client-node", "node-1");
const serverNode = flag("--server-node", "node-2");
const image = flag("--image", "nginx:1.14.2");
/** The pod-IP runs' port; not 80: a second listening socket of the same nginx (manifests, figures.ts). */
const directPort = Number(flag("--direct-port", "80"));
const WARMUP_S = 1;

/** Runs a command, feeding `input` on stdin; resolves with stdout, rejects with stderr. */
function exec(cmd: string, args: string[], input?: string, timeoutMs = 180_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (d: Buffer) => {
      out += d;
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d;
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`${cmd}: ${e.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else
        reject(new Error(`${cmd} ${args.join(" ")} failed (${signal ?? code}): ${err.trim() || out.trim()}`));
    });
    // A command that never reads its stdin may be gone before the write: not an error.
    child.stdin.on("error", () => undefined);
    child.stdin.end(input ?? "");
  });
}

const kubectl = (args: string[], input?: string): Promise<string> =>
  exec("kubectl", ["--kubeconfig", kubeconfig, ...args], input);

const loadavg = (): string => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

/** Runs load.ts inside the client node's network namespace. */
async function inClientNetns(pid: string, args: string[], timeoutMs: number): Promise<string> {
  const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), "load.js");
  return exec("nsenter", ["-t", pid, "-n", process.execPath, worker, ...args], undefined, timeoutMs);
}

async function measure(pid: string, url: string, keepAlive: KeepAlive, s: number): Promise<LoadReport> {
  const args = ["--url", url, "--seconds", String(s), "--connections", String(connections)];
  return parseLoadReport(await inClientNetns(pid, [...args, "--keepalive", keepAlive], (s + 60) * 1000));
}

/**
 * TIME_WAIT sockets on the client's side: they would show the client closing first, whose 28k ephemeral
 * ports then run out within seconds without keep-alive and turn into connect errors on one target only.
 */
async function clientTimeWait(pid: string): Promise<string> {
  try {
    const out = await exec("nsenter", ["-t", pid, "-n", "ss", "-Htan", "state", "time-wait"]);
    return String(out.split("\n").filter((l) => l.trim()).length);
  } catch {
    return "n/a";
  }
}

/** The client node's count of retransmitted SYNs (its netns' /proc/net/netstat). */
async function synRetransmits(pid: string): Promise<number> {
  return tcpExtCounter(await exec("nsenter", ["-t", pid, "-n", "cat", "/proc/net/netstat"]), "TCPSynRetrans");
}

interface Server {
  podIP: string;
  clusterIP: string;
  node: string;
}

async function createServer(namespace: string): Promise<Server> {
  const list = { apiVersion: "v1", kind: "List", items: manifests(namespace, serverNode, image, directPort) };
  await kubectl(["apply", "-f", "-"], JSON.stringify(list));
  await kubectl(["-n", namespace, "rollout", "status", "deployment/web", "--timeout=120s"]);
  const pods = JSON.parse(
    await kubectl(["-n", namespace, "get", "pods", "-l", "app=cipbench-web", "-o", "json"]),
  ) as {
    items: { status?: { podIP?: string; phase?: string }; spec?: { nodeName?: string } }[];
  };
  const pod = pods.items.find((p) => p.status?.phase === "Running" && p.status.podIP);
  if (!pod?.status?.podIP) throw new Error("the nginx pod has no IP");
  const node = pod.spec?.nodeName ?? "?";
  if (node !== serverNode) throw new Error(`the nginx pod runs on ${node}, not ${serverNode}`);
  const clusterIP = (
    await kubectl(["-n", namespace, "get", "service", "web", "-o", "jsonpath={.spec.clusterIP}"])
  ).trim();
  if (!clusterIP) throw new Error("the service has no clusterIP");
  return { podIP: pod.status.podIP, clusterIP, node };
}

/**
 * A pod on the client node whose network namespace the load runs in: its source address is a pod IP, as for
 * any in-cluster client. Resolves to the id of one of its containers on the host engine.
 */
async function createClientPod(namespace: string): Promise<string> {
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "client", namespace },
    spec: {
      nodeSelector: { "kubernetes.io/hostname": clientNode },
      terminationGracePeriodSeconds: 1,
      containers: [{ name: "sleep", image: "busybox:1.28", command: ["sleep", "3600"] }],
    },
  };
  await kubectl(["apply", "-f", "-"], JSON.stringify(pod));
  await kubectl(["-n", namespace, "wait", "pod/client", "--for=condition=Ready", "--timeout=120s"]);
  const uid = (
    await kubectl(["-n", namespace, "get", "pod", "client", "-o", "jsonpath={.metadata.uid}"])
  ).trim();
  const ids = (await exec("docker", ["ps", "-q", "--filter", `label=io.kubernetes.pod.uid=${uid}`])).trim();
  const id = ids.split("\n")[0];
  if (!id) throw new Error(`no container of the client pod (uid ${uid}) on this engine`);
  return id;
}

async function deleteNamespace(namespace: string): Promise<void> {
  try {
    await kubectl(["delete", "namespace", namespace, "--ignore-not-found", "--wait=false"]);
    console.error(`deleted namespace ${namespace}`);
  } catch (e) {
    console.error(`could not delete namespace ${namespace}: ${(e as Error).message}`);
  }
}

async function main(): Promise<void> {
  if (!(seconds > 0 && rounds >= 1 && connections >= 1))
    throw new Error("--seconds, --rounds, --connections must be positive");
  if (clientMode !== "pod" && clientMode !== "node") throw new Error("--client must be pod or node");
  const namespace = `cipbench-${Math.floor(Date.now() / 1000)}`;
  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> => {
    cleaning ??= deleteNamespace(namespace);
    return cleaning;
  };
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      void cleanup().finally(() => process.exit(130));
    });
  }
  const loadBefore = loadavg();
  const started = Date.now();
  try {
    const server = await createServer(namespace);
    const client = clientMode === "pod" ? await createClientPod(namespace) : clientContainer;
    const pid = (await execFileP("docker", ["inspect", "-f", "{{.State.Pid}}", client])).stdout.trim();
    if (!/^[1-9]\d*$/.test(pid)) throw new Error(`${client} is not running`);
    if (clientMode === "pod") {
      // A load generator's usual settings, in the client pod's own namespace only: without keep-alive the
      // client closes ~2,500 connections a second, and its 28k ephemeral ports in TIME_WAIT (60 s) would
      // run out within ten seconds, the later measurements paying for the earlier ones whatever the target.
      await exec("nsenter", [
        "-t",
        pid,
        "-n",
        "sysctl",
        "-qw",
        "net.ipv4.tcp_tw_reuse=1",
        "net.ipv4.ip_local_port_range=1024 65000",
      ]);
    }
    const urls: Record<Target, string> = {
      pod: `http://${server.podIP}:${directPort}/`,
      clusterip: `http://${server.clusterIP}/`,
    };
    console.error(
      `nginx pod ${server.podIP} on ${server.node}, ClusterIP ${server.clusterIP}; client in ${clientMode === "pod" ? `a pod on ${clientNode}` : clientContainer}'s netns`,
    );
    for (const target of ["pod", "clusterip"] as const) {
      await inClientNetns(pid, ["--url", urls[target], "--probe", "60"], 90_000);
      await measure(pid, urls[target], "on", WARMUP_S);
    }
    const ms: Measurement[] = [];
    let timeWait = "n/a";
    for (const keepAlive of ["off", "on"] as const) {
      for (let round = 0; round < rounds; round++) {
        for (const target of orderOf(round)) {
          const syn0 = await synRetransmits(pid);
          const report = await measure(pid, urls[target], keepAlive, seconds);
          const synRetrans = (await synRetransmits(pid)) - syn0;
          ms.push({ keepAlive, target, round, report, synRetrans });
          console.error(
            `  keep-alive ${keepAlive}, round ${round + 1}, ${TARGET_LABEL[target]}: ${report.rps.toFixed(0)} req/s, ` +
              `p50 ${report.p50Ms.toFixed(2)} ms, p99 ${report.p99Ms.toFixed(2)} ms, errors ${report.errors}, ` +
              `timeouts ${report.timeouts}, non-2xx ${report.non2xx}, SYN retransmits ${synRetrans} (load ${loadavg()})`,
          );
        }
      }
      if (keepAlive === "off") timeWait = await clientTimeWait(pid);
    }
    const rows = rowsOf(ms);
    console.log(
      `ClusterIP vs pod IP, nginx:1.14.2 on ${server.node}, autocannon from ${client}'s netns (--client ${clientMode}), ` +
        `${connections} connections, ${seconds} s per measurement, median of ${rounds} rounds (ABBA order); ` +
        `pod IP on port ${directPort}, ClusterIP port 80 (same nginx)`,
    );
    console.log(
      `load average before ${loadBefore}, after ${loadavg()} (2 cores, shared); ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
    console.log("");
    console.log(table(rows));
    console.log("");
    console.log(
      `TIME_WAIT sockets in the client's netns after the keep-alive off runs: ${timeWait} (ephemeral ports: ${clientMode === "pod" ? "63,977, tcp_tw_reuse on" : "28,232"})`,
    );
    for (const k of ["off", "on"] as const) {
      const q = ratioOfMode(rows, k);
      console.log(
        `keep-alive ${k}: ClusterIP/pod = ${q.toFixed(3)} (goal >= ${GOAL_RATIO}) ${q >= GOAL_RATIO ? "met" : "MISSED"}`,
      );
    }
  } finally {
    await cleanup();
  }
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
