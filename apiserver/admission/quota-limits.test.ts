import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LimitRange, Pod } from "kubernetes-types/core/v1";
import type { StoredObject } from "../../pkg/api/types.js";
import { applyContainerDefaults, containerViolations } from "./limit-ranger.js";
import { decideQuota, deltaOf } from "./resource-quota.js";

const pod = (resources?: Record<string, Record<string, string>>): Pod => ({
  metadata: { name: "p" },
  spec: { containers: [{ name: "nginx", image: "nginx", ...(resources ? { resources } : {}) }] },
});
const podDelta = (p: Pod) => deltaOf("pods", "", p as unknown as StoredObject);

describe("ResourceQuota admission", () => {
  it("refuses a pod over the pods count with Kubernetes' message", () => {
    const q = {
      metadata: { name: "object-counts" },
      spec: { hard: { pods: "2" } },
      status: { hard: { pods: "2" }, used: { pods: "3" } },
    };
    const p = pod();
    assert.deepEqual(decideQuota(q, podDelta(p), p), {
      kind: "deny",
      message: "exceeded quota: object-counts, requested: pods=1, used: pods=3, limited: pods=2",
    });
  });
  it("admits within the limit and returns the new usage", () => {
    const q = {
      metadata: { name: "q" },
      status: { hard: { pods: "2", configmaps: "5" }, used: { pods: "1", configmaps: "0" } },
    };
    const p = pod();
    assert.deepEqual(decideQuota(q, podDelta(p), p), { kind: "admit", used: { pods: "2", configmaps: "0" } });
  });
  it("adds cpu requests and names only the exceeded resources", () => {
    const q = {
      metadata: { name: "compute" },
      status: { hard: { "requests.cpu": "1", pods: "10" }, used: { "requests.cpu": "800m", pods: "1" } },
    };
    const p = pod({ requests: { cpu: "300m" } });
    assert.deepEqual(decideQuota(q, podDelta(p), p), {
      kind: "deny",
      message:
        "exceeded quota: compute, requested: requests.cpu=300m, used: requests.cpu=800m, limited: requests.cpu=1",
    });
  });
  it("requires compute resources the quota limits", () => {
    const q = {
      metadata: { name: "compute" },
      status: { hard: { "limits.cpu": "2", "limits.memory": "1Gi" }, used: {} },
    };
    const p = pod();
    assert.deepEqual(decideQuota(q, podDelta(p), p), {
      kind: "deny",
      message: "failed quota: compute: must specify limits.cpu for: nginx; limits.memory for: nginx",
    });
  });
  it("counts other kinds by count/ and skips quotas that do not mention them", () => {
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } } as StoredObject;
    const q = {
      metadata: { name: "q" },
      status: { hard: { "count/configmaps": "1" }, used: { "count/configmaps": "1" } },
    };
    assert.equal(decideQuota(q, deltaOf("configmaps", "", cm)).kind, "deny");
    assert.equal(decideQuota(q, deltaOf("secrets", "", cm)).kind, "skip");
  });
  it("scoped quotas only count matching pods", () => {
    const q = {
      metadata: { name: "be" },
      spec: { scopes: ["BestEffort"] },
      status: { hard: { pods: "0" }, used: { pods: "0" } },
    };
    const guaranteed = pod({ requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } });
    assert.equal(decideQuota(q, podDelta(guaranteed), guaranteed).kind, "skip");
    const be = pod();
    assert.equal(decideQuota(q, podDelta(be), be).kind, "deny");
  });
});

describe("LimitRanger admission", () => {
  const lr: LimitRange = {
    metadata: { name: "limits" },
    spec: {
      limits: [
        {
          type: "Container",
          default: { cpu: "500m", memory: "256Mi" },
          defaultRequest: { cpu: "250m", memory: "128Mi" },
          max: { cpu: "1" },
        },
      ],
    },
  };
  it("fills in missing limits and requests and says so", () => {
    const p = pod({ requests: { memory: "64Mi" } });
    const note = applyContainerDefaults(p, [lr]);
    assert.equal(
      note,
      "LimitRanger plugin set: cpu request for container nginx; cpu, memory limit for container nginx",
    );
    assert.deepEqual(p.spec?.containers[0]?.resources, {
      requests: { memory: "64Mi", cpu: "250m" },
      limits: { cpu: "500m", memory: "256Mi" },
    });
  });
  it("checks max and min with Kubernetes' messages", () => {
    assert.deepEqual(containerViolations(pod({ limits: { cpu: "2" } }), [lr]), [
      "maximum cpu usage per Container is 1, but limit is 2",
    ]);
    assert.deepEqual(containerViolations(pod(), [lr]), [
      "maximum cpu usage per Container is 1.  No limit is specified",
    ]);
    const min: LimitRange = {
      metadata: {},
      spec: { limits: [{ type: "Container", min: { memory: "100Mi" } }] },
    };
    assert.deepEqual(containerViolations(pod({ requests: { memory: "50Mi" } }), [min]), [
      "minimum memory usage per Container is 100Mi, but request is 50Mi",
    ]);
  });
});
