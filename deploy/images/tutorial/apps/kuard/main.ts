// kuard ("Kubernetes Up and Running" demo app) for gcr.io/kuar-demo/kuard-amd64:1, :2, :blue, :green,
// :purple (KUARD_VERSION names the image's version). Serves on :8080 (and on :8443 when /tls holds
// kuard.crt and kuard.key); the routes are in request.ts, the pieces in the modules next to this one.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import os from "node:os";
import { exitOnSignals, goLog, readBody, safe } from "../shared/server.js";
import { DnsQueryError, dnsQuery } from "./dnsquery.js";
import { type FlagSpec, flagUsage, parseFlags } from "./flags.js";
import { serveFs } from "./fsbrowser.js";
import { KeyGen, type KeygenConfig } from "./keygen.js";
import { errEmptyQueue, MemqBroker, MemqError } from "./memq.js";
import { Probe } from "./probe.js";
import { dumpRequest, routeOf } from "./request.js";
import { renderPage, versionColor } from "./ui.js";

const version = process.env.KUARD_VERSION ?? "v0.10.0-1";

const flagSpecs: FlagSpec[] = [
  { name: "address", default: ":8080", usage: "The address to serve on" },
  { name: "debug", default: false, usage: "Debug/devel mode" },
  {
    name: "debug-sitedata-dir",
    default: "./sitedata",
    usage: "When in debug/dev mode, directory to find the static assets.",
  },
  { name: "keygen-enable", default: false, usage: "Enable KeyGen workload" },
  { name: "keygen-exit-code", default: 0, usage: "Exit code when workload complete" },
  { name: "keygen-exit-on-complete", default: false, usage: "Exit after workload is complete" },
  {
    name: "keygen-memq-queue",
    default: "",
    usage: "The MemQ server queue to use. If MemQ is used, other limits are ignored.",
  },
  {
    name: "keygen-memq-server",
    default: "",
    usage: "The MemQ server to draw work items from.  If MemQ is used, other limits are ignored.",
  },
  { name: "keygen-num-to-gen", default: 0, usage: "The number of keys to generate. Set to 0 for infinite" },
  { name: "keygen-time-to-run", default: 0, usage: "The target run time in seconds. Set to 0 for infinite" },
  { name: "tls-address", default: ":8443", usage: "The address to serve TLS on" },
  { name: "tls-dir", default: "/tls", usage: "The directory to find TLS certificates" },
];

const parsed = parseFlags(process.argv.slice(2), flagSpecs);
if (parsed.kind !== "ok") {
  if (parsed.kind === "error") process.stderr.write(`${parsed.message}\n`);
  process.stderr.write(flagUsage("/kuard", flagSpecs));
  process.exit(parsed.kind === "help" ? 0 : 2);
}
const flag = (name: string) => parsed.values.get(name)!;
const keygenConfig: KeygenConfig = {
  enable: flag("keygen-enable") as boolean,
  numToGen: flag("keygen-num-to-gen") as number,
  timeToRun: flag("keygen-time-to-run") as number,
  memQServer: flag("keygen-memq-server") as string,
  memQQueue: flag("keygen-memq-queue") as string,
  exitOnComplete: flag("keygen-exit-on-complete") as boolean,
  exitCode: flag("keygen-exit-code") as number,
};

const probes = { healthy: new Probe("/healthy"), ready: new Probe("/ready") };
const broker = new MemqBroker(() => randomBytes(16).toString("hex"));
const keygen = new KeyGen();
let leaks: Buffer[] = [];
let totalAlloc = 0;

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Cache-Control": "no-cache, private, max-age=0",
    Expires: "Thu, 01 Jan 1970 00:00:00 UTC",
    Pragma: "no-cache",
  });
  res.end(`${JSON.stringify(body)}\n`);
}

function text(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" }).end(body);
}

function ipv4Addrs(): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && a.family === "IPv4" && !a.internal)
    .map((a) => a!.address);
}

function memStats() {
  const m = process.memoryUsage();
  const alloc = m.heapUsed + m.external;
  return {
    Alloc: alloc,
    TotalAlloc: totalAlloc + m.heapUsed,
    Sys: m.rss,
    HeapAlloc: m.heapUsed,
    HeapSys: m.heapTotal,
    HeapInuse: m.heapUsed,
    External: m.external,
    Leaked: leaks.reduce((n, b) => n + b.length, 0),
  };
}

