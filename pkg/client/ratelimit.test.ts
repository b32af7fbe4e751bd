import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Backoff } from "./backoff.js";
import { sleep, TokenBucket } from "./ratelimit.js";

describe("TokenBucket", () => {
  it("allows a burst, then refills at qps", () => {
    let now = 0;
    const b = new TokenBucket(10, 3, () => now);
    assert.deepEqual([b.tryAccept(), b.tryAccept(), b.tryAccept(), b.tryAccept()], [true, true, true, false]);
    now = 100;
    assert.equal(b.tryAccept(), true);
    assert.equal(b.tryAccept(), false);
    now = 10_000;
    assert.equal([1, 2, 3, 4].filter(() => b.tryAccept()).length, 3, "never more than burst");
  });

  it("reserve queues callers fairly", () => {
    const now = 0;
    const b = new TokenBucket(100, 1, () => now);
    assert.deepEqual([b.reserve(), b.reserve(), b.reserve()], [0, 10, 20]);
  });

  it("unlimited when qps <= 0", () => {
    const b = new TokenBucket(0, 0);
    assert.ok(b.unlimited);
    assert.equal(b.reserve(), 0);
  });

  it("wait resolves after the delay", async () => {
    const b = new TokenBucket(50, 1);
    const start = Date.now();
    await b.wait();
    await b.wait();
    assert.ok(Date.now() - start >= 15);
  });
});

describe("Backoff", () => {
  it("doubles up to the cap, resets", () => {
    const b = new Backoff(
      { initialMs: 100, maxMs: 1000, jitter: 0 },
      () => 0,
      () => 0,
    );
    assert.deepEqual(
      Array.from({ length: 6 }, () => b.next()),
      [100, 200, 400, 800, 1000, 1000],
    );
    b.reset();
    assert.equal(b.next(), 100);
  });

  it("adds jitter", () => {
    const b = new Backoff(
      { initialMs: 100, jitter: 0.5 },
      () => 0.999,
      () => 0,
    );
    assert.ok(b.next() > 149);
  });

  it("resets after a quiet period", () => {
    let now = 0;
    const b = new Backoff(
      { initialMs: 100, maxMs: 1000, jitter: 0, resetAfterMs: 5000 },
      () => 0,
      () => now,
    );
    b.next();
    b.next();
    now = 10_000;
    assert.equal(b.next(), 100);
  });
});

describe("sleep", () => {
  it("returns false early on abort", async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 5);
    const start = Date.now();
    assert.equal(await sleep(10_000, ac.signal), false);
    assert.ok(Date.now() - start < 1000);
  });
});
