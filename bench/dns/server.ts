// The DNS benchmark's server process: the cluster DNS server (dns/server.ts) with the benchmark's view,
// started as dns/main.ts starts it, in a process of its own so that nothing the benchmark does (running
// dnsperf, reading its output) shares its event loop. run.ts starts it with the DNS pod's Node options and
// talks to it over the IPC channel: "measure" starts a phase, "report" ends it and sends what the server
// saw (GC pauses, event-loop delay, CPU per query, time spent waiting for a CPU), "churn" changes the view
// n times a second, "stop" ends the process.
import { readFileSync } from "node:fs";
import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import { DnsServer } from "../../dns/server.js";
import { newLogger } from "../../pkg/util/log.js";
import { benchView, churn } from "./view.js";

export type ToServer =
  | { cmd: "measure" }
  | { cmd: "report" }
  | { cmd: "churn"; perSecond: number }
  | { cmd: "stop" };

export interface ServerReport {
  queries: number;
  /** CPU time of the whole process (all threads) per query, microseconds. */
  cpuPerQueryUs: number;
  /** Share of the phase the main thread was runnable but waiting for a CPU (Linux schedstat), or -1. */
  cpuWaitShare: number;
  gcCount: number;
  gcTotalMs: number;
  gcMaxMs: number;
  /** Event-loop delay beyond the monitor's 10 ms period: max and p99, ms. */
  loopDelayMaxMs: number;
  loopDelayP99Ms: number;
  viewChanges: number;
}

export type FromServer = { ready: true; port: number } | { report: ServerReport };

/** Main thread's [run ns, wait ns] from /proc/self/schedstat; undefined off Linux. */
function schedstat(): [number, number] | undefined {
  try {
    const [run, wait] = readFileSync("/proc/self/schedstat", "utf8").split(" ").map(Number);
    return [run, wait];
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const { view } = benchView();
  const server = new DnsServer(view, {
    port: 0,
    host: "127.0.0.1",
    upstreams: [],
    logger: newLogger("dns"),
  });
  await server.start();

  let gc = { count: 0, total: 0, max: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.count++;
      gc.total += e.duration;
      gc.max = Math.max(gc.max, e.duration);
    }
  }).observe({ entryTypes: ["gc"] });
  const loop = monitorEventLoopDelay();
  loop.enable();

  let start = { at: process.hrtime.bigint(), cpu: process.cpuUsage(), sched: schedstat(), queries: 0 };
  let changes = 0; // this phase's
  let churned = 0; // since the start, so that every change is a new one
  let churnTimer: NodeJS.Timeout | undefined;
  const send = (m: FromServer): void => {
    process.send?.(m);
  };

  process.on("message", (m: ToServer) => {
    if (m.cmd === "measure") {
      gc = { count: 0, total: 0, max: 0 };
      loop.reset();
      changes = 0;
      start = {
        at: process.hrtime.bigint(),
        cpu: process.cpuUsage(),
        sched: schedstat(),
        queries: server.stats.queries,
      };
    } else if (m.cmd === "report") {
      const elapsedNs = Number(process.hrtime.bigint() - start.at);
      const cpu = process.cpuUsage(start.cpu);
      const sched = schedstat();
      const queries = server.stats.queries - start.queries;
      send({
        report: {
          queries,
          cpuPerQueryUs: queries ? (cpu.user + cpu.system) / queries : 0,
          cpuWaitShare: sched && start.sched ? (sched[1] - start.sched[1]) / elapsedNs : -1,
          gcCount: gc.count,
          gcTotalMs: gc.total,
          gcMaxMs: gc.max,
          loopDelayMaxMs: loop.count ? loop.max / 1e6 : 0,
          loopDelayP99Ms: loop.count ? loop.percentile(99) / 1e6 : 0,
          viewChanges: changes,
        },
      });
    } else if (m.cmd === "churn") {
      if (churnTimer) clearInterval(churnTimer);
      churnTimer = undefined;
      if (m.perSecond > 0) {
        churnTimer = setInterval(() => {
          churn(view, churned++);
          changes++;
        }, 1000 / m.perSecond);
      }
    } else if (m.cmd === "stop") {
      if (churnTimer) clearInterval(churnTimer);
      void server.stop().then(() => process.exit(0));
    }
  });
  send({ ready: true, port: server.address().udp });
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
