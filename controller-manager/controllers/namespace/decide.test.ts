import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { contentGone, type DeletionResult, deletionConditions, groupResource } from "./decide.js";

const empty = (): DeletionResult => ({ deleteErrors: [], remaining: new Map(), finalizers: new Map() });

describe("namespace deletion conditions", () => {
  it("all clear: the five conditions False with upstream's ok reasons", () => {
    const conds = deletionConditions(undefined, empty(), "2024-01-01T00:00:00Z");
    assert.deepEqual(
      conds.map((c) => [c.type, c.status, c.reason]),
      [
        ["NamespaceDeletionDiscoveryFailure", "False", "ResourcesDiscovered"],
        ["NamespaceDeletionGroupVersionParsingFailure", "False", "ParsedGroupVersions"],
        ["NamespaceDeletionContentFailure", "False", "ContentDeleted"],
        ["NamespaceContentRemaining", "False", "ContentRemoved"],
        ["NamespaceFinalizersRemaining", "False", "ContentHasNoFinalizers"],
      ],
    );
    assert.ok(contentGone(empty()));
  });
  it("remaining content and finalizers, with messages as upstream", () => {
    const r = empty();
    r.remaining.set(groupResource("", "pods"), 3);
    r.remaining.set(groupResource("apps", "deployments"), 1);
    r.finalizers.set("example.com/keep", 2);
    const conds = deletionConditions(undefined, r, "2024-01-01T00:00:00Z");
    const remaining = conds.find((c) => c.type === "NamespaceContentRemaining")!;
    assert.equal(remaining.status, "True");
    assert.equal(remaining.reason, "SomeResourcesRemain");
    assert.equal(
      remaining.message,
      "Some resources are remaining: deployments.apps has 1 resource instances, pods. has 3 resource instances",
    );
    const fin = conds.find((c) => c.type === "NamespaceFinalizersRemaining")!;
    assert.equal(fin.reason, "SomeFinalizersRemain");
    assert.equal(
      fin.message,
      "Some content in the namespace has finalizers remaining: example.com/keep in 2 resource instances",
    );
    assert.equal(contentGone(r), false);
  });
  it("keeps the transition time of an unchanged condition and other conditions", () => {
    const first = deletionConditions([{ type: "Other", status: "True" }], empty(), "2024-01-01T00:00:00Z");
    const second = deletionConditions(first, empty(), "2024-01-01T00:05:00Z");
    assert.deepEqual(second, first);
    assert.equal(second[0].type, "Other");
  });
  it("a delete failure is reported and blocks finalization", () => {
    const r = empty();
    r.deleteErrors.push("pods.: boom");
    const c = deletionConditions(undefined, r, "t").find(
      (x) => x.type === "NamespaceDeletionContentFailure",
    )!;
    assert.equal(c.message, "Failed to delete all resource types, 1 remaining: pods.: boom");
    assert.equal(contentGone(r), false);
  });
});
