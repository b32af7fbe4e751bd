import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { StoredObject } from "../../pkg/api/types.js";
import type { CachedObject, CacheEvent } from "./cache.js";
import { eventFrame, frameOf, listEnvelope, objectJson } from "./encoding.js";

function cached(name: string, rv: number): CachedObject {
  const obj: StoredObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "default", resourceVersion: String(rv) },
    data: { é: "ünïcode" },
  } as StoredObject;
  return { key: `/registry/configmaps/default/${name}`, namespace: "default", name, rv, obj };
}

const identity = (o: StoredObject) => o;

describe("objectJson", () => {
  it("is JSON.stringify of the served object, made once per object version", () => {
    const o = cached("a", 5);
    let calls = 0;
    const counting = (x: StoredObject) => {
      calls++;
      return x;
    };
    const first = objectJson(o, "v1", counting);
    assert.equal(first.toString("utf8"), JSON.stringify(o.obj));
    assert.equal(objectJson(o, "v1", counting), first, "the same bytes, not a copy");
    assert.equal(calls, 1);
  });
  it("serializes another apiVersion without replacing the remembered one", () => {
    const o = cached("a", 5);
    const v1 = objectJson(o, "v1", identity);
    const other = objectJson(o, "v2", (x) => ({ ...x, apiVersion: "v2" }));
    assert.equal(JSON.parse(other.toString()).apiVersion, "v2");
    assert.equal(objectJson(o, "v1", identity), v1);
  });
});

describe("watch frames", () => {
  it("frameOf writes one JSON line", () => {
    const f = frameOf("ADDED", Buffer.from('{"a":1}'));
    assert.equal(f.toString(), '{"type":"ADDED","object":{"a":1}}\n');
  });
  it("eventFrame is shared per (apiVersion, type) and equals the old string frame", () => {
    const o = cached("b", 7);
    const ev: CacheEvent = { type: "MODIFIED", rv: 7, object: o, at: 0 };
    const f = eventFrame(ev, "MODIFIED", "v1", identity);
    assert.equal(f.toString("utf8"), `{"type":"MODIFIED","object":${JSON.stringify(o.obj)}}\n`);
    assert.equal(eventFrame(ev, "MODIFIED", "v1", identity), f);
    const deleted = eventFrame(ev, "DELETED", "v1", identity);
    assert.notEqual(deleted, f);
    assert.match(deleted.toString(), /^\{"type":"DELETED"/);
  });
});

describe("listEnvelope", () => {
  it("wraps items into the list JSON kube-apiserver sends", () => {
    const { head, tail } = listEnvelope("PodList", "v1", { resourceVersion: "9", continue: "x" });
    const body = Buffer.concat([head, Buffer.from('{"a":1},{"b":2}'), tail]).toString();
    assert.deepEqual(JSON.parse(body), {
      kind: "PodList",
      apiVersion: "v1",
      metadata: { resourceVersion: "9", continue: "x" },
      items: [{ a: 1 }, { b: 2 }],
    });
  });
});
