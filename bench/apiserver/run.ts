// apiserver benchmark (issue 4). Runs the apiserver as a child process on 127.0.0.1 against the etcd
// cluster given by --etcd-servers (bench/apiserver/run.sh starts a private 3-member one) and measures, next to
// a ceiling taken with the same etcd3 client in the same run:
//   1. ConfigMap creates at 32 concurrent clients vs raw etcd puts of the same bytes at 32 in flight;
//   2. LIST of 5,000 pods from the watch cache vs one etcd range read of the same keys;
//   3. one change fanned out to 500 watchers vs 500 etcd watchers on one key;
//   4. the apiserver's memory with 10,000 pods stored (while running, and after a restart).
// Client side: pkg/client's RestClient (HTTPS keep-alive, one socket per request in flight, as a component uses it).
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, loadavg, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Command } from "commander";
import { Etcd3 } from "etcd3";
import type { ConfigMap, Pod } from "kubernetes-types/core/v1";
import {
  type ClientConfig,
  ConfigMaps,
  isAlreadyExists,
  Namespaces,
  Pods,
  RestClient,
} from "../../pkg/client/index.js";
import { type CpuProfile, hotSpotReport } from "./profile.js";
import { type Figure, figureLine, figuresTable, fmt, percentile, summarize } from "./stats.js";

const program = new Command()
  .name("bench-apiserver")
  .requiredOption("--etcd-servers <urls>", "comma-separated etcd client URLs")
  .requiredOption("--pki <dir>", "directory with ca.crt/key, apiserver.crt/key, admin.crt/key, sa.key/pub")
  .option("--dist <dir>", "compiled tree holding apiserver/main.js", "dist")
  .option("--out <dir>", "where logs and profiles go", ".tmp/bench-apiserver")
  .option("--results <file>", "markdown results file", "bench/apiserver/RESULTS.md")
  .option("--seconds <n>", "length of each create-throughput phase", "10")
  .option("--clients <n>", "concurrent create clients", "32")
  .option("--list-pods <n>", "pods in the listed namespace", "5000")
  .option("--total-pods <n>", "pods stored for the memory figure", "10000")
  .option("--watchers <n>", "watchers for the fan-out", "500")
  .option("--rounds <n>", "changes fanned out (and LIST samples)", "50")
  .option("--seed <how>", "how the pods for LIST and memory get stored: etcd (fast) or api", "etcd")
  .option(
    "--phases <list>",
    "which phases to run, comma-separated: create,list,watch,memory",
    "create,list,watch,memory",
  )
  .option("--note <text>", "a line added to the results (how the run was made)")
  .option("--cpu-prof", "run the apiserver under node --cpu-prof and print its hot spots", false);
program.parse(process.argv);
const o = program.opts<{
  etcdServers: string;
  pki: string;
  dist: string;
  out: string;
  results: string;
  seconds: string;
  clients: string;
  listPods: string;
  totalPods: string;
  watchers: string;
  rounds: string;
  cpuProf: boolean;
  phases: string;
  note?: string;
  seed: "etcd" | "api";
}>();

const ETCD = o.etcdServers.split(",").filter(Boolean);
const PHASE_MS = Number(o.seconds) * 1000;
const CLIENTS = Number(o.clients);
const LIST_PODS = Number(o.listPods);
const TOTAL_PODS = Number(o.totalPods);
const WATCHERS = Number(o.watchers);
const ROUNDS = Number(o.rounds);
const OUT = resolve(o.out);
const PHASES = new Set(o.phases.split(",").map((p) => p.trim()));
for (const p of PHASES) {
  if (!["create", "list", "watch", "memory"].includes(p)) throw new Error(`unknown phase ${p} in --phases`);
}
mkdirSync(OUT, { recursive: true });
const pki = (f: string) => join(o.pki, f);

const figures: Figure[] = [];
const notes: string[] = o.note ? [o.note] : [];
function report(f: Figure): void {
  figures.push(f);
  console.log(`  ${figureLine(f)}`);
}

// ------------------------------------------------------------------ the apiserver child

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a ? a.port : 0;
      s.close(() => res(port));
    });
  });
}

interface Apiserver {
  proc: ChildProcess;
  port: number;
}

