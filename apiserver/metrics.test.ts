import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Metrics, type ProcessFigures } from "./metrics.js";

const figures: ProcessFigures = {
  cpuSeconds: 1.5,
  residentBytes: 1000,
  startTimeSeconds: 1700000000,
  heapUsedBytes: 10,
  heapTotalBytes: 20,
  externalBytes: 5,
};

describe("Metrics (Prometheus text, as prom-client wrote it)", () => {
  it("counts requests per verb, resource and code; times all but watches", () => {
    const m = new Metrics();
    m.observe("LIST", "pods", 200, 0.003);
    m.observe("LIST", "pods", 200, 0.3);
    m.observe("LIST", "pods", 500, 100);
    m.observe("WATCH", "pods", 200, 1800);
    const text = m.render(figures);
    const lines = text.split("\n");
    for (const want of [
      "# TYPE apiserver_request_total counter",
      'apiserver_request_total{verb="LIST",resource="pods",code="200"} 2',
      'apiserver_request_total{verb="LIST",resource="pods",code="500"} 1',
      'apiserver_request_total{verb="WATCH",resource="pods",code="200"} 1',
      "# TYPE apiserver_request_duration_seconds histogram",
      'apiserver_request_duration_seconds_bucket{le="0.005",verb="LIST",resource="pods"} 1',
      'apiserver_request_duration_seconds_bucket{le="0.2",verb="LIST",resource="pods"} 1',
      'apiserver_request_duration_seconds_bucket{le="0.4",verb="LIST",resource="pods"} 2',
      'apiserver_request_duration_seconds_bucket{le="60",verb="LIST",resource="pods"} 2',
      'apiserver_request_duration_seconds_bucket{le="+Inf",verb="LIST",resource="pods"} 3',
      'apiserver_request_duration_seconds_sum{verb="LIST",resource="pods"} 100.303',
      'apiserver_request_duration_seconds_count{verb="LIST",resource="pods"} 3',
      "process_resident_memory_bytes 1000",
      "process_cpu_seconds_total 1.5",
      "process_start_time_seconds 1700000000",
    ]) {
      assert.ok(lines.includes(want), want);
    }
    assert.ok(!/_bucket\{[^}]*WATCH/.test(text), "watches are not timed");
    assert.ok(text.endsWith("\n"));
  });

  it("is what the chaos test's parser reads (test/chaos/decide.ts)", () => {
    const m = new Metrics();
    m.observe("LIST", "nodes", 200, 0.01);
    const re = /^apiserver_request_total\{([^}]*)\}\s+([0-9.e+]+)$/;
    const hits = m
      .render(figures)
      .split("\n")
      .filter((l) => re.test(l));
    assert.deepEqual(hits, ['apiserver_request_total{verb="LIST",resource="nodes",code="200"} 1']);
  });

  it("escapes label values", () => {
    const m = new Metrics();
    m.observe("GET", 'we"ird\\res\nource', 404, 0);
    assert.ok(
      m
        .render(figures)
        .includes('apiserver_request_total{verb="GET",resource="we\\"ird\\\\res\\nource",code="404"} 1'),
    );
  });
});
