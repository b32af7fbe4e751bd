import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../types.js";
import { applyStrategicMergePatch, StrategicMergePatchError, supportsStrategicMergePatch } from "./index.js";

const deploymentGVK = { group: "apps", version: "v1", kind: "Deployment" };

function deployment(): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "nginx",
      namespace: "default",
      finalizers: ["example.com/a", "example.com/b"],
      annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}" },
      labels: { app: "nginx" },
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "nginx" } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
      template: {
        metadata: { labels: { app: "nginx" } },
        spec: {
          containers: [
            {
              name: "nginx",
              image: "nginx:1.25",
              env: [{ name: "A", value: "1" }],
              ports: [{ containerPort: 80, protocol: "TCP" }],
              resources: {},
            },
            { name: "sidecar", image: "busybox:1.28" },
          ],
          volumes: [{ name: "data", emptyDir: {} }],
          tolerations: [{ key: "a", operator: "Exists" }],
          restartPolicy: "Always",
        },
      },
    },
    status: { replicas: 2, conditions: [{ type: "Available", status: "True" }] },
  };
}

type Json = Record<string, unknown>;
const spec = (o: KubeObject) => o.spec as Json;
const podSpec = (o: KubeObject) => (spec(o).template as Json).spec as Json;

describe("patches kubectl sends (KUBECTL.md)", () => {
  it("apply: change image, drop env and the sidecar, add a port", () => {
    const patch = {
      metadata: {
        annotations: {
          "kubectl.kubernetes.io/last-applied-configuration": '{"new":true}\n',
          "kubernetes.io/change-cause": "bump",
        },
      },
      spec: {
        replicas: 3,
        template: {
          spec: {
            "$setElementOrder/containers": [{ name: "nginx" }],
            containers: [
              {
                "$setElementOrder/ports": [{ containerPort: 80 }, { containerPort: 443 }],
                env: null,
                image: "nginx:1.26",
                name: "nginx",
                ports: [{ containerPort: 443 }],
              },
              { $patch: "delete", name: "sidecar" },
            ],
          },
        },
      },
    };
    const out = applyStrategicMergePatch(deployment(), patch, deploymentGVK);
    assert.equal(spec(out).replicas, 3);
    assert.deepEqual(podSpec(out).containers, [
      {
        name: "nginx",
        image: "nginx:1.26",
        ports: [{ containerPort: 80, protocol: "TCP" }, { containerPort: 443 }],
        resources: {},
      },
    ]);
    assert.deepEqual(out.metadata?.annotations, {
      "kubectl.kubernetes.io/last-applied-configuration": '{"new":true}\n',
      "kubernetes.io/change-cause": "bump",
    });
    // untouched fields survive
    assert.deepEqual(podSpec(out).tolerations, [{ key: "a", operator: "Exists" }]);
    assert.deepEqual(out.status, deployment().status);
  });

  it("apply: RollingUpdate -> Recreate ($retainKeys), emptyDir -> hostPath, drop a finalizer", () => {
    const patch = {
      metadata: {
        "$deleteFromPrimitiveList/finalizers": ["example.com/b"],
        "$setElementOrder/finalizers": ["example.com/a"],
      },
      spec: {
        strategy: { $retainKeys: ["type"], rollingUpdate: null, type: "Recreate" },
        template: {
          spec: {
            "$setElementOrder/volumes": [{ name: "data" }],
            volumes: [
              { $retainKeys: ["hostPath", "name"], emptyDir: null, hostPath: { path: "/tmp" }, name: "data" },
            ],
          },
        },
      },
    };
    const out = applyStrategicMergePatch(deployment(), patch, deploymentGVK);
    assert.deepEqual(out.metadata?.finalizers, ["example.com/a"]);
    assert.deepEqual(spec(out).strategy, { type: "Recreate" });
    assert.deepEqual(podSpec(out).volumes, [{ name: "data", hostPath: { path: "/tmp" } }]);
  });

  it("set image keeps the other container and the order", () => {
    const patch = {
      spec: {
        template: {
          spec: {
            "$setElementOrder/containers": [{ name: "nginx" }, { name: "sidecar" }],
            containers: [{ image: "nginx:1.27", name: "nginx" }],
          },
        },
      },
    };
    const out = applyStrategicMergePatch(deployment(), patch, deploymentGVK);
    const containers = podSpec(out).containers as Json[];
    assert.deepEqual(
      containers.map((c) => [c.name, c.image]),
      [
        ["nginx", "nginx:1.27"],
        ["sidecar", "busybox:1.28"],
      ],
    );
    assert.deepEqual(containers[0].env, [{ name: "A", value: "1" }]);
  });

  it("rollout pause / resume / restart", () => {
    const paused = applyStrategicMergePatch(deployment(), { spec: { paused: true } }, deploymentGVK);
    assert.equal(spec(paused).paused, true);
    const resumed = applyStrategicMergePatch(paused, { spec: { paused: null } }, deploymentGVK);
    assert.equal("paused" in spec(resumed), false);
    const restartedAt = "2024-05-01T12:00:00Z";
    const restarted = applyStrategicMergePatch(
      deployment(),
      {
        spec: {
          template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": restartedAt } } },
        },
      },
      deploymentGVK,
    );
    assert.deepEqual((spec(restarted).template as Json).metadata, {
      labels: { app: "nginx" },
      annotations: { "kubectl.kubernetes.io/restartedAt": restartedAt },
    });
  });

  it("cordon / uncordon and taint on a node (taints are atomic)", () => {
    const gvk = { group: "", version: "v1", kind: "Node" };
    const node: KubeObject = {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "node1" },
      spec: { podCIDR: "10.244.1.0/24", taints: [{ key: "old", effect: "NoSchedule" }] },
    };
    const cordoned = applyStrategicMergePatch(node, { spec: { unschedulable: true } }, gvk);
    assert.deepEqual(cordoned.spec, {
      podCIDR: "10.244.1.0/24",
      unschedulable: true,
      taints: node.spec && (node.spec as Json).taints,
    });
    const uncordoned = applyStrategicMergePatch(cordoned, { spec: { unschedulable: null } }, gvk);
    assert.equal("unschedulable" in (uncordoned.spec as Json), false);
    const tainted = applyStrategicMergePatch(
      node,
      { spec: { taints: [{ effect: "NoSchedule", key: "k", value: "v" }] } },
      gvk,
    );
    assert.deepEqual((tainted.spec as Json).taints, [{ effect: "NoSchedule", key: "k", value: "v" }]);
  });

  it("status.conditions merge by type; without $setElementOrder new items come first, as upstream", () => {
    const out = applyStrategicMergePatch(
      deployment(),
      { status: { conditions: [{ type: "Progressing", status: "True" }] } },
      deploymentGVK,
    );
    assert.deepEqual((out.status as Json).conditions, [
      { type: "Progressing", status: "True" },
      { type: "Available", status: "True" },
    ]);
  });
});

