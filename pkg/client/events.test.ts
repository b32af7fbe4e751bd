import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Event, Pod } from "kubernetes-types/core/v1";
import { EventBroadcaster, EventCorrelator, eventName, metaTime, referenceTo } from "./events.js";
import { Events } from "./gvr.js";
import { RestClient } from "./rest.js";
import { FakeApiServer } from "./testing/fakeserver.js";

const rs = {
  apiVersion: "apps/v1",
  kind: "ReplicaSet",
  metadata: { name: "web-7d4b9", namespace: "default", uid: "u-1", resourceVersion: "5" },
};

function event(message: string, reason = "SuccessfulCreate", name = "web-7d4b9"): Event {
  const ts = metaTime(0);
  return {
    metadata: { name: eventName(name, 0), namespace: "default" },
    involvedObject: { kind: "ReplicaSet", name, namespace: "default", uid: "u-1", apiVersion: "apps/v1" },
    reason,
    message,
    type: "Normal",
    count: 1,
    firstTimestamp: ts,
    lastTimestamp: ts,
    source: { component: "replicaset-controller" },
  };
}

describe("event helpers", () => {
  it("names events <object>.<hex nanoseconds>, increasing", () => {
    const a = eventName("web", 1_700_000_000_000);
    const b = eventName("web", 1_700_000_000_000);
    assert.match(a, /^web\.[0-9a-f]{15,}$/);
    assert.ok(BigInt(`0x${b.split(".")[1]}`) > BigInt(`0x${a.split(".")[1]}`));
    assert.ok(a.startsWith(`web.${(1_700_000_000_000n * 1_000_000n).toString(16).slice(0, 8)}`));
  });
  it("references objects", () => {
    assert.deepEqual(referenceTo(rs), {
      kind: "ReplicaSet",
      apiVersion: "apps/v1",
      name: "web-7d4b9",
      namespace: "default",
      uid: "u-1",
      resourceVersion: "5",
    });
  });
  it("metaTime has whole seconds", () =>
    assert.equal(metaTime(Date.UTC(2024, 0, 1, 0, 0, 1, 500)), "2024-01-01T00:00:01Z"));
});

describe("EventCorrelator", () => {
  it("counts identical events into one with a patch", () => {
    const c = new EventCorrelator({ now: () => 0 });
    const first = c.correlate(event("Created pod: a"));
    assert.equal(first.patch, undefined);
    c.updateState({ ...first.event, metadata: { ...first.event.metadata, resourceVersion: "10" } });
    const second = c.correlate(event("Created pod: a"));
    assert.equal(second.event.count, 2);
    assert.equal(second.event.metadata?.name, first.event.metadata?.name);
    assert.deepEqual(second.patch, { count: 2, lastTimestamp: metaTime(0), message: "Created pod: a" });
  });

  it("combines more than 10 similar events within 10 minutes", () => {
    const c = new EventCorrelator({ now: () => 0 });
    const results = Array.from({ length: 12 }, (_, i) => c.correlate(event(`Created pod: p${i}`)));
    assert.ok(results.slice(0, 9).every((r) => !r.event.message?.startsWith("(combined")));
    assert.equal(results[9]!.event.message, "(combined from similar events): Created pod: p9");
    assert.equal(results[10]!.event.count, 2, "the combined event is counted");
  });

  it("filters spam: burst 25 per object, then 1 per 5 minutes", () => {
    let now = 0;
    const c = new EventCorrelator({ now: () => now });
    const skipped = Array.from({ length: 30 }, (_, i) => c.correlate(event(`m${i}`, `R${i}`)).skip);
    assert.equal(skipped.filter((s) => !s).length, 25);
    now = 300_000;
    assert.equal(c.correlate(event("later", "Later")).skip, false);
    assert.equal(c.correlate(event("later2", "Later2")).skip, true);
  });
});

describe("EventBroadcaster", () => {
  it("writes events and patches repeats", async () => {
    const server = await FakeApiServer.start();
    const client = new RestClient(server.clientConfig());
    const b = new EventBroadcaster(client);
    const rec = b.newRecorder({ component: "replicaset-controller" });
    try {
      rec.event(rs, "Normal", "SuccessfulCreate", "Created pod: web-7d4b9-abcde");
      rec.event(rs, "Normal", "SuccessfulCreate", "Created pod: web-7d4b9-abcde");
      rec.event(rs, "Warning", "FailedCreate", "quota exceeded");
      rec.event(
        { metadata: { name: "node-1" }, kind: "Node", apiVersion: "v1" },
        "Normal",
        "Starting",
        "Starting kubelet.",
      );
      await b.flush();
      const evs = server.listObjects(Events);
      assert.equal(evs.length, 3);
      const created = evs.find((e) => e.reason === "SuccessfulCreate")!;
      assert.equal(created.count, 2);
      assert.equal(created.involvedObject.kind, "ReplicaSet");
      assert.equal(created.source?.component, "replicaset-controller");
      assert.equal(created.reportingComponent, "replicaset-controller");
      assert.match(created.metadata!.name!, /^web-7d4b9\.[0-9a-f]+$/);
      const patches = server.requests.filter((r) => r.method === "PATCH");
      assert.equal(patches.length, 1);
      assert.equal(patches[0]!.headers["content-type"], "application/strategic-merge-patch+json");
      const nodeEvent = evs.find((e) => e.reason === "Starting")!;
      assert.equal(nodeEvent.metadata?.namespace, "default", "cluster-scoped objects' events go to default");
    } finally {
      await b.shutdown();
      client.close();
      await server.stop();
    }
  });

  it("never blocks: drops beyond the queue size and gives up on a dead apiserver", async () => {
    const client = new RestClient({ server: "https://127.0.0.1:1" });
    const b = new EventBroadcaster(client, { queueSize: 5, maxTries: 2, retryDelayMs: 10 });
    const rec = b.newRecorder({ component: "test" });
    const start = Date.now();
    for (let i = 0; i < 100; i++) rec.event(rs, "Normal", `R${i}`, "m");
    assert.ok(Date.now() - start < 100, "recording is synchronous and cheap");
    await b.flush();
    await b.shutdown();
    client.close();
  });

  it("rejects bad event types and objects without kind", async () => {
    const client = new RestClient({ server: "https://127.0.0.1:1" });
    const b = new EventBroadcaster(client, { maxTries: 1 });
    const rec = b.newRecorder({ component: "test" });
    rec.event(rs, "Bogus" as "Normal", "R", "m");
    rec.event({ metadata: { name: "x" } } as Pod, "Normal", "R", "m");
    await b.flush();
    await b.shutdown();
    client.close();
  });
});
