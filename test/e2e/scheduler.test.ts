// kube-scheduler as a user sees it on the compose cluster with the real kubectl (issue 6): a pod too big
// for any node stays Pending with the FailedScheduling message; cordoning all nodes but one sends new pods
// there; nodeSelector, node affinity, taints and tolerations, pod anti-affinity across the 3 nodes; the
// KUAR example (500m pods fill a 2-cpu node, the next one waits); and leader election: kill the leading
// scheduler's container and a new pod is still scheduled within 15 s.
// Everything happens in a namespace of its own; cordons, taints and labels put on nodes are undone in
// `finally`, and a killed scheduler is started again.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { compose, docker, eventually, kubectl, kubectlWithInput } from "../lib/cluster.js";

const RUN = Date.now().toString(36);
const NS = `scheduler-e2e-${RUN}`;
const k = (...args: string[]) => kubectl("-n", NS, ...args);

async function ok(p: Promise<{ code: number; stdout: string; stderr: string }>): Promise<string> {
  const r = await p;
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

const apply = (manifest: unknown) => ok(kubectlWithInput(JSON.stringify(manifest), "apply", "-f", "-"));

interface PodOptions {
  cpu?: string;
  labels?: Record<string, string>;
  spec?: Record<string, unknown>;
}

function pod(name: string, o: PodOptions = {}) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: NS, labels: o.labels ?? {} },
    spec: {
      // Never started for long: the pods only need to be placed. A short grace period keeps clean-up fast.
      terminationGracePeriodSeconds: 0,
      containers: [
        {
          name: "c",
          image: "busybox:1.28",
          command: ["sleep", "3600"],
          ...(o.cpu ? { resources: { requests: { cpu: o.cpu } } } : {}),
        },
      ],
      ...(o.spec ?? {}),
    },
  };
}

const nodeOf = async (name: string) =>
  (await k("get", "pod", name, "-o", "jsonpath={.spec.nodeName}")).stdout;

async function boundTo(name: string, timeoutMs = 30_000): Promise<string> {
  return eventually(`pod ${name} bound`, async () => (await nodeOf(name)) || undefined, {
    timeoutMs,
    intervalMs: 250,
  });
}

/** The FailedScheduling message `kubectl describe pod` shows, once there is one. */
async function failedScheduling(name: string): Promise<string> {
  return eventually(
    `FailedScheduling for ${name}`,
    async () => {
      const out = (await k("describe", "pod", name)).stdout;
      const lines = out.split("\n").filter((l) => /\sFailedScheduling\s/.test(l));
      const m = /default-scheduler\s+(.*)$/.exec(lines.at(-1) ?? "");
      return m?.[1];
    },
    { timeoutMs: 30_000, intervalMs: 500 },
  );
}

/** A pod stays unbound for a while (nothing would place it). */
async function staysPending(name: string, ms = 3000): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
  assert.equal(await nodeOf(name), "", `${name} should not be bound`);
  assert.equal((await k("get", "pod", name, "-o", "jsonpath={.status.phase}")).stdout, "Pending");
}

/** Milli-cpu requested on a node, from `kubectl describe node` ("cpu  1100m (55%)  0 (0%)"). */
async function cpuRequestedMilli(node: string): Promise<number> {
  const out = await ok(kubectl("describe", "node", node));
  const section = out.slice(out.indexOf("Allocated resources:"));
  const m = /^\s+cpu\s+(\d+)(m?)\s/m.exec(section);
  if (!m) return 0;
  return m[2] === "m" ? Number(m[1]) : Number(m[1]) * 1000;
}

async function allocatableCpuMilli(node: string): Promise<number> {
  const v = (await ok(kubectl("get", "node", node, "-o", "jsonpath={.status.allocatable.cpu}"))).trim();
  return v.endsWith("m") ? Number(v.slice(0, -1)) : Number(v) * 1000;
}

let nodes: string[] = [];