async function startApiserver(port: number, tag: string): Promise<Apiserver> {
  const nodeArgs = o.cpuProf
    ? ["--cpu-prof", `--cpu-prof-dir=${OUT}`, `--cpu-prof-name=apiserver-${tag}.cpuprofile`]
    : [];
  const args = [
    ...nodeArgs,
    join(o.dist, "apiserver/main.js"),
    `--etcd-servers=${ETCD.join(",")}`,
    `--secure-port=${port}`,
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    `--tls-cert-file=${pki("apiserver.crt")}`,
    `--tls-private-key-file=${pki("apiserver.key")}`,
    `--client-ca-file=${pki("ca.crt")}`,
    `--service-account-key-file=${pki("sa.pub")}`,
    `--service-account-signing-key-file=${pki("sa.key")}`,
    "--service-cluster-ip-range=10.96.0.0/12",
    "--service-node-port-range=30000-32767",
  ];
  const log = createWriteStream(join(OUT, `apiserver-${tag}.log`));
  const proc = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  proc.stdout?.pipe(log);
  proc.stderr?.pipe(log);
  const a = { proc, port };
  const client = newClient(port, "readyz");
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      if (proc.exitCode !== null)
        throw new Error(`apiserver exited (${proc.exitCode}); see ${OUT}/apiserver-${tag}.log`);
      try {
        if ((await client.request<string>({ method: "GET", path: "/readyz" })) === "ok") break;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline)
        throw new Error(`apiserver not ready after 60 s; see ${OUT}/apiserver-${tag}.log`);
      await sleep(200);
    }
  } catch (err) {
    await stopApiserver(a); // never leave a child behind
    throw err;
  } finally {
    client.close();
  }
  return a;
}

async function stopApiserver(a: Apiserver): Promise<void> {
  const gone = () => a.proc.exitCode !== null || a.proc.signalCode !== null;
  if (gone()) return;
  const exited = new Promise<void>((r) => a.proc.once("exit", () => r()));
  a.proc.kill("SIGTERM");
  await Promise.race([exited, sleep(15_000)]);
  if (!gone()) {
    a.proc.kill("SIGKILL");
    await exited;
  }
}

/** VmRSS and VmHWM (peak) of a process, in MiB, from /proc. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

function newClient(port: number, agent: string): RestClient {
  const config: ClientConfig = {
    server: `https://127.0.0.1:${port}`,
    caData: readFileSync(pki("ca.crt")),
    certData: readFileSync(pki("admin.crt")),
    keyData: readFileSync(pki("admin.key")),
  };
  return new RestClient(config, { userAgent: `bench-apiserver/${agent}`, qps: 100_000, burst: 100_000 });
}

// ------------------------------------------------------------------ helpers

/** Runs `work` in `concurrency` loops until `until()` says stop; returns per-call latencies and errors. */
async function closedLoop(
  concurrency: number,
  until: (i: number) => boolean,
  work: (worker: number, i: number) => Promise<void>,
): Promise<{ latencies: number[]; errors: number; firstError?: string; elapsedMs: number }> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (;;) {
        const i = next++;
        if (until(i)) return;
        const s = performance.now();
        try {
          await work(w, i);
          latencies.push(performance.now() - s);
        } catch (err) {
          errors++;
          firstError ??= String(err);
        }
      }
    }),
  );
  return { latencies, errors, firstError, elapsedMs: performance.now() - t0 };
}

const forMs = (ms: number) => {
  const end = performance.now() + ms;
  return () => performance.now() >= end;
};

async function ensureNamespace(client: RestClient, name: string): Promise<void> {
  try {
    await client.resource(Namespaces).create({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}

/** A pod as a Deployment makes it, scheduled and running (status as the kubelet writes it). */
function podOf(namespace: string, i: number): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `web-5d8f7c9b6-${i.toString(36).padStart(5, "0")}`,
      namespace,
      labels: { app: "web", "pod-template-hash": "5d8f7c9b6" },
    },
    spec: {
      nodeName: `node-${(i % 3) + 1}`,
      containers: [
        {
          name: "nginx",
          image: "nginx:1.7.9",
          ports: [{ containerPort: 80, protocol: "TCP" }],
          resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { memory: "128Mi" } },
        },
      ],
    },
  };
}

