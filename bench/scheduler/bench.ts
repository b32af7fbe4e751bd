// Scheduler benchmark (issue 6), on the real parts: etcd (container, data on tmpfs) and the apiserver (child
// process) from test/integration/controller-manager/workloads/env.ts, with nothing else running, and
// BENCH_NODES (1,000) Node objects reported Ready (no kubelets). Measures, in this order, in one run:
//   1. ceiling: the apiserver's binding writes/s (BENCH_CEILING_PODS pending pods bound round-robin by the
//      bench's own client, IN_FLIGHT at a time) — no scheduler can bind faster than this;
//   2. throughput: BENCH_PODS (10,000) pending pods, then the real scheduler (scheduler/main.js as a child
//      process) started: pods bound per second from its start until the watch has shown every pod bound;
//   3. latency: with it running, BENCH_LATENCY_PODS (1,000) pods created at a steady LATENCY_RATE/s; from each
//      create response to the watch event that shows the pod bound, p50/p99;
//   4. the scheduler's resident memory (/proc/<pid>/status VmRSS) at the end.
// Run: npx tsc -p tsconfig.json && node dist/bench/scheduler/bench.js   (see README.md)
import type { ChildProcess } from "node:child_process";
import { setMaxListeners } from "node:events";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Node, Pod } from "kubernetes-types/core/v1";
import { formatTime } from "../../pkg/api/meta.js";
import {
  Events,
  InformerFactory,
  loadClientConfig,
  Namespaces,
  Nodes,
  Pods,
  RestClient,
} from "../../pkg/client/index.js";
import {
  type ControlPlane,
  startControlPlane,
  startProcess,
  stopProcess,
} from "../../test/integration/controller-manager/workloads/env.js";
import { type Figure, figureLine, figuresTable, fmt, percentile } from "../apiserver/stats.js";
import { createToBind, parseProcStatus, perSecond } from "./figures.js";

const NODES = Number(process.env.BENCH_NODES ?? 1000);
const PODS = Number(process.env.BENCH_PODS ?? 10_000);
const CEILING_PODS = Number(process.env.BENCH_CEILING_PODS ?? 3000);
const LATENCY_PODS = Number(process.env.BENCH_LATENCY_PODS ?? 1000);
const LATENCY_RATE = Number(process.env.BENCH_LATENCY_RATE ?? 250);
const IN_FLIGHT = 64;

async function pool<T>(items: T[], concurrency: number, fn: (x: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (i < items.length) await fn(items[i++] as T);
    }),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) throw new Error(`not reached within ${timeoutMs / 1000} s: ${what}`);
    await sleep(20);
  }
}

function nodeObject(name: string, index: number): { node: Node; status: Node["status"] } {
  const now = formatTime(new Date());
  const capacity = { cpu: "64", memory: "256Gi", pods: "110", "ephemeral-storage": "100Gi" };
  return {
    node: {
      apiVersion: "v1",
      kind: "Node",
      metadata: {
        name,
        labels: {
          "kubernetes.io/hostname": name,
          "kubernetes.io/os": "linux",
          "kubernetes.io/arch": "amd64",
          "topology.kubernetes.io/zone": `zone-${index % 3}`,
        },
      },
      spec: {},
    },
    status: {
      capacity,
      allocatable: capacity,
      addresses: [{ type: "InternalIP", address: `172.31.${Math.floor(index / 250)}.${(index % 250) + 2}` }],
      conditions: [
        {
          type: "Ready",
          status: "True",
          reason: "KubeletReady",
          lastHeartbeatTime: now,
          lastTransitionTime: now,
        },
      ],
    },
  };
}

function podObject(name: string, namespace: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, labels: { app: namespace } },
    spec: {
      containers: [
        { name: "app", image: "pause:3.9", resources: { requests: { cpu: "100m", memory: "128Mi" } } },
      ],
    },
  };
}

/** scheduler/main.js as docker-compose.yml runs it (its kubeconfig), without leader election. */
function startScheduler(cp: ControlPlane): ChildProcess {
  return startProcess(cp.dir, "bench-scheduler", "scheduler/main.js", [
    `--kubeconfig=${path.join(cp.dir, "scheduler.kubeconfig")}`,
    "--leader-elect=false",
    "--healthz-port=0",
  ]);
}

