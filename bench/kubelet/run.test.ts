import assert from "node:assert/strict";
import { test } from "node:test";
import { quantile, summarize } from "./run.js";

test("quantiles by nearest rank", () => {
  const v = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(quantile(v, 0.5), 50);
  assert.equal(quantile(v, 0.99), 99);
  assert.equal(quantile([3, 1, 2], 0.5), 2);
  assert.ok(Number.isNaN(quantile([], 0.5)));
  assert.deepEqual(summarize([5, 1, 9]), { n: 3, p50: 5, p99: 9, max: 9 });
});