function runningStatus(pod: Pod, i: number): Pod {
  const t = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const ip = `10.244.${i % 3}.${(i % 250) + 2}`;
  const cond = (type: string) => ({ type, status: "True", lastTransitionTime: t });
  return {
    ...pod,
    status: {
      phase: "Running",
      conditions: [
        "PodReadyToStartContainers",
        "Initialized",
        "Ready",
        "ContainersReady",
        "PodScheduled",
      ].map(cond),
      hostIP: `172.28.0.${101 + (i % 3)}`,
      hostIPs: [{ ip: `172.28.0.${101 + (i % 3)}` }],
      podIP: ip,
      podIPs: [{ ip }],
      startTime: t,
      qosClass: "Burstable",
      containerStatuses: [
        {
          name: "nginx",
          state: { running: { startedAt: t } },
          lastState: {},
          ready: true,
          restartCount: 0,
          image: "nginx:1.7.9",
          imageID: "docker://sha256:1d4a8b5e8fd4b2d2c5a9e0e8b2a6f1c0f0e2d3c4b5a69788796a5b4c3d2e1f0a",
          containerID: "docker://4b1e2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9",
          started: true,
        },
      ],
    },
  };
}

/**
 * Stores `count` running pods in `namespace`. The first goes through the API (create, then status as a
 * kubelet writes it); with --seed=etcd the others are copies of its stored form put straight into etcd,
 * 100 to a transaction (the watch cache takes them in as it would any write), with --seed=api all go
 * through the API with 32 requests in flight.
 */
async function createPods(
  client: RestClient,
  etcd: Etcd3,
  namespace: string,
  from: number,
  count: number,
): Promise<void> {
  const pods = client.resource(Pods, namespace);
  const t0 = performance.now();
  const viaApi = async (i: number) => {
    const created = await pods.create(podOf(namespace, i));
    await pods.updateStatus(runningStatus(created, i));
    return created;
  };
  const first = await viaApi(from);
  let r: Awaited<ReturnType<typeof closedLoop>>;
  if (o.seed === "api") {
    r = await closedLoop(
      CLIENTS,
      (i) => i >= count - 1,
      (_, i) => viaApi(from + 1 + i).then(() => undefined),
    );
  } else {
    const stored = await etcd.get(`/registry/pods/${namespace}/${first.metadata?.name}`).string();
    if (!stored) throw new Error(`pod ${first.metadata?.name} is not in etcd`);
    // The stored form, as plain JSON: only names, uid and addresses differ between the copies.
    type Json = Record<string, unknown>;
    const template = JSON.parse(stored) as { metadata: Json; spec: Json; status: Json };
    const copy = (i: number): [string, string] => {
      const fresh = runningStatus(podOf(namespace, i), i);
      const name = fresh.metadata?.name ?? "";
      const { hostIP, hostIPs, podIP, podIPs } = fresh.status ?? {};
      const p = {
        ...template,
        metadata: { ...template.metadata, name, uid: randomUUID() },
        spec: { ...template.spec, nodeName: fresh.spec?.nodeName },
        status: { ...template.status, hostIP, hostIPs, podIP, podIPs },
      };
      return [`/registry/pods/${namespace}/${name}`, JSON.stringify(p)];
    };
    const batches = Math.ceil((count - 1) / 100);
    r = await closedLoop(
      4,
      (b) => b >= batches,
      async (_, b) => {
        const puts = [];
        for (let i = from + 1 + b * 100; i < Math.min(from + count, from + 1 + (b + 1) * 100); i++) {
          const [key, value] = copy(i);
          puts.push(etcd.put(key).value(value));
        }
        await etcd
          .if(`/registry/pods/${namespace}/${first.metadata?.name}`, "Create", ">", 0)
          .then(...puts)
          .commit();
      },
    );
  }
  if (r.errors) throw new Error(`${r.errors} pod writes failed: ${r.firstError}`);
  const s = (performance.now() - t0) / 1000;
  const how =
    o.seed === "api" ? "create + status through the API" : "1 through the API, the rest copied into etcd";
  console.log(`  ${count} running pods in ${namespace}: ${s.toFixed(1)} s (${how})`);
}

// ------------------------------------------------------------------ 1. create throughput

