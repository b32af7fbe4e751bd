import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { alignWithLive } from "./align.js";

describe("alignWithLive", () => {
  const keys = (v: unknown) => JSON.stringify(v);

  it("takes the live key order, then its own new keys", () => {
    const live = { spec: { replicas: 1, progressDeadlineSeconds: 600, selector: {} }, status: {} };
    const obj = {
      spec: { selector: {}, replicas: 2, paused: true, progressDeadlineSeconds: 600 },
      status: {},
    };
    assert.equal(
      keys(alignWithLive(obj, live)),
      '{"spec":{"replicas":2,"progressDeadlineSeconds":600,"selector":{},"paused":true},"status":{}}',
    );
  });

  it("puts back the live nulls, and leaves out keys it removed", () => {
    const live = { template: { metadata: { creationTimestamp: null, labels: { a: "1" } } }, gone: 1 };
    const obj = { template: { metadata: { labels: { a: "1" } } } };
    assert.equal(
      keys(alignWithLive(obj, live)),
      '{"template":{"metadata":{"creationTimestamp":null,"labels":{"a":"1"}}}}',
    );
  });

  it("aligns list items by position and leaves scalars and type changes alone", () => {
    const live = {
      c: [
        { name: "a", image: "x" },
        { name: "b", env: null },
      ],
      n: { x: 1 },
    };
    const obj = { c: [{ image: "y", name: "a" }], n: 5 };
    assert.equal(keys(alignWithLive(obj, live)), '{"c":[{"name":"a","image":"y"}],"n":5}');
  });

  it("does not modify its argument", () => {
    const obj = { b: 1, a: 2 };
    alignWithLive(obj, { a: 0, b: 0 });
    assert.equal(keys(obj), '{"b":1,"a":2}');
  });
});
