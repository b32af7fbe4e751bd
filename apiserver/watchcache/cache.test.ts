import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Logger } from "../../pkg/util/log.js";
import type { EtcdStore, KV } from "../storage/etcd-store.js";
import {
  type CacheWatcher,
  DEFAULT_HISTORY,
  fixedHistory,
  lowerBound,
  nextCapacity,
  ResourceCache,
  WatchCache,
} from "./cache.js";
import { objectJson } from "./encoding.js";

const kv = (key: string, rev: number): KV => ({
  key,
  value: JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: key.split("/").pop() } }),
  modRevision: rev,
  createRevision: rev,
});

describe("lowerBound", () => {
  const cases: [string[], string, number][] = [
    [[], "a", 0],
    [["a", "c"], "b", 1],
    [["a", "c"], "c", 1],
    [["a", "c"], "d", 2],
    [["b"], "a", 0],
  ];
  for (const [keys, target, want] of cases) {
    it(`${JSON.stringify(keys)} ${target} -> ${want}`, () => assert.equal(lowerBound(keys, target), want));
  }
});

describe("ResourceCache keys", () => {
  it("stay sorted through puts and deletes after the first sort", () => {
    const rc = new ResourceCache("pods", true, 1);
    const p = "/registry/pods/";
    let rev = 1;
    const put = (name: string) => {
      const key = `${p}ns/${name}`;
      rc.apply("put", key, kv(key, ++rev), undefined, `ns/${name}`);
    };
    const del = (name: string) => {
      const key = `${p}ns/${name}`;
      rc.apply("delete", key, { ...kv(key, ++rev), value: "" }, kv(key, rev - 1), `ns/${name}`);
    };
    for (const n of ["m", "c", "x"]) put(n);
    assert.deepEqual(rc.keys(), [`${p}ns/c`, `${p}ns/m`, `${p}ns/x`]);
    for (const n of ["a", "n", "z", "m"]) put(n); // "m" again: a modification, not a new key
    del("c");
    del("zz"); // never existed: nothing to remove
    const want = [...rc.items.keys()].sort();
    assert.deepEqual(rc.keys(), want);
    assert.deepEqual(
      want,
      ["a", "m", "n", "x", "z"].map((n) => `${p}ns/${n}`),
    );
  });
});

describe("WatchCache.knownEmpty", () => {
  const log = { info() {}, warn() {} } as unknown as Logger;
  const writes = new Map<string, number>();
  const store = {
    lastWriteRevisionUnder: (p: string) => writes.get(p.split("/").slice(0, 3).join("/")) ?? 0,
  };
  const wc = new WatchCache(store as unknown as EtcdStore, {
    prefix: "/registry",
    namespaced: () => true,
    log,
  });
  const q = "/registry/resourcequotas/";
  it("is false until the cache is ready", () => {
    assert.equal(wc.knownEmpty("resourcequotas", `${q}a/`), false);
  });
  it("answers from the cached keys once ready", () => {
    wc.ready = true;
    assert.equal(wc.knownEmpty("resourcequotas", `${q}a/`), true, "no such resource cached yet");
    const key = `${q}b/compute`;
    wc.cache("resourcequotas").load({
      key,
      namespace: "b",
      name: "compute",
      rv: 3,
      obj: { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "compute", namespace: "b" } },
    });
    assert.equal(wc.knownEmpty("resourcequotas", `${q}b/`), false);
    assert.equal(wc.knownEmpty("resourcequotas", `${q}a/`), true);
    assert.equal(wc.knownEmpty("resourcequotas", `${q}bb/`), true, "a namespace whose name extends b's");
    assert.equal(wc.knownEmpty("resourcequotas", `${q}c/`), true);
  });
  it("asks etcd while a quota this apiserver wrote is not in the cache yet, whatever else was written", () => {
    wc.revision = 10;
    writes.set("/registry/configmaps", 50);
    assert.equal(wc.knownEmpty("resourcequotas", `${q}a/`), true, "other resources' writes do not count");
    writes.set("/registry/resourcequotas", 11);
    assert.equal(wc.knownEmpty("resourcequotas", `${q}a/`), false);
    wc.revision = 11;
    assert.equal(wc.knownEmpty("resourcequotas", `${q}a/`), true);
  });
});

