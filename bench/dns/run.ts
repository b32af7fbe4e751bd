// DNS benchmark (issue 8): queries per second the cluster DNS server answers on one core, and latency at
// the goal rate, measured with dnsperf (a real DNS load tool) on loopback. The server (server.ts) runs in
// a process of its own with the DNS pod's Node options, so that this process (starting dnsperf, reading
// its per-query output) never shares its event loop; dnsperf writes to a file, read once it has finished.
// The view holds 1,000 services (view.ts); the query mix is service A, headless A, SRV, PTR and NXDOMAIN.
// Latency is measured twice at the goal rate: with the view unchanged, and with the view changing as a
// busy cluster changes it (an EndpointSlice update every 1/churn s, as the informers deliver them).
// Next to each figure: what the server saw (CPU per query, GC, event-loop delay) and how long it waited
// for a CPU, because on a shared machine that, not the server, can make the tail.
//   node dist/bench/dns/run.js [--seconds 10] [--churn 10] [--node-options "--max-semi-space-size=2"]
import { type ChildProcess, fork, spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { percentile } from "../apiserver/stats.js";
import { parseSummary, parseVerbose } from "./dnsperf.js";
import type { FromServer, ServerReport, ToServer } from "./server.js";
import { benchView } from "./view.js";

const GOAL_QPS = 20_000;
const GOAL_P99_MS = 5;
/** What the DNS pod's node runs with: the image's NODE_OPTIONS (deploy/images/tskube/Dockerfile). */
const POD_NODE_OPTIONS = "--max-semi-space-size=2";

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const seconds = Number(flag("--seconds", "10"));
if (!Number.isFinite(seconds) || seconds <= 0) throw new Error("--seconds must be a positive number");
const churnPerSecond = Number(flag("--churn", "10"));
if (!Number.isFinite(churnPerSecond) || churnPerSecond < 0) throw new Error("--churn must be >= 0");
const nodeOptions = flag("--node-options", POD_NODE_OPTIONS).split(/\s+/).filter(Boolean);

/** Runs dnsperf with its output going straight to `outFile`; resolves with that output. */
function dnsperf(args: string[], outFile: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const fd = openSync(outFile, "w");
    const child = spawn("dnsperf", args, { stdio: ["ignore", fd, fd] });
    closeSync(fd);
    child.on("error", (e) =>
      reject(new Error(`dnsperf is not installed (apt-get install dnsperf): ${e.message}`)),
    );
    child.on("close", (code) => {
      const out = readFileSync(outFile, "utf8");
      if (code === 0) resolve(out);
      else reject(new Error(`dnsperf exited ${code}: ${out.slice(-2000)}`));
    });
  });
}

