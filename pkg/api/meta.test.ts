import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type Condition,
  getControllerOf,
  isControlledBy,
  newControllerRef,
  objectKey,
  setCondition,
  splitKey,
} from "./meta.js";

describe("keys", () => {
  it("namespace/name", () => {
    assert.equal(objectKey({ metadata: { namespace: "default", name: "web" } }), "default/web");
    assert.equal(objectKey({ metadata: { name: "node-1" } }), "node-1");
    assert.deepEqual(splitKey("default/web"), { namespace: "default", name: "web" });
    assert.deepEqual(splitKey("node-1"), { namespace: "", name: "node-1" });
  });
});

describe("owners", () => {
  const rs = { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "web-1", uid: "u1" } };
  it("controller refs", () => {
    const pod = { metadata: { name: "p", ownerReferences: [newControllerRef(rs)] } };
    assert.equal(getControllerOf(pod)?.name, "web-1");
    assert.equal(isControlledBy(pod, rs), true);
    assert.equal(isControlledBy(pod, { metadata: { uid: "u2" } }), false);
    assert.equal(isControlledBy({ metadata: {} }, rs), false);
  });
});

describe("conditions", () => {
  const t0 = new Date("2024-01-01T00:00:00.000Z");
  const t1 = new Date("2024-01-01T00:01:00.000Z");
  it("adds with a transition time", () => {
    const out = setCondition(undefined, { type: "Ready", status: "False", reason: "Starting" }, t0);
    assert.deepEqual(out, [
      { type: "Ready", status: "False", reason: "Starting", lastTransitionTime: "2024-01-01T00:00:00Z" },
    ]);
  });
  it("keeps the transition time while the status holds, and returns the same array when unchanged", () => {
    const a = setCondition<Condition>(undefined, { type: "Ready", status: "True" }, t0);
    const b = setCondition(a, { type: "Ready", status: "True" }, t1);
    assert.equal(b, a);
    const c = setCondition(a, { type: "Ready", status: "True", reason: "X" }, t1);
    assert.equal(c[0].lastTransitionTime, "2024-01-01T00:00:00Z");
    const d = setCondition(a, { type: "Ready", status: "False" }, t1);
    assert.equal(d[0].lastTransitionTime, "2024-01-01T00:01:00Z");
  });
});
