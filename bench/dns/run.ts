// DNS benchmark (issue 8): queries per second the cluster DNS server answers on one core, and p99 latency
// at the goal rate, measured with dnsperf (a real DNS load tool) on loopback. The server runs in this
// process with a view of 1,000 services (one in ten headless with three endpoints), fed the same way the
// informers feed it; the query mix is service A lookups, headless A, SRV, PTR and NXDOMAIN names.
//   node dist/bench/dns/run.js [--seconds 10]
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ClusterDnsView } from "../../dns/records.js";
import { DnsServer } from "../../dns/server.js";
import { newLogger } from "../../pkg/util/log.js";

const secondsFlag = process.argv.indexOf("--seconds");
const seconds = secondsFlag >= 0 ? Number(process.argv[secondsFlag + 1]) : 10;
if (!Number.isFinite(seconds) || seconds <= 0) throw new Error("--seconds must be a positive number");
const GOAL_QPS = 20_000;
const GOAL_P99_MS = 5;

function dnsperf(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("dnsperf", args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("error", (e) =>
      reject(new Error(`dnsperf is not installed (apt-get install dnsperf): ${e.message}`)),
    );
    child.on("close", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`dnsperf exited ${code}: ${out}`)),
    );
  });
}

async function main(): Promise<void> {
  const view = new ClusterDnsView();
  const names: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const ns = `ns${i % 20}`;
    const name = `svc-${i}`;
    const headless = i % 10 === 0;
    view.upsertService({
      metadata: { namespace: ns, name },
      spec: {
        clusterIP: headless ? "None" : `10.96.${Math.floor(i / 250) + 1}.${(i % 250) + 1}`,
        ports: [{ name: "http", port: 80, protocol: "TCP" }],
      },
    });
    if (headless) {
      view.upsertEndpointSlice({
        addressType: "IPv4",
        metadata: { namespace: ns, name: `${name}-x`, labels: { "kubernetes.io/service-name": name } },
        ports: [{ name: "http", port: 80, protocol: "TCP" }],
        endpoints: [0, 1, 2].map((j) => ({
          addresses: [`10.244.${j}.${(i % 250) + 1}`],
          hostname: `web-${j}`,
          conditions: { ready: true },
        })),
      });
    }
    names.push(`${name}.${ns}.svc.cluster.local A`);
    if (headless) names.push(`web-1.${name}.${ns}.svc.cluster.local A`);
    if (i % 5 === 0) names.push(`_http._tcp.${name}.${ns}.svc.cluster.local SRV`);
    if (i % 7 === 0) names.push(`missing-${i}.${ns}.svc.cluster.local A`);
    if (i % 9 === 0 && !headless)
      names.push(`${(i % 250) + 1}.${Math.floor(i / 250) + 1}.96.10.in-addr.arpa PTR`);
  }
  const data = path.join(tmpdir(), "tskube-dnsperf.txt");
  writeFileSync(data, `${names.join("\n")}\n`);

  const server = new DnsServer(view, {
    port: 0,
    host: "127.0.0.1",
    upstreams: [],
    logger: newLogger("bench", "silent"),
  });
  await server.start();
  const port = String(server.address().udp);

  // 1. Throughput: as fast as the server answers.
  const max = await dnsperf([
    "-s",
    "127.0.0.1",
    "-p",
    port,
    "-d",
    data,
    "-l",
    String(seconds),
    "-c",
    "8",
    "-q",
    "500",
    "-T",
    "1",
  ]);
  const qps = Number(/Queries per second:\s+([\d.]+)/.exec(max)?.[1] ?? 0);
  const lost = /Queries lost:\s+(\d+)/.exec(max)?.[1] ?? "?";

  // 2. Latency at the goal rate: every query's latency from dnsperf -v.
  const paced = await dnsperf([
    "-s",
    "127.0.0.1",
    "-p",
    port,
    "-d",
    data,
    "-l",
    String(Math.min(seconds, 5)),
    "-c",
    "4",
    "-q",
    "200",
    "-T",
    "1",
    "-Q",
    String(GOAL_QPS),
    "-v",
  ]);
  const latencies = [...paced.matchAll(/^> \S+ .* ([\d.]+)$/gm)]
    .map((m) => Number(m[1]) * 1000)
    .sort((a, b) => a - b);
  const pct = (p: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? Number.NaN;
  await server.stop();

  console.log(
    `DNS (1,000 services, ${names.length} distinct questions, server on one core, dnsperf on loopback)`,
  );
  console.log(
    `  throughput: ${qps.toFixed(0)} qps (lost ${lost})  goal ${GOAL_QPS}  ratio ${(qps / GOAL_QPS).toFixed(2)}`,
  );
  console.log(
    `  latency at ${GOAL_QPS} qps: p50 ${pct(50).toFixed(2)} ms  p99 ${pct(99).toFixed(2)} ms  goal p99 < ${GOAL_P99_MS} ms  (${latencies.length} answers)`,
  );
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
