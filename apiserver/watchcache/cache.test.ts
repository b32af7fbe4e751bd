import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Logger } from "../../pkg/util/log.js";
import type { EtcdStore, KV } from "../storage/etcd-store.js";
import { lowerBound, ResourceCache, WatchCache } from "./cache.js";

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
  const wc = new WatchCache({} as EtcdStore, { prefix: "/registry", namespaced: () => true, log });
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
});
