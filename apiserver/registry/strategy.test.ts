import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ResourceDefinition } from "../../pkg/api/resource-definition.js";
import type { StoredObject } from "../../pkg/api/types.js";
import {
  dropTypeDependentFields,
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

describe("DaemonSet templateGeneration (kept in apps/v1's annotation)", () => {
  const dsDef = {
    ...deployDef,
    resource: "daemonsets",
    singular: "daemonset",
    kind: "DaemonSet",
  } as ResourceDefinition;
  const ANNOTATION = "deprecated.daemonset.template.generation";
  const ds = (image: string, annotations?: Record<string, string>, spec: Record<string, unknown> = {}) =>
    ({
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "ds", ...(annotations ? { annotations } : {}) },
      spec: { ...spec, template: { spec: { containers: [{ name: "c", image }] } } },
    }) as StoredObject;

  it("create sets 1 unless a positive value came with the object", () => {
    const cases: [Record<string, string> | undefined, string][] = [
      [undefined, "1"],
      [{ [ANNOTATION]: "0" }, "1"],
      [{ [ANNOTATION]: "-3" }, "1"],
      [{ [ANNOTATION]: "5" }, "5"],
    ];
    for (const [annotations, want] of cases) {
      const o = ds("nginx:1.10", annotations);
      prepareForCreate(dsDef, o, { now: new Date(0), uid: () => "u" });
      assert.equal(o.metadata.annotations?.[ANNOTATION], want, JSON.stringify(annotations));
    }
  });

  it("update keeps the old value, +1 (with generation) when the template changes", () => {
    const old = ds("nginx:1.10", { [ANNOTATION]: "3" });
    old.metadata = { ...old.metadata, generation: 4 };
    const same = ds("nginx:1.10", { [ANNOTATION]: "9" }, { minReadySeconds: 5 });
    prepareForUpdate(dsDef, same, old);
    assert.equal(same.metadata.annotations?.[ANNOTATION], "3");
    assert.equal(same.metadata.generation, 5);
    const changed = ds("nginx:1.11");
    prepareForUpdate(dsDef, changed, old);
    assert.equal(changed.metadata.annotations?.[ANNOTATION], "4");
    assert.equal(changed.metadata.generation, 5);
  });

  it("an object stored with spec.templateGeneration (older tskube) moves it to the annotation", () => {
    const old = ds("nginx:1.10", undefined, { templateGeneration: 2 });
    old.metadata = { ...old.metadata, generation: 1 };
    const next = ds("nginx:1.10", undefined, { templateGeneration: 2 });
    prepareForUpdate(dsDef, next, old);
    assert.equal(next.metadata.annotations?.[ANNOTATION], "2");
    assert.equal((next.spec as Record<string, unknown>).templateGeneration, undefined);
    assert.equal(next.metadata.generation, 1);
  });
});

describe("Service dropTypeDependentFields", () => {
  const svc = (spec: Record<string, unknown>, status: Record<string, unknown> = {}): StoredObject => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "s" },
    spec,
    status,
  });
  const nodePortSpec = {
    type: "NodePort",
    clusterIP: "10.96.0.5",
    clusterIPs: ["10.96.0.5"],
    externalTrafficPolicy: "Cluster",
    ports: [{ port: 80, nodePort: 30080 }],
  };

  it("NodePort -> ClusterIP wipes the node ports and externalTrafficPolicy the user left alone", () => {
    const next = svc({ ...structuredClone(nodePortSpec), type: "ClusterIP" });
    dropTypeDependentFields(next, svc(structuredClone(nodePortSpec)));
    assert.deepEqual(next.spec, {
      type: "ClusterIP",
      clusterIP: "10.96.0.5",
      clusterIPs: ["10.96.0.5"],
      ports: [{ port: 80 }],
    });
  });

  it("values the user changed in the same update are kept (validation then speaks)", () => {
    const next = svc({
      ...structuredClone(nodePortSpec),
      type: "ClusterIP",
      externalTrafficPolicy: "Local",
      ports: [{ port: 80, nodePort: 30081 }],
    });
    dropTypeDependentFields(next, svc(structuredClone(nodePortSpec)));
    const spec = next.spec as typeof nodePortSpec;
    assert.equal(spec.externalTrafficPolicy, "Local");
    assert.equal(spec.ports[0]?.nodePort, 30081);
  });

  it("-> ExternalName wipes the cluster IPs; LoadBalancer -> NodePort clears the LB status", () => {
    const ext = svc({ ...structuredClone(nodePortSpec), type: "ExternalName", externalName: "x.example" });
    dropTypeDependentFields(ext, svc(structuredClone(nodePortSpec)));
    assert.equal((ext.spec as { clusterIP?: string }).clusterIP, undefined);
    const lbStatus = { loadBalancer: { ingress: [{ ip: "172.28.0.200" }] } };
    const next = svc(structuredClone(nodePortSpec), structuredClone(lbStatus));
    dropTypeDependentFields(next, svc({ ...structuredClone(nodePortSpec), type: "LoadBalancer" }, lbStatus));
    assert.deepEqual(next.status, { loadBalancer: {} });
    assert.equal((next.spec as { ports: { nodePort?: number }[] }).ports[0]?.nodePort, 30080);
  });
});
