// Reads a V8 .cpuprofile (node --cpu-prof) and lists the functions with the most self time, mapped back
// to the TypeScript file:line through the compiled files' source maps. `node profile.js <file> [top]`.
import { existsSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { fileURLToPath } from "node:url";

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

export interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame }[];
  samples?: number[];
  timeDeltas?: number[];
}

export interface HotSpot {
  functionName: string;
  url: string;
  /** 1-based, as editors show it. */
  line: number;
  column: number;
  selfMs: number;
  /** Share of the busy time (everything but "(idle)"). */
  share: number;
}

/** Self time per function (same name, file, line and column), most first. Pure: no source maps here. */
export function hotSpots(
  profile: CpuProfile,
  top = 20,
): { spots: HotSpot[]; busyMs: number; idleMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const selfUs = new Map<string, { frame: CallFrame; us: number }>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let idleUs = 0;
  let busyUs = 0;
  for (let i = 0; i < samples.length; i++) {
    const frame = byId.get(samples[i] as number);
    // V8 records the time since the previous sample; attribute it to this sample, as DevTools does.
    const us = Math.max(0, deltas[i + 1] ?? deltas[i] ?? 0);
    if (!frame) continue;
    if (frame.functionName === "(idle)") {
      idleUs += us;
      continue;
    }
    busyUs += us;
    const key = `${frame.functionName}\u0000${frame.url}\u0000${frame.lineNumber}\u0000${frame.columnNumber}`;
    const e = selfUs.get(key);
    if (e) e.us += us;
    else selfUs.set(key, { frame, us });
  }
  const spots = [...selfUs.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map(({ frame, us }) => ({
      functionName: frame.functionName || "(anonymous)",
      url: frame.url,
      line: frame.lineNumber + 1,
      column: frame.columnNumber + 1,
      selfMs: us / 1000,
      share: busyUs ? us / busyUs : 0,
    }));
  return { spots, busyMs: busyUs / 1000, idleMs: idleUs / 1000 };
}

/** file:line of the TypeScript source when the compiled file has a source map; else the JS location. */
export function sourceLocation(url: string, line: number, column: number, root = process.cwd()): string {
  if (!url.startsWith("file://")) return url ? `${url}:${line}` : "(native)";
  const js = fileURLToPath(url);
  const rel = (p: string) => (p.startsWith(`${root}/`) ? p.slice(root.length + 1) : p);
  if (!existsSync(`${js}.map`)) return `${rel(js)}:${line}`;
  try {
    const map = new SourceMap(JSON.parse(readFileSync(`${js}.map`, "utf8")));
    const entry = map.findEntry(line - 1, Math.max(0, column - 1)) as {
      originalSource?: string;
      originalLine?: number;
    };
    if (!entry.originalSource) return `${rel(js)}:${line}`;
    const src = entry.originalSource.startsWith("file://")
      ? fileURLToPath(entry.originalSource)
      : new URL(entry.originalSource, url).pathname;
    return `${rel(src)}:${(entry.originalLine ?? 0) + 1}`;
  } catch {
    return `${rel(js)}:${line}`;
  }
}

/** The report printed after a profiled run: one line per hot spot. */
export function hotSpotReport(profile: CpuProfile, top = 20, root = process.cwd()): string {
  const { spots, busyMs, idleMs } = hotSpots(profile, top);
  const lines = [
    `busy ${busyMs.toFixed(0)} ms, idle ${idleMs.toFixed(0)} ms; top ${spots.length} by self time:`,
  ];
  for (const s of spots) {
    lines.push(
      `  ${(s.share * 100).toFixed(1).padStart(5)}%  ${s.selfMs.toFixed(0).padStart(6)} ms  ${s.functionName}  ${sourceLocation(s.url, s.line, s.column, root)}`,
    );
  }
  return lines.join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: node profile.js <file.cpuprofile> [top]");
    process.exit(2);
  }
  console.log(
    hotSpotReport(JSON.parse(readFileSync(file, "utf8")) as CpuProfile, Number(process.argv[3] ?? 20)),
  );
}