/** "started" and "caches synced" from the scheduler's JSON log, relative to `spawnedAt` (epoch ms). */
function startupTimeline(cp: ControlPlane, spawnedAt: number): string {
  try {
    const lines = readFileSync(path.join(cp.dir, "bench-scheduler.log"), "utf8").split("\n");
    const times: string[] = [];
    for (const line of lines) {
      if (!line.startsWith("{")) continue;
      const rec = JSON.parse(line) as { time?: string; msg?: string };
      const time = Date.parse(rec.time ?? "");
      if (Number.isNaN(time)) continue;
      if (rec.msg === "started" || rec.msg === "caches synced, scheduling")
        times.push(`${rec.msg} +${time - spawnedAt} ms`);
    }
    return times.join(", ") || "(not logged)";
  } catch {
    return "(no scheduler log)";
  }
}

function schedulerLogTail(cp: ControlPlane): string {
  try {
    return readFileSync(path.join(cp.dir, "bench-scheduler.log"), "utf8").slice(-2000);
  } catch {
    return "(no scheduler log)";
  }
}

const loadavg = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");

async function main(): Promise<void> {
  const loadBefore = loadavg();
  console.log(`load average before: ${loadBefore} (${os.cpus().length} cores)`);
  const cp = await startControlPlane({ controllers: false, scheduler: false });
  // The bench's own client: the same RestClient as every component, without the client-side rate limit,
  // so that the ceiling is the apiserver's and not the limiter's.
  const client = new RestClient(loadClientConfig({ kubeconfig: cp.kubeconfig }), {
    userAgent: "bench-scheduler",
    qps: 0,
  });
  // Every request in flight listens on the client's close signal: 64 at once is expected, not a leak.
  setMaxListeners(0, client.closedSignal);
  let scheduler: ChildProcess | undefined;
  const ac = new AbortController();
  setMaxListeners(0, ac.signal);
  const cleanup = async () => {
    ac.abort();
    await stopProcess(scheduler);
    client.close();
    await cp.stop();
  };
  for (const sig of ["SIGINT", "SIGTERM"] as const)
    process.once(sig, () => void cleanup().finally(() => process.exit(130)));

  const figures: Figure[] = [];
  const say = (f: Figure) => {
    figures.push(f);
    console.log(figureLine(f));
  };
  try {
    for (const ns of ["ceiling", "bench", "latency"])
      await client
        .resource(Namespaces)
        .create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
    const nodeNames = Array.from({ length: NODES }, (_, i) => `node-${String(i).padStart(4, "0")}`);
    let t = performance.now();
    await pool(
      nodeNames.map((n, i) => [n, i] as const),
      IN_FLIGHT,
      async ([name, i]) => {
        const { node, status } = nodeObject(name, i);
        const created = await client.resource(Nodes).create(node);
        await client.resource(Nodes).updateStatus({ ...created, status });
      },
    );
    console.log(`${NODES} Ready nodes created in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    // 1. Ceiling: binding writes straight from the bench's client.
    const ceilingPods = Array.from({ length: CEILING_PODS }, (_, i) => i);
    await pool(ceilingPods, IN_FLIGHT, (i) =>
      client.resource(Pods, "ceiling").create(podObject(`c-${i}`, "ceiling")),
    );
    t = performance.now();
    await pool(ceilingPods, IN_FLIGHT, (i) =>
      client.resource(Pods, "ceiling").createSubresource(`c-${i}`, "binding", {
        apiVersion: "v1",
        kind: "Binding",
        metadata: { name: `c-${i}` },
        target: { apiVersion: "v1", kind: "Node", name: nodeNames[i % NODES] },
      }),
    );
    const ceiling = perSecond(CEILING_PODS, t, performance.now());
    say({
      name: `ceiling: ${CEILING_PODS} POST pods/binding, ${IN_FLIGHT} in flight`,
      value: ceiling,
      unit: "/s",
    });

    // The watch: when each pod of the measured namespaces was first seen with spec.nodeName.
    const boundAt = new Map<string, number>();
    const boundIn = { bench: 0, latency: 0 };
    const seen = (p: Pod) => {
      const ns = p.metadata?.namespace;
      if (!p.spec?.nodeName || (ns !== "bench" && ns !== "latency")) return;
      const key = `${ns}/${p.metadata?.name}`;
      if (boundAt.has(key)) return;
      boundAt.set(key, performance.now());
      boundIn[ns]++;
    };
    const factory = new InformerFactory(client, { resyncMs: 0 });
    const pods = factory.informerFor(Pods);
    pods.addEventHandler({ onAdd: seen, onUpdate: (_old, p) => seen(p) });
    factory.start(ac.signal);
    await factory.waitForCacheSync(ac.signal);

    // 2. Throughput: PODS pending pods, then the scheduler starts.
    const benchPods = Array.from({ length: PODS }, (_, i) => i);
    t = performance.now();
    await pool(benchPods, IN_FLIGHT, (i) =>
      client.resource(Pods, "bench").create(podObject(`p-${i}`, "bench")),
    );
    console.log(`${PODS} pending pods created in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const schedulerStart = performance.now();
    const spawnedAt = Date.now();
    scheduler = startScheduler(cp);
    const pid = scheduler.pid;
    scheduler.once("exit", (code, signal) => {
      if (!ac.signal.aborted)
        console.log(`scheduler exited early (${code ?? signal}):\n${schedulerLogTail(cp)}`);
    });
    await waitUntil(`${PODS} pods bound`, () => boundIn.bench >= PODS, 300_000).catch((e: Error) => {
      throw new Error(`${e.message} (${boundIn.bench} bound)\n${schedulerLogTail(cp)}`);
    });
    console.log(`scheduler start-up (its log, since it was spawned): ${startupTimeline(cp, spawnedAt)}`);
    const benchTimes = [...boundAt].filter(([k]) => k.startsWith("bench/")).map(([, v]) => v);
    const firstBound = Math.min(...benchTimes);
    const lastBound = Math.max(...benchTimes);
    const throughput = perSecond(PODS, schedulerStart, lastBound);
    say({
      name: `throughput: ${PODS} pending pods, ${NODES} nodes, scheduler start -> all bound`,
      value: throughput,
      unit: "pods/s",
      goal: { value: 500, kind: "atLeast" },
      note: `${((lastBound - schedulerStart) / 1000).toFixed(1)} s; first binding after ${((firstBound - schedulerStart) / 1000).toFixed(1)} s, then ${fmt(perSecond(PODS - 1, firstBound, lastBound))} pods/s`,
    });
    say({
      name: "throughput / binding ceiling",
      value: throughput,
      unit: "pods/s",
      ceiling: { value: ceiling, label: "ceiling" },
      goal: { value: 0.6, kind: "atLeast", ratioGoal: true },
    });

    // 3. Latency at a steady arrival rate.
    const createdAt = new Map<string, number>();
    const latencyPods = Array.from({ length: LATENCY_PODS }, (_, i) => i);
    const start = performance.now();
    await pool(latencyPods, 32, async (i) => {
      const wait = start + (i * 1000) / LATENCY_RATE - performance.now();
      if (wait > 0) await sleep(wait);
      await client.resource(Pods, "latency").create(podObject(`l-${i}`, "latency"));
      createdAt.set(`latency/l-${i}`, performance.now());
    });
    const arrivalRate = perSecond(LATENCY_PODS - 1, start, Math.max(...createdAt.values()));
    await waitUntil(
      `${LATENCY_PODS} latency pods bound`,
      () => boundIn.latency >= LATENCY_PODS,
      120_000,
    ).catch((e: Error) => console.log(`(${e.message}: ${boundIn.latency} bound)`));
    const lat = createToBind(createdAt, boundAt);
    const note = `${fmt(arrivalRate)} pods/s arrived${lat.unbound ? `, ${lat.unbound} never bound` : ""}${lat.early ? `, ${lat.early} seen bound before the create returned` : ""}`;
    say({ name: "create -> bound, p50", value: percentile(lat.samples, 50), unit: "ms", note });
    say({ name: "create -> bound, p99", value: percentile(lat.samples, 99), unit: "ms" });

    // 4. Memory at the end.
    await sleep(2000);
    const mem = pid ? parseProcStatus(readFileSync(`/proc/${pid}/status`, "utf8")) : parseProcStatus("");
    say({
      name: `scheduler RSS at ${NODES} nodes, ${pods.store.size} pods`,
      value: mem.rssMiB,
      unit: "MiB",
      goal: { value: 300, kind: "atMost" },
      note: `peak ${fmt(mem.peakMiB)} MiB`,
    });
    // The scheduler records a Scheduled event per bound pod, fire and forget (a bounded queue written one
    // at a time, overflow dropped, as client-go's broadcaster): how many of the burst's made it.
    const events = await client.resource(Events, "bench").listAll();
    const scheduled = events.items.filter((e) => e.reason === "Scheduled").length;
    say({
      name: `Scheduled events recorded for the ${PODS} pods of the burst, 2 s after the latency phase`,
      value: scheduled,
      unit: "",
    });
  } finally {
    await cleanup();
  }
  const loadAfter = loadavg();
  console.log(`load average after: ${loadAfter}`);
  console.log(`\n${figuresTable(figures)}\n\nload average before ${loadBefore}, after ${loadAfter}`);
}

await main();
process.exit(0);
