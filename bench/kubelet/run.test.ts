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

test("idle bench: CPU ticks and RSS read from /proc text", async () => {
  const { cpuTicks, rssMiB } = await import("./idle.js");
  // pid (comm with ") spaces") state ppid ... utime=14th, stime=15th field
  const stat = "123 (node ) x) S 1 123 123 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 11 0 100 0 0";
  assert.equal(cpuTicks(stat), 300);
  assert.equal(rssMiB("Name:\tnode\nVmRSS:\t   81920 kB\nVmSwap:\t0 kB\n"), 80);
  assert.ok(Number.isNaN(rssMiB("Name:\tnode\n")));
});
