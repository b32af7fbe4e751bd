// StatefulSet, DaemonSet, Job and CronJob controllers against the in-memory apiserver with simulated nodes.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { CronJob } from "kubernetes-types/batch/v1";
import type { Pod } from "kubernetes-types/core/v1";
import {
  CronJobs,
  DaemonSets,
  Jobs,
  Nodes,
  PersistentVolumeClaims,
  Pods,
  StatefulSets,
} from "../../pkg/client/index.js";
import { cronJobDescriptor } from "../controllers/cronjob/index.js";
import { daemonSetDescriptor } from "../controllers/daemonset/index.js";
import { jobDescriptor } from "../controllers/job/index.js";
import { statefulSetDescriptor } from "../controllers/statefulset/index.js";
import { type Harness, readyNode, startHarness } from "./harness.js";

describe("workload controllers", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      controllers: [statefulSetDescriptor, daemonSetDescriptor, jobDescriptor, cronJobDescriptor],
      decidePhase: (p: Pod) => (p.metadata?.labels?.["job-name"] ? "Succeeded" : "Running"),
    });
  });
  after(async () => {
    await h.stop();
  });

  it("StatefulSet: ordered pods with stable names, hostname, subdomain and claims", async () => {
    await h.client.resource(StatefulSets, "default").create({
      metadata: { name: "web", namespace: "default" },
      spec: {
        replicas: 2,
        serviceName: "nginx",
        selector: { matchLabels: { app: "nginx" } },
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
        template: {
          metadata: { labels: { app: "nginx" } },
          spec: { containers: [{ name: "nginx", image: "k8s.gcr.io/nginx-slim:0.8" }] },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: "www" },
            spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
          },
        ],
      },
    });
    await h.waitFor(
      "2 ready",
      () => h.server.getObject(StatefulSets, "default", "web")?.status?.readyReplicas === 2,
    );
    const web0 = h.server.getObject(Pods, "default", "web-0")!;
    assert.equal(web0.spec?.hostname, "web-0");
    assert.equal(web0.spec?.subdomain, "nginx");
    assert.equal(web0.spec?.volumes?.[0]?.persistentVolumeClaim?.claimName, "www-web-0");
    assert.ok(h.server.getObject(PersistentVolumeClaims, "default", "www-web-1"));
    const created = h
      .events()
      .filter((e) => e.involvedObject.kind === "StatefulSet" && e.reason === "SuccessfulCreate")
      .map((e) => e.message);
    assert.deepEqual(created.slice(0, 4), [
      "create Claim www-web-0 Pod web-0 in StatefulSet web success",
      "create Pod web-0 in StatefulSet web successful",
      "create Claim www-web-1 Pod web-1 in StatefulSet web success",
      "create Pod web-1 in StatefulSet web successful",
    ]);
    // Rolling update to a new image replaces web-1 then web-0 and makes the revision current.
    await h.client.resource(StatefulSets, "default").patch("web", {
      spec: {
        template: {
          spec: { containers: [{ name: "nginx", image: "gcr.io/google_containers/nginx-slim:0.7" }] },
        },
      },
    });
    await h.waitFor("rolled", () => {
      const set = h.server.getObject(StatefulSets, "default", "web");
      const s = set?.status;
      return (
        s?.observedGeneration === set?.metadata?.generation &&
        s?.updatedReplicas === 2 &&
        s.currentRevision === s.updateRevision &&
        s.readyReplicas === 2
      );
    });
    assert.equal(
      h.server.getObject(Pods, "default", "web-0")?.spec?.containers[0].image,
      "gcr.io/google_containers/nginx-slim:0.7",
    );
    // Scale down removes the highest ordinal; the claim stays.
    await h.client.resource(StatefulSets, "default").patch("web", { spec: { replicas: 1 } });
    await h.waitFor("web-1 gone", () => !h.server.getObject(Pods, "default", "web-1"));
    assert.ok(h.server.getObject(PersistentVolumeClaims, "default", "www-web-1"));
  });

  it("DaemonSet: one pod per matching node, following node labels", async () => {
    await h.client.resource(DaemonSets, "default").create({
      metadata: { name: "fluentd", namespace: "default" },
      spec: {
        selector: { matchLabels: { app: "fluentd" } },
        template: {
          metadata: { labels: { app: "fluentd" } },
          spec: { nodeSelector: { ssd: "true" }, containers: [{ name: "f", image: "fluentd" }] },
        },
      },
    });
    const dsPods = () => h.pods().filter((p) => p.metadata?.labels?.app === "fluentd");
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(dsPods().length, 0);
    h.server.seed(Nodes, readyNode("node-2", { ssd: "true" }));
    await h.waitFor("pod on node-2", () => dsPods().length === 1 && dsPods()[0].spec?.nodeName === "node-2");
    await h.waitFor(
      "status",
      () => h.server.getObject(DaemonSets, "default", "fluentd")?.status?.numberReady === 1,
    );
    h.server.seed(Nodes, readyNode("node-2"));
    await h.waitFor("pod removed", () => dsPods().length === 0);
  });

  it("Job: completions 5 with parallelism 2 completes", async () => {
    await h.client.resource(Jobs, "default").create({
      metadata: { name: "oneshot", namespace: "default" },
      spec: {
        completions: 5,
        parallelism: 2,
        template: {
          spec: { restartPolicy: "OnFailure", containers: [{ name: "c", image: "busybox:1.28" }] },
        },
      },
    });
    const job = await h.waitFor("complete", () => {
      const j = h.server.getObject(Jobs, "default", "oneshot");
      return j?.status?.conditions?.some((c) => c.type === "Complete") ? j : undefined;
    });
    assert.equal(job.status?.succeeded, 5);
    assert.equal(h.pods().filter((p) => p.metadata?.labels?.["job-name"] === "oneshot").length, 5);
    await h.waitFor("Completed event", () =>
      h.events().some((e) => e.reason === "Completed" && e.message === "Job completed"),
    );
  });

  it("CronJob: creates a Job for the most recent scheduled minute", async () => {
    // Seeded (not created) so that it is old enough to have a scheduled time behind it.
    h.server.seed(CronJobs, {
      metadata: {
        name: "hello",
        namespace: "default",
        creationTimestamp: new Date(Date.now() - 180_000).toISOString(),
      },
      spec: {
        schedule: "*/1 * * * *",
        startingDeadlineSeconds: 120,
        jobTemplate: {
          spec: {
            template: {
              spec: { restartPolicy: "OnFailure", containers: [{ name: "c", image: "busybox:1.28" }] },
            },
          },
        },
      },
    } as CronJob);
    const job = await h.waitFor("job", () =>
      h.server.listObjects(Jobs, "default").find((j) => j.metadata?.ownerReferences?.[0]?.name === "hello"),
    );
    assert.match(job.metadata?.name ?? "", /^hello-\d+$/);
    await h.waitFor(
      "lastScheduleTime",
      () => h.server.getObject(CronJobs, "default", "hello")?.status?.lastScheduleTime,
    );
  });
});
