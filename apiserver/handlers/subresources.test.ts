import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { scaleOf, selectorString } from "./subresources.js";

describe("scale", () => {
  it("selector strings", () => {
    assert.equal(selectorString({ matchLabels: { b: "2", a: "1" } }), "a=1,b=2");
    assert.equal(
      selectorString({ matchExpressions: [{ key: "t", operator: "In", values: ["y", "x"] }] }),
      "t in (x,y)",
    );
    assert.equal(selectorString({ app: "rc" }), "app=rc");
  });
  it("Scale of a deployment", () => {
    const s = scaleOf({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d", namespace: "n", resourceVersion: "5" },
      spec: { replicas: 3, selector: { matchLabels: { app: "d" } } },
      status: { replicas: 2 },
    });
    assert.deepEqual(s.spec, { replicas: 3 });
    assert.deepEqual(s.status, { replicas: 2, selector: "app=d" });
    assert.equal(s.apiVersion, "autoscaling/v1");
  });
});