async function benchCreates(port: number, etcd: Etcd3): Promise<void> {
  console.log(`\n1. create throughput, ${CLIENTS} concurrent clients, ${PHASE_MS / 1000} s per phase`);
  const clients = Array.from({ length: CLIENTS }, (_, w) => newClient(port, `create-${w}`));
  const cms = clients.map((c) => c.resource(ConfigMaps, "bench-create"));
  let seq = 0;
  const cm = (): ConfigMap => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `cm-${(seq++).toString(36)}`, namespace: "bench-create" },
    data: { "app.properties": "color=blue\nsize=small\n", mode: "production" },
  });
  const apiPhase = (ms: number) =>
    closedLoop(CLIENTS, forMs(ms), async (w) => void (await cms[w]!.create(cm())));
  await apiPhase(2000); // warm: JIT, connections, the namespace in the cache
  // The ceiling writes the bytes the apiserver stores for such a ConfigMap.
  const sample = await etcd.get("/registry/configmaps/bench-create/cm-0").string();
  if (!sample)
    throw new Error("the warm-up ConfigMap is not in etcd under /registry/configmaps/bench-create/cm-0");
  let rawSeq = 0;
  const rawPhase = (ms: number) =>
    closedLoop(
      CLIENTS,
      forMs(ms),
      async () => void (await etcd.put(`/bench/raw/cm-${(rawSeq++).toString(36)}`).value(sample)),
    );
  await rawPhase(1000);
  const raw1 = await rawPhase(PHASE_MS);
  const api = await apiPhase(PHASE_MS);
  const raw2 = await rawPhase(PHASE_MS);
  for (const c of clients) c.close();
  const rate = (r: { latencies: number[]; elapsedMs: number }) => r.latencies.length / (r.elapsedMs / 1000);
  const rawRate = (rate(raw1) + rate(raw2)) / 2;
  const rawLat = summarize([...raw1.latencies, ...raw2.latencies]);
  const apiLat = summarize(api.latencies);
  console.log(
    `  raw etcd put (${sample.length} B values): ${fmt(rate(raw1))} and ${fmt(rate(raw2))} /s (before/after), p50 ${fmt(rawLat.p50)} ms, p99 ${fmt(rawLat.p99)} ms`,
  );
  if (api.errors) console.log(`  ${api.errors} creates failed, first: ${api.firstError}`);
  report({
    name: "ConfigMap create rate, 32 clients",
    value: rate(api),
    unit: "/s",
    ceiling: { value: rawRate, label: "raw etcd put" },
    goal: { value: 0.5, kind: "atLeast", ratioGoal: true },
  });
  report({
    name: "ConfigMap create p99",
    value: apiLat.p99,
    unit: "ms",
    ceiling: { value: rawLat.p99, label: "raw put p99" },
    goal: { value: 50, kind: "atMost" },
  });
  notes.push(
    `Creates: ${apiLat.n} ConfigMaps in ${fmt(api.elapsedMs / 1000)} s (p50 ${fmt(apiLat.p50)} ms, ${api.errors} errors); raw puts of the same ${sample.length}-byte value: p50 ${fmt(rawLat.p50)} ms.`,
  );
  // Drop what the phases wrote, so the memory figure holds pods only (the cache sees the deletes).
  await etcd.delete().prefix("/registry/configmaps/bench-create/");
  await etcd.delete().prefix("/bench/");
}

// ------------------------------------------------------------------ 2. LIST

