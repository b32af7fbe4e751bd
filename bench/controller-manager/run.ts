// Controller-manager benchmark (issue 7), on the real parts: etcd (container), apiserver, scheduler and
// controller-manager (child processes), with simulated nodes whose stand-in kubelets report pods
// Running at once (test/integration/controller-manager/workloads/). Measures:
//   1. a 1,000-replica Deployment from create to every pod bound and reported Running (goal <= 10 s);
//   2. a rolling update of it with maxSurge 25% until the rollout is complete (goal <= 30 s);
//   3. the controller-manager's resident memory with 10,000 pods in the cluster (goal < 300 MiB).
// Next to each, a ceiling measured in the same run: the same client creating 1,000 bare pods straight
// into the apiserver (pre-bound, nothing else to do): no controller can be faster than that.
// Run: npm run build && node dist/bench/controller-manager/run.js   (BENCH_REPLICAS, BENCH_TOTAL_PODS)
import { setMaxListeners } from "node:events";
import { readFileSync } from "node:fs";
import { Etcd3 } from "etcd3";
import type { Deployment } from "kubernetes-types/apps/v1";
import type { Pod } from "kubernetes-types/core/v1";
import { Deployments, InformerFactory, Namespaces, Pods } from "../../pkg/client/index.js";
import { startControlPlane } from "../../test/integration/controller-manager/workloads/env.js";
import { startSimulatedNodes } from "../../test/integration/controller-manager/workloads/simulated-nodes.js";

const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 1000);
const TOTAL_PODS = Number(process.env.BENCH_TOTAL_PODS ?? 10_000);
const NODES = Number(process.env.BENCH_NODES ?? 50);
const MAX_PODS = Math.ceil((TOTAL_PODS * 1.3) / NODES);

function deployment(name: string, replicas: number, image: string): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "default" },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "app", image, resources: { requests: { cpu: "1m", memory: "1Mi" } } }] },
      },
    },
  };
}

function rssMiB(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

async function pool<T>(items: T[], concurrency: number, fn: (x: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (i < items.length) await fn(items[i++]);
    }),
  );
}

const row = (what: string, value: number, unit: string, goal: number, extra = "") =>
  console.log(
    `${what.padEnd(52)} ${value.toFixed(2).padStart(9)} ${unit.padEnd(4)} goal ${String(goal).padStart(4)} ${unit.padEnd(4)} ratio ${(value / goal).toFixed(2)} ${value <= goal ? "ok " : "MISSED"} ${extra}`,
  );

