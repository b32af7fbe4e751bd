import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "kubernetes-types/core/v1";
import { countedResources, type NamespaceObjects, quotaStatus } from "./decide.js";

const pod = (
  name: string,
  cpu: string,
  mem: string,
  phase = "Running",
  limits?: Record<string, string>,
): Pod => ({
  metadata: { name },
  spec: { containers: [{ name: "c", resources: { requests: { cpu, memory: mem }, limits } }] },
  status: { phase },
});

describe("quota usage", () => {
  const objs: NamespaceObjects = {
    pods: [
      pod("a", "250m", "64Mi", "Running", { cpu: "500m", memory: "128Mi" }),
      pod("b", "500m", "64Mi"),
      pod("done", "1", "1Gi", "Succeeded"),
    ],
    services: [
      { metadata: { name: "s1" }, spec: { type: "NodePort", ports: [{ port: 80 }] } },
      { metadata: { name: "s2" }, spec: { type: "ClusterIP", ports: [{ port: 80 }] } },
    ],
    claims: [
      {
        metadata: { name: "c" },
        spec: { storageClassName: "standard", resources: { requests: { storage: "1Gi" } } },
      },
    ],
    counts: new Map([
      ["configmaps", 2],
      ["deployments.apps", 1],
    ]),
  };
  it("accounts the keys of spec.hard", () => {
    const st = quotaStatus(
      {
        pods: "10",
        "requests.cpu": "2",
        "requests.memory": "1Gi",
        "limits.cpu": "4",
        services: "5",
        "services.nodeports": "2",
        "requests.storage": "10Gi",
        "standard.storageclass.storage.k8s.io/persistentvolumeclaims": "3",
        configmaps: "10",
        "count/deployments.apps": "3",
        "unknown.example.com/thing": "1",
      },
      objs,
    );
    assert.deepEqual(st.used, {
      pods: "2",
      "requests.cpu": "750m",
      "requests.memory": "128Mi",
      "limits.cpu": "500m",
      services: "2",
      "services.nodeports": "1",
      "requests.storage": "1Gi",
      "standard.storageclass.storage.k8s.io/persistentvolumeclaims": "1",
      configmaps: "2",
      "count/deployments.apps": "1",
    });
    assert.equal(st.hard["unknown.example.com/thing"], "1");
  });
  it("lists the resources to count live", () => {
    assert.deepEqual(
      countedResources({ pods: "1", configmaps: "1", "count/deployments.apps": "1", "count/services": "1" }),
      ["configmaps", "deployments.apps"],
    );
  });
});
