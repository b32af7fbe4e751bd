// The kubelet as a user checks it on the compose cluster with the real kubectl (issue 5): nodes Ready with
// a fast Lease, pods Running with their IPs on every node, pod-to-pod across nodes, logs, exec (exit codes,
// stdin, -it), port-forward, hostPort from the host, a liveness probe restarting the tutorial's
// liveness-exec, volumes and init containers, OOMKilled, ErrImagePull/ImagePullBackOff, and graceful
// deletion (Terminating, then gone).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { eventually, KUBECONFIG, kubectl, kubectlPath, kubectlWithInput, run } from "../lib/cluster.js";

const NS = `kubelet-e2e-${Date.now().toString(36)}`;
const k = (...args: string[]) => kubectl("-n", NS, ...args);

async function ok(p: Promise<{ code: number; stdout: string; stderr: string }>): Promise<string> {
  const r = await p;
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

const apply = (manifest: unknown) => ok(kubectlWithInput(JSON.stringify(manifest), "apply", "-f", "-"));
const jsonpath = async (what: string[], path: string) =>
  (await k("get", ...what, "-o", `jsonpath=${path}`)).stdout;

function pod(name: string, spec: Record<string, unknown>, labels: Record<string, string> = {}) {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: NS, labels }, spec };
}

async function running(name: string, timeoutMs = 90_000): Promise<void> {
  await eventually(
    `pod ${name} Running and Ready`,
    async () =>
      (await jsonpath(["pod", name], '{.status.phase} {.status.conditions[?(@.type=="Ready")].status}')) ===
      "Running True"
        ? true
        : undefined,
    { timeoutMs, intervalMs: 1000 },
  );
}

let configUpdatedAt = 0;

