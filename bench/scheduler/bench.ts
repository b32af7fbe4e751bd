// Scheduler benchmark: 1,000 simulated nodes (Node objects only: no kubelets, no containers) and 10,000
// pending pods on the stand-in apiserver (a child process), then kube-scheduler in this process.
// Prints pods bound per second next to the apiserver's raw binding-write ceiling measured in the same
// run (POST pods/binding as fast as the same client can), create->bind latency at a steady arrival rate,
// and this process's memory at the end. Run: npm run build && node --expose-gc dist/bench/scheduler/bench.js
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Pod } from "kubernetes-types/core/v1";
import { InformerFactory, Nodes, Pods, RestClient } from "../../pkg/client/index.js";
import { newLogger } from "../../pkg/util/log.js";
import { makeNode, makePod } from "../../scheduler/framework/testing.js";
import { Scheduler } from "../../scheduler/scheduler.js";

const NODES = Number(process.env.BENCH_NODES ?? 1000);
const PODS = Number(process.env.BENCH_PODS ?? 10_000);
const CEILING_PODS = 3000;
const LATENCY_PODS = 1000;
const LATENCY_RATE = 250; // pods/s

async function pool<T>(items: T[], concurrency: number, fn: (x: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (i < items.length) await fn(items[i++]);
    }),
  );
}

const pct = (xs: number[], p: number) =>
  xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];

async function main(): Promise<void> {
  const script = fileURLToPath(
    new URL("../../test/integration/scheduler/standin-apiserver.js", import.meta.url),
  );
  const child = spawn(process.execPath, [script, "0"], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve) =>
    child.stdout.on("data", (d: Buffer) => {
      const m = /listening (\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    }),
  );
  const client = new RestClient(
    { server: `http://127.0.0.1:${port}` },
    { http2: false, qps: 100_000, burst: 100_000 },
  );
  try {
    const nodeNames = Array.from({ length: NODES }, (_, i) => `node-${i}`);
    await pool(nodeNames, 64, (n) =>
      client.resource(Nodes).create({
        ...makeNode(n, { cpu: "32", memory: "128Gi" }),
        metadata: {
          name: n,
          labels: { "kubernetes.io/hostname": n, "topology.kubernetes.io/zone": `zone-${n.length % 3}` },
        },
      }),
    );

    // Ceiling: raw binding writes through the same client and connection pool.
    const ceilingPods = Array.from({ length: CEILING_PODS }, (_, i) => `c-${i}`);
    await pool(ceilingPods, 64, (n) =>
      client
        .resource<Pod>(Pods, "ceiling")
        .create(makePod(n, { namespace: "ceiling", spec: { schedulerName: "none" } })),
    );
    let t0 = performance.now();
    await pool(ceilingPods, 256, (n) =>
      client.resource(Pods, "ceiling").createSubresource(n, "binding", {
        apiVersion: "v1",
        kind: "Binding",
        metadata: { name: n },
        target: { apiVersion: "v1", kind: "Node", name: nodeNames[Number(n.slice(2)) % NODES] },
      }),
    );
    const ceiling = CEILING_PODS / ((performance.now() - t0) / 1000);

    // Throughput: PODS pending pods, then the scheduler starts.
    const created = new Map<string, number>();
    const podNames = Array.from({ length: PODS }, (_, i) => `p-${i}`);
    await pool(podNames, 64, async (n) => {
      await client
        .resource<Pod>(Pods, "bench")
        .create(makePod(n, { namespace: "bench", cpu: "100m", memory: "128Mi" }));
      created.set(`bench/${n}`, performance.now());
    });
    let bound = 0;
    let done: () => void = () => {};
    let target = PODS;
    const latencies: number[] = [];
    const allBound = () =>
      new Promise<void>((r) => {
        done = r;
      });
    let waiting = allBound();
    const scheduler = new Scheduler({
      client,
      logger: newLogger("bench-scheduler", "warn"),
      onBound: (pi) => {
        bound++;
        const c = created.get(pi.key);
        if (c !== undefined && pi.namespace === "latency") latencies.push(performance.now() - c);
        if (bound === target) done();
      },
    });
    const stop = new AbortController();
    t0 = performance.now();
    void scheduler.run(new InformerFactory(client, { resyncMs: 0 }), stop.signal);
    await waiting;
    const seconds = (performance.now() - t0) / 1000;
    const throughput = PODS / seconds;

    // Latency at a steady arrival rate.
    target = PODS + LATENCY_PODS;
    waiting = allBound();
    const latencyNames = Array.from({ length: LATENCY_PODS }, (_, i) => `l-${i}`);
    const start = performance.now();
    await pool(latencyNames, 16, async (n) => {
      const due = start + (Number(n.slice(2)) * 1000) / LATENCY_RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      created.set(`latency/${n}`, performance.now());
      await client.resource<Pod>(Pods, "latency").create(makePod(n, { namespace: "latency", cpu: "100m" }));
    });
    await waiting;
    stop.abort();
    created.clear();
    (globalThis as { gc?: () => void }).gc?.();
    const mem = process.memoryUsage();
    const mib = (b: number) => (b / 1024 / 1024).toFixed(0);
    const out = {
      nodes: NODES,
      pods: PODS,
      podsPerSecond: Math.round(throughput),
      bindingCeilingPerSecond: Math.round(ceiling),
      ratioToCeiling: `${Math.round((100 * throughput) / ceiling)}%`,
      secondsToBindAll: Number(seconds.toFixed(2)),
      latencyMs: {
        rate: LATENCY_RATE,
        p50: Math.round(pct(latencies, 50)),
        p99: Math.round(pct(latencies, 99)),
      },
      memoryMiB: { rss: Number(mib(mem.rss)), heapUsed: Number(mib(mem.heapUsed)) },
      bindErrors: scheduler.stats.bindErrors,
    };
    console.log(JSON.stringify(out, null, 2));
  } finally {
    client.close();
    child.kill();
  }
  process.exit(0);
}

await main();