describe("merge keys of the built-in kinds", () => {
  it("service ports merge by port", () => {
    const svc: KubeObject = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web" },
      spec: {
        ports: [
          { port: 80, targetPort: 8080, protocol: "TCP", nodePort: 30080 },
          { port: 443, targetPort: 8443, protocol: "TCP" },
        ],
      },
    };
    const out = applyStrategicMergePatch(
      svc,
      { spec: { ports: [{ port: 80, targetPort: 9090 }] } },
      {
        group: "",
        version: "v1",
        kind: "Service",
      },
    );
    assert.deepEqual((out.spec as Json).ports, [
      { port: 80, targetPort: 9090, protocol: "TCP", nodePort: 30080 },
      { port: 443, targetPort: 8443, protocol: "TCP" },
    ]);
  });

  it("pod: env and volumeMounts by key, args atomic, ownerReferences by uid", () => {
    const pod: KubeObject = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: "p",
        ownerReferences: [{ uid: "u1", name: "rs", kind: "ReplicaSet", apiVersion: "apps/v1" }],
      },
      spec: {
        containers: [
          {
            name: "c",
            args: ["a", "b"],
            env: [{ name: "A", value: "1" }],
            volumeMounts: [{ mountPath: "/data", name: "d" }],
          },
        ],
      },
    };
    const out = applyStrategicMergePatch(
      pod,
      {
        metadata: { ownerReferences: [{ uid: "u1", controller: true }] },
        spec: {
          containers: [
            {
              name: "c",
              args: ["z"],
              env: [{ name: "B", value: "2" }],
              volumeMounts: [{ mountPath: "/data", readOnly: true }],
            },
          ],
        },
      },
      { group: "", version: "v1", kind: "Pod" },
    );
    assert.deepEqual(out.metadata?.ownerReferences, [
      { uid: "u1", name: "rs", kind: "ReplicaSet", apiVersion: "apps/v1", controller: true },
    ]);
    assert.deepEqual((out.spec as Json).containers, [
      {
        name: "c",
        args: ["z"],
        // patch items first, then server-only items, when no $setElementOrder is sent
        env: [
          { name: "B", value: "2" },
          { name: "A", value: "1" },
        ],
        volumeMounts: [{ mountPath: "/data", name: "d", readOnly: true }],
      },
    ]);
  });

  it("pdb spec.selector is replaced, not merged", () => {
    const pdb: KubeObject = {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "p" },
      spec: { minAvailable: 1, selector: { matchLabels: { a: "1", b: "2" } } },
    };
    const out = applyStrategicMergePatch(
      pdb,
      { spec: { selector: { matchLabels: { c: "3" } } } },
      {
        group: "policy",
        version: "v1",
        kind: "PodDisruptionBudget",
      },
    );
    assert.deepEqual((out.spec as Json).selector, { matchLabels: { c: "3" } });
  });

  it("labels merge and null removes one label", () => {
    const out = applyStrategicMergePatch(
      deployment(),
      { metadata: { labels: { tier: "web", app: null } } },
      deploymentGVK,
    );
    assert.deepEqual(out.metadata?.labels, { tier: "web" });
  });

  it("custom resources are not supported (415)", () => {
    const gvk = { group: "example.com", version: "v1", kind: "Widget" };
    assert.equal(supportsStrategicMergePatch(gvk), false);
    assert.equal(supportsStrategicMergePatch(deploymentGVK), true);
    assert.throws(
      () => applyStrategicMergePatch({ apiVersion: "example.com/v1", kind: "Widget" }, {}, gvk),
      (e: unknown) =>
        e instanceof StrategicMergePatchError && e.code === 415 && e.reason === "UnsupportedMediaType",
    );
  });
});

