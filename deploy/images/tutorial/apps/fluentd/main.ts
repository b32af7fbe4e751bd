// The fluentd images the DaemonSet examples name (fluent/fluentd:v0.14.10, fluentd/fluentd:v0.14.10,
// quay.io/fluentd_elasticsearch/fluentd:v2.5.2): a small log tailer that follows the node's container
// logs (the hostPath volumes the examples mount) and reports what it read. It does not echo the lines:
// its own log is among the files it follows, and echoing would feed on itself.
import { open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { exitOnSignals } from "../shared/server.js";
import { countLines, planReads } from "./plan.js";

const roots = (
  process.env.FLUENTD_TAIL_ROOTS ?? "/var/log/containers:/var/log/pods:/var/lib/docker/containers"
)
  .split(":")
  .filter((r) => r !== "");
const scanMs = Number(process.env.FLUENTD_SCAN_SECONDS ?? "5") * 1000;
const reportMs = Number(process.env.FLUENTD_REPORT_SECONDS ?? "60") * 1000;

function log(level: string, message: string): void {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, "0");
  const when = `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
  console.log(`${when} [${level}]: ${message}`);
}

/** Sizes of the *.log files under a directory, three levels deep at most. */
async function findLogs(dir: string, depth: number, into: Map<string, number>): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(dir, name);
    try {
      const st = await stat(path);
      if (st.isDirectory() && depth > 0) await findLogs(path, depth - 1, into);
      else if (st.isFile() && name.endsWith(".log")) into.set(path, st.size);
    } catch {
      // Gone between readdir and stat: the next scan will know.
    }
  }
}

const offsets = new Map<string, number>();
let firstScan = true;
let lines = 0;
let bytes = 0;

async function scan(): Promise<void> {
  const sizes = new Map<string, number>();
  for (const root of roots) await findLogs(root, 3, sizes);
  const plan = planReads(offsets, sizes, firstScan);
  firstScan = false;
  for (const path of plan.gone) offsets.delete(path);
  for (const path of plan.followed) log("info", `following tail of ${path}`);
  for (const { path, from, to } of plan.reads) {
    offsets.set(path, to);
    if (to <= from) continue;
    try {
      const fh = await open(path, "r");
      try {
        const buf = Buffer.alloc(to - from);
        const { bytesRead } = await fh.read(buf, 0, buf.length, from);
        lines += countLines(buf.subarray(0, bytesRead));
        bytes += bytesRead;
      } finally {
        await fh.close();
      }
    } catch (err) {
      log("warn", `cannot read ${path}: ${String(err)}`);
    }
  }
}

async function loop(): Promise<void> {
  try {
    await scan();
  } catch (err) {
    log("error", `scan failed: ${String(err)}`);
  }
  setTimeout(loop, scanMs);
}

exitOnSignals();
log("info", `starting fluentd (tskube log tailer) pid=${process.pid}`);
log("info", `tailing *.log under ${roots.join(", ")}`);
setInterval(() => {
  log(
    "info",
    `read ${lines} lines (${bytes} bytes) from ${offsets.size} files in the last ${reportMs / 1000}s`,
  );
  lines = 0;
  bytes = 0;
}, reportMs);
await loop();
