import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Pod } from "kubernetes-types/core/v1";
import { Pods } from "./gvr.js";
import { InformerFactory, SharedInformer, stripManagedFields } from "./informer.js";
import { RestClient } from "./rest.js";
import { isTombstone, metaNamespaceKey, objectOf } from "./store.js";
import { FakeApiServer } from "./testing/fakeserver.js";

const pod = (ns: string, name: string, node?: string): Pod => ({
  metadata: { namespace: ns, name },
  spec: { containers: [{ name: "c", image: "x" }], ...(node ? { nodeName: node } : {}) },
});

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("SharedInformer", () => {
  let server: FakeApiServer;
  let client: RestClient;
  before(async () => {
    server = await FakeApiServer.start();
    client = new RestClient(server.clientConfig());
  });
  after(async () => {
    client.close();
    await server.stop();
  });

  it("syncs, indexes, and tells handlers about adds, updates and deletes", async () => {
    server.seed(Pods, pod("i1", "a", "n1"), pod("i1", "b", "n2"));
    const inf = new SharedInformer(client.resource(Pods, "i1"), {
      indexers: { byNode: (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []) },
    });
    const log: string[] = [];
    inf.addEventHandler({
      onAdd: (p, initial) => log.push(`add:${p.metadata?.name}:${initial}`),
      onUpdate: (o, n) =>
        log.push(`update:${n.metadata?.name}:${o.metadata?.resourceVersion !== n.metadata?.resourceVersion}`),
      onDelete: (p) => log.push(`delete:${objectOf(p).metadata?.name}:${isTombstone(p)}`),
    });
    const ac = new AbortController();
    const running = inf.run(ac.signal);
    assert.equal(await inf.waitForSync(), true);
    assert.ok(inf.hasSynced());
    assert.deepEqual(
      inf.store.byIndex("byNode", "n1").map((p) => p.metadata?.name),
      ["a"],
    );
    assert.equal(inf.store.getByKey("i1/a")?.kind, "Pod");
    const pods = client.resource(Pods, "i1");
    await pods.create(pod("i1", "c", "n1"));
    await pods.patch("a", { metadata: { labels: { x: "y" } } });
    await pods.delete("b");
    await until(() => log.length >= 5, "events");
    assert.deepEqual(log, ["add:a:true", "add:b:true", "add:c:false", "update:a:true", "delete:b:false"]);
    assert.deepEqual(
      inf.store
        .byIndex("byNode", "n1")
        .map((p) => p.metadata?.name)
        .sort(),
      ["a", "c"],
    );
    assert.equal(inf.lastSyncResourceVersion(), server.resourceVersion);

    // A late handler still learns about everything cached.
    const late: string[] = [];
    inf.addEventHandler({ onAdd: (p) => late.push(metaNamespaceKey(p)) });
    assert.deepEqual(late.sort(), ["i1/a", "i1/c"]);

    // Missed while disconnected and compacted: the relist reports a tombstone.
    server.closeWatches();
    server.remove(Pods, "i1", "c");
    server.compact();
    await until(() => log.includes("delete:c:true"), "tombstone delete");
    assert.equal(inf.store.getByKey("i1/c"), undefined);
    ac.abort();
    await running;
  });

  it("keeps going when a handler throws", async () => {
    const inf = new SharedInformer(client.resource(Pods, "i2"));
    let good = 0;
    inf.addEventHandler({
      onAdd: () => {
        throw new Error("handler bug");
      },
    });
    inf.addEventHandler({ onAdd: () => good++ });
    const ac = new AbortController();
    const running = inf.run(ac.signal);
    await inf.waitForSync();
    await client.resource(Pods, "i2").create(pod("i2", "x"));
    await until(() => good === 1, "second handler");
    ac.abort();
    await running;
  });

  it("transforms objects before they are stored and handed to handlers (stripManagedFields)", async () => {
    const managed = {
      ...pod("i4", "m"),
      metadata: { namespace: "i4", name: "m", managedFields: [{ manager: "kubectl", operation: "Apply" }] },
    } as Pod;
    server.seed(Pods, managed);
    const inf = new SharedInformer(client.resource(Pods, "i4"), { transform: stripManagedFields });
    const seen: Pod[] = [];
    inf.addEventHandler({ onAdd: (p) => seen.push(p), onUpdate: (_o, p) => seen.push(p) });
    const ac = new AbortController();
    const running = inf.run(ac.signal);
    await until(() => seen.length === 1, "listed pod");
    await client.resource(Pods, "i4").create({
      ...pod("i4", "n"),
      metadata: { namespace: "i4", name: "n", managedFields: [{ manager: "x", operation: "Update" }] },
    } as Pod);
    await until(() => seen.length === 2, "watched pod");
    for (const p of [...seen, ...inf.store.list()]) assert.equal(p.metadata?.managedFields, undefined);
    ac.abort();
    await running;
  });

  it("resyncs handlers periodically with old === new", async () => {
    server.seed(Pods, pod("i3", "r"));
    const inf = new SharedInformer(client.resource(Pods, "i3"), { resyncMs: 30 });
    let resyncs = 0;
    inf.addEventHandler({ onUpdate: (o, n) => o === n && resyncs++ });
    const ac = new AbortController();
    const running = inf.run(ac.signal);
    await until(() => resyncs >= 2, "resyncs");
    ac.abort();
    await running;
  });
});

