import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type Figure,
  figureLine,
  figureMeets,
  figuresTable,
  fmt,
  percentile,
  ratioOf,
  summarize,
} from "./stats.js";

test("percentile uses the nearest rank", () => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  const cases: [number, number][] = [
    [50, 50],
    [99, 99],
    [100, 100],
    [0, 1],
  ];
  for (const [p, want] of cases) assert.equal(percentile(xs, p), want, `p${p}`);
  assert.equal(percentile([5, 1, 3], 50), 3);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test("summarize gives n, p50, p99 and max", () => {
  assert.deepEqual(summarize([3, 1, 2]), { n: 3, p50: 2, p99: 3, max: 3 });
});

test("fmt keeps a few significant digits", () => {
  const cases: [number, string][] = [
    [1234.5, "1235"],
    [12.345, "12.3"],
    [1.2345, "1.23"],
    [Number.NaN, "n/a"],
  ];
  for (const [x, want] of cases) assert.equal(fmt(x), want);
});

test("figures compare with their goal, directly or as a ratio to the ceiling", () => {
  const rate: Figure = {
    name: "create rate",
    value: 600,
    unit: "/s",
    ceiling: { value: 1000, label: "raw etcd put" },
    goal: { value: 0.5, kind: "atLeast", ratioGoal: true },
  };
  const latency: Figure = { name: "p99", value: 60, unit: "ms", goal: { value: 50, kind: "atMost" } };
  assert.equal(ratioOf(rate), 0.6);
  assert.equal(figureMeets(rate), true);
  assert.equal(figureMeets(latency), false);
  assert.equal(figureMeets({ name: "x", value: 1, unit: "" }), undefined);
  assert.match(figureLine(rate), /ratio 0\.60 .*goal ratio ≥ 0\.5 met/);
  assert.match(figureLine(latency), /goal < 50\.0 ms MISSED/);
  const table = figuresTable([rate, latency]);
  assert.match(
    table,
    /\| create rate \| 600 \/s \| 1000 \/s \(raw etcd put\) \| 0\.60 \| ratio ≥ 0\.5 \| met \|/,
  );
  assert.match(table, /\| p99 \| 60\.0 ms \| — \| — \| < 50\.0 ms \| MISSED \|/);
});
