// The ReplicaSet controller against the in-memory apiserver with simulated nodes.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ReplicaSet } from "kubernetes-types/apps/v1";
import type { Pod, ReplicationController } from "kubernetes-types/core/v1";
import { Pods, ReplicaSets, ReplicationControllers } from "../../../pkg/client/index.js";
import { type Harness, startHarness } from "../../testing/harness.js";
import { replicaSetDescriptor, replicationControllerDescriptor } from "./index.js";

function frontend(replicas: number): ReplicaSet {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name: "frontend", namespace: "default" },
    spec: {
      replicas,
      selector: { matchLabels: { tier: "frontend" } },
      template: {
        metadata: { labels: { tier: "frontend" } },
        spec: { containers: [{ name: "php", image: "php:5" }] },
      },
    },
  };
}

describe("replicaset controller", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ controllers: [replicaSetDescriptor, replicationControllerDescriptor] });
  });
  after(async () => {
    await h.stop();
  });

  it("creates pods, reports status and records SuccessfulCreate", async () => {
    const rs = await h.client.resource(ReplicaSets, "default").create(frontend(3));
    const owned = () => h.pods().filter((p) => p.metadata?.ownerReferences?.[0]?.uid === rs.metadata?.uid);
    await h.waitFor("3 pods", () => owned().length === 3);
    for (const p of owned()) assert.match(p.metadata?.name ?? "", /^frontend-[a-z0-9]{5}$/);
    const status = await h.waitFor("ready status", () => {
      const s = h.server.getObject(ReplicaSets, "default", "frontend")?.status;
      return s?.readyReplicas === 3 && s.availableReplicas === 3 ? s : undefined;
    });
    assert.equal(status.replicas, 3);
    assert.equal(status.fullyLabeledReplicas, 3);
    assert.equal(status.observedGeneration, 1);
    await h.waitFor("events", () => h.events().filter((e) => e.reason === "SuccessfulCreate").length === 3);
    const ev = h.events().find((e) => e.reason === "SuccessfulCreate");
    assert.match(ev?.message ?? "", /^Created pod: frontend-/);
    assert.equal(ev?.source?.component, "replicaset-controller");
  });

  it("scales down and replaces a deleted pod", async () => {
    await h.client.resource(ReplicaSets, "default").patch("frontend", { spec: { replicas: 2 } });
    const owned = () => h.pods().filter((p) => p.metadata?.ownerReferences?.[0]?.name === "frontend");
    await h.waitFor("2 pods", () => owned().length === 2);
    await h.waitFor("SuccessfulDelete", () => h.events().some((e) => e.reason === "SuccessfulDelete"));
    const victim = owned()[0].metadata?.name ?? "";
    await h.client.resource(Pods, "default").delete(victim);
    await h.waitFor(
      "replacement",
      () => owned().length === 2 && owned().every((p) => p.metadata?.name !== victim),
    );
  });

  it("releases a relabelled pod and adopts a matching orphan", async () => {
    const owned = () => h.pods().filter((p) => p.metadata?.ownerReferences?.[0]?.name === "frontend");
    const first = owned()[0].metadata?.name ?? "";
    await h.client.resource(Pods, "default").patch(first, { metadata: { labels: { tier: "debug" } } });
    await h.waitFor("released", () => {
      const p = h.server.getObject(Pods, "default", first);
      return p && (p.metadata?.ownerReferences ?? []).length === 0;
    });
    await h.waitFor("replaced", () => owned().length === 2);
    // Relabel it back: the ReplicaSet now has 3 matching pods, adopts it and deletes one.
    await h.client.resource(Pods, "default").patch(first, { metadata: { labels: { tier: "frontend" } } });
    await h.waitFor("adopted and scaled back", () => {
      const p = h.server.getObject(Pods, "default", first);
      return (
        owned().length === 2 && (p === undefined || p.metadata?.ownerReferences?.[0]?.name === "frontend")
      );
    });
  });

  it("adopts orphans created before the ReplicaSet", async () => {
    const orphan: Pod = {
      metadata: { name: "kuard-orphan", namespace: "default", labels: { app: "kuard" } },
      spec: { containers: [{ name: "kuard", image: "kuard" }] },
    };
    await h.client.resource(Pods, "default").create(orphan);
    const rs = frontend(1);
    rs.metadata = { name: "kuard", namespace: "default" };
    rs.spec!.selector = { matchLabels: { app: "kuard" } };
    rs.spec!.template!.metadata = { labels: { app: "kuard" } };
    await h.client.resource(ReplicaSets, "default").create(rs);
    await h.waitFor(
      "adopted",
      () =>
        h.server.getObject(Pods, "default", "kuard-orphan")?.metadata?.ownerReferences?.[0]?.name === "kuard",
    );
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(h.pods().filter((p) => p.metadata?.labels?.app === "kuard").length, 1);
  });

  it("runs ReplicationControllers with the replication-controller source", async () => {
    const rc: ReplicationController = {
      metadata: { name: "kubia", namespace: "default" },
      spec: {
        replicas: 2,
        selector: { app: "kubia" },
        template: {
          metadata: { labels: { app: "kubia" } },
          spec: { containers: [{ name: "kubia", image: "kubia" }] },
        },
      },
    };
    await h.client.resource(ReplicationControllers, "default").create(rc);
    await h.waitFor(
      "rc status",
      () => h.server.getObject(ReplicationControllers, "default", "kubia")?.status?.readyReplicas === 2,
    );
    await h.waitFor("rc events", () =>
      h
        .events()
        .some(
          (e) =>
            e.source?.component === "replication-controller" &&
            e.involvedObject.kind === "ReplicationController",
        ),
    );
  });
});