/** Cumulative microseconds some task waited for a CPU on this machine (Linux PSI), or undefined. */
function cpuPressureUs(): number | undefined {
  try {
    const m = /^some .*total=(\d+)/m.exec(readFileSync("/proc/pressure/cpu", "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

class ServerProcess {
  private readonly child: ChildProcess;
  private waiting?: (m: FromServer) => void;

  constructor() {
    const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "server.js");
    this.child = fork(script, [], {
      execArgv: nodeOptions,
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    this.child.on("message", (m: FromServer) => this.waiting?.(m));
    this.child.on("exit", (code) => {
      if (code !== 0 && code !== null) console.error(`DNS server process exited ${code}`);
    });
  }

  private next(): Promise<FromServer> {
    return new Promise((resolve, reject) => {
      this.child.once("exit", () => reject(new Error("DNS server process ended")));
      this.waiting = resolve;
    });
  }

  async ready(): Promise<number> {
    const m = await this.next();
    if (!("ready" in m)) throw new Error("unexpected message from the DNS server process");
    return m.port;
  }

  tell(m: ToServer): void {
    this.child.send(m);
  }

  async report(): Promise<ServerReport> {
    const reply = this.next();
    this.tell({ cmd: "report" });
    const m = await reply;
    if (!("report" in m)) throw new Error("unexpected message from the DNS server process");
    return m.report;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.child.once("exit", () => resolve());
      this.tell({ cmd: "stop" });
    });
  }
}

interface PhaseResult {
  out: string;
  server: ServerReport;
  /** Share of the phase during which some task on the machine waited for a CPU (PSI "some"), or -1. */
  machinePressure: number;
}

async function phase(server: ServerProcess, args: string[], outFile: string): Promise<PhaseResult> {
  const p0 = cpuPressureUs();
  const t0 = process.hrtime.bigint();
  server.tell({ cmd: "measure" });
  const out = await dnsperf(args, outFile);
  const report = await server.report();
  const elapsedUs = Number(process.hrtime.bigint() - t0) / 1000;
  const p1 = cpuPressureUs();
  return {
    out,
    server: report,
    machinePressure: p0 !== undefined && p1 !== undefined ? (p1 - p0) / elapsedUs : -1,
  };
}

const pct = (x: number): string => (x < 0 ? "n/a" : `${(x * 100).toFixed(0)}%`);

function serverLine(r: PhaseResult): string {
  const s = r.server;
  return (
    `    server: ${s.cpuPerQueryUs.toFixed(1)} µs CPU/query, waited for a CPU ${pct(s.cpuWaitShare)} of the time` +
    ` (machine CPU pressure ${pct(r.machinePressure)}); GC ${s.gcCount} pauses, max ${s.gcMaxMs.toFixed(1)} ms,` +
    ` total ${s.gcTotalMs.toFixed(0)} ms; event-loop delay max ${s.loopDelayMaxMs.toFixed(1)} ms` +
    (s.viewChanges ? `; ${s.viewChanges} view changes` : "")
  );
}

function latencyLine(label: string, r: PhaseResult): string {
  const { latencies, lost } = parseVerbose(r.out);
  const f = (p: number): string => percentile(latencies, p).toFixed(2);
  return (
    `  latency at ${GOAL_QPS} qps, ${label}: p50 ${f(50)} ms  p99 ${f(99)} ms  p99.9 ${f(99.9)} ms` +
    `  max ${f(100)} ms  goal p99 < ${GOAL_P99_MS} ms  (${latencies.length} answers, ${lost} lost)`
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "tskube-dnsperf-"));
  const { questions } = benchView();
  const data = path.join(dir, "questions.txt");
  writeFileSync(data, `${questions.join("\n")}\n`);
  const out = path.join(dir, "dnsperf.out");

  const server = new ServerProcess();
  try {
    const port = String(await server.ready());
    const common = ["-s", "127.0.0.1", "-p", port, "-d", data, "-T", "1"];

    // 1. Throughput: as fast as the server answers (this also warms the answer cache and the JIT).
    const max = await phase(server, [...common, "-l", String(seconds), "-c", "8", "-q", "500"], out);
    const { qps, lost } = parseSummary(max.out);

    // 2. Latency at the goal rate, every query's latency from dnsperf -v: the view unchanged, then changing.
    const paced = [...common, "-l", String(Math.min(seconds, 5)), "-c", "4", "-q", "200"];
    paced.push("-Q", String(GOAL_QPS), "-v");
    const steady = await phase(server, paced, out);
    server.tell({ cmd: "churn", perSecond: churnPerSecond });
    const churning = churnPerSecond > 0 ? await phase(server, paced, out) : undefined;
    server.tell({ cmd: "churn", perSecond: 0 });

    console.log(
      `DNS (1,000 services, ${questions.length} distinct questions; server in its own process, node ${nodeOptions.join(" ")}; dnsperf on loopback)`,
    );
    console.log(
      `  throughput: ${qps.toFixed(0)} qps (lost ${lost})  goal ${GOAL_QPS}  ratio ${(qps / GOAL_QPS).toFixed(2)}`,
    );
    console.log(serverLine(max));
    console.log(latencyLine("view unchanged", steady));
    console.log(serverLine(steady));
    if (churning) {
      console.log(latencyLine(`${churnPerSecond} view changes/s`, churning));
      console.log(serverLine(churning));
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