async function benchList(port: number, etcd: Etcd3): Promise<void> {
  console.log(`\n2. LIST of ${LIST_PODS} pods`);
  const client = newClient(port, "list");
  await createPods(client, etcd, "bench-list", 0, LIST_PODS);
  const path = "/api/v1/namespaces/bench-list/pods";
  // Time to the last byte of the response: what the apiserver costs, without the client's JSON decode.
  const drain = async (query: Record<string, string>) => {
    const res = await client.stream({ method: "GET", path, query });
    let bytes = 0;
    for await (const chunk of res.body) bytes += (chunk as Buffer).length;
    return bytes;
  };
  const timed = async (n: number, f: () => Promise<unknown>) => {
    const xs: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = performance.now();
      await f();
      xs.push(performance.now() - s);
    }
    return xs;
  };
  const bytes = await drain({});
  const decoded = await client.resource(Pods, "bench-list").list();
  if (decoded.items.length !== LIST_PODS)
    throw new Error(`LIST returned ${decoded.items.length} pods, not ${LIST_PODS}`);
  await timed(5, () => drain({}));
  const prefix = "/registry/pods/bench-list/";
  const etcdRange = () => etcd.getAll().prefix(prefix).strings();
  await timed(3, etcdRange);
  const consistent = summarize(await timed(ROUNDS, () => drain({})));
  const rv0 = summarize(await timed(ROUNDS, () => drain({ resourceVersion: "0" })));
  const withDecode = summarize(await timed(ROUNDS, () => client.resource(Pods, "bench-list").list()));
  const range = summarize(await timed(ROUNDS, etcdRange));
  client.close();
  console.log(
    `  response ${fmt(bytes / 1048576)} MiB; etcd range of the same keys p50 ${fmt(range.p50)} ms, p99 ${fmt(range.p99)} ms`,
  );
  report({
    name: `LIST ${LIST_PODS} pods p99 (resourceVersion unset, kubectl)`,
    value: consistent.p99,
    unit: "ms",
    ceiling: { value: range.p99, label: "etcd range p99" },
    goal: { value: 150, kind: "atMost" },
  });
  report({
    name: `LIST ${LIST_PODS} pods p99 (resourceVersion=0, informers)`,
    value: rv0.p99,
    unit: "ms",
    ceiling: { value: range.p99, label: "etcd range p99" },
    goal: { value: 150, kind: "atMost" },
  });
  report({
    name: `LIST ${LIST_PODS} pods p99 incl. client JSON decode`,
    value: withDecode.p99,
    unit: "ms",
    ceiling: { value: range.p99, label: "etcd range p99" },
  });
  notes.push(
    `LIST: ${ROUNDS} sequential requests each, response ${fmt(bytes / 1048576)} MiB; p50 ${fmt(consistent.p50)} ms (RV unset), ${fmt(rv0.p50)} ms (RV=0), ${fmt(withDecode.p50)} ms (with decode); etcd range p50 ${fmt(range.p50)} ms.`,
  );
}

// ------------------------------------------------------------------ 3. watch fan-out

interface FanOut {
  perRoundMax: number[];
  all: number[];
  missing: number;
}

/** Drives `rounds` changes; `arrivals[r]` is filled by the watchers; latency is from just before the write. */
async function fanOutRounds(
  rounds: number,
  watchers: number,
  arrivals: Map<number, number[]>,
  write: (round: number) => Promise<void>,
): Promise<FanOut & { writeMs: number[] }> {
  const perRoundMax: number[] = [];
  const all: number[] = [];
  const writeMs: number[] = [];
  let missing = 0;
  for (let r = 1; r <= rounds; r++) {
    const got: number[] = [];
    arrivals.set(r, got);
    const t0 = performance.now();
    await write(r);
    writeMs.push(performance.now() - t0);
    const deadline = performance.now() + 5000;
    while (got.length < watchers && performance.now() < deadline) await sleep(2);
    missing += watchers - got.length;
    const lat = got.map((t) => t - t0);
    all.push(...lat);
    perRoundMax.push(got.length < watchers ? Number.POSITIVE_INFINITY : Math.max(...lat));
    arrivals.delete(r);
    await sleep(50);
  }
  return { perRoundMax, all, missing, writeMs };
}

