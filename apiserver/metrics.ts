// Prometheus metrics at /metrics (prom-client), with kube-apiserver's metric names.
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

export class Metrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: "apiserver_request_total",
    help: "Counter of apiserver requests broken out for each verb, resource, and HTTP response code.",
    labelNames: ["verb", "resource", "code"],
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: "apiserver_request_duration_seconds",
    help: "Response latency distribution in seconds for each verb and resource.",
    labelNames: ["verb", "resource"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 1, 2, 5, 10, 30, 60],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  observe(verb: string, resource: string, code: number, seconds: number): void {
    this.requests.inc({ verb, resource, code: String(code) });
    if (verb !== "WATCH") this.latency.observe({ verb, resource }, seconds);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
