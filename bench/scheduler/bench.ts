// Scheduler benchmark (issue 6), on the real parts: etcd (container), the apiserver and kube-scheduler
// (child processes; the control-plane harness of test/integration/controller-manager/workloads/env.ts).
// 1,000 simulated nodes (Node objects only: no kubelets, no containers) and 10,000 pending pods, then the
// scheduler starts. Prints, with the ceiling measured in the same run:
//   - pods bound per second (first binding to last, and from the scheduler's start incl. its cache sync),
//     next to the apiserver's binding-write ceiling: POST pods/<name>/binding as fast as one client can,
//     256 in flight, as the scheduler does;
//   - create->bind latency at a steady arrival rate (client-side create to the binding seen by a watch);
//   - the scheduler's resident memory with 1,000 nodes and 11,000 pods cached.
// Run: npm run build && node dist/bench/scheduler/bench.js   (BENCH_NODES, BENCH_PODS, BENCH_LATENCY_RATE)
import { type ChildProcess, spawn } from "node:child_process";
import { setMaxListeners } from "node:events";
import { createWriteStream, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Namespace, Pod } from "kubernetes-types/core/v1";
import { InformerFactory, Namespaces, Nodes, Pods, type RestClient } from "../../pkg/client/index.js";
import { makeNode, makePod } from "../../scheduler/framework/testing.js";
import { startControlPlane } from "../../test/integration/controller-manager/workloads/env.js";

const NODES = Number(process.env.BENCH_NODES ?? 1000);
const PODS = Number(process.env.BENCH_PODS ?? 10_000);
const CEILING_PODS = Number(process.env.BENCH_CEILING_PODS ?? 3000);
const LATENCY_PODS = Number(process.env.BENCH_LATENCY_PODS ?? 500);
/** Arrival rate for the latency run; default: half the throughput just measured (below saturation). */
const LATENCY_RATE_ENV = process.env.BENCH_LATENCY_RATE;
const BUILD_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

async function pool<T>(items: T[], concurrency: number, fn: (x: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (i < items.length) await fn(items[i++]);
    }),
  );
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];

function rssMiB(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Math.round(Number(m[1]) / 1024) : Number.NaN;
}

/** A pending pod without a uid (the apiserver assigns it). */
function pendingPod(name: string, namespace: string, o: Parameters<typeof makePod>[1] = {}): Pod {
  const pod = makePod(name, { namespace, cpu: "100m", memory: "128Mi", ...o });
  const { uid: _uid, ...metadata } = pod.metadata ?? {};
  return { ...pod, metadata };
}

/** Watches pods and records when each was first seen bound. */
function watchBindings(client: RestClient, signal: AbortSignal) {
  const boundAt = new Map<string, number>();
  const waiters: { count: number; resolve: () => void }[] = [];
  const factory = new InformerFactory(client, { resyncMs: 0 });
  const pods = factory.informerFor(Pods);
  const seen = (p: Pod) => {
    if (!p.spec?.nodeName) return;
    const key = `${p.metadata?.namespace}/${p.metadata?.name}`;
    if (boundAt.has(key)) return;
    boundAt.set(key, performance.now());
    for (const w of [...waiters])
      if (boundAt.size >= w.count) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
  };
  pods.addEventHandler({ onAdd: seen, onUpdate: (_o, p) => seen(p) });
  factory.start(signal);
  return {
    boundAt,
    /** Resolves once `count` pods have been seen bound in all. */
    until: (count: number) =>
      new Promise<void>((resolve) => {
        if (boundAt.size >= count) resolve();
        else waiters.push({ count, resolve });
      }),
  };
}

