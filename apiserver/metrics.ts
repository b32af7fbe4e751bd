// Prometheus metrics at /metrics, with kube-apiserver's metric names, in the text exposition format
// (0.0.4) that prom-client writes. Kept here rather than in prom-client: two metrics do not need the
// library, and it cost the idle apiserver several MiB of resident memory (its modules, the OpenTelemetry
// API it loads, its default collectors' event-loop histogram). Pure apart from `processFigures`.

/** apiserver_request_duration_seconds buckets (seconds). */
export const REQUEST_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 1, 2, 5, 10, 30, 60];

type Labels = [name: string, value: string][];

interface CounterSeries {
  labels: Labels;
  value: number;
}

interface HistogramSeries {
  labels: Labels;
  /** Observations per bucket (not cumulative), REQUEST_DURATION_BUCKETS order. */
  buckets: number[];
  sum: number;
  count: number;
}

/** The process's own figures, read when /metrics is asked for. */
export interface ProcessFigures {
  cpuSeconds: number;
  residentBytes: number;
  startTimeSeconds: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
}

const START_TIME_SECONDS = Math.round(Date.now() / 1000 - process.uptime());

export function processFigures(): ProcessFigures {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return {
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    residentBytes: mem.rss,
    startTimeSeconds: START_TIME_SECONDS,
    heapUsedBytes: mem.heapUsed,
    heapTotalBytes: mem.heapTotal,
    externalBytes: mem.external,
  };
}

function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function labelText(labels: Labels): string {
  return labels.length === 0 ? "" : `{${labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(",")}}`;
}

function header(name: string, type: string, help: string): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;
}

export class Metrics {
  readonly contentType = "text/plain; version=0.0.4; charset=utf-8";
  private readonly requests = new Map<string, CounterSeries>();
  private readonly latency = new Map<string, HistogramSeries>();

  observe(verb: string, resource: string, code: number, seconds: number): void {
    const key = `${verb}\u0000${resource}\u0000${code}`;
    let c = this.requests.get(key);
    if (!c) {
      c = {
        labels: [
          ["verb", verb],
          ["resource", resource],
          ["code", String(code)],
        ],
        value: 0,
      };
      this.requests.set(key, c);
    }
    c.value++;
    if (verb === "WATCH") return;
    const hkey = `${verb}\u0000${resource}`;
    let h = this.latency.get(hkey);
    if (!h) {
      h = {
        labels: [
          ["verb", verb],
          ["resource", resource],
        ],
        buckets: REQUEST_DURATION_BUCKETS.map(() => 0),
        sum: 0,
        count: 0,
      };
      this.latency.set(hkey, h);
    }
    const i = REQUEST_DURATION_BUCKETS.findIndex((le) => seconds <= le);
    if (i >= 0) h.buckets[i]!++;
    h.sum += seconds;
    h.count++;
  }

  /** The exposition text, with the process figures given (tests) or read now. */
  render(p: ProcessFigures = processFigures()): string {
    let out = header(
      "apiserver_request_total",
      "counter",
      "Counter of apiserver requests broken out for each verb, resource, and HTTP response code.",
    );
    for (const c of this.requests.values())
      out += `apiserver_request_total${labelText(c.labels)} ${c.value}\n`;
    out += header(
      "apiserver_request_duration_seconds",
      "histogram",
      "Response latency distribution in seconds for each verb and resource.",
    );
    const name = "apiserver_request_duration_seconds";
    for (const h of this.latency.values()) {
      let cumulative = 0;
      REQUEST_DURATION_BUCKETS.forEach((le, i) => {
        cumulative += h.buckets[i]!;
        out += `${name}_bucket${labelText([["le", String(le)], ...h.labels])} ${cumulative}\n`;
      });
      out += `${name}_bucket${labelText([["le", "+Inf"], ...h.labels])} ${h.count}\n`;
      out += `${name}_sum${labelText(h.labels)} ${h.sum}\n`;
      out += `${name}_count${labelText(h.labels)} ${h.count}\n`;
    }
    const gauges: [string, string, string, number][] = [
      [
        "process_cpu_seconds_total",
        "counter",
        "Total user and system CPU time spent in seconds.",
        p.cpuSeconds,
      ],
      ["process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", p.residentBytes],
      [
        "process_start_time_seconds",
        "gauge",
        "Start time of the process since unix epoch in seconds.",
        p.startTimeSeconds,
      ],
      ["nodejs_heap_size_total_bytes", "gauge", "Process heap size from Node.js in bytes.", p.heapTotalBytes],
      [
        "nodejs_heap_size_used_bytes",
        "gauge",
        "Process heap size used from Node.js in bytes.",
        p.heapUsedBytes,
      ],
      ["nodejs_external_memory_bytes", "gauge", "Node.js external memory size in bytes.", p.externalBytes],
    ];
    for (const [n, type, help, v] of gauges) out += `${header(n, type, help)}${n} ${v}\n`;
    return out;
  }
}