describe("InformerFactory", () => {
  it("shares one informer per resource and selector, and waits for all caches", async () => {
    const server = await FakeApiServer.start();
    const client = new RestClient(server.clientConfig());
    server.seed(Pods, pod("f", "a", "n1"), pod("f", "b"));
    const factory = new InformerFactory(client);
    const one = factory.informerFor(Pods, {
      indexers: { byNode: (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []) },
    });
    const two = factory.informerFor(Pods, { indexers: { byNode: () => ["other"], extra: () => ["e"] } });
    const onNode = factory.informerFor(Pods, { fieldSelector: "spec.nodeName=n1" });
    assert.equal(one, two);
    assert.notEqual(one, onNode);
    const ac = new AbortController();
    try {
      factory.start(ac.signal);
      factory.start(ac.signal);
      assert.equal(await factory.waitForCacheSync(ac.signal), true);
      assert.deepEqual(
        one.store.byIndex("byNode", "n1").map((p) => p.metadata?.name),
        ["a"],
        "first definition kept",
      );
      assert.equal(one.store.byIndex("extra", "e").length, 2);
      assert.deepEqual(onNode.store.listKeys(), ["f/a"]);
      await until(() => server.watchCount === 2, "two watches");
      await new Promise((r) => setTimeout(r, 50));
      const watches = server.requests.filter((r) => r.query.watch === "true").length;
      assert.equal(watches, 2, "one watch per distinct informer");
    } finally {
      ac.abort();
      client.close();
      await server.stop();
    }
  });

  it("waitForCacheSync returns false when aborted before sync", async () => {
    const client = new RestClient({ server: "https://127.0.0.1:1" });
    const factory = new InformerFactory(client);
    factory.informerFor(Pods);
    const ac = new AbortController();
    factory.start(ac.signal);
    setTimeout(() => ac.abort(), 50);
    assert.equal(await factory.waitForCacheSync(ac.signal), false);
    client.close();
  });
});

describe("closing the client", () => {
  it("stops informers built on it", async () => {
    const server = await FakeApiServer.start();
    const client = new RestClient(server.clientConfig());
    const inf = new SharedInformer(client.resource(Pods));
    const running = inf.run(new AbortController().signal); // never aborted
    await inf.waitForSync();
    client.close();
    await running;
    await assert.rejects(client.resource(Pods).list(), /client closed/);
    await server.stop();
  });
});