/** The client as Go prints it: "10.244.1.1:53412" (no IPv4-mapped prefix). */
function remoteAddr(req: http.IncomingMessage): string {
  return `${(req.socket.remoteAddress ?? "").replace(/^::ffff:/, "")}:${req.socket.remotePort}`;
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  goLog(`${remoteAddr(req)} ${req.method} ${req.url}`);
  const url = new URL(req.url ?? "/", "http://kuard");
  const routed = routeOf(url.pathname);
  if (!routed) return text(res, 404, "404 page not found\n");
  if (!routed.methods.includes(req.method ?? "")) {
    res.setHeader("Allow", routed.methods.join(", "));
    return text(res, 405, "Method Not Allowed\n");
  }
  const { route, urlBase } = routed;
  switch (route.kind) {
    case "page": {
      const page = renderPage({
        urlBase,
        hostname: os.hostname(),
        addrs: ipv4Addrs(),
        version,
        versionColor: versionColor(version),
        requestDump: dumpRequest(req.method ?? "GET", req.url ?? "/", req.httpVersion, req.rawHeaders),
        requestProto: `HTTP/${req.httpVersion}`,
        requestAddr: remoteAddr(req),
      });
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(page);
      return;
    }
    case "probe": {
      const probe = probes[route.probe];
      if (!route.api) {
        const { status, body } = probe.check(new Date());
        return text(res, status, body);
      }
      if (req.method === "PUT" || req.method === "POST") {
        // The UI sends {"failNext": N}; `curl -X PUT .../healthy/api?failNext=-1` works too.
        const fromQuery = url.searchParams.get("failNext");
        let failNext: number;
        if (fromQuery !== null) failNext = Number(fromQuery);
        else {
          try {
            failNext = Number(
              (JSON.parse((await readBody(req)) || "{}") as { failNext?: unknown }).failNext ?? 0,
            );
          } catch (err) {
            return text(res, 400, `${String(err)}\n`);
          }
        }
        if (!Number.isFinite(failNext)) return text(res, 400, "failNext must be a number\n");
        probe.setFailNext(failNext);
      }
      return json(res, 200, probe.status(new Date()));
    }
    case "env": {
      const env = Object.fromEntries(
        Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
      );
      // The original's os.Args: the image runs /kuard, which execs this script with the same arguments.
      return json(res, 200, { commandLine: ["/kuard", ...process.argv.slice(2)], env });
    }
    case "mem": {
      if (route.action === "get") return json(res, 200, { memStats: memStats() });
      if (route.action === "clear") {
        leaks = [];
        return text(res, 200, "");
      }
      const size = url.searchParams.get("size");
      if (!size) return text(res, 400, "size not specified\n");
      if (!/^\d+$/.test(size)) return text(res, 400, "bad size param\n");
      try {
        // Filled, so that the pages are really used and count against the container's memory limit.
        leaks.push(Buffer.alloc(Number(size), "x"));
        totalAlloc += Number(size);
      } catch (err) {
        return text(res, 400, `${String(err)}\n`);
      }
      return text(res, 200, "");
    }
    case "dns": {
      let query: { type?: unknown; name?: unknown };
      try {
        query = JSON.parse(await readBody(req)) as typeof query;
      } catch (err) {
        return text(res, 400, `${String(err)}\n`);
      }
      try {
        const result = await dnsQuery(String(query.type ?? "A"), String(query.name ?? ""));
        return json(res, 200, { result });
      } catch (err) {
        return text(res, 400, `${err instanceof DnsQueryError ? err.message : String(err)}\n`);
      }
    }
    case "keygen": {
      if (req.method === "PUT") {
        try {
          const c = JSON.parse(await readBody(req)) as Partial<KeygenConfig>;
          keygen.load({
            ...keygenConfig,
            enable: false,
            ...c,
            numToGen: Number(c.numToGen ?? 0),
            timeToRun: Number(c.timeToRun ?? 0),
          });
        } catch (err) {
          return text(res, 400, `${String(err)}\n`);
        }
      }
      return json(res, 200, { config: keygen.config, history: keygen.history });
    }
    case "memq":
      try {
        switch (route.action) {
          case "stats":
            return json(res, 200, broker.stats());
          case "queue":
            if (req.method === "PUT") broker.createQueue(route.queue);
            else broker.deleteQueue(route.queue);
            return text(res, 200, "");
          case "drain":
            broker.drainQueue(route.queue);
            return text(res, 200, "");
          case "enqueue":
            return json(res, 200, broker.enqueue(route.queue, await readBody(req), new Date()));
          case "dequeue":
            return json(res, 200, broker.dequeue(route.queue));
        }
      } catch (err) {
        if (err === errEmptyQueue) return void res.writeHead(204).end();
        if (err instanceof MemqError) return text(res, 400, `${err.message}\n`);
        throw err;
      }
      return;
    case "fs":
      return serveFs(route.rest === "" ? "/" : route.rest, res);
    case "metrics": {
      const m = process.memoryUsage();
      res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4" });
      res.end(`# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes ${m.rss}\n`);
      return;
    }
  }
}

function hostPort(address: string): { host?: string; port: number } {
  const i = address.lastIndexOf(":");
  const host = address.slice(0, i);
  return { host: host === "" ? undefined : host, port: Number(address.slice(i + 1)) };
}

exitOnSignals();
goLog(`Starting kuard version: ${version}`);
goLog("*".repeat(70));
goLog("* WARNING: This server may expose sensitive");
goLog("* and secret information. Be careful.");
goLog("*".repeat(70));
goLog(
  `Config: \n${JSON.stringify(
    {
      address: flag("address"),
      debug: flag("debug"),
      "debug-sitedata-dir": flag("debug-sitedata-dir"),
      keygen: keygenConfig,
      "tls-address": flag("tls-address"),
      "tls-dir": flag("tls-dir"),
    },
    null,
    2,
  )}\n`,
);
keygen.load(keygenConfig);

const handler = safe(handle);
const tlsDir = String(flag("tls-dir"));
const cert = `${tlsDir}/kuard.crt`;
const key = `${tlsDir}/kuard.key`;
if (existsSync(cert) && existsSync(key)) {
  const { host, port } = hostPort(String(flag("tls-address")));
  goLog(`Serving HTTPS on ${flag("tls-address")}`);
  https.createServer({ cert: readFileSync(cert), key: readFileSync(key) }, handler).listen(port, host);
} else {
  goLog("Could not find certificates to serve TLS");
}
const { host, port } = hostPort(String(flag("address")));
goLog(`Serving on HTTP on ${flag("address")}`);
http
  .createServer(handler)
  .on("error", (err) => {
    goLog(`listen ${flag("address")}: ${err.message}`);
    process.exit(1);
  })
  .listen(port, host);