async function benchWatch(port: number, etcd: Etcd3): Promise<void> {
  console.log(`\n3. watch fan-out of one change to ${WATCHERS} watchers, ${ROUNDS} changes`);
  const writer = newClient(port, "watch-writer");
  const cms = writer.resource(ConfigMaps, "bench-watch");
  const target = await cms.create({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "target", namespace: "bench-watch" },
    data: { round: "0" },
  });
  const rv = target.metadata?.resourceVersion;
  // One client for all watchers: HTTP/1.1 keep-alive opens one connection per watch, as client-go does without h2.
  const watchClient = newClient(port, "watchers");
  const stop = new AbortController();
  setMaxListeners(WATCHERS + 10, stop.signal); // every watch listens on the one signal that ends them all
  const arrivals = new Map<number, number[]>();
  let watchErrors = 0;
  const loops = Array.from({ length: WATCHERS }, async () => {
    try {
      for await (const ev of watchClient
        .resource(ConfigMaps, "bench-watch")
        .watch({ resourceVersion: rv, signal: stop.signal })) {
        if (ev.type !== "MODIFIED") continue;
        const at = performance.now();
        arrivals.get(Number((ev.object as ConfigMap).data?.round))?.push(at);
      }
    } catch {
      if (!stop.signal.aborted) watchErrors++;
    }
  });
  const patch = (r: number) => cms.patch("target", { data: { round: String(r) } }).then(() => undefined);
  // Warm-up rounds: every watcher has received a change, so every stream is open before we measure.
  await fanOutRounds(5, WATCHERS, arrivals, (r) => patch(r + 10_000));
  const api = await fanOutRounds(ROUNDS, WATCHERS, arrivals, (r) => patch(r));
  stop.abort();
  await Promise.allSettled(loops);
  watchClient.close();
  writer.close();

  // The ceiling: the same fan-out done by etcd itself to as many watchers on one etcd3 client.
  const key = "/bench/watch/target";
  const etcdArrivals = new Map<number, number[]>();
  const etcdWatchers = await Promise.all(
    Array.from({ length: WATCHERS }, async () => {
      const w = await etcd.watch().key(key).create();
      w.on("put", (kv) => {
        const at = performance.now();
        etcdArrivals.get(Number(kv.value.toString()))?.push(at);
      });
      return w;
    }),
  );
  const put = async (r: number) => {
    await etcd.put(key).value(String(r));
  };
  await fanOutRounds(5, WATCHERS, etcdArrivals, (r) => put(r + 10_000));
  const raw = await fanOutRounds(ROUNDS, WATCHERS, etcdArrivals, put);
  await Promise.all(etcdWatchers.map((w) => w.cancel()));
  await etcd.delete().prefix("/bench/");

  const apiAll = summarize(api.all);
  const rawAll = summarize(raw.all);
  console.log(
    `  write (PATCH) p50 ${fmt(percentile(api.writeMs, 50))} ms; raw etcd put p50 ${fmt(percentile(raw.writeMs, 50))} ms; watch stream errors ${watchErrors}; undelivered ${api.missing}`,
  );
  report({
    name: `fan-out to ${WATCHERS} watchers, all delivered, p99 over changes`,
    value: percentile(api.perRoundMax, 99),
    unit: "ms",
    ceiling: { value: percentile(raw.perRoundMax, 99), label: `etcd to ${WATCHERS} etcd3 watchers` },
    goal: { value: 100, kind: "atMost" },
  });
  report({
    name: "fan-out, p99 of single deliveries",
    value: apiAll.p99,
    unit: "ms",
    ceiling: { value: rawAll.p99, label: "etcd" },
  });
  notes.push(
    `Fan-out: ${ROUNDS} merge-patches of one ConfigMap, each watched by ${WATCHERS} watches (one HTTPS connection each) from the bench process; latency from just before the PATCH is sent to each watcher's decoded event. Last delivery p50 ${fmt(percentile(api.perRoundMax, 50))} ms; single deliveries p50 ${fmt(apiAll.p50)} ms; ${api.missing} undelivered, ${watchErrors} stream errors. The etcd ceiling: the same rounds as puts of one key watched by ${WATCHERS} watchers of one etcd3 client (last delivery p50 ${fmt(percentile(raw.perRoundMax, 50))} ms).`,
  );
}

// ------------------------------------------------------------------ 4. memory