async function main(): Promise<void> {
  const cp = await startControlPlane({
    controllers: "replicaset,deployment",
    controllerManagerArgs: ["--kube-api-qps=1000", "--kube-api-burst=2000"],
  });
  const names = Array.from({ length: NODES }, (_, i) => `sim-${String(i + 1).padStart(3, "0")}`);
  const nodes = await startSimulatedNodes(cp.client, { names, maxPods: MAX_PODS });
  const factory = new InformerFactory(cp.client, { resyncMs: 0 });
  const pods = factory.informerFor(Pods);
  const ac = new AbortController();
  setMaxListeners(0, ac.signal);
  factory.start(ac.signal);
  await factory.waitForCacheSync(ac.signal);
  const results: string[] = [];
  for (const sig of ["SIGINT", "SIGTERM"] as const)
    process.once(sig, () => {
      ac.abort();
      void nodes
        .stop()
        .then(() => cp.stop())
        .finally(() => process.exit(130));
    });
  const wait = async (what: string, done: () => boolean, timeoutMs: number) => {
    const end = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > end) throw new Error(`not reached within ${timeoutMs / 1000} s: ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const running = (app: string, image?: string) =>
    pods.store
      .list()
      .filter(
        (p: Pod) =>
          p.metadata?.labels?.app === app &&
          !p.metadata?.deletionTimestamp &&
          p.spec?.nodeName &&
          p.status?.phase === "Running" &&
          (image === undefined || p.spec?.containers?.[0]?.image === image),
      ).length;
  try {
    // Reference: raw etcd writes (1 KiB values, 64 in flight), the floor under every API write.
    const etcd = new Etcd3({ hosts: cp.etcdUrl });
    const writes = Array.from({ length: 3000 }, (_, i) => i);
    let t = performance.now();
    await pool(writes, 64, (i) => etcd.put(`/bench/raw/${i}`).value("x".repeat(1024)).exec());
    const etcdRate = writes.length / ((performance.now() - t) / 1000);
    etcd.close();
    console.log(`reference: raw etcd puts: ${etcdRate.toFixed(0)}/s`);

    // Ceiling: the same API path with no controller and no scheduler in the way.
    await cp.client
      .resource(Namespaces)
      .create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "raw" } });
    const raw = Array.from({ length: REPLICAS }, (_, i) => i);
    t = performance.now();
    await pool(raw, 64, (i) =>
      cp.client.resource(Pods, "raw").create({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: `raw-${i}`, labels: { app: "raw" } },
        spec: { nodeName: names[i % NODES], containers: [{ name: "app", image: "raw:1" }] },
      }),
    );
    await wait("raw pods Running", () => running("raw") >= REPLICAS, 600_000);
    const ceilingS = (performance.now() - t) / 1000;
    results.push(
      `ceiling: ${REPLICAS} bare pods created (64 at a time) and reported Running: ${ceilingS.toFixed(2)} s`,
    );
    console.log(results.at(-1));

    // 1. Create.
    const deployments = cp.client.resource(Deployments, "default");
    t = performance.now();
    await deployments.create(deployment("bench", REPLICAS, "app:1"));
    await wait("all pods Running", () => running("bench") >= REPLICAS, Math.max(120_000, ceilingS * 5000));
    const createS = (performance.now() - t) / 1000;
    row(
      `${REPLICAS}-replica Deployment: create -> all Running`,
      createS,
      "s",
      10,
      `(${(createS / ceilingS).toFixed(1)}x ceiling)`,
    );

    // 2. Rolling update, maxSurge 25%.
    t = performance.now();
    // A patch, not get+update: the controller writes the Deployment's status meanwhile.
    const updated = await deployments.patch(
      "bench",
      { spec: { template: { spec: { containers: [{ name: "app", image: "app:2" }] } } } },
      "strategic",
    );
    const gen = updated.metadata?.generation ?? 0;
    await wait(
      "rollout complete",
      () => running("bench", "app:2") >= REPLICAS && running("bench") === REPLICAS,
      Math.max(300_000, ceilingS * 10_000),
    );
    let d = await deployments.get("bench");
    while (
      (d.status?.observedGeneration ?? 0) < gen ||
      d.status?.updatedReplicas !== REPLICAS ||
      d.status?.availableReplicas !== REPLICAS ||
      d.status?.replicas !== REPLICAS
    ) {
      await new Promise((r) => setTimeout(r, 50));
      d = await deployments.get("bench");
    }
    const rollS = (performance.now() - t) / 1000;
    row(`rolling update of it (maxSurge 25%): -> complete`, rollS, "s", 30);

    // 3. Memory at TOTAL_PODS pods.
    const more = TOTAL_PODS - 2 * REPLICAS;
    if (more > 0) {
      t = performance.now();
      await deployments.create(deployment("fill", more, "fill:1"));
      // On a slow machine, measure at whatever count was reached (printed) rather than fail.
      const limitMs = Number(process.env.BENCH_FILL_TIMEOUT_S ?? 900) * 1000;
      await wait("fill pods Running", () => running("fill") >= more, limitMs).catch((e: Error) =>
        console.log(`(${e.message})`),
      );
      console.log(`(filled to ${pods.store.size} pods in ${((performance.now() - t) / 1000).toFixed(1)} s)`);
    }
    await new Promise((r) => setTimeout(r, 3000));
    const rss = rssMiB(cp.controllerManager?.pid);
    row(`controller-manager RSS at ${pods.store.size} pods`, rss, "MiB", 300);
    console.log(
      `(scheduler RSS ${rssMiB(cp.scheduler?.pid).toFixed(0)} MiB; simulated kubelets started ${nodes.started} pods)`,
    );
  } finally {
    ac.abort();
    await nodes.stop();
    await cp.stop();
  }
}

await main();
process.exit(0);
