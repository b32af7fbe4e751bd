import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BucketRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
  runWorkers,
  WorkQueue,
} from "./workqueue.js";

const noLimit = () => new ItemExponentialFailureRateLimiter<string>(1, 50);
const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe("rate limiters", () => {
  it("per-item exponential: 5 ms doubling, capped at 1000 s, forget resets", () => {
    const r = new ItemExponentialFailureRateLimiter<string>();
    const delays = Array.from({ length: 5 }, () => r.when("a"));
    assert.deepEqual(delays, [5, 10, 20, 40, 80]);
    assert.equal(r.numRequeues("a"), 5);
    assert.equal(r.when("b"), 5, "per item");
    for (let i = 0; i < 40; i++) r.when("a");
    assert.equal(r.when("a"), 1_000_000);
    r.forget("a");
    assert.equal(r.numRequeues("a"), 0);
    assert.equal(r.when("a"), 5);
  });

  it("bucket: burst free, then 1/qps apart", () => {
    let now = 0;
    const r = new BucketRateLimiter<string>(10, 2, () => now);
    assert.deepEqual([r.when("a"), r.when("b"), r.when("c"), r.when("d")], [0, 0, 100, 200]);
    now = 1000;
    assert.equal(r.when("e"), 0);
  });

  it("max of both", () => {
    const now = 0;
    const r = new MaxOfRateLimiter<string>(
      new ItemExponentialFailureRateLimiter(5, 1000),
      new BucketRateLimiter(1, 1, () => now),
    );
    assert.equal(r.when("a"), 5);
    assert.equal(r.when("a"), 1000);
    r.forget("a");
    assert.equal(r.numRequeues("a"), 0);
  });
});

describe("WorkQueue", () => {
  it("deduplicates waiting keys and keeps order", async () => {
    const q = new WorkQueue<string>({ rateLimiter: noLimit() });
    for (const k of ["a", "b", "a", "c", "b"]) q.add(k);
    assert.equal(q.len(), 3);
    assert.deepEqual([await q.get(), await q.get(), await q.get()], ["a", "b", "c"]);
  });

  it("never hands a key to two workers; a key added while processing comes back after done()", async () => {
    const q = new WorkQueue<string>({ rateLimiter: noLimit() });
    q.add("a");
    const k = await q.get();
    assert.equal(k, "a");
    q.add("a");
    q.add("a");
    assert.equal(q.len(), 0, "not queued while being processed");
    let second: string | undefined;
    void q.get().then((v) => {
      second = v;
    });
    await tick();
    assert.equal(second, undefined);
    q.done("a");
    await tick();
    assert.equal(second, "a", "requeued once after done");
    q.done("a");
    assert.equal(q.len(), 0);
  });

  it("wakes a waiting worker on add", async () => {
    const q = new WorkQueue<string>();
    const p = q.get();
    q.add("x");
    assert.equal(await p, "x");
  });

  it("addAfter keeps the earliest time", async () => {
    const q = new WorkQueue<string>();
    q.addAfter("a", 200);
    q.addAfter("a", 10);
    q.addAfter("a", 300);
    const start = Date.now();
    assert.equal(await q.get(), "a");
    assert.ok(Date.now() - start < 150);
    q.done("a");
    await tick(350);
    assert.equal(q.len(), 0, "later adds were merged into the earliest");
  });

  it("addRateLimited backs off per key and forget resets", async () => {
    const q = new WorkQueue<string>({ rateLimiter: new ItemExponentialFailureRateLimiter(20, 1000) });
    q.addRateLimited("a");
    q.addRateLimited("a");
    assert.equal(q.numRequeues("a"), 2);
    q.forget("a");
    assert.equal(q.numRequeues("a"), 0);
  });

  it("shutDown releases waiting workers; queued keys still drain", async () => {
    const q = new WorkQueue<string>();
    q.add("a");
    q.shutDown();
    q.add("b");
    assert.equal(await q.get(), "a");
    assert.equal(await q.get(), undefined);
    const q2 = new WorkQueue<string>();
    const waiting = q2.get();
    q2.shutDown();
    assert.equal(await waiting, undefined);
    assert.ok(q2.shuttingDown());
  });

  it("shutDownWithDrain waits for keys in process", async () => {
    const q = new WorkQueue<string>();
    q.add("a");
    const k = await q.get();
    let drained = false;
    const p = q.shutDownWithDrain().then(() => {
      drained = true;
    });
    await tick(10);
    assert.equal(drained, false);
    q.done(k!);
    await p;
    assert.equal(drained, true);
  });
});

describe("runWorkers", () => {
  it("processes keys concurrently but never the same key twice at once", async () => {
    const q = new WorkQueue<string>({ rateLimiter: noLimit() });
    const active = new Set<string>();
    let maxParallel = 0;
    let runs = 0;
    const ac = new AbortController();
    const done = runWorkers(
      q,
      4,
      async (key) => {
        assert.ok(!active.has(key), `${key} processed twice at once`);
        active.add(key);
        maxParallel = Math.max(maxParallel, active.size);
        runs++;
        await tick(5);
        if (runs < 20) q.add(key); // re-added while being processed
        active.delete(key);
      },
      { signal: ac.signal },
    );
    for (const k of ["a", "b", "c", "d", "e"]) q.add(k);
    await tick(200);
    ac.abort();
    await done;
    assert.ok(maxParallel > 1 && maxParallel <= 4, `parallel ${maxParallel}`);
  });

  it("requeues failures with backoff, forgets on success, honours requeueAfter and maxRetries", async () => {
    const q = new WorkQueue<string>({ rateLimiter: new ItemExponentialFailureRateLimiter(5, 100) });
    const attempts = new Map<string, number>();
    const ac = new AbortController();
    const done = runWorkers(
      q,
      2,
      async (key) => {
        const n = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, n);
        if (key === "flaky" && n < 3) throw new Error("transient");
        if (key === "broken") throw new Error("always");
        if (key === "again" && n === 1) return { requeueAfter: 20 };
      },
      { signal: ac.signal, maxRetries: 3 },
    );
    q.add("flaky");
    q.add("broken");
    q.add("again");
    await tick(300);
    ac.abort();
    await done;
    assert.equal(attempts.get("flaky"), 3);
    assert.equal(q.numRequeues("flaky"), 0, "forgotten after success");
    assert.equal(attempts.get("broken"), 4, "1 try + 3 retries, then dropped");
    assert.equal(attempts.get("again"), 2);
  });
});
