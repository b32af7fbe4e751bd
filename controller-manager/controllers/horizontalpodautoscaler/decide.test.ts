import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "kubernetes-types/core/v1";
import {
  classifyPod,
  limitReplicas,
  type PodSample,
  podRequest,
  resourceReplicas,
  stabilize,
} from "./decide.js";

const s = (usage: number | undefined, opts: Partial<PodSample> = {}): PodSample => ({
  name: "p",
  unready: false,
  ignored: false,
  request: 200,
  usage,
  ...opts,
});

describe("resourceReplicas", () => {
  const cases: { name: string; current: number; target: number; samples: PodSample[]; want: number }[] = [
    { name: "within tolerance", current: 2, target: 50, samples: [s(105), s(100)], want: 2 },
    { name: "double load doubles", current: 2, target: 50, samples: [s(200), s(200)], want: 4 },
    { name: "low load scales down", current: 4, target: 50, samples: [s(20), s(20), s(20), s(20)], want: 1 },
    {
      name: "missing pod counts as 0 on scale up",
      current: 3,
      target: 50,
      samples: [s(200), s(200), s(undefined)],
      want: 4,
    },
    {
      name: "missing pod counts as 100% on scale down",
      current: 2,
      target: 50,
      samples: [s(20), s(undefined)],
      want: 2,
    },
    {
      name: "unready pods count as 0 on scale up",
      current: 2,
      target: 50,
      samples: [s(300), s(300, { unready: true })],
      want: 3,
    },
    { name: "ignored pods", current: 2, target: 50, samples: [s(200), s(200, { ignored: true })], want: 2 },
  ];
  for (const c of cases)
    it(c.name, () => assert.equal(resourceReplicas(c.current, c.target, c.samples).replicas, c.want));
  it("reports utilization", () => assert.equal(resourceReplicas(1, 50, [s(150)]).utilization, 75));
  it("no metrics is an error", () =>
    assert.throws(() => resourceReplicas(1, 50, [s(undefined)]), /no metrics returned/));
});

describe("stabilize and limit", () => {
  it("keeps the highest recommendation of the last 5 minutes when scaling down", () => {
    const t0 = 1_000_000;
    let h = stabilize([], t0, 6, 4).history;
    const down = stabilize(h, t0 + 60_000, 2, 6);
    assert.equal(down.replicas, 6);
    h = down.history;
    assert.equal(stabilize(h, t0 + 400_000, 2, 6).replicas, 2);
  });
  it("scales up at once", () => assert.equal(stabilize([{ atMs: 0, replicas: 1 }], 1000, 5, 1).replicas, 5));
  it("limits", () => {
    assert.deepEqual(limitReplicas(3, 2, 1, 10), { replicas: 3, reason: "DesiredWithinRange" });
    assert.deepEqual(limitReplicas(20, 2, 1, 10), { replicas: 6, reason: "ScaleUpLimit" });
    assert.deepEqual(limitReplicas(12, 8, 1, 10), { replicas: 10, reason: "TooManyReplicas" });
    assert.deepEqual(limitReplicas(0, 2, 1, 10), { replicas: 1, reason: "TooFewReplicas" });
  });
});

describe("pods", () => {
  const now = Date.parse("2024-01-01T01:00:00Z");
  const pod = (phase: string, started: string, ready: string, readySince: string): Pod => ({
    metadata: { name: "p" },
    spec: { containers: [{ name: "c", resources: { requests: { cpu: "200m", memory: "64Mi" } } }] },
    status: {
      phase,
      startTime: started,
      conditions: [{ type: "Ready", status: ready, lastTransitionTime: readySince }],
    },
  });
  it("requests", () => {
    assert.deepEqual(podRequest(pod("Running", "", "True", ""), "cpu"), { value: 200 });
    assert.deepEqual(podRequest(pod("Running", "", "True", ""), "memory"), { value: 64 * 1024 * 1024 });
    assert.deepEqual(podRequest({ spec: { containers: [{ name: "x" }] } }, "cpu"), { missingIn: "x" });
  });
  it("classifies pods as upstream's groupPods", () => {
    assert.deepEqual(
      classifyPod(pod("Running", "2024-01-01T00:00:00Z", "True", "2024-01-01T00:00:10Z"), "cpu", true, now),
      { ignored: false, unready: false },
    );
    assert.deepEqual(
      classifyPod(pod("Running", "2024-01-01T00:59:00Z", "False", "2024-01-01T00:59:00Z"), "cpu", true, now),
      { ignored: false, unready: true },
    );
    assert.deepEqual(
      classifyPod(pod("Failed", "2024-01-01T00:00:00Z", "False", "2024-01-01T00:00:00Z"), "cpu", true, now),
      { ignored: true, unready: false },
    );
    assert.deepEqual(classifyPod(pod("Pending", "", "False", ""), "memory", false, now), {
      ignored: false,
      unready: true,
    });
  });
});
