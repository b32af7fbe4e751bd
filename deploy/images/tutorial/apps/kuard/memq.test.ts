import assert from "node:assert/strict";
import { test } from "node:test";
import { errAlreadyExist, errEmptyQueue, errNotExist, MemqBroker } from "./memq.js";

test("the Jobs chapter's queue: create, load 100 items, read the stats, drain by dequeuing", () => {
  let n = 0;
  const b = new MemqBroker(() => `id${++n}`);
  const now = new Date("2017-08-07T11:38:14.000Z");
  b.createQueue("keygen");
  for (let i = 0; i < 100; i++) b.enqueue("keygen", `work-item-${i}`, now);
  assert.deepEqual(b.stats(), {
    kind: "stats",
    queues: [{ name: "keygen", depth: 100, enqueued: 100, dequeued: 0, drained: 0 }],
  });
  assert.deepEqual(b.dequeue("keygen"), {
    kind: "message",
    id: "id1",
    body: "work-item-0",
    creationTimestamp: "2017-08-07T11:38:14.000Z",
  });
  b.drainQueue("keygen");
  assert.deepEqual(b.stats().queues[0], {
    name: "keygen",
    depth: 0,
    enqueued: 100,
    dequeued: 1,
    drained: 99,
  });
  assert.throws(() => b.dequeue("keygen"), errEmptyQueue);
});

test("errors are the original's", () => {
  const b = new MemqBroker(() => "x");
  b.createQueue("q");
  assert.throws(() => b.createQueue("q"), errAlreadyExist);
  assert.throws(() => b.enqueue("nope", "x", new Date()), errNotExist);
  assert.throws(() => b.deleteQueue("nope"), errNotExist);
  b.deleteQueue("q");
  assert.deepEqual(b.stats(), { kind: "stats", queues: [] });
});