describe("scheduler", { timeout: 900_000 }, () => {
  before(async () => {
    await ok(kubectl("create", "namespace", NS));
    nodes = (await ok(kubectl("get", "nodes", "-o", "jsonpath={.items[*].metadata.name}")))
      .trim()
      .split(/\s+/)
      .sort();
    assert.ok(nodes.length >= 3, `want 3 nodes, have ${nodes.join(",")}`);
    nodes = nodes.slice(0, 3);
    // Placement is only meaningful on healthy nodes: an earlier suite may just have restarted one.
    await eventually(
      "every node Ready",
      async () => {
        const r = await kubectl(
          "get",
          "nodes",
          "-o",
          'jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}',
        );
        return r.stdout.split(" ").every((s) => s === "True") ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
  });
  after(async () => {
    await kubectl("delete", "namespace", NS, "--wait=false");
  });

  it("a pod requesting more cpu than any node has stays Pending with FailedScheduling", async () => {
    const cpus = await Promise.all(nodes.map(allocatableCpuMilli));
    await apply(pod("too-big", { cpu: `${Math.max(...cpus) / 1000 + 1}` }));
    await staysPending("too-big");
    const msg = await failedScheduling("too-big");
    assert.equal(
      msg,
      "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    );
    await k("delete", "pod", "too-big", "--wait=false");
  });

  it("cordoning all nodes but one sends new pods there", async () => {
    const [target, ...others] = nodes;
    try {
      await ok(kubectl("cordon", ...others));
      const out = await ok(kubectl("get", "nodes"));
      for (const n of others) assert.match(out, new RegExp(`^${n}\\s+Ready,SchedulingDisabled\\s`, "m"));
      for (let i = 0; i < 3; i++) await apply(pod(`cordoned-${i}`, { cpu: "10m" }));
      for (let i = 0; i < 3; i++) assert.equal(await boundTo(`cordoned-${i}`), target);
    } finally {
      await kubectl("uncordon", ...others);
    }
    await k("delete", "pod", "cordoned-0", "cordoned-1", "cordoned-2", "--wait=false");
  });

  it("nodeSelector: a pod goes to the node with the label, and waits while no node has it", async () => {
    const key = `e2e-${RUN}.tskube.io/disktype`;
    const target = nodes[1];
    await apply(pod("selector", { spec: { nodeSelector: { [key]: "ssd" } } }));
    await staysPending("selector", 2000);
    assert.match(
      await failedScheduling("selector"),
      /^0\/3 nodes are available: 3 node\(s\) didn't match Pod's node affinity\/selector\. preemption: 0\/3 nodes are available: 3 Preemption is not helpful for scheduling\.$/,
    );
    try {
      await ok(kubectl("label", "node", target, `${key}=ssd`));
      assert.equal(await boundTo("selector"), target);
    } finally {
      await kubectl("label", "node", target, `${key}-`);
    }
    await k("delete", "pod", "selector", "--wait=false");
  });

  it("node affinity: required picks the node, preferred wins the score", async () => {
    const hostIn = (values: string[]) => ({
      matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values }],
    });
    await apply(
      pod("required", {
        spec: {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [hostIn([nodes[2]])] },
            },
          },
        },
      }),
    );
    await apply(
      pod("preferred", {
        spec: {
          affinity: {
            nodeAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 100, preference: hostIn([nodes[1]]) },
              ],
            },
          },
        },
      }),
    );
    assert.equal(await boundTo("required"), nodes[2]);
    assert.equal(await boundTo("preferred"), nodes[1]);
    await k("delete", "pod", "required", "preferred", "--wait=false");
  });

  it("taints and tolerations: NoSchedule keeps pods off unless they tolerate it", async () => {
    const key = `e2e-${RUN}.tskube.io/dedicated`;
    const target = nodes[0];
    const onTarget = { nodeSelector: { "kubernetes.io/hostname": target } };
    try {
      await ok(kubectl("taint", "nodes", target, `${key}=e2e:NoSchedule`));
      await apply(pod("intolerant", { spec: onTarget }));
      await apply(
        pod("tolerant", {
          spec: {
            ...onTarget,
            tolerations: [{ key, operator: "Equal", value: "e2e", effect: "NoSchedule" }],
          },
        }),
      );
      assert.equal(await boundTo("tolerant"), target);
      await staysPending("intolerant", 1000);
      assert.equal(
        await failedScheduling("intolerant"),
        `0/3 nodes are available: 1 node(s) had untolerated taint {${key}: e2e}, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.`,
      );
    } finally {
      await kubectl("taint", "nodes", target, `${key}:NoSchedule-`);
    }
    // Without the taint, the intolerant pod fits: the node update requeues it.
    assert.equal(await boundTo("intolerant"), target);
    await k("delete", "pod", "intolerant", "tolerant", "--wait=false");
  });

  it("pod anti-affinity spreads 3 pods over the 3 nodes, and a fourth waits", async () => {
    const labels = { app: `spread-${RUN}` };
    const spec = {
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: labels }, topologyKey: "kubernetes.io/hostname" },
          ],
        },
      },
    };
    for (let i = 0; i < 3; i++) await apply(pod(`spread-${i}`, { labels, spec }));
    const placed = await Promise.all([0, 1, 2].map((i) => boundTo(`spread-${i}`)));
    assert.deepEqual([...placed].sort(), nodes);
    await apply(pod("spread-3", { labels, spec }));
    await staysPending("spread-3", 1000);
    assert.equal(
      await failedScheduling("spread-3"),
      // Anti-affinity is Unschedulable (not Unresolvable) upstream: preemption looks, and finds no victims.
      "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
    );
    await k("delete", "pod", "spread-0", "spread-1", "spread-2", "spread-3", "--wait=false");
  });

  it("KUAR: 500m pods fill a 2-cpu node and the next one waits", async (t) => {
    // The node with the least cpu requested (other suites share the cluster): on an empty 2-cpu node,
    // four 500m pods fit, as in the tutorial.
    const requested = await Promise.all(nodes.map(cpuRequestedMilli));
    const i = requested.indexOf(Math.min(...requested));
    const node = nodes[i];
    assert.equal(await allocatableCpuMilli(node), 2000, `${node} has 2 cpus (kubectl describe node)`);
    const fits = Math.floor((2000 - requested[i]) / 500);
    t.diagnostic(`${node}: ${requested[i]}m requested already, ${fits} kuard pods of 500m fit`);
    const spec = { nodeSelector: { "kubernetes.io/hostname": node } };
    const names = Array.from({ length: fits + 1 }, (_, j) => `kuard-${j + 1}`);
    for (const n of names) await apply(pod(n, { cpu: "500m", labels: { app: "kuard" }, spec }));
    const placed = await eventually(
      `${fits} kuard pods bound`,
      async () => {
        const bound = await Promise.all(names.map(nodeOf));
        return bound.filter(Boolean).length >= fits ? bound : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    await new Promise((r) => setTimeout(r, 2000));
    const after2s = await Promise.all(names.map(nodeOf));
    assert.deepEqual(after2s, placed, "no more pods bound");
    assert.equal(placed.filter(Boolean).length, fits);
    const waiting = names[placed.indexOf("")];
    assert.equal(
      await failedScheduling(waiting),
      "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
    );
    await k("delete", "pod", "-l", "app=kuard", "--wait=false");
  });

  it("leader election: kill the leading scheduler and a new pod is still scheduled within 15 s", async (t) => {
    const holder = async () =>
      (
        await ok(
          kubectl(
            "-n",
            "kube-system",
            "get",
            "lease",
            "kube-scheduler",
            "-o",
            "jsonpath={.spec.holderIdentity}",
          ),
        )
      ).trim();
    // Both replicas up and one leading (another suite may be restarting them).
    const { leader, service, standby } = await eventually(
      "two scheduler replicas running, one holding the lease",
      async () => {
        const leader = await holder();
        // The identity is "<hostname>_<uuid>"; the compose services' hostnames are their names.
        const service = leader.slice(0, leader.lastIndexOf("_"));
        if (service !== "scheduler" && service !== "scheduler-2") return undefined;
        const standby = service === "scheduler" ? "scheduler-2" : "scheduler";
        const ps = await ok(
          docker("ps", "--filter", "name=tskube_scheduler", "--format", "{{.Names}} {{.Status}}"),
        );
        const healthy = (s: string) => new RegExp(`^tskube_${s}_1 Up .*\\(healthy\\)$`, "m").test(ps);
        return healthy(service) && healthy(standby) ? { leader, service, standby } : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1000 },
    );
    t.diagnostic(`leader ${leader}: killing tskube_${service}_1`);
    const killedAt = Date.now();
    try {
      await ok(docker("kill", `tskube_${service}_1`));
      await apply(pod("after-failover"));
      await boundTo("after-failover", 30_000);
      const seconds = (Date.now() - killedAt) / 1000;
      t.diagnostic(`bound ${seconds.toFixed(1)} s after the leader (${service}) was killed`);
      assert.ok(seconds <= 15, `bound ${seconds.toFixed(1)} s after the kill`);
      const next = await holder();
      assert.ok(next.startsWith(`${standby}_`), `new holder ${next}`);
    } finally {
      await compose("start", service);
    }
    await k("delete", "pod", "after-failover", "--wait=false");
  });
});
