// The node container's init: runs the node's agent, the kubelet, as systemd would on a real machine,
// restarts it with back-off when it exits, and stops it on SIGTERM. tini is PID 1 and reaps zombies; this
// process only supervises. kube-proxy is not here: it runs as the kube-proxy DaemonSet's pod on this node
// (deploy/addons/kube-proxy.yaml, docs/adr/0006-kube-proxy-daemonset.md), as on a kubeadm cluster.
//   NODE_NAME, NODE_IP    the node's name and address on the cluster network
//   KUBELET_ARGS          extra flags (space separated), e.g. KUBELET_ARGS="--register-with-taints=a=b:NoSchedule"
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { newLogger } from "../../pkg/util/log.js";

const log = newLogger("node-init");
const nodeName = process.env.NODE_NAME ?? "node";
const nodeIp = process.env.NODE_IP ?? "";
const split = (s: string | undefined): string[] => (s ?? "").split(/\s+/).filter(Boolean);

// The xtables lock every iptables writer on this node takes. kube-proxy's pod mounts the hostPath
// /run/xtables.lock (as kubeadm's DaemonSet does), which the kubelet keeps under this node's hostPath tree
// on the machine (its --root-dir/hostpath/<node>); the kubelet's own iptables calls must take the same file.
const xtablesLock = `/var/lib/tskube/kubelet/hostpath/${nodeName}/run/xtables.lock`;
try {
  mkdirSync(dirname(xtablesLock), { recursive: true });
} catch (err) {
  log.warn({ err: (err as Error).message, path: xtablesLock }, "cannot make the xtables lock directory");
}

interface Service {
  name: string;
  args: string[];
  env?: Record<string, string>;
  child?: ChildProcess;
  restarts: number;
  startedAt: number;
}

const services: Service[] = [
  {
    name: "kubelet",
    args: [
      "dist/kubelet/main.js",
      `--kubeconfig=/etc/tskube/kubeconfigs/${nodeName}.kubeconfig`,
      `--hostname-override=${nodeName}`,
      ...(nodeIp ? [`--node-ip=${nodeIp}`] : []),
      "--resolv-conf=/etc/tskube/node/resolv.conf",
      // As kubeadm configures it: the kubelet API answers only the apiserver's client certificate (and
      // anything else the cluster CA signed); upstream's flag default serves anonymous requests.
      "--anonymous-auth=false",
      ...split(process.env.KUBELET_ARGS),
    ],
    env: { XTABLES_LOCKFILE: xtablesLock },
    restarts: 0,
    startedAt: 0,
  },
];

let stopping = false;

function start(svc: Service): void {
  svc.startedAt = Date.now();
  const child = spawn(process.execPath, svc.args, {
    stdio: "inherit",
    env: { ...process.env, ...svc.env },
  });
  svc.child = child;
  log.info({ service: svc.name, pid: child.pid }, "started");
  child.on("exit", (code, signal) => {
    svc.child = undefined;
    if (stopping) return maybeExit();
    // Back-off as systemd's Restart=always with a cap: 1 s doubling to 30 s, reset after 60 s of running.
    if (Date.now() - svc.startedAt > 60_000) svc.restarts = 0;
    const delay = Math.min(30_000, 1000 * 2 ** svc.restarts++);
    log.warn({ service: svc.name, code, signal, restartInMs: delay }, "exited; restarting");
    setTimeout(() => !stopping && start(svc), delay);
  });
}

function maybeExit(): void {
  if (services.every((s) => !s.child)) process.exit(0);
}

function stop(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "stopping node components");
  for (const s of services) s.child?.kill("SIGTERM");
  setTimeout(() => process.exit(0), 10_000).unref();
  maybeExit();
}

process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGINT"));
for (const s of services) start(s);
