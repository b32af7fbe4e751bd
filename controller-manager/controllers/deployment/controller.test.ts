// The Deployment controller with the ReplicaSet controller against the in-memory apiserver and
// simulated nodes: the tutorial's rollout, history, undo and pause sequence (seeds 000 L1313-2267).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Deployment, ReplicaSet } from "kubernetes-types/apps/v1";
import { Deployments, ReplicaSets } from "../../../pkg/client/index.js";
import { type Harness, startHarness } from "../../testing/harness.js";
import { replicaSetDescriptor } from "../replicaset/index.js";
import { deploymentDescriptor } from "./controller.js";
import { POD_TEMPLATE_HASH, REVISION } from "./util.js";

function nginx(image: string): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "nginx-deployment", namespace: "default", labels: { app: "nginx" } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: "nginx" } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      template: {
        metadata: { labels: { app: "nginx" } },
        spec: { containers: [{ name: "nginx", image, ports: [{ containerPort: 80 }] }] },
      },
    },
  };
}

describe("deployment controller", () => {
  let h: Harness;
  const rsList = () =>
    h.server
      .listObjects(ReplicaSets, "default")
      .filter((r) => r.metadata?.ownerReferences?.[0]?.name === "nginx-deployment")
      .sort(
        (a, b) => Number(a.metadata?.annotations?.[REVISION]) - Number(b.metadata?.annotations?.[REVISION]),
      );
  const dep = () => h.server.getObject(Deployments, "default", "nginx-deployment")!;
  const rolledOut = (rev: string) => () => {
    const d = dep();
    const s = d.status;
    const prog = s?.conditions?.find((c) => c.type === "Progressing");
    return (
      s?.observedGeneration === d.metadata?.generation &&
      s?.updatedReplicas === 3 &&
      s?.replicas === 3 &&
      s?.availableReplicas === 3 &&
      prog?.reason === "NewReplicaSetAvailable" &&
      d.metadata?.annotations?.[REVISION] === rev
    );
  };

  before(async () => {
    h = await startHarness({ controllers: [replicaSetDescriptor, deploymentDescriptor] });
  });
  after(async () => {
    await h.stop();
  });

  it("creates a ReplicaSet named by the template hash and rolls out", async () => {
    await h.client.resource(Deployments, "default").create(nginx("nginx:1.7.9"));
    await h.waitFor("rollout 1", rolledOut("1"));
    const [rs] = rsList();
    const hash = rs.metadata?.labels?.[POD_TEMPLATE_HASH];
    assert.ok(hash);
    assert.equal(rs.metadata?.name, `nginx-deployment-${hash}`);
    assert.equal(rs.spec?.selector?.matchLabels?.[POD_TEMPLATE_HASH], hash);
    assert.equal(rs.metadata?.annotations?.["deployment.kubernetes.io/desired-replicas"], "3");
    assert.equal(rs.metadata?.annotations?.["deployment.kubernetes.io/max-replicas"], "4");
    assert.equal(h.pods().length, 3);
    const avail = dep().status?.conditions?.find((c) => c.type === "Available");
    assert.equal(avail?.reason, "MinimumReplicasAvailable");
    const ev = await h.waitFor("event", () => h.events().find((e) => e.reason === "ScalingReplicaSet"));
    assert.equal(ev.message, `Scaled up replica set ${rs.metadata?.name} to 3`);
    assert.equal(ev.source?.component, "deployment-controller");
  });

  it("rolls to a new image with change-cause, scaling the old one down", async () => {
    await h.client.resource(Deployments, "default").patch("nginx-deployment", {
      metadata: {
        annotations: {
          "kubernetes.io/change-cause": "kubectl set image deployment/nginx-deployment nginx=nginx:1.9.1",
        },
      },
      spec: {
        template: {
          spec: { containers: [{ name: "nginx", image: "nginx:1.9.1", ports: [{ containerPort: 80 }] }] },
        },
      },
    });
    await h.waitFor("rollout 2", rolledOut("2"), 15_000);
    const [old, cur] = rsList();
    assert.equal(old.spec?.replicas, 0);
    assert.equal(cur.spec?.replicas, 3);
    assert.equal(
      cur.metadata?.annotations?.["kubernetes.io/change-cause"],
      "kubectl set image deployment/nginx-deployment nginx=nginx:1.9.1",
    );
    const msgs = h
      .events()
      .filter((e) => e.reason === "ScalingReplicaSet")
      .map((e) => e.message ?? "");
    assert.ok(
      msgs.some((m) => m.startsWith(`Scaled up replica set ${cur.metadata?.name} to 1`)),
      msgs.join("\n"),
    );
    assert.ok(
      msgs.some((m) => m.startsWith(`Scaled down replica set ${old.metadata?.name} to`)),
      msgs.join("\n"),
    );
    assert.equal(h.pods().filter((p) => p.spec?.containers[0].image === "nginx:1.9.1").length, 3);
  });

  it("undo (kubectl patches the template back) reuses the old ReplicaSet as revision 3", async () => {
    const [first] = rsList();
    const template = structuredClone(first.spec!.template!);
    delete template.metadata!.labels![POD_TEMPLATE_HASH];
    await h.client
      .resource(Deployments, "default")
      .patch("nginx-deployment", [{ op: "replace", path: "/spec/template", value: template }], "json");
    await h.waitFor("rollout 3", rolledOut("3"), 15_000);
    const list = rsList();
    assert.equal(list.length, 2);
    const reused = list.find((r) => r.metadata?.uid === first.metadata?.uid) as ReplicaSet;
    assert.equal(reused.metadata?.annotations?.[REVISION], "3");
    assert.equal(reused.metadata?.annotations?.["deployment.kubernetes.io/revision-history"], "1");
    assert.equal(reused.spec?.replicas, 3);
  });

  it("pause holds template changes; resume rolls them out as one new ReplicaSet", async () => {
    const dc = h.client.resource(Deployments, "default");
    await dc.patch("nginx-deployment", { spec: { paused: true } });
    await h.waitFor(
      "paused condition",
      () => dep().status?.conditions?.find((c) => c.type === "Progressing")?.reason === "DeploymentPaused",
    );
    await dc.patch("nginx-deployment", {
      spec: {
        template: {
          spec: { containers: [{ name: "nginx", image: "nginx:1.11", ports: [{ containerPort: 80 }] }] },
        },
      },
    });
    await dc.patch("nginx-deployment", {
      spec: { template: { metadata: { annotations: { note: "two" } } } },
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(rsList().length, 2);
    await dc.patch("nginx-deployment", { spec: { paused: null } });
    await h.waitFor("rollout 4", rolledOut("4"), 15_000);
    assert.equal(rsList().length, 3);
  });

  it("scales proportionally and to zero", async () => {
    await h.client.resource(Deployments, "default").patch("nginx-deployment", { spec: { replicas: 5 } });
    await h.waitFor("5 replicas", () => dep().status?.availableReplicas === 5);
    const events = h
      .events()
      .filter((e) => e.reason === "ScalingReplicaSet")
      .map((e) => e.message);
    assert.ok(
      events.some((m) => / to 5 from 3$/.test(m ?? "")),
      events.join("\n"),
    );
    await h.client.resource(Deployments, "default").patch("nginx-deployment", { spec: { replicas: 0 } });
    await h.waitFor("0 replicas", () => dep().status?.replicas === 0 && h.pods().length === 0);
  });
});
