// Service networking as a user checks it (issue 8): ClusterIP balancing from a pod on another node,
// readiness taking a pod out of rotation, cluster DNS from busybox, service environment variables, NodePort
// and LoadBalancer from the host machine (also after the announcing node dies), the apiserver's checks on
// Services, and kube-proxy removing a deleted service's rules.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { compose, docker, eventually, kubectl, kubectlWithInput, run } from "../lib/cluster.js";

const NS = `net-e2e-${Date.now().toString(36)}`;
const k = (...args: string[]) => kubectl("-n", NS, ...args);

async function ok(p: Promise<{ code: number; stdout: string; stderr: string }>): Promise<string> {
  const r = await p;
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Runs a shell command in a short-lived busybox pod pinned to a node, and returns what it printed. */
async function inPod(name: string, node: string, script: string, timeoutS = 90): Promise<string> {
  const manifest = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: NS },
    spec: {
      nodeName: node,
      restartPolicy: "Never",
      containers: [{ name: "c", image: "busybox:1.28", command: ["sh", "-c", script] }],
    },
  };
  await ok(kubectlWithInput(JSON.stringify(manifest), "apply", "-f", "-"));
  await eventually(
    `pod ${name} to finish`,
    async () => {
      const phase = (await k("get", "pod", name, "-o", "jsonpath={.status.phase}")).stdout;
      return phase === "Succeeded" || phase === "Failed" ? phase : undefined;
    },
    { timeoutMs: timeoutS * 1000, intervalMs: 1000 },
  );
  return ok(k("logs", name));
}

async function nodeOf(selector: string): Promise<string[]> {
  return (await ok(k("get", "pods", "-l", selector, "-o", "jsonpath={.items[*].spec.nodeName}")))
    .split(" ")
    .filter(Boolean);
}

