import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "kubernetes-types/core/v1";
import { Indexer, isTombstone, metaNamespaceKey, objectOf, splitKey } from "./store.js";

const pod = (ns: string, name: string, node?: string): Pod => ({
  metadata: { namespace: ns, name },
  spec: { containers: [], ...(node ? { nodeName: node } : {}) },
});
const byNode = (p: Pod) => (p.spec?.nodeName ? [p.spec.nodeName] : []);
const names = (ps: Pod[]) => ps.map((p) => p.metadata?.name).sort();

describe("keys", () => {
  const cases: Array<[Pod | { metadata: { name: string } }, string]> = [
    [pod("default", "a"), "default/a"],
    [{ metadata: { name: "node-1" } }, "node-1"],
  ];
  for (const [obj, key] of cases) {
    it(key, () => {
      assert.equal(metaNamespaceKey(obj), key);
    });
  }
  it("splitKey", () => {
    assert.deepEqual(splitKey("ns/a"), { namespace: "ns", name: "a" });
    assert.deepEqual(splitKey("node-1"), { name: "node-1" });
  });
  it("tombstones", () => {
    const t = { tombstone: true as const, key: "ns/a", obj: pod("ns", "a") };
    assert.ok(isTombstone(t));
    assert.equal(objectOf(t).metadata?.name, "a");
    assert.equal(metaNamespaceKey(t), "ns/a");
    assert.ok(!isTombstone(pod("ns", "a")));
  });
});

describe("Indexer", () => {
  it("indexes by namespace and by custom index, and follows updates and deletes", () => {
    const s = new Indexer<Pod>({ byNode });
    s.add(pod("a", "p1", "n1"));
    s.add(pod("a", "p2", "n2"));
    s.add(pod("b", "p3", "n1"));
    assert.deepEqual(names(s.listByNamespace("a")), ["p1", "p2"]);
    assert.deepEqual(names(s.byIndex("byNode", "n1")), ["p1", "p3"]);
    s.update(pod("a", "p1", "n2"));
    assert.deepEqual(names(s.byIndex("byNode", "n1")), ["p3"]);
    assert.deepEqual(names(s.byIndex("byNode", "n2")), ["p1", "p2"]);
    s.delete(pod("a", "p2"));
    assert.deepEqual(names(s.byIndex("byNode", "n2")), ["p1"]);
    assert.deepEqual(s.indexValues("byNode").sort(), ["n1", "n2"]);
    s.deleteByKey("b/p3");
    assert.deepEqual(s.indexValues("byNode"), ["n2"]);
    assert.equal(s.size, 1);
  });

  it("replace swaps the whole content and its indexes", () => {
    const s = new Indexer<Pod>({ byNode });
    s.add(pod("a", "old", "n1"));
    s.replace([pod("a", "new", "n2")]);
    assert.deepEqual(s.listKeys(), ["a/new"]);
    assert.deepEqual(s.byIndex("byNode", "n1"), []);
    assert.deepEqual(names(s.byIndex("byNode", "n2")), ["new"]);
  });

  it("indexes existing objects when an indexer is added later", () => {
    const s = new Indexer<Pod>();
    s.add(pod("a", "p1", "n1"));
    s.addIndexers({ byNode });
    assert.deepEqual(s.indexKeys("byNode", "n1"), ["a/p1"]);
    assert.throws(() => s.addIndexers({ byNode: () => [] }), /already exists/);
    assert.throws(() => s.byIndex("nope", "x"), /does not exist/);
  });

  it("survives an index function that throws", () => {
    const s = new Indexer<Pod>({
      bad: (p) => {
        if (p.metadata?.name === "boom") throw new Error("bad data");
        return ["ok"];
      },
    });
    s.add(pod("a", "boom"));
    s.add(pod("a", "fine"));
    assert.deepEqual(names(s.byIndex("bad", "ok")), ["fine"]);
    assert.equal(s.size, 2);
  });
});
