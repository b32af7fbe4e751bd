// Reading dnsperf's output: the summary figures, and with -v one line per query
// ("> NOERROR name type 0.000123" for an answer, "> T name type" for a query that timed out).

/** Per-query latencies (ms) and timed-out queries from `dnsperf -v` output. */
export function parseVerbose(out: string): { latencies: number[]; lost: number } {
  const latencies: number[] = [];
  let lost = 0;
  for (const line of out.split("\n")) {
    if (!line.startsWith("> ")) continue;
    const fields = line.split(" ");
    if (fields[1] === "T") lost++;
    else if (fields.length === 5 && Number.isFinite(Number(fields[4])))
      latencies.push(Number(fields[4]) * 1000);
  }
  return { latencies, lost };
}

/** Queries per second and queries lost from dnsperf's statistics. */
export function parseSummary(out: string): { qps: number; lost: number } {
  return {
    qps: Number(/Queries per second:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN),
    lost: Number(/Queries lost:\s+(\d+)/.exec(out)?.[1] ?? Number.NaN),
  };
}