describe("every served kind has its patch metadata", () => {
  it("each resource of the catalogue (old beta versions included) accepts a strategic merge patch", async () => {
    const { resources } = await import("../resources.js");
    const missing = resources
      .filter((r) => r.verbs.includes("patch"))
      .filter((r) => !supportsStrategicMergePatch(r))
      .map((r) => `${r.group}/${r.version} ${r.kind}`);
    assert.deepEqual(missing, []);
  });

  it("an extensions/v1beta1 ReplicaSet re-apply (kubectl's patch) merges", () => {
    const gvk = { group: "extensions", version: "v1beta1", kind: "ReplicaSet" };
    const live: KubeObject = {
      apiVersion: "extensions/v1beta1",
      kind: "ReplicaSet",
      metadata: { name: "kuard", annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}" } },
      spec: {
        replicas: 1,
        template: {
          spec: { containers: [{ name: "kuard", image: "kuard:2", imagePullPolicy: "IfNotPresent" }] },
        },
      },
    };
    const out = applyStrategicMergePatch(
      live,
      {
        metadata: { annotations: { "kubectl.kubernetes.io/last-applied-configuration": '{"x":1}' } },
        spec: { replicas: 3 },
      },
      gvk,
    );
    assert.equal((out.spec as { replicas: number }).replicas, 3);
    assert.equal(out.metadata?.annotations?.["kubectl.kubernetes.io/last-applied-configuration"], '{"x":1}');
    assert.equal(
      (out.spec as { template: { spec: { containers: { imagePullPolicy: string }[] } } }).template.spec
        .containers[0]?.imagePullPolicy,
      "IfNotPresent",
    );
  });
});
