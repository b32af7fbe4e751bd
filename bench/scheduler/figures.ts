// Pure helpers of the scheduler benchmark: create->bind latencies from two clocks of the same process,
// and a process's memory from /proc/<pid>/status.

export interface LatencySamples {
  /** Milliseconds from the create response to the watch event that showed spec.nodeName, per pod. */
  samples: number[];
  /** Pods created but never seen bound. */
  unbound: number;
  /** Pods whose binding event arrived before their create response (counted as 0 ms). */
  early: number;
}

/** Latency per created pod: bound[key] - created[key]; a bind seen before the create returned counts 0. */
export function createToBind(
  created: ReadonlyMap<string, number>,
  bound: ReadonlyMap<string, number>,
): LatencySamples {
  const out: LatencySamples = { samples: [], unbound: 0, early: 0 };
  for (const [key, at] of created) {
    const b = bound.get(key);
    if (b === undefined) {
      out.unbound++;
      continue;
    }
    if (b < at) out.early++;
    out.samples.push(Math.max(0, b - at));
  }
  return out;
}

/** Pods per second over [start, end] (ms); NaN when the interval is empty. */
export function perSecond(count: number, startMs: number, endMs: number): number {
  return endMs > startMs ? count / ((endMs - startMs) / 1000) : Number.NaN;
}

export interface ProcessMemory {
  /** Resident set now (VmRSS), MiB. */
  rssMiB: number;
  /** Peak resident set (VmHWM), MiB. */
  peakMiB: number;
}

/** VmRSS and VmHWM of a /proc/<pid>/status text, in MiB (NaN when missing). */
export function parseProcStatus(text: string): ProcessMemory {
  const kib = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
    return m ? Number(m[1]) / 1024 : Number.NaN;
  };
  return { rssMiB: kib("VmRSS"), peakMiB: kib("VmHWM") };
}
