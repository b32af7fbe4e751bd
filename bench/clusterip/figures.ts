// Pure helpers for the ClusterIP benchmark (issue 8): the objects it creates, the order of the
// measurements, the load worker's report, medians over rounds, the ratio ClusterIP/pod and the table that
// both the console and RESULTS.md show.
import type { Deployment } from "kubernetes-types/apps/v1";
import type { Namespace, Service } from "kubernetes-types/core/v1";
import { percentile } from "../apiserver/stats.js";

/** The goal of issue 8: requests per second through a ClusterIP at least 90% of those straight to the pod. */
export const GOAL_RATIO = 0.9;

export type Target = "pod" | "clusterip";
export type KeepAlive = "off" | "on";

export const TARGET_LABEL: Record<Target, string> = { pod: "pod IP", clusterip: "ClusterIP" };

/** What one load run (load.ts) reports on its last stdout line, as JSON. */
export interface LoadReport {
  /** Responses with a 2xx status, counted when their headers arrive. */
  responses: number;
  /** Wall time of the run, s. */
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Connection errors and timeouts (each ends a request without a response). */
  errors: number;
  timeouts: number;
  non2xx: number;
  /** Requests autocannon wrote (responses + those in flight or lost). */
  sent: number;
}

export interface Measurement {
  keepAlive: KeepAlive;
  target: Target;
  round: number;
  report: LoadReport;
  /** SYNs the client's node retransmitted during the run (each a connection that waited >= 1 s). */
  synRetrans: number;
}

/** A TcpExt counter from /proc/net/netstat (a header line of names, then a line of values); NaN if absent. */
export function tcpExtCounter(netstat: string, name: string): number {
  const lines = netstat.split("\n").filter((l) => l.startsWith("TcpExt:"));
  const names = lines[0]?.split(/\s+/) ?? [];
  const values = lines[1]?.split(/\s+/) ?? [];
  const i = names.indexOf(name);
  return i > 0 && values[i] !== undefined ? Number(values[i]) : Number.NaN;
}

/**
 * The objects the benchmark creates: its namespace, one nginx pod pinned to `serverNode`, a ClusterIP on
 * port 80. With `directPort` other than 80 the same nginx also answers there (a second server block, same
 * files), for the pod-IP runs: a diagnostic, so that the two paths share no server-side 4-tuple (TIME_WAIT
 * sockets of one path cannot meet SYNs of the other). It did not change the result (RESULTS.md).
 */
export function manifests(
  namespace: string,
  serverNode: string,
  image: string,
  directPort = 80,
): [Namespace, Deployment, Service] {
  const labels = { app: "cipbench-web" };
  const directConf = `server { listen ${directPort}; location / { root /usr/share/nginx/html; index index.html; } }`;
  const command =
    directPort === 80
      ? undefined
      : ["sh", "-c", `echo '${directConf}' > /etc/nginx/conf.d/direct.conf && exec nginx -g 'daemon off;'`];
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            nodeSelector: { "kubernetes.io/hostname": serverNode },
            terminationGracePeriodSeconds: 1,
            containers: [
              {
                name: "nginx",
                image,
                imagePullPolicy: "IfNotPresent",
                ...(command ? { command } : {}),
                ports: [
                  { containerPort: 80, name: "http" },
                  ...(directPort === 80 ? [] : [{ containerPort: directPort, name: "direct" }]),
                ],
                readinessProbe: { httpGet: { path: "/", port: 80 }, periodSeconds: 2 },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace },
      spec: { type: "ClusterIP", selector: labels, ports: [{ name: "http", port: 80, targetPort: 80 }] },
    },
  ];
}

/**
 * The targets of round `round` (0-based): pod first in even rounds, ClusterIP first in odd ones (ABBA),
 * so that a drift of the shared machine's load over a mode's rounds weighs on both targets alike.
 */
export function orderOf(round: number): Target[] {
  return round % 2 === 0 ? ["pod", "clusterip"] : ["clusterip", "pod"];
}