async function benchMemory(a: Apiserver, etcd: Etcd3): Promise<Apiserver | null> {
  const more = TOTAL_PODS - LIST_PODS;
  console.log(`\n4. memory with ${TOTAL_PODS} pods stored`);
  const client = newClient(a.port, "memory");
  if (!PHASES.has("list")) await createPods(client, etcd, "bench-list", 0, LIST_PODS);
  if (more > 0) await createPods(client, etcd, "bench-mem", LIST_PODS, more);
  const stored = await etcd.getAll().prefix("/registry/pods/").strings();
  const count = Object.keys(stored).length;
  const bytes = Object.values(stored).reduce((n, v) => n + v.length, 0);
  client.close();
  await sleep(10_000);
  const running = memoryOf(a.proc.pid as number);
  console.log(`  ${count} pods in etcd, ${fmt(bytes / 1048576)} MiB of JSON (${fmt(bytes / count)} B each)`);
  const scale = { value: bytes / 1048576, label: "pods' JSON in etcd, for scale" };
  report({
    name: `apiserver RSS, ${count} pods, after the load`,
    value: running.rss,
    unit: "MiB",
    ceiling: scale,
    goal: { value: 400, kind: "atMost" },
  });
  const seeded = o.seed === "api" ? "through the API" : "as copies of one API-created pod put into etcd";
  notes.push(
    `Memory: VmRSS from /proc 10 s after the last write, peak (VmHWM) over the run ${fmt(running.peak)} MiB. ${count} pods stored, ${fmt(bytes / count)} bytes of JSON each (running pods with status as a kubelet writes it; seeded ${seeded}).`,
  );
  // A fresh process loads the same state from etcd: the steady-state cost without the load's garbage.
  await stopApiserver(a);
  let b: Apiserver;
  try {
    b = await startApiserver(a.port, "restarted");
  } catch (err) {
    const why = `${err instanceof Error ? err.message : String(err)}`;
    console.log(`  the restarted apiserver did not become ready: ${why}`);
    notes.push(`Restart with ${count} pods stored: the apiserver did not become ready within 60 s (${why}).`);
    return null;
  }
  await sleep(10_000);
  const fresh = memoryOf(b.proc.pid as number);
  report({
    name: `apiserver RSS, ${count} pods, restarted`,
    value: fresh.rss,
    unit: "MiB",
    ceiling: scale,
    goal: { value: 400, kind: "atMost" },
  });
  notes.push(`After the restart (state loaded from etcd): peak ${fmt(fresh.peak)} MiB.`);
  return b;
}

// ------------------------------------------------------------------ main

function writeResults(started: Date, load: number[]): void {
  const cmd = "npx tsc -p tsconfig.json && bash bench/apiserver/run.sh";
  const text = [
    "## API server (issue 4)",
    "",
    `Measured ${started.toISOString().slice(0, 16).replace("T", " ")} UTC on ${cpus().length} cores, ${fmt(totalmem() / 2 ** 30)} GiB (load average ${load.map((x) => x.toFixed(1)).join(" ")} at the start). ` +
      "A private 3-member etcd 3.4 cluster (tskube/etcd:3.4 on Docker network bench-etcd); the apiserver as a child process on " +
      "127.0.0.1 (HTTPS, client certificates); clients are pkg/client's RestClient (HTTPS keep-alive, HTTP/1.1) in one bench " +
      "process on the same machine. Every ceiling is taken by the same etcd3 client in the same run. Command: " +
      `\`${cmd}\` (options: \`bash bench/apiserver/run.sh --help\`).`,
    "",
    figuresTable(figures),
    "",
    `Load average at the end: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")}. The bench process, the apiserver and the three etcd members share the machine's cores.`,
    "",
    ...notes.map((n) => `- ${n}`),
    "",
  ].join("\n");
  writeFileSync(o.results, text);
  console.log(`\nresults written to ${o.results}`);
}

async function main(): Promise<void> {
  const started = new Date();
  const load = loadavg();
  console.log(
    `apiserver benchmark: etcd ${ETCD.join(",")}; load average ${load.map((x) => x.toFixed(1)).join(" ")}`,
  );
  const etcd = new Etcd3({ hosts: ETCD, grpcOptions: { "grpc.max_receive_message_length": -1 } });
  let a: Apiserver | null = await startApiserver(await freePort(), "main");
  try {
    const admin = newClient(a.port, "setup");
    for (const ns of ["bench-create", "bench-list", "bench-mem", "bench-watch"])
      await ensureNamespace(admin, ns);
    admin.close();
    // One phase at a time (with --cpu-prof) gives a profile of that phase alone.
    if (PHASES.has("create")) await benchCreates(a.port, etcd);
    if (PHASES.has("list")) await benchList(a.port, etcd);
    if (PHASES.has("watch")) await benchWatch(a.port, etcd);
    if (PHASES.has("memory")) a = await benchMemory(a, etcd);
  } catch (err) {
    // Keep what was measured: the figures so far go to the results with the reason the run stopped.
    notes.push(`The run stopped early: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
    console.error(err);
  } finally {
    if (a) await stopApiserver(a);
    etcd.close();
  }
  writeResults(started, load);
  if (o.cpuProf) {
    for (const f of readdirSync(OUT).filter((f) => f.endsWith(".cpuprofile"))) {
      const p = join(OUT, f);
      if (!existsSync(p)) continue;
      console.log(`\nCPU profile ${p}`);
      console.log(hotSpotReport(JSON.parse(readFileSync(p, "utf8")) as CpuProfile, 25));
    }
  }
}

await main();
