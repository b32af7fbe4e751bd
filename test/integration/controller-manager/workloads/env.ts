// A control plane for integration tests and benchmarks, made of the real parts: etcd (the local
// tskube/etcd:3.4 image, in a container of its own), the apiserver (apiserver/main.js), the scheduler
// (scheduler/main.js) and the controller-manager (controller-manager/main.js) as child processes, with
// certificates made by deploy/scripts/pki.sh in a temp dir. Nodes are simulated (simulated-nodes.ts).
// Every process logs to a file in the temp dir; the dir is printed when a start-up fails.
// etcd keeps its data on a tmpfs: these runs measure and test the components, not the disk, whose fsyncs
// are slow and shared on these machines (38 writes/s was seen with a busy disk); TSKUBE_ETCD_ON_DISK=1
// puts it back on the container's disk.
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { loadClientConfig, RestClient } from "../../../../pkg/client/index.js";

const run = promisify(execFile);
/** The compiled tree's root (dist/ or .tmp/<x>/): every component's main.js is found from here. */
const BUILD_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
/** The repository (for deploy/scripts/pki.sh and kubectl's working dir). */
export const REPO_ROOT = path.resolve(
  BUILD_ROOT,
  BUILD_ROOT.includes(`${path.sep}.tmp${path.sep}`) ? "../.." : "..",
);
const ETCD_IMAGE = process.env.TSKUBE_ETCD_IMAGE ?? "tskube/etcd:3.4";

export interface ControlPlaneOptions {
  /** --controllers of the controller-manager; false: do not start one. Default: the workload controllers. */
  controllers?: string | false;
  /** Start the real scheduler. Default true. */
  scheduler?: boolean;
  /** Extra flags for the controller-manager. */
  controllerManagerArgs?: string[];
  /** Extra flags for the scheduler. */
  schedulerArgs?: string[];
}