/** The report on the last non-empty line of the load worker's stdout; throws if there is none. */
export function parseLoadReport(stdout: string): LoadReport {
  const line = stdout.trim().split("\n").pop() ?? "";
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new Error(`load worker printed no report: ${JSON.stringify(stdout.slice(-300))}`);
  }
  const keys: (keyof LoadReport)[] = [
    "responses",
    "seconds",
    "rps",
    "p50Ms",
    "p99Ms",
    "errors",
    "timeouts",
    "non2xx",
    "sent",
  ];
  if (typeof v !== "object" || v === null) throw new Error(`load report is not an object: ${line}`);
  const o = v as Record<string, unknown>;
  for (const k of keys) {
    // JSON turns NaN (no samples) into null.
    if (o[k] === null) o[k] = Number.NaN;
    if (typeof o[k] !== "number") throw new Error(`load report lacks ${k}: ${line}`);
  }
  return o as unknown as LoadReport;
}

/** The latency figures of one run from its per-request latencies (ms). */
export function latencyOf(samples: readonly number[]): { p50Ms: number; p99Ms: number } {
  return { p50Ms: percentile(samples, 50), p99Ms: percentile(samples, 99) };
}

/** The median (mean of the two middle values for an even count); NaN for none. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** ClusterIP over pod; NaN when the pod figure is missing or zero. */
export function ratio(clusterip: number, pod: number): number {
  return pod > 0 && Number.isFinite(pod) && Number.isFinite(clusterip) ? clusterip / pod : Number.NaN;
}

/** One cell of the table: the medians of a mode and target over its rounds. */
export interface Row {
  keepAlive: KeepAlive;
  target: Target;
  rounds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Every round's req/s, in round order. */
  rpsByRound: number[];
  /** Errors, timeouts and non-2xx responses over all rounds. */
  failures: number;
  /** SYN retransmits over all rounds. */
  synRetrans: number;
}

export function rowsOf(ms: readonly Measurement[]): Row[] {
  const rows: Row[] = [];
  for (const keepAlive of ["off", "on"] as const) {
    for (const target of ["pod", "clusterip"] as const) {
      const mine = ms
        .filter((m) => m.keepAlive === keepAlive && m.target === target)
        .sort((a, b) => a.round - b.round);
      if (mine.length === 0) continue;
      rows.push({
        keepAlive,
        target,
        rounds: mine.length,
        rps: median(mine.map((m) => m.report.rps)),
        p50Ms: median(mine.map((m) => m.report.p50Ms)),
        p99Ms: median(mine.map((m) => m.report.p99Ms)),
        rpsByRound: mine.map((m) => m.report.rps),
        failures: mine.reduce((n, m) => n + m.report.errors + m.report.timeouts + m.report.non2xx, 0),
        synRetrans: mine.reduce((n, m) => n + m.synRetrans, 0),
      });
    }
  }
  return rows;
}

/** ClusterIP/pod of the medians for one mode, or NaN if a target is missing. */
export function ratioOfMode(rows: readonly Row[], keepAlive: KeepAlive): number {
  const pod = rows.find((r) => r.keepAlive === keepAlive && r.target === "pod");
  const cip = rows.find((r) => r.keepAlive === keepAlive && r.target === "clusterip");
  return pod && cip ? ratio(cip.rps, pod.rps) : Number.NaN;
}

const f0 = (x: number): string => (Number.isFinite(x) ? x.toFixed(0) : "n/a");
const f2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : "n/a");
const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : "n/a");

/** The results as a Markdown table (the console prints the same text). */
export function table(rows: readonly Row[], goal = GOAL_RATIO): string {
  const out = [
    "| keep-alive | target | req/s (median) | req/s by round | p50 ms | p99 ms | failed | SYN retx | ClusterIP/pod | goal |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of rows) {
    const isCip = r.target === "clusterip";
    const q = ratioOfMode(rows, r.keepAlive);
    const verdict = !isCip ? "" : Number.isFinite(q) && q >= goal ? `≥ ${goal} met` : `≥ ${goal} MISSED`;
    out.push(
      `| ${r.keepAlive} | ${TARGET_LABEL[r.target]} | ${f0(r.rps)} | ${r.rpsByRound.map(f0).join(", ")} | ` +
        `${f2(r.p50Ms)} | ${f2(r.p99Ms)} | ${r.failures} | ${f0(r.synRetrans)} | ${isCip ? f3(q) : ""} | ${verdict} |`,
    );
  }
  return out.join("\n");
}