describe("nextCapacity (kube-apiserver's watch cache sizing)", () => {
  const o = { lowerBound: 100, upperBound: 400, freshMs: 75_000 };
  // [capacity, record times (s), now (s), want]
  const cases: [string, number, number[], number, number][] = [
    ["not full: unchanged", 100, [0, 1], 10, 100],
    ["full of fresh events: doubles", 100, Array(100).fill(0), 74, 200],
    ["doubling stops at the upper bound", 400, Array(400).fill(0), 10, 400],
    [
      "full, oldest stale, newest quarter fresh: unchanged",
      200,
      [...Array(150).fill(0), ...Array(50).fill(60)],
      100,
      200,
    ],
    ["full, newest quarter stale too: halves", 200, Array(200).fill(0), 100, 100],
    ["halving stops at the lower bound", 100, Array(100).fill(0), 1000, 100],
  ];
  for (const [name, capacity, times, now, want] of cases) {
    it(name, () => {
      const t = { length: times.length, at: (i: number) => times[i]! * 1000 };
      assert.equal(nextCapacity(capacity, t, now * 1000, o), want);
    });
  }
});

describe("ResourceCache history", () => {
  const p = "/registry/leases/";
  const put = (rc: ResourceCache, rev: number) => {
    const key = `${p}ns/l${rev % 3}`;
    rc.apply("put", key, kv(key, rev), undefined, `ns/l${rev % 3}`);
  };

  it("keeps 75 s of events at least, from 100 up", () => {
    let now = 0;
    const rc = new ResourceCache("leases", true, 1, { ...DEFAULT_HISTORY, now: () => now });
    for (let rev = 2; rev < 302; rev++, now += 100) put(rc, rev); // 300 events in 30 s: all fresh
    assert.deepEqual(rc.historySize(), { events: 300, capacity: 400 });
    assert.equal(rc.resumableFrom, 1);
    assert.equal(rc.eventsSince(299).length, 2);
    now += 200_000; // then a slow trickle, 1 event every 10 s: the history shrinks once full again
    for (let rev = 302; rev < 352; rev++, now += 10_000) put(rc, rev);
    assert.equal(rc.historySize().capacity, 400, "not full: no resize");
    for (let rev = 352; rev < 652; rev++, now += 10_000) put(rc, rev);
    const { events, capacity } = rc.historySize();
    assert.equal(capacity, 100);
    assert.ok(events <= 100);
    assert.equal(rc.resumableFrom, 651 - events, "resumable from the newest dropped event");
    assert.deepEqual(
      rc.eventsSince(rc.resumableFrom).map((e) => e.rv),
      Array.from({ length: events }, (_, i) => 652 - events + i),
    );
  });

  it("a fixed history drops the oldest event", () => {
    const rc = new ResourceCache("leases", true, 1, fixedHistory(2));
    for (let rev = 2; rev <= 5; rev++) put(rc, rev);
    assert.equal(rc.resumableFrom, 3);
    assert.deepEqual(
      rc.eventsSince(3).map((e) => e.rv),
      [4, 5],
    );
  });

  it("drops encoded JSON the history alone holds, and frames once dispatched", () => {
    const rc = new ResourceCache("leases", true, 1);
    const frames: number[] = [];
    const w: CacheWatcher = {
      matches: () => true,
      deliver: (_t, ev) => {
        ev.frames = new Map([["x", Buffer.from("frame")]]);
        frames.push(ev.rv);
      },
      bookmark: () => {},
      terminate: () => {},
    };
    rc.watchers.add(w);
    const key = `${p}ns/a`;
    rc.apply("put", key, kv(key, 2), undefined, "ns/a");
    const first = rc.items.get(key)!;
    objectJson(first, "coordination.k8s.io/v1", (x) => x);
    assert.ok(first.encoded);
    rc.apply("put", key, kv(key, 3), undefined, "ns/a");
    assert.equal(first.encoded, undefined, "a replaced version's JSON is dropped");
    const events = rc.eventsSince(1);
    assert.deepEqual(frames, [2, 3]);
    assert.ok(events.every((e) => e.frames === undefined));
  });

  it("serves a deleted object with the deletion's revision, not its last version's JSON", () => {
    const rc = new ResourceCache("leases", true, 1);
    const key = `${p}ns/a`;
    rc.apply("put", key, kv(key, 2), undefined, "ns/a");
    objectJson(rc.items.get(key)!, "v1", (x) => x);
    rc.apply("delete", key, { ...kv(key, 3), value: "" }, kv(key, 2), "ns/a");
    const del = rc.eventsSince(2)[0]!;
    assert.equal(del.type, "DELETED");
    const json = JSON.parse(objectJson(del.object, "v1", (x) => x).toString());
    assert.equal(json.metadata.resourceVersion, "3");
  });
});