export interface ControlPlane {
  dir: string;
  server: string;
  /** etcd's client URL (for raw-write reference measurements). */
  etcdUrl: string;
  /** The admin kubeconfig (system:masters). */
  kubeconfig: string;
  client: RestClient;
  controllerManager?: ChildProcess;
  scheduler?: ChildProcess;
  /** Runs the real kubectl against this cluster. */
  kubectl(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

export const WORKLOAD_CONTROLLERS =
  "replicaset,replicationcontroller,deployment,statefulset,daemonset,job,cronjob";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function kubeconfigFor(server: string, pki: string, user: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: tskube
  cluster:
    server: ${server}
    certificate-authority: ${pki}/ca.crt
users:
- name: ${user}
  user:
    client-certificate: ${pki}/${user}.crt
    client-key: ${pki}/${user}.key
contexts:
- name: ${user}@tskube
  context:
    cluster: tskube
    user: ${user}
current-context: ${user}@tskube
`;
}

/** A component (`script` under the compiled tree) as a child process, its output in `<dir>/<name>.log`. */
export function startProcess(dir: string, name: string, script: string, args: string[]): ChildProcess {
  const log = createWriteStream(path.join(dir, `${name}.log`));
  const child = spawn(process.execPath, [path.join(BUILD_ROOT, script), ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "info" },
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

/** SIGTERM, then SIGKILL after 3 s; resolves once the process has exited. */
export async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(timer);
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const dir = mkdtempSync(path.join(tmpdir(), "tskube-cm-it-"));
  const pki = path.join(dir, "pki");
  await run("bash", [path.join(REPO_ROOT, "deploy/scripts/pki.sh")], {
    env: { ...process.env, TSKUBE_DATA: dir, TSKUBE_NODES: "0" },
  });
  const { stdout: cid } = await run("docker", [
    "run",
    "-d",
    "--rm",
    "--label",
    "tskube.test=controller-manager",
    "--label",
    `tskube.test.pid=${process.pid}`,
    "-p",
    "127.0.0.1::2379",
    ...(process.env.TSKUBE_ETCD_ON_DISK ? [] : ["--tmpfs", "/var/lib/etcd-data"]),
    ETCD_IMAGE,
    "--data-dir=/var/lib/etcd-data",
    "--listen-client-urls=http://0.0.0.0:2379",
    "--advertise-client-urls=http://127.0.0.1:2379",
  ]);
  const container = cid.trim();
  const children: ChildProcess[] = [];
  // If the test process dies without stop(), take the container and the processes with it.
  const onExit = () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    try {
      execFileSync("docker", ["rm", "-f", container], { stdio: "ignore" });
    } catch {
      // already gone
    }
  };
  process.once("exit", onExit);
  const stopAll = async () => {
    process.removeListener("exit", onExit);
    for (const c of children.reverse()) await stopProcess(c);
    await run("docker", ["rm", "-f", container]).catch(() => undefined);
  };
  try {
    const { stdout: mapped } = await run("docker", ["port", container, "2379/tcp"]);
    const etcdUrl = `http://${mapped.trim().split("\n")[0]}`;
    const port = await freePort();
    const server = `https://127.0.0.1:${port}`;
    for (const user of ["admin", "scheduler", "controller-manager"])
      writeFileSync(path.join(dir, `${user}.kubeconfig`), kubeconfigFor(server, pki, user));
    const kubeconfig = path.join(dir, "admin.kubeconfig");
    children.push(
      startProcess(dir, "apiserver", "apiserver/main.js", [
        `--etcd-servers=${etcdUrl}`,
        `--secure-port=${port}`,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        `--tls-cert-file=${pki}/apiserver.crt`,
        `--tls-private-key-file=${pki}/apiserver.key`,
        `--client-ca-file=${pki}/ca.crt`,
        `--service-account-key-file=${pki}/sa.pub`,
        `--service-account-signing-key-file=${pki}/sa.key`,
      ]),
    );
    const client = new RestClient(loadClientConfig({ kubeconfig }), { userAgent: "integration-test" });
    await waitFor(
      "apiserver /readyz",
      async () => {
        const body = await client.request({ method: "GET", path: "/readyz" });
        return String(body).includes("ok");
      },
      30_000,
    );
    let scheduler: ChildProcess | undefined;
    if (opts.scheduler !== false) {
      scheduler = startProcess(dir, "scheduler", "scheduler/main.js", [
        `--kubeconfig=${path.join(dir, "scheduler.kubeconfig")}`,
        "--leader-elect=false",
        "--healthz-port=0",
        ...(opts.schedulerArgs ?? []),
      ]);
      children.push(scheduler);
    }
    let controllerManager: ChildProcess | undefined;
    if (opts.controllers !== false) {
      controllerManager = startProcess(dir, "controller-manager", "controller-manager/main.js", [
        `--kubeconfig=${path.join(dir, "controller-manager.kubeconfig")}`,
        "--leader-elect=false",
        "--healthz-port=0",
        `--controllers=${opts.controllers ?? WORKLOAD_CONTROLLERS}`,
        ...(opts.controllerManagerArgs ?? []),
      ]);
      children.push(controllerManager);
    }
    const kubectlCache = path.join(dir, "kubectl-cache");
    return {
      dir,
      server,
      etcdUrl,
      kubeconfig,
      client,
      controllerManager,
      scheduler,
      kubectl: (args, input) =>
        new Promise((resolve) => {
          const child = execFile(
            "kubectl",
            args,
            {
              cwd: REPO_ROOT,
              env: { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: kubectlCache },
              timeout: 60_000,
            },
            (err, stdout, stderr) => {
              const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
              resolve({ code, stdout: String(stdout), stderr: String(stderr) });
            },
          );
          if (input !== undefined) child.stdin?.end(input);
          else child.stdin?.end();
        }),
      async stop() {
        client.close();
        await stopAll();
        if (!process.env.TSKUBE_KEEP_TEST_DIR) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stopAll();
    const logs = ["apiserver", "scheduler", "controller-manager"]
      .map((n) => {
        try {
          return `--- ${n}.log\n${readFileSync(path.join(dir, `${n}.log`), "utf8").slice(-3000)}`;
        } catch {
          return "";
        }
      })
      .join("\n");
    throw new Error(`control plane did not start (${dir}): ${String(err)}\n${logs}`);
  }
}
