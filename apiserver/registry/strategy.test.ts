import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ResourceDefinition } from "../../pkg/api/resource-definition.js";
import type { StoredObject } from "../../pkg/api/types.js";
import {
  generateName,
  prepareForCreate,
  prepareForUpdate,
  qosClass,
  validatePathSegmentName,
} from "./strategy.js";

const deployDef = {
  group: "apps",
  version: "v1",
  resource: "deployments",
  singular: "deployment",
  kind: "Deployment",
  namespaced: true,
  verbs: [],
  hasStatus: true,
} as ResourceDefinition;

describe("strategy", () => {
  it("generateName appends 5 characters of Kubernetes' alphabet", () => {
    const n = generateName("web-", () => Uint8Array.of(0, 1, 2, 3, 26));
    assert.equal(n, "web-bcdf9");
  });
  it("create sets uid, timestamp, generation 1 and clears status", () => {
    const o: StoredObject = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d", resourceVersion: "9" },
      spec: {},
      status: { replicas: 3 },
    };
    prepareForCreate(deployDef, o, { now: new Date("2024-01-02T03:04:05.678Z"), uid: () => "u" });
    assert.deepEqual(o.metadata, {
      name: "d",
      uid: "u",
      creationTimestamp: "2024-01-02T03:04:05Z",
      generation: 1,
    });
    assert.deepEqual(o.status, {});
  });
  it("update keeps status and bumps generation on spec changes only", () => {
    const old: StoredObject = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d", uid: "u", generation: 2 },
      spec: { replicas: 1 },
      status: { replicas: 1 },
    };
    const same: StoredObject = {
      ...structuredClone(old),
      metadata: { name: "d", labels: { a: "b" } },
      status: { replicas: 7 },
    };
    prepareForUpdate(deployDef, same, old);
    assert.equal(same.metadata.generation, 2);
    assert.deepEqual(same.status, { replicas: 1 });
    assert.equal(same.metadata.uid, "u");
    const changed: StoredObject = { ...structuredClone(old), spec: { replicas: 2 } };
    prepareForUpdate(deployDef, changed, old);
    assert.equal(changed.metadata.generation, 3);
  });
  it("qosClass", () => {
    const pod = (resources: unknown) => ({ spec: { containers: [{ name: "c", resources }] } });
    assert.equal(qosClass(pod({})), "BestEffort");
    assert.equal(qosClass(pod({ requests: { cpu: "1" } })), "Burstable");
    assert.equal(qosClass(pod({ limits: { cpu: "1", memory: "1Gi" } })), "Guaranteed");
  });
  it("path segment names", () => {
    assert.equal(validatePathSegmentName("a/b")[0]?.message, `Invalid value: "a/b": may not contain '/'`);
    assert.deepEqual(validatePathSegmentName("ok"), []);
  });
});

describe("Job create", () => {
  const jobDef = {
    ...deployDef,
    group: "batch",
    resource: "jobs",
    singular: "job",
    kind: "Job",
  } as ResourceDefinition;
  it("generates the selector and the controller-uid / job-name labels once the uid is set", () => {
    const job: StoredObject = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "pi" },
      spec: { template: { metadata: {}, spec: { containers: [{ name: "pi", image: "perl" }] } } },
    };
    prepareForCreate(jobDef, job, { now: new Date(0), uid: () => "u-1" });
    const spec = job.spec as { selector: unknown; template: { metadata: { labels: unknown } } };
    assert.deepEqual(spec.selector, { matchLabels: { "batch.kubernetes.io/controller-uid": "u-1" } });
    assert.deepEqual(spec.template.metadata.labels, {
      "batch.kubernetes.io/controller-uid": "u-1",
      "controller-uid": "u-1",
      "batch.kubernetes.io/job-name": "pi",
      "job-name": "pi",
    });
    assert.deepEqual(job.metadata.labels, spec.template.metadata.labels);
  });
  it("keeps a manual selector", () => {
    const sel = { matchLabels: { app: "x" } };
    const job: StoredObject = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "pi" },
      spec: { manualSelector: true, selector: sel, template: { metadata: { labels: { app: "x" } } } },
    };
    prepareForCreate(jobDef, job, { now: new Date(0), uid: () => "u-1" });
    assert.deepEqual((job.spec as { selector: unknown }).selector, sel);
  });
});
