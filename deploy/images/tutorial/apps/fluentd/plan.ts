// The log tailer behind the fluentd images of the DaemonSet examples: which bytes of which log files to
// read next. Like fluentd's in_tail, files present at start are followed from their end, files that
// appear later from their start; a file that shrank was rotated or truncated and is read again from 0.

export interface ReadPlan {
  /** Byte ranges to read now, [from, to). */
  reads: { path: string; from: number; to: number }[];
  /** Files seen for the first time (to announce, as fluentd does). */
  followed: string[];
  /** Files that disappeared: forget their offsets. */
  gone: string[];
}

/** At most this much of one file per round, so that a burst never holds much memory. */
export const maxReadBytes = 1 << 20;

export function planReads(
  offsets: ReadonlyMap<string, number>,
  sizes: ReadonlyMap<string, number>,
  firstScan: boolean,
): ReadPlan {
  const plan: ReadPlan = { reads: [], followed: [], gone: [] };
  for (const path of offsets.keys()) {
    if (!sizes.has(path)) plan.gone.push(path);
  }
  for (const [path, size] of sizes) {
    let from = offsets.get(path);
    if (from === undefined) {
      plan.followed.push(path);
      from = firstScan ? size : 0;
    } else if (size < from) {
      from = 0;
    }
    if (size > from) plan.reads.push({ path, from, to: Math.min(size, from + maxReadBytes) });
    else if (!offsets.has(path)) plan.reads.push({ path, from, to: from });
  }
  return plan;
}

export function countLines(chunk: Buffer): number {
  let n = 0;
  for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) n++;
  return n;
}