describe("kubelet", { timeout: 900_000 }, () => {
  before(async () => {
    await ok(kubectl("create", "namespace", NS));
    await eventually(
      "the default service account",
      async () => ((await k("get", "serviceaccount", "default")).code === 0 ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 1000 },
    ).catch(() => undefined);
  });
  after(async () => {
    await kubectl("delete", "namespace", NS, "--wait=false");
  });

  it("nodes are Ready, with podCIDRs and a Lease renewed every few seconds", async () => {
    const out = await ok(kubectl("get", "nodes", "-o", "wide"));
    assert.match(out, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+INTERNAL-IP/);
    for (const line of out.trim().split("\n").slice(1)) assert.match(line, /\sReady\s/, line);
    const cidrs = (await ok(kubectl("get", "nodes", "-o", "jsonpath={.items[*].spec.podCIDR}"))).split(" ");
    for (const c of cidrs) assert.match(c, /^10\.244\.\d+\.0\/24$/);
    const lease = (path: string) =>
      kubectl("-n", "kube-node-lease", "get", "lease", "node-1", "-o", `jsonpath=${path}`);
    assert.equal((await lease("{.spec.leaseDurationSeconds}")).stdout, "10");
    const t1 = Date.parse((await lease("{.spec.renewTime}")).stdout);
    await new Promise((r) => setTimeout(r, 3500));
    const t2 = Date.parse((await lease("{.spec.renewTime}")).stdout);
    assert.ok(t2 > t1, `renewTime did not move in 3.5 s: ${t1} -> ${t2}`);
  });

  it("runs a Deployment's pods on every node with pod IPs, reachable across nodes", async () => {
    await apply({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: NS },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: {
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: "kubernetes.io/hostname",
                whenUnsatisfiable: "DoNotSchedule",
                labelSelector: { matchLabels: { app: "web" } },
              },
            ],
            containers: [{ name: "nginx", image: "nginx:1.14.2", ports: [{ containerPort: 80 }] }],
          },
        },
      },
    });
    const ips = await eventually(
      "3 web pods Running with IPs",
      async () => {
        const out = await jsonpath(
          ["pods", "-l", "app=web"],
          '{range .items[*]}{.status.phase} {.status.podIP} {.spec.nodeName}{"\\n"}{end}',
        );
        const rows = out
          .trim()
          .split("\n")
          .map((l) => l.split(" "));
        return rows.length === 3 && rows.every((r) => r[0] === "Running" && r[1]) ? rows : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
    const wide = await ok(k("get", "pods", "-o", "wide"));
    assert.match(
      wide,
      /NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES/,
    );
    assert.match(wide, /web-\S+\s+1\/1\s+Running\s+0\s+\S+\s+10\.244\.\d+\.\d+\s+node-\d/);
    // from a pod on one node to every web pod by address
    await apply(
      pod("client", { containers: [{ name: "c", image: "busybox:1.28", command: ["sleep", "3600"] }] }),
    );
    await running("client");
    for (const [, ip] of ips) {
      const out = await ok(k("exec", "client", "--", "curl", "-s", "-m", "5", `http://${ip}/`));
      assert.match(out, /Welcome to nginx/);
    }
  });

  it("serves logs and exec through the apiserver", async () => {
    const name = (
      await ok(k("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[0].metadata.name}"))
    ).trim();
    // a 404 that nginx logs
    const ip = await jsonpath(["pod", name], "{.status.podIP}");
    await k("exec", "client", "--", "curl", "-s", "-o", "/dev/null", `http://${ip}/from-e2e`);
    await eventually("the request in the logs", async () =>
      (await k("logs", name)).stdout.includes("GET /from-e2e") ? true : undefined,
    );
    assert.match(await ok(k("logs", name, "--tail=1")), /from-e2e/);
    assert.equal((await ok(k("exec", name, "--", "hostname"))).trim(), name);
    const failed = await k("exec", name, "--", "sh", "-c", "exit 3");
    assert.equal(failed.code, 3);
    assert.match(failed.stderr, /command terminated with exit code 3/);
    const echoed = await run(kubectlPath(), ["-n", NS, "exec", "-i", name, "--", "cat"], {
      input: "piped data\n",
    });
    assert.equal(echoed.stdout, "piped data\n");
    // -it: a terminal, through script(1)
    const tty = await run("script", [
      // script(1) runs a shell: the kubeconfig goes in the command line
      "-qec",
      `${kubectlPath()} --kubeconfig ${KUBECONFIG} -n ${NS} exec -it ${name} -- sh -c 'tty; exit 5'`,
      "/dev/null",
    ]);
    assert.match(tty.stdout, /\/dev\/pts\/\d+/);
    assert.equal(tty.code, 5);
  });

  it("copies files into and out of a container with kubectl cp (tar over exec)", async () => {
    const name = (
      await ok(k("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[0].metadata.name}"))
    ).trim();
    const dir = await mkdtemp(join(tmpdir(), "kcp-"));
    try {
      await writeFile(join(dir, "in.txt"), "to the pod\n");
      await ok(k("cp", join(dir, "in.txt"), `${name}:/tmp/in.txt`));
      assert.equal(await ok(k("exec", name, "--", "cat", "/tmp/in.txt")), "to the pod\n");
      await ok(k("exec", name, "--", "sh", "-c", "mkdir -p /tmp/out && echo from the pod > /tmp/out/a.txt"));
      await ok(k("cp", `${name}:/tmp/out`, join(dir, "out")));
      assert.equal(await readFile(join(dir, "out", "a.txt"), "utf8"), "from the pod\n");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("answers only the apiserver on the kubelet port: an anonymous request is Unauthorized", async () => {
    // kubeadm's setting (--anonymous-auth=false): without a client certificate the cluster CA signed, the
    // kubelet API (pods, exec, logs) refuses; kubectl's requests reach it through the apiserver only.
    const r = await run("curl", [
      "-sk",
      "-m",
      "5",
      "-w",
      "\n%{http_code}",
      "https://172.28.0.101:10250/pods",
    ]);
    assert.equal(r.stdout.trim().split("\n").at(-1), "401", r.stdout + r.stderr);
    assert.match(r.stdout, /^Unauthorized/);
  });

  it("port-forwards a local port to a pod", async () => {
    const name = (
      await ok(k("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[0].metadata.name}"))
    ).trim();
    const port = 20000 + Math.floor(Math.random() * 10000);
    const pf = spawn(kubectlPath(), ["-n", NS, "port-forward", `pod/${name}`, `${port}:80`], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, KUBECONFIG },
    });
    try {
      await new Promise<void>((resolve, reject) => {
        pf.stdout.on("data", (d: Buffer) => d.toString().includes("Forwarding from") && resolve());
        let err = "";
        pf.stderr.on("data", (d: Buffer) => {
          err += d.toString();
        });
        pf.on("exit", (c) => reject(new Error(`port-forward exited ${c}: ${err}`)));
      });
      for (let i = 0; i < 3; i++) {
        const r = await fetch(`http://127.0.0.1:${port}/`);
        assert.equal(r.status, 200);
        assert.match(await r.text(), /Welcome to nginx/);
      }
    } finally {
      pf.kill();
    }
  });

  it("port-forwards to a port bound to localhost inside the pod", async () => {
    await apply(
      pod("localonly", {
        containers: [
          {
            name: "c",
            image: "busybox:1.28",
            command: [
              "sh",
              "-c",
              "mkdir -p /www && echo local-only > /www/index.html && httpd -f -p 127.0.0.1:9000 -h /www",
            ],
          },
        ],
      }),
    );
    await running("localonly");
    const port = 20000 + Math.floor(Math.random() * 10000);
    const pf = spawn(kubectlPath(), ["-n", NS, "port-forward", "localonly", `${port}:9000`], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, KUBECONFIG },
    });
    try {
      await new Promise<void>((resolve, reject) => {
        pf.stdout.on("data", (d: Buffer) => d.toString().includes("Forwarding from") && resolve());
        pf.on("exit", (c) => reject(new Error(`port-forward exited ${c}`)));
      });
      assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), "local-only\n");
    } finally {
      pf.kill();
    }
  });

  it("maps a hostPort on the node's address", async () => {
    await apply(
      pod("hostport", {
        containers: [
          { name: "nginx", image: "nginx:1.14.2", ports: [{ containerPort: 80, hostPort: 30987 }] },
        ],
      }),
    );
    await running("hostport");
    const nodeIP = await jsonpath(["pod", "hostport"], "{.status.hostIP}");
    const r = await eventually("the hostPort to answer", async () => {
      const res = await fetch(`http://${nodeIP}:30987/`).catch(() => undefined);
      return res?.status === 200 ? res : undefined;
    });
    assert.match(await r.text(), /Welcome to nginx/);
  });

  // The liveness-exec restart (an exec probe failing after 30 s) is checked by the tutorial suite
  // test/tutorials/003-edx.test.ts, with the events Kubernetes writes.

  it("mounts configMap, secret, emptyDir and hostPath volumes after an init container", async () => {
    await apply({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cfg", namespace: NS },
      data: { greeting: "hello" },
    });
    await apply({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "sec", namespace: NS },
      stringData: { password: "s3cret" },
    });
    await apply(
      pod("vols", {
        initContainers: [
          {
            name: "init",
            image: "busybox:1.28",
            command: ["sh", "-c", "echo from-init > /work/init.txt"],
            volumeMounts: [{ name: "scratch", mountPath: "/work" }],
          },
        ],
        containers: [
          {
            name: "main",
            image: "busybox:1.28",
            command: ["sleep", "3600"],
            volumeMounts: [
              { name: "scratch", mountPath: "/work" },
              { name: "cfg", mountPath: "/etc/cfg" },
              { name: "sec", mountPath: "/etc/sec" },
              { name: "host", mountPath: "/host" },
            ],
          },
        ],
        volumes: [
          { name: "scratch", emptyDir: {} },
          { name: "cfg", configMap: { name: "cfg" } },
          { name: "sec", secret: { secretName: "sec" } },
          { name: "host", hostPath: { path: `/tmp/${NS}`, type: "DirectoryOrCreate" } },
        ],
      }),
    );
    await running("vols");
    const out = await ok(
      k(
        "exec",
        "vols",
        "-c",
        "main",
        "--",
        "sh",
        "-c",
        "cat /work/init.txt /etc/cfg/greeting /etc/sec/password; touch /host/x && echo host-ok",
      ),
    );
    assert.equal(out, "from-init\nhellos3crethost-ok\n");
    assert.match(
      await ok(
        k("get", "pod", "vols", "-o", "jsonpath={.status.initContainerStatuses[0].state.terminated.reason}"),
      ),
      /Completed/,
    );
    // Checked by the last test of this file: the kubelet rewrites the files within its sync period (1 min).
    configUpdatedAt = Date.now();
    await ok(
      k("create", "configmap", "cfg", "--from-literal=greeting=bonjour", "--dry-run=client", "-o", "yaml"),
    ).then((yaml) => ok(kubectlWithInput(yaml, "-n", NS, "apply", "-f", "-")));
  });

  it("reports OOMKilled, and ErrImagePull then ImagePullBackOff for an image that does not exist", async () => {
    await apply(
      pod("oom", {
        restartPolicy: "Never",
        containers: [
          {
            name: "hog",
            image: "busybox:1.28",
            command: ["sh", "-c", "x=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; while true; do x=$x$x; done"],
            resources: { limits: { memory: "32Mi" } },
          },
        ],
      }),
    );
    await apply(pod("badimage", { containers: [{ name: "nginx", image: "nginx:1.91" }] }));
    await eventually(
      "oom OOMKilled",
      async () => ((await k("get", "pod", "oom")).stdout.match(/\sOOMKilled\s/) ? true : undefined),
      {
        timeoutMs: 60_000,
        intervalMs: 1000,
      },
    );
    assert.equal(
      await jsonpath(
        ["pod", "oom"],
        "{.status.phase} {.status.containerStatuses[0].state.terminated.exitCode}",
      ),
      "Failed 137",
    );
    // a finished pod keeps its address in `get pods -o wide`
    assert.match(await jsonpath(["pod", "oom"], "{.status.podIP}"), /^10\.244\.\d+\.\d+$/);
    const seen = new Set<string>();
    await eventually(
      "ErrImagePull and ImagePullBackOff",
      async () => {
        const m = (await k("get", "pod", "badimage")).stdout.match(/\s(ErrImagePull|ImagePullBackOff)\s/);
        if (m?.[1]) seen.add(m[1]);
        return seen.has("ImagePullBackOff") ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    assert.match(await ok(k("describe", "pod", "badimage")), /Back-off pulling image "nginx:1\.91"/);
  });

  it("feeds kubectl top with node and pod usage", async () => {
    await apply(
      pod("top", { containers: [{ name: "c", image: "busybox:1.28", command: ["sleep", "3600"] }] }),
    );
    await running("top");
    const nodes = await eventually(
      "kubectl top node",
      async () => {
        const r = await kubectl("top", "node");
        return r.code === 0 ? r.stdout : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 2000 },
    );
    assert.match(nodes, /^NAME\s+CPU\(cores\)\s+CPU\(%\)\s+MEMORY\(bytes\)\s+MEMORY\(%\)/);
    assert.match(nodes, /node-1\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%/);
    const pods = await eventually(
      "kubectl top pod",
      async () => {
        const r = await k("top", "pod", "top");
        return r.code === 0 ? r.stdout : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 2000 },
    );
    assert.match(pods, /top\s+\d+m\s+\d+Mi/);
  });

  it("deletes a pod gracefully: Terminating, then gone", async () => {
    await apply(
      pod("graceful", {
        terminationGracePeriodSeconds: 10,
        containers: [
          {
            name: "c",
            image: "busybox:1.28",
            command: ["sh", "-c", "trap 'sleep 2; exit 0' TERM; while true; do sleep 1; done"],
          },
        ],
      }),
    );
    await running("graceful");
    await ok(k("delete", "pod", "graceful", "--wait=false"));
    await eventually(
      "Terminating",
      async () => ((await k("get", "pod", "graceful")).stdout.match(/\sTerminating\s/) ? true : undefined),
      {
        timeoutMs: 10_000,
      },
    );
    await eventually(
      "the pod to be gone",
      async () => ((await k("get", "pod", "graceful")).code !== 0 ? true : undefined),
      {
        timeoutMs: 30_000,
        intervalMs: 500,
      },
    );
  });

  it("a running pod's configMap volume follows the ConfigMap, within the kubelet's sync period", async () => {
    assert.ok(configUpdatedAt > 0, "the volumes test updated the ConfigMap");
    await eventually(
      "the new greeting in /etc/cfg/greeting",
      async () =>
        (await k("exec", "vols", "-c", "main", "--", "cat", "/etc/cfg/greeting")).stdout === "bonjour"
          ? true
          : undefined,
      { timeoutMs: Math.max(5_000, configUpdatedAt + 90_000 - Date.now()), intervalMs: 2000 },
    );
  });
});