function startScheduler(dir: string): ChildProcess {
  const log = createWriteStream(path.join(dir, "bench-scheduler.log"));
  const child = spawn(
    process.execPath,
    [
      path.join(BUILD_ROOT, "scheduler/main.js"),
      `--kubeconfig=${path.join(dir, "scheduler.kubeconfig")}`,
      "--leader-elect=false",
      "--healthz-port=0",
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LOG_LEVEL: "warn" } },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

async function main(): Promise<void> {
  const cp = await startControlPlane({ controllers: false, scheduler: false });
  const client = cp.client;
  const stop = new AbortController();
  setMaxListeners(50, stop.signal);
  let scheduler: ChildProcess | undefined;
  try {
    for (const ns of ["ceiling", "bench", "latency"])
      await client.resource<Namespace>(Namespaces).create({ metadata: { name: ns } });
    const nodeNames = Array.from({ length: NODES }, (_, i) => `node-${i}`);
    await pool(nodeNames, 32, (n) =>
      client.resource(Nodes).create(
        makeNode(n, {
          cpu: "32",
          memory: "128Gi",
          labels: { "topology.kubernetes.io/zone": `zone-${Number(n.slice(5)) % 3}` },
        }),
      ),
    );
    const bindings = watchBindings(client, stop.signal);

    // Ceiling: raw binding writes through one client, 256 in flight (the scheduler's limit).
    const ceilingPods = Array.from({ length: CEILING_PODS }, (_, i) => `c-${i}`);
    await pool(ceilingPods, 32, (n) =>
      client
        .resource<Pod>(Pods, "ceiling")
        .create(pendingPod(n, "ceiling", { spec: { schedulerName: "none" } })),
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
    await bindings.until(CEILING_PODS);

    // Throughput: PODS pending pods, then the scheduler starts.
    const podNames = Array.from({ length: PODS }, (_, i) => `p-${i}`);
    await pool(podNames, 32, (n) => client.resource<Pod>(Pods, "bench").create(pendingPod(n, "bench")));
    const started = performance.now();
    scheduler = startScheduler(cp.dir);
    await bindings.until(CEILING_PODS + PODS);
    const benchTimes = podNames.map((n) => bindings.boundAt.get(`bench/${n}`) ?? Number.NaN);
    const first = Math.min(...benchTimes);
    const last = Math.max(...benchTimes);
    const podsPerSecond = (PODS - 1) / ((last - first) / 1000);
    const withStartup = PODS / ((last - started) / 1000);

    // Latency at a steady arrival rate, below saturation (else it measures the queue's growth).
    const LATENCY_RATE = Number(LATENCY_RATE_ENV ?? Math.max(1, Math.round(podsPerSecond / 2)));
    const created = new Map<string, number>();
    const latencyNames = Array.from({ length: LATENCY_PODS }, (_, i) => `l-${i}`);
    t0 = performance.now();
    await pool(latencyNames, 16, async (n) => {
      const due = t0 + (Number(n.slice(2)) * 1000) / LATENCY_RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      created.set(`latency/${n}`, performance.now());
      await client.resource<Pod>(Pods, "latency").create(pendingPod(n, "latency"));
    });
    await bindings.until(CEILING_PODS + PODS + LATENCY_PODS);
    const latencies = latencyNames.map(
      (n) => bindings.boundAt.get(`latency/${n}`)! - created.get(`latency/${n}`)!,
    );
    const schedulerRss = rssMiB(scheduler.pid);

    const out = {
      nodes: NODES,
      pendingPods: PODS,
      podsPerSecond: Math.round(podsPerSecond),
      bindingCeilingPerSecond: Math.round(ceiling),
      ratioToCeiling: `${Math.round((100 * podsPerSecond) / ceiling)}%`,
      podsPerSecondFromSchedulerStart: Math.round(withStartup),
      secondsFromSchedulerStartToFirstBinding: Number(((first - started) / 1000).toFixed(2)),
      latencyMs: {
        arrivalRate: LATENCY_RATE,
        p50: Math.round(pct(latencies, 50)),
        p90: Math.round(pct(latencies, 90)),
        p99: Math.round(pct(latencies, 99)),
      },
      schedulerRssMiB: schedulerRss,
      goals: { podsPerSecond: 500, ratioToCeiling: "60%", schedulerRssMiB: 300 },
    };
    console.log(JSON.stringify(out, null, 2));
  } finally {
    stop.abort();
    if (scheduler && scheduler.exitCode === null) {
      const exited = new Promise((r) => scheduler?.once("exit", r));
      scheduler.kill("SIGTERM");
      await exited;
    }
    await cp.stop();
  }
  process.exit(0);
}

await main();
