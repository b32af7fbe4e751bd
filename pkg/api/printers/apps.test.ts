import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { StoredObject } from "../types.js";
import { printerFor } from "./index.js";

const now = new Date("2024-05-01T12:00:00Z");
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const S = 1000;
const M = 60 * S;
const H = 60 * M;

function obj(apiVersion: string, kind: string, body: Record<string, unknown>): StoredObject {
  const { metadata, ...rest } = body as { metadata?: Record<string, unknown> };
  return { apiVersion, kind, metadata: { name: "x", ...(metadata ?? {}) }, ...rest } as StoredObject;
}
const cells = (group: string, resource: string, o: StoredObject) => printerFor(group, resource).cells(o, now);
const names = (group: string, resource: string, priority: number) =>
  printerFor(group, resource)
    .columns.filter((c) => c.priority === priority)
    .map((c) => c.name.toUpperCase());

const template = {
  metadata: { labels: { app: "nginx" } },
  spec: {
    containers: [
      { name: "nginx", image: "nginx:1.7.9" },
      { name: "sidecar", image: "busybox:1.28" },
    ],
  },
};
const selector = { matchLabels: { app: "nginx" } };
const meta = { name: "web", creationTimestamp: ago(5 * M) };

describe("apps/v1", () => {
  it("deployments: READY UP-TO-DATE AVAILABLE", () => {
    assert.deepEqual(names("apps", "deployments", 0), ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]);
    assert.deepEqual(names("apps", "deployments", 1), ["CONTAINERS", "IMAGES", "SELECTOR"]);
    const d = obj("apps/v1", "Deployment", {
      metadata: meta,
      spec: { replicas: 3, selector, template },
      status: { replicas: 3, updatedReplicas: 2, readyReplicas: 1, availableReplicas: 1 },
    });
    assert.deepEqual(cells("apps", "deployments", d), [
      "web",
      "1/3",
      2,
      1,
      "5m",
      "nginx,sidecar",
      "nginx:1.7.9,busybox:1.28",
      "app=nginx",
    ]);
    // a fresh deployment without status; replicas defaulted to 1 when missing; empty selector prints ""
    const fresh = obj("apps/v1", "Deployment", { metadata: meta, spec: { template } });
    assert.deepEqual(cells("apps", "deployments", fresh).slice(1, 4), ["0/1", 0, 0]);
    assert.equal(cells("apps", "deployments", fresh)[7], "");
  });

  it("replicasets: DESIRED CURRENT READY", () => {
    assert.deepEqual(names("apps", "replicasets", 0), ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]);
    const rs = obj("apps/v1", "ReplicaSet", {
      metadata: { ...meta, name: "web-5d4f7c9b8" },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: "nginx", "pod-template-hash": "5d4f7c9b8" } },
        template,
      },
      status: { replicas: 0 },
    });
    assert.deepEqual(cells("apps", "replicasets", rs), [
      "web-5d4f7c9b8",
      0,
      0,
      0,
      "5m",
      "nginx,sidecar",
      "nginx:1.7.9,busybox:1.28",
      "app=nginx,pod-template-hash=5d4f7c9b8",
    ]);
  });

  it("statefulsets: READY as ready/desired", () => {
    assert.deepEqual(names("apps", "statefulsets", 0), ["NAME", "READY", "AGE"]);
    const ss = obj("apps/v1", "StatefulSet", {
      metadata: meta,
      spec: { replicas: 2, serviceName: "nginx", selector, template },
      status: { replicas: 2, readyReplicas: 2 },
    });
    assert.deepEqual(cells("apps", "statefulsets", ss), [
      "web",
      "2/2",
      "5m",
      "nginx,sidecar",
      "nginx:1.7.9,busybox:1.28",
    ]);
  });

  it("daemonsets", () => {
    assert.deepEqual(names("apps", "daemonsets", 0), [
      "NAME",
      "DESIRED",
      "CURRENT",
      "READY",
      "UP-TO-DATE",
      "AVAILABLE",
      "NODE SELECTOR",
      "AGE",
    ]);
    const ds = obj("apps/v1", "DaemonSet", {
      metadata: meta,
      spec: {
        selector,
        template: { ...template, spec: { ...template.spec, nodeSelector: { "kubernetes.io/os": "linux" } } },
      },
      status: {
        desiredNumberScheduled: 3,
        currentNumberScheduled: 3,
        numberReady: 2,
        updatedNumberScheduled: 3,
        numberAvailable: 2,
      },
    });
    assert.deepEqual(cells("apps", "daemonsets", ds), [
      "web",
      3,
      3,
      2,
      3,
      2,
      "kubernetes.io/os=linux",
      "5m",
      "nginx,sidecar",
      "nginx:1.7.9,busybox:1.28",
      "app=nginx",
    ]);
  });

  it("controllerrevisions: CONTROLLER as kind.group/name", () => {
    const cr = obj("apps/v1", "ControllerRevision", {
      metadata: {
        ...meta,
        name: "web-6c9f6b7d8",
        ownerReferences: [
          { apiVersion: "apps/v1", kind: "StatefulSet", name: "web", uid: "u", controller: true },
        ],
      },
      revision: 2,
    });
    assert.deepEqual(cells("apps", "controllerrevisions", cr), [
      "web-6c9f6b7d8",
      "statefulset.apps/web",
      2,
      "5m",
    ]);
    const orphan = obj("apps/v1", "ControllerRevision", { metadata: meta, revision: 1 });
    assert.deepEqual(cells("apps", "controllerrevisions", orphan), ["web", "<none>", 1, "5m"]);
  });
});

