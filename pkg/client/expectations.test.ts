import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ControllerExpectations, UIDTrackingControllerExpectations } from "./expectations.js";

describe("ControllerExpectations", () => {
  it("is satisfied when never set, when met, and when expired", () => {
    let now = 0;
    const e = new ControllerExpectations(() => now);
    assert.ok(e.satisfiedExpectations("ns/rs"), "new controller");
    e.expectCreations("ns/rs", 2);
    assert.ok(!e.satisfiedExpectations("ns/rs"));
    e.creationObserved("ns/rs");
    assert.ok(!e.satisfiedExpectations("ns/rs"));
    e.creationObserved("ns/rs");
    assert.ok(e.satisfiedExpectations("ns/rs"));
    e.expectDeletions("ns/rs", 1);
    assert.ok(!e.satisfiedExpectations("ns/rs"));
    now = 5 * 60 * 1000 + 1;
    assert.ok(e.satisfiedExpectations("ns/rs"), "expired after 5 minutes");
  });

  it("raise/lower/delete", () => {
    const e = new ControllerExpectations();
    e.setExpectations("k", 1, 1);
    e.raiseExpectations("k", 1, 0);
    assert.deepEqual([e.getExpectations("k")?.add, e.getExpectations("k")?.del], [2, 1]);
    e.lowerExpectations("k", 2, 1);
    assert.ok(e.satisfiedExpectations("k"));
    e.lowerExpectations("missing", 1, 1); // no-op
    e.deleteExpectations("k");
    assert.equal(e.getExpectations("k"), undefined);
  });

  it("UID tracking counts each deleted key once", () => {
    const e = new UIDTrackingControllerExpectations();
    e.expectDeletionsOf("ns/rs", ["ns/p1", "ns/p2"]);
    e.deletionObservedOf("ns/rs", "ns/p1");
    e.deletionObservedOf("ns/rs", "ns/p1");
    e.deletionObservedOf("ns/rs", "ns/other");
    assert.ok(!e.satisfiedExpectations("ns/rs"));
    e.deletionObservedOf("ns/rs", "ns/p2");
    assert.ok(e.satisfiedExpectations("ns/rs"));
    e.deleteExpectations("ns/rs");
    assert.equal(e.getUIDs("ns/rs"), undefined);
  });
});
