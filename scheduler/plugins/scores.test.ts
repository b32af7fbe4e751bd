// Table-driven tests of the Score plugins and their normalization.
import assert from "node:assert/strict";
import { test } from "node:test";
import { makeNode, makePod, nodeInfo, pi, snapshotOf } from "../framework/testing.js";
import { CycleState } from "../framework/types.js";
import { defaultNormalizeScore } from "./helpers.js";
import { imageLocalityPriority } from "./image-locality.js";
import { NodeAffinity } from "./node-affinity.js";
import {
  balancedScore,
  leastRequestedScore,
  NodeResourcesBalancedAllocation,
  NodeResourcesFit,
} from "./node-resources.js";
import { TaintToleration } from "./taint-toleration.js";

test("leastRequestedScore and balancedScore", () => {
  const cases: [number, number, number][] = [
    [0, 4000, 100],
    [1000, 4000, 75],
    [4000, 4000, 0],
    [5000, 4000, 0],
    [1, 0, 0],
  ];
  for (const [req, cap, want] of cases) assert.equal(leastRequestedScore(req, cap), want, `${req}/${cap}`);
  assert.equal(balancedScore([0.5, 0.5]), 100);
  assert.equal(balancedScore([0.2, 0.6]), 80);
});

test("NodeResourcesFit prefers the emptier node; BalancedAllocation the balanced one", () => {
  const pod = pi(makePod("p", { cpu: "500m", memory: "512Mi" }));
  const empty = nodeInfo(makeNode("a"));
  const busy = nodeInfo(makeNode("b"), makePod("x", { cpu: "1", memory: "1Gi" }));
  const fit = new NodeResourcesFit();
  assert.ok(fit.score(new CycleState(), pod, empty) > fit.score(new CycleState(), pod, busy));
  const bal = new NodeResourcesBalancedAllocation();
  const cpuHeavy = nodeInfo(makeNode("c"), makePod("y", { cpu: "1500m" }));
  assert.ok(bal.score(new CycleState(), pod, empty) > bal.score(new CycleState(), pod, cpuHeavy));
});

test("defaultNormalizeScore", () => {
  const cases: { in: number[]; reverse: boolean; out: number[] }[] = [
    { in: [0, 5, 10], reverse: false, out: [0, 50, 100] },
    { in: [0, 5, 10], reverse: true, out: [100, 50, 0] },
    { in: [0, 0], reverse: true, out: [100, 100] },
    { in: [0, 0], reverse: false, out: [0, 0] },
  ];
  for (const c of cases) {
    const s = [...c.in];
    defaultNormalizeScore(s, c.reverse);
    assert.deepEqual(s, c.out);
  }
});

test("TaintToleration score counts untolerated PreferNoSchedule taints", () => {
  const tt = new TaintToleration();
  const soft = nodeInfo(makeNode("a", { taints: [{ key: "k", effect: "PreferNoSchedule" }] }));
  const plain = nodeInfo(makeNode("b"));
  const scores = [
    tt.score(new CycleState(), pi(makePod("p")), soft),
    tt.score(new CycleState(), pi(makePod("p")), plain),
  ];
  tt.normalizeScore(new CycleState(), pi(makePod("p")), scores);
  assert.deepEqual(scores, [0, 100]);
  const tolerant = pi(
    makePod("p", { spec: { tolerations: [{ key: "k", operator: "Exists", effect: "PreferNoSchedule" }] } }),
  );
  assert.equal(tt.score(new CycleState(), tolerant, soft), 0);
});

test("NodeAffinity score sums preferred weights", () => {
  const pod = pi(
    makePod("p", {
      spec: {
        affinity: {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 10,
                preference: { matchExpressions: [{ key: "disk", operator: "In", values: ["ssd"] }] },
              },
              { weight: 5, preference: { matchExpressions: [{ key: "zone", operator: "Exists" }] } },
            ],
          },
        },
      },
    }),
  );
  const na = new NodeAffinity();
  const cases: [Record<string, string>, number][] = [
    [{ disk: "ssd", zone: "a" }, 15],
    [{ disk: "ssd" }, 10],
    [{ zone: "a" }, 5],
    [{}, 0],
  ];
  for (const [labels, want] of cases)
    assert.equal(na.score(new CycleState(), pod, nodeInfo(makeNode("n", { labels }))), want);
});

test("ImageLocality priority thresholds", () => {
  const MB = 1024 * 1024;
  assert.equal(imageLocalityPriority(0, 1), 0);
  assert.equal(imageLocalityPriority(23 * MB, 1), 0);
  assert.equal(imageLocalityPriority(1000 * MB, 1), 100);
  assert.equal(imageLocalityPriority(2000 * MB, 1), 100);
  void snapshotOf;
});