describe("batch/v1", () => {
  const job = (spec: Record<string, unknown>, status: Record<string, unknown>, m = {}) =>
    obj("batch/v1", "Job", { metadata: { ...meta, name: "pi", ...m }, spec: { template, ...spec }, status });

  it("jobs: STATUS COMPLETIONS DURATION", () => {
    assert.deepEqual(names("batch", "jobs", 0), ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]);
    const done = job(
      { completions: 1, selector: { matchLabels: { "batch.kubernetes.io/controller-uid": "abc" } } },
      {
        succeeded: 1,
        startTime: ago(5 * M),
        completionTime: ago(5 * M - 12 * S),
        conditions: [
          { type: "SuccessCriteriaMet", status: "True" },
          { type: "Complete", status: "True" },
        ],
      },
    );
    assert.deepEqual(cells("batch", "jobs", done), [
      "pi",
      "Complete",
      "1/1",
      "12s",
      "5m",
      "nginx,sidecar",
      "nginx:1.7.9,busybox:1.28",
      "batch.kubernetes.io/controller-uid=abc",
    ]);
  });

  const statuses: [string, StoredObject, string, string, string][] = [
    [
      "running, no completions, parallelism 1",
      job({}, { startTime: ago(90 * S), active: 1 }),
      "Running",
      "0/1",
      "90s",
    ],
    ["parallel without completions", job({ parallelism: 3 }, { succeeded: 1 }), "Running", "1/1 of 3", ""],
    [
      "completions 5",
      job({ completions: 5, parallelism: 2 }, { succeeded: 2, startTime: ago(1 * H) }),
      "Running",
      "2/5",
      "60m",
    ],
    [
      "failed",
      job({ completions: 1 }, { conditions: [{ type: "Failed", status: "True" }] }),
      "Failed",
      "0/1",
      "",
    ],
    ["terminating", job({}, {}, { deletionTimestamp: ago(1 * S) }), "Terminating", "0/1", ""],
    ["suspended", job({}, { conditions: [{ type: "Suspended", status: "True" }] }), "Suspended", "0/1", ""],
    [
      "failure target",
      job({}, { conditions: [{ type: "FailureTarget", status: "True" }] }),
      "FailureTarget",
      "0/1",
      "",
    ],
    [
      "complete=False is still running",
      job({}, { conditions: [{ type: "Complete", status: "False" }] }),
      "Running",
      "0/1",
      "",
    ],
  ];
  for (const [what, j, status, completions, duration] of statuses) {
    it(`jobs: ${what}`, () =>
      assert.deepEqual(cells("batch", "jobs", j).slice(1, 4), [status, completions, duration]));
  }

  it("cronjobs", () => {
    assert.deepEqual(names("batch", "cronjobs", 0), [
      "NAME",
      "SCHEDULE",
      "TIMEZONE",
      "SUSPEND",
      "ACTIVE",
      "LAST SCHEDULE",
      "AGE",
    ]);
    const cj = obj("batch/v1", "CronJob", {
      metadata: { ...meta, name: "hello" },
      spec: { schedule: "*/1 * * * *", suspend: false, jobTemplate: { spec: { template } } },
      status: { active: [{ name: "hello-1" }], lastScheduleTime: ago(30 * S) },
    });
    assert.deepEqual(cells("batch", "cronjobs", cj), [
      "hello",
      "*/1 * * * *",
      "<none>",
      "False",
      1,
      "30s",
      "5m",
      "nginx,sidecar",
      "nginx:1.7.9,busybox:1.28",
      "<none>",
    ]);
    const fresh = obj("batch/v1", "CronJob", {
      metadata: { ...meta, name: "h" },
      spec: { schedule: "@hourly", timeZone: "Etc/UTC", jobTemplate: { spec: { template } } },
    });
    assert.deepEqual(cells("batch", "cronjobs", fresh).slice(1, 6), [
      "@hourly",
      "Etc/UTC",
      "<unset>",
      0,
      "<none>",
    ]);
  });
});
