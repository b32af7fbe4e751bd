// The load generator of the ClusterIP benchmark: autocannon against one URL, run by run.ts inside node-1's
// network namespace (nsenter -n), so that its connections leave through that node's kube-proxy rules.
// Prints one JSON line (a LoadReport) at the end.
//   node dist/bench/clusterip/load.js --url http://10.96.0.20/ [--seconds 10] [--connections 12]
//        [--keepalive off|on] [--probe 60]   (--probe: only wait until one GET answers 2xx, up to N s)
//
// Keep-alive off: every request on a connection of its own (reconnectRate 1), with "Connection: close" so
// that nginx closes too and part of the TIME_WAIT sockets stay on its side: the client has 28k ephemeral
// ports per destination for 60 s, which 2,500 new connections a second would use up within the runs (run.ts
// prints how many the client held). autocannon 9 does not count a response that ends a connection it then
// resets (its 'response' event is skipped), so both modes are counted here, from each connection's
// 'request' and 'headers' events: one request at a time per connection (pipelining 1), latency = request
// written (before the TCP handshake when the connection is new) to response headers parsed.
import http from "node:http";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { type LoadReport, latencyOf } from "./figures.js";

/** The part of autocannon's per-connection client used here (autocannon ships no types). */
interface AutocannonClient {
  on(event: "request", listener: () => void): void;
  on(event: "headers", listener: (info: unknown) => void): void;
}
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  pipelining: number;
  reconnectRate?: number;
  headers?: Record<string, string>;
  setupClient: (client: AutocannonClient) => void;
}
interface AutocannonResult {
  errors: number;
  timeouts: number;
  requests: { sent: number };
}
type Autocannon = (
  opts: AutocannonOptions,
  done: (err: Error | null, result: AutocannonResult) => void,
) => unknown;

const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? (process.argv[i + 1] as string) : fallback;
}

/** The status code of a parsed response head (http-parser-js hands autocannon an info object). */
function statusOf(info: unknown): number | undefined {
  const s = (info as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === "number" ? s : undefined;
}

async function load(
  url: string,
  seconds: number,
  connections: number,
  keepAlive: boolean,
): Promise<LoadReport> {
  const latencies: number[] = [];
  let non2xx = 0;
  const setupClient = (client: AutocannonClient): void => {
    let sentAt = 0;
    client.on("request", () => {
      sentAt = performance.now();
    });
    client.on("headers", (info) => {
      const status = statusOf(info) ?? 200;
      if (status >= 200 && status < 300) latencies.push(performance.now() - sentAt);
      else non2xx++;
    });
  };
  const t0 = performance.now();
  const result = await new Promise<AutocannonResult>((resolve, reject) => {
    autocannon(
      {
        url,
        connections,
        duration: seconds,
        pipelining: 1,
        setupClient,
        ...(keepAlive ? {} : { reconnectRate: 1, headers: { connection: "close" } }),
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
  });
  const elapsed = (performance.now() - t0) / 1000;
  return {
    responses: latencies.length,
    seconds: elapsed,
    rps: latencies.length / elapsed,
    ...latencyOf(latencies),
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx,
    sent: result.requests.sent,
  };
}

function getOnce(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
  });
}

/** Waits until `url` answers 2xx (kube-proxy on this node may not have synced the service yet). */
async function probe(url: string, timeoutS: number): Promise<void> {
  const deadline = Date.now() + timeoutS * 1000;
  for (let delay = 200; ; delay = Math.min(delay * 2, 2000)) {
    const status = await getOnce(url);
    if (status >= 200 && status < 300) return;
    if (Date.now() > deadline)
      throw new Error(`${url} did not answer within ${timeoutS} s (last status ${status})`);
    await new Promise((r) => setTimeout(r, delay));
  }
}

async function main(): Promise<void> {
  const url = flag("--url", "");
  if (!url) throw new Error("--url is required");
  if (process.argv.includes("--probe")) {
    await probe(url, Number(flag("--probe", "60")));
    console.log(JSON.stringify({ ok: true }));
    return;
  }
  const keepAlive = flag("--keepalive", "off");
  if (keepAlive !== "on" && keepAlive !== "off") throw new Error("--keepalive must be on or off");
  const report = await load(
    url,
    Number(flag("--seconds", "10")),
    Number(flag("--connections", "12")),
    keepAlive === "on",
  );
  console.log(JSON.stringify(report));
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