describe("service networking", { timeout: 600_000 }, () => {
  before(async () => {
    await ok(kubectl("create", "namespace", NS));
    await ok(
      k(
        "create",
        "deployment",
        "web",
        "--image=gcr.io/google-samples/hello-app:1.0",
        "--replicas=3",
        "--port=8080",
      ),
    );
    await ok(k("expose", "deployment", "web", "--port=80", "--target-port=8080"));
    await ok(k("rollout", "status", "deployment/web", "--timeout=120s"));
  });
  after(async () => {
    await kubectl("delete", "namespace", NS, "--wait=false");
  });

  it("balances a ClusterIP across all three pods from a pod on another node", async () => {
    const nodes = await nodeOf("app=web");
    const client =
      ["node-1", "node-2", "node-3"].find((n) => nodes.filter((x) => x === n).length <= 1) ?? "node-1";
    const out = await inPod(
      "client",
      client,
      "for i in $(seq 300); do wget -qO- http://web/ | grep Hostname; done",
      180,
    );
    const hosts = out
      .split("\n")
      .filter((l) => l.startsWith("Hostname:"))
      .map((l) => l.slice("Hostname:".length).trim());
    assert.equal(hosts.length, 300, `answers: ${hosts.length}`);
    const counts = new Map<string, number>();
    for (const h of hosts) counts.set(h, (counts.get(h) ?? 0) + 1);
    assert.equal(counts.size, 3, `pods reached: ${[...counts.keys()].join(", ")}`);
    for (const [h, n] of counts) {
      assert.ok(n >= 60 && n <= 141, `${h} got ${n} of 300 (want 20%..47%)`);
    }
  });

  it("takes a pod whose readiness probe fails out of rotation within 2 probe periods, and back when it passes", async () => {
    const period = 2;
    const manifest = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "kuard", namespace: NS },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: "kuard" } },
        template: {
          metadata: { labels: { app: "kuard" } },
          spec: {
            containers: [
              {
                name: "kuard",
                image: "gcr.io/kuar-demo/kuard-amd64:1",
                ports: [{ containerPort: 8080 }],
                readinessProbe: {
                  httpGet: { path: "/ready", port: 8080 },
                  periodSeconds: period,
                  failureThreshold: 1,
                },
              },
            ],
          },
        },
      },
    };
    await ok(kubectlWithInput(JSON.stringify(manifest), "apply", "-f", "-"));
    await ok(k("expose", "deployment", "kuard", "--port=8080"));
    await ok(k("rollout", "status", "deployment/kuard", "--timeout=120s"));
    await ok(k("run", "rot-client", "--image=busybox:1.28", "--restart=Never", "--", "sleep", "3600"));
    await ok(k("wait", "--for=condition=Ready", "pod/rot-client", "--timeout=90s"));
    // Which pods 60 requests through the ClusterIP reach (kuard's page carries its hostname).
    const reached = async (): Promise<Map<string, number>> => {
      const out = await ok(
        k(
          "exec",
          "rot-client",
          "--",
          "sh",
          "-c",
          "for i in $(seq 60); do wget -qO- http://kuard:8080/ | grep -o '<h2><samp>[^<]*'; done",
        ),
      );
      const counts = new Map<string, number>();
      for (const line of out.split("\n").filter(Boolean)) {
        const host = line.replace("<h2><samp>", "");
        counts.set(host, (counts.get(host) ?? 0) + 1);
      }
      return counts;
    };
    const pods = (
      await ok(k("get", "pods", "-l", "app=kuard", "-o", "jsonpath={.items[*].metadata.name}"))
    ).split(" ");
    assert.equal(pods.length, 3);
    assert.equal((await reached()).size, 3, "all three pods in rotation at first");
    const victim = pods[0] ?? "";
    const setReady = (failNext: number) =>
      ok(
        k(
          "exec",
          victim,
          "--",
          "curl",
          "-fsS",
          "-X",
          "PUT",
          `http://127.0.0.1:8080/ready/api?failNext=${failNext}`,
        ),
      );

    await setReady(-1);
    await new Promise((r) => setTimeout(r, 2 * period * 1000));
    const whileFailing = await reached();
    assert.equal(
      whileFailing.get(victim) ?? 0,
      0,
      `${victim} still served ${2 * period} s after failing readiness`,
    );
    assert.equal(whileFailing.size, 2);
    assert.equal(
      await ok(k("get", "pod", victim, "-o", "jsonpath={.status.containerStatuses[0].ready}")),
      "false",
    );

    await setReady(0);
    await new Promise((r) => setTimeout(r, 2 * period * 1000));
    const afterPassing = await reached();
    assert.ok(
      (afterPassing.get(victim) ?? 0) > 0,
      `${victim} not back in rotation ${2 * period} s after passing`,
    );
    await k("delete", "pod", "rot-client", "--wait=false");
  });

  it("resolves services, pods' StatefulSet-style names and the kubernetes service from busybox", async () => {
    const out = await inPod("dns", "node-2", "nslookup kubernetes.default; nslookup web; nslookup web." + NS);
    assert.match(
      out,
      /Server:\s+10\.96\.0\.10\nAddress 1: 10\.96\.0\.10 kube-dns\.kube-system\.svc\.cluster\.local/,
    );
    assert.match(
      out,
      /Name:\s+kubernetes\.default\nAddress 1: 10\.96\.0\.1 kubernetes\.default\.svc\.cluster\.local/,
    );
    const ip = await ok(k("get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}"));
    assert.match(
      out,
      new RegExp(
        `Name:\\s+web\\nAddress 1: ${ip.replaceAll(".", "\\.")} web\\.${NS}\\.svc\\.cluster\\.local`,
      ),
    );
  });

  it("gives pods the Docker-style environment variables of the services that exist when they start", async () => {
    const ip = await ok(k("get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}"));
    const out = await inPod("env", "node-1", "env | grep ^WEB_ | sort");
    assert.deepEqual(out.trim().split("\n"), [
      `WEB_PORT=tcp://${ip}:80`,
      `WEB_PORT_80_TCP=tcp://${ip}:80`,
      `WEB_PORT_80_TCP_ADDR=${ip}`,
      "WEB_PORT_80_TCP_PORT=80",
      "WEB_PORT_80_TCP_PROTO=tcp",
      `WEB_SERVICE_HOST=${ip}`,
      "WEB_SERVICE_PORT=80",
    ]);
  });

  it("answers on the node port of every node, from the host machine", async () => {
    await ok(
      k("expose", "deployment", "web", "--name=web-np", "--type=NodePort", "--port=80", "--target-port=8080"),
    );
    const port = await ok(k("get", "svc", "web-np", "-o", "jsonpath={.spec.ports[0].nodePort}"));
    assert.ok(Number(port) >= 30000 && Number(port) <= 32767, port);
    for (const ip of ["172.28.0.101", "172.28.0.102", "172.28.0.103"]) {
      const body = await eventually(`node port ${ip}:${port}`, async () => {
        const r = await run("curl", ["-fsS", "-m", "3", `http://${ip}:${port}/`]);
        return r.code === 0 ? r.stdout : undefined;
      });
      assert.match(body, /Hello, world!/);
    }
  });

  it("gives a LoadBalancer an EXTERNAL-IP the host reaches, and keeps it answering when its node dies", async () => {
    await ok(
      k(
        "expose",
        "deployment",
        "web",
        "--name=web-lb",
        "--type=LoadBalancer",
        "--port=80",
        "--target-port=8080",
      ),
    );
    const ip = await eventually("an EXTERNAL-IP", async () => {
      const v = (await k("get", "svc", "web-lb", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}"))
        .stdout;
      return v || undefined;
    });
    const table = await ok(k("get", "svc", "web-lb"));
    assert.match(
      table,
      new RegExp(`web-lb\\s+LoadBalancer\\s+\\S+\\s+${ip.replaceAll(".", "\\.")}\\s+80:\\d+/TCP`),
    );
    // A client that retries, as a user with curl in a loop: a connection to an endpoint on the dead node
    // (in rotation until the node lifecycle controller marks the node NotReady, ~12 s) gives up after 1 s.
    const get = () => run("curl", ["-fsS", "--connect-timeout", "1", "-m", "2", `http://${ip}/`]);
    await eventually("the load balancer to answer", async () =>
      (await get()).code === 0 ? true : undefined,
    );

    // The node announcing LoadBalancer addresses: the holder of their Lease.
    const leaseHolder = () =>
      kubectl(
        "-n",
        "kube-system",
        "get",
        "lease",
        "tskube-loadbalancer",
        "-o",
        "jsonpath={.spec.holderIdentity}",
      );
    const holder = await ok(leaseHolder());
    assert.match(holder, /^node-\d+$/);
    const killed = Date.now();
    await ok(docker("kill", `tskube_${holder}_1`));
    // What each attempt got, for the failure message: a slow answer says where the time went.
    const timeline: string[] = [];
    const since = () => ((Date.now() - killed) / 1000).toFixed(1);
    try {
      await eventually(
        "the load balancer to answer again",
        async () => {
          const r = await get();
          const answered = r.code === 0 && /Hello, world!/.test(r.stdout);
          const lease = await leaseHolder();
          // The host's neighbour entry for the address: which node's MAC it sends to, and its state.
          const neigh = (await run("ip", ["neigh", "show", ip])).stdout.trim().split(/\s+/);
          timeline.push(
            `${since()} s: ${answered ? r.stdout.match(/Hostname: \S+/)?.[0] : r.stderr.trim()} (lease: ${lease.stdout}; host ARP: ${neigh.slice(4).join(" ")})`,
          );
          return answered ? true : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      );
      const seconds = (Date.now() - killed) / 1000;
      assert.ok(
        seconds <= 10,
        `took ${seconds.toFixed(1)} s to answer again (goal 10 s):\n${timeline.join("\n")}`,
      );
    } finally {
      await compose("start", holder);
      // Leave the cluster as we found it: the node Ready again before the next test.
      await eventually(
        `${holder} Ready again`,
        async () => {
          const r = await kubectl(
            "get",
            "node",
            holder,
            "-o",
            'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
          );
          return r.stdout === "True" ? true : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 1000 },
      );
      // ... and its kube-proxy pod (the DaemonSet's) ready: it starts after the kubelet, not with it.
      await eventually(
        "kube-proxy ready on every node again",
        async () => {
          const r = await kubectl(
            "-n",
            "kube-system",
            "get",
            "daemonset",
            "kube-proxy",
            "-o",
            "jsonpath={.status.numberReady}/{.status.desiredNumberScheduled}",
          );
          const [ready, desired] = r.stdout.split("/");
          return r.code === 0 && desired !== "" && ready === desired ? true : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 1000 },
      );
    }
  });

  it("rejects invalid Services with the field named", async () => {
    const svc = (spec: Record<string, unknown>) =>
      JSON.stringify({ apiVersion: "v1", kind: "Service", metadata: { name: "bad", namespace: NS }, spec });
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { ports: [{ port: 70000 }] },
        /spec\.ports\[0\]\.port: Invalid value: 70000: must be between 1 and 65535, inclusive/,
      ],
      [
        { type: "NodePort", ports: [{ port: 80, nodePort: 80 }] },
        /spec\.ports\[0\]\.nodePort: Invalid value: 80: provided port is not in the valid range\. The range of valid ports is 30000-32767/,
      ],
      [
        { clusterIP: "192.168.1.1", ports: [{ port: 80 }] },
        /spec\.clusterIPs: Invalid value: \[\]string\{"192\.168\.1\.1"\}: failed to allocate IP 192\.168\.1\.1: the provided IP \(192\.168\.1\.1\) is not in the valid range\. The range of valid IPs is 10\.96\.0\.0\/12/,
      ],
      [
        { clusterIP: "10.96.0.1", ports: [{ port: 80 }] },
        /spec\.clusterIPs: Invalid value: \[\]string\{"10\.96\.0\.1"\}: failed to allocate IP 10\.96\.0\.1: provided IP is already allocated/,
      ],
      [
        { type: "ExternalName", externalName: "not a name!" },
        /spec\.externalName: Invalid value: "not a name!"/,
      ],
    ];
    for (const [spec, message] of cases) {
      const r = await kubectlWithInput(svc(spec), "apply", "-f", "-");
      assert.notEqual(r.code, 0, `accepted: ${JSON.stringify(spec)}`);
      assert.match(r.stderr, /The Service "bad" is invalid/);
      assert.match(r.stderr, message);
    }
    const np = await ok(k("get", "svc", "web-np", "-o", "jsonpath={.spec.ports[0].nodePort}"));
    const dup = await kubectlWithInput(
      svc({ type: "NodePort", ports: [{ port: 80, nodePort: Number(np) }] }),
      "apply",
      "-f",
      "-",
    );
    assert.notEqual(dup.code, 0);
    assert.match(
      dup.stderr,
      new RegExp(`spec\\.ports\\[0\\]\\.nodePort: Invalid value: ${np}: provided port is already allocated`),
    );
  });

  it("removes a deleted service's rules from every node", async () => {
    const ip = await ok(k("get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}"));
    const rulesFor = async (node: string) =>
      (await ok(docker("exec", `tskube_${node}_1`, "iptables-save", "-t", "nat"))).includes(`-d ${ip}/32`);
    // A node restarted by an earlier test may still be on its first sync: wait for the rules to appear.
    for (const node of ["node-1", "node-2", "node-3"]) {
      await eventually(`${node} to have the rules for ${ip}`, async () =>
        (await rulesFor(node)) ? true : undefined,
      );
    }
    await ok(k("delete", "service", "web"));
    for (const node of ["node-1", "node-2", "node-3"]) {
      await eventually(`${node} to drop the rules for ${ip}`, async () =>
        (await rulesFor(node)) ? undefined : true,
      );
    }
  });
});
