import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { metricsFromSummary, usageOf } from "./metrics.js";

describe("metrics.k8s.io from kubelet summaries", () => {
  it("formats usage as metrics-server does (nanocores, KiB of working set)", () => {
    const cases: [number | undefined, number | undefined, { cpu: string; memory: string }][] = [
      [71213803.4, 172912640, { cpu: "71213803n", memory: "168860Ki" }],
      [0, 0, { cpu: "0n", memory: "0Ki" }],
      [undefined, undefined, { cpu: "0n", memory: "0Ki" }],
    ];
    for (const [cpu, ws, want] of cases) {
      assert.deepEqual(usageOf({ usageNanoCores: cpu }, { workingSetBytes: ws }), want);
    }
  });
  it("makes NodeMetrics and PodMetrics with containers, skipping pods without a reference", () => {
    const t = "2026-11-23T19:36:38Z";
    const m = metricsFromSummary(
      "node-1",
      {
        node: { cpu: { time: t, usageNanoCores: 2e8 }, memory: { time: t, workingSetBytes: 2048 } },
        pods: [
          {
            podRef: { name: "web", namespace: "default" },
            containers: [
              { name: "nginx", cpu: { time: t, usageNanoCores: 1000 }, memory: { workingSetBytes: 1024 } },
            ],
          },
          { podRef: { name: "" }, containers: [] },
        ],
      },
      new Date("2026-11-23T19:36:40.123Z"),
    );
    assert.deepEqual(m.node, {
      metadata: { name: "node-1", creationTimestamp: "2026-11-23T19:36:40Z" },
      timestamp: t,
      window: "20s",
      usage: { cpu: "200000000n", memory: "2Ki" },
    });
    assert.deepEqual(m.pods, [
      {
        metadata: { name: "web", namespace: "default", creationTimestamp: "2026-11-23T19:36:40Z" },
        timestamp: t,
        window: "20s",
        containers: [{ name: "nginx", usage: { cpu: "1000n", memory: "1Ki" } }],
      },
    ]);
  });
});
