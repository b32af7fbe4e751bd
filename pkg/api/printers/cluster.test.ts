import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { StoredObject } from "../types.js";
import { printerFor } from "./index.js";

const now = new Date("2024-05-01T12:00:00Z");
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const M = 60_000;

function obj(apiVersion: string, kind: string, body: Record<string, unknown>): StoredObject {
  const { metadata, ...rest } = body as { metadata?: Record<string, unknown> };
  return {
    apiVersion,
    kind,
    metadata: { name: "x", creationTimestamp: ago(7 * M), ...(metadata ?? {}) },
    ...rest,
  } as StoredObject;
}
const cells = (group: string, resource: string, o: StoredObject) => printerFor(group, resource).cells(o, now);
const headers = (group: string, resource: string) =>
  printerFor(group, resource).columns.map((c) => c.name.toUpperCase());

describe("autoscaling", () => {
  it("v2 hpa with a cpu utilization target, before metrics arrive", () => {
    assert.deepEqual(headers("autoscaling", "horizontalpodautoscalers"), [
      "NAME",
      "REFERENCE",
      "TARGETS",
      "MINPODS",
      "MAXPODS",
      "REPLICAS",
      "AGE",
    ]);
    const hpa = obj("autoscaling/v2", "HorizontalPodAutoscaler", {
      metadata: { name: "php-apache" },
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "php-apache" },
        minReplicas: 1,
        maxReplicas: 10,
        metrics: [
          {
            type: "Resource",
            resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } },
          },
        ],
      },
      status: { currentReplicas: 1, desiredReplicas: 1 },
    });
    assert.deepEqual(cells("autoscaling", "horizontalpodautoscalers", hpa), [
      "php-apache",
      "Deployment/php-apache",
      "cpu: <unknown>/50%",
      "1",
      10,
      1,
      "7m",
    ]);
  });
  it("v1 hpa converts targetCPUUtilizationPercentage", () => {
    const hpa = obj("autoscaling/v1", "HorizontalPodAutoscaler", {
      spec: {
        scaleTargetRef: { kind: "Deployment", name: "nginx" },
        maxReplicas: 5,
        targetCPUUtilizationPercentage: 80,
      },
      status: { currentReplicas: 2, currentCPUUtilizationPercentage: 12 },
    });
    assert.deepEqual(cells("autoscaling", "horizontalpodautoscalers", hpa).slice(1, 6), [
      "Deployment/nginx",
      "cpu: 12%/80%",
      "<unset>",
      5,
      2,
    ]);
  });
  it("many metrics are cut after two", () => {
    const hpa = obj("autoscaling/v2", "HorizontalPodAutoscaler", {
      spec: {
        scaleTargetRef: { kind: "Deployment", name: "d" },
        maxReplicas: 3,
        metrics: [
          {
            type: "Resource",
            resource: { name: "memory", target: { type: "AverageValue", averageValue: "100Mi" } },
          },
          {
            type: "Pods",
            pods: { metric: { name: "qps" }, target: { type: "AverageValue", averageValue: "10" } },
          },
          { type: "External", external: { metric: { name: "q" }, target: { type: "Value", value: "5" } } },
        ],
      },
      status: {
        currentMetrics: [
          { type: "Resource", resource: { name: "memory", current: { averageValue: "50Mi" } } },
        ],
      },
    });
    assert.equal(
      cells("autoscaling", "horizontalpodautoscalers", hpa)[2],
      "memory: 50Mi/100Mi, <unknown>/10 + 1 more...",
    );
    const none = obj("autoscaling/v2", "HorizontalPodAutoscaler", { spec: { maxReplicas: 1 } });
    assert.equal(cells("autoscaling", "horizontalpodautoscalers", none)[2], "<none>");
  });
});

describe("policy, scheduling, node", () => {
  it("pdb", () => {
    const pdb = obj("policy/v1", "PodDisruptionBudget", {
      metadata: { name: "zk" },
      spec: { minAvailable: 2 },
      status: { disruptionsAllowed: 1 },
    });
    assert.deepEqual(cells("policy", "poddisruptionbudgets", pdb), ["zk", "2", "N/A", 1, "7m"]);
    const pct = obj("policy/v1", "PodDisruptionBudget", { spec: { maxUnavailable: "50%" } });
    assert.deepEqual(cells("policy", "poddisruptionbudgets", pct).slice(1, 4), ["N/A", "50%", 0]);
  });
  it("priorityclasses", () => {
    const pc = obj("scheduling.k8s.io/v1", "PriorityClass", {
      metadata: { name: "system-node-critical" },
      value: 2000001000,
      preemptionPolicy: "PreemptLowerPriority",
    });
    assert.deepEqual(cells("scheduling.k8s.io", "priorityclasses", pc), [
      "system-node-critical",
      2000001000,
      false,
      "7m",
      "PreemptLowerPriority",
    ]);
  });
  it("runtimeclasses", () => {
    const rc = obj("node.k8s.io/v1", "RuntimeClass", { metadata: { name: "runc" }, handler: "runc" });
    assert.deepEqual(cells("node.k8s.io", "runtimeclasses", rc), ["runc", "runc", "7m"]);
  });
});

describe("networking and discovery", () => {
  it("ingresses", () => {
    assert.deepEqual(headers("networking.k8s.io", "ingresses"), [
      "NAME",
      "CLASS",
      "HOSTS",
      "ADDRESS",
      "PORTS",
      "AGE",
    ]);
    const ing = obj("networking.k8s.io/v1", "Ingress", {
      metadata: { name: "web" },
      spec: {
        ingressClassName: "nginx",
        rules: [{ host: "a.example" }, {}, { host: "b.example" }],
        tls: [{ hosts: ["a.example"] }],
      },
      status: { loadBalancer: { ingress: [{ ip: "172.18.0.5" }] } },
    });
    assert.deepEqual(cells("networking.k8s.io", "ingresses", ing), [
      "web",
      "nginx",
      "a.example,b.example",
      "172.18.0.5",
      "80, 443",
      "7m",
    ]);
    const bare = obj("networking.k8s.io/v1", "Ingress", { spec: { rules: [{}] } });
    assert.deepEqual(cells("networking.k8s.io", "ingresses", bare).slice(1, 5), ["<none>", "*", "", "80"]);
    const many = obj("networking.k8s.io/v1", "Ingress", {
      spec: { rules: [{ host: "a" }, { host: "b" }, { host: "c" }, { host: "d" }, { host: "e" }] },
    });
    assert.equal(cells("networking.k8s.io", "ingresses", many)[2], "a,b,c + 2 more...");
  });
  it("ingressclasses and networkpolicies", () => {
    const ic = obj("networking.k8s.io/v1", "IngressClass", {
      metadata: { name: "nginx" },
      spec: {
        controller: "k8s.io/ingress-nginx",
        parameters: { apiGroup: "k8s.example.com", kind: "IngressParameters", name: "p" },
      },
    });
    assert.deepEqual(cells("networking.k8s.io", "ingressclasses", ic), [
      "nginx",
      "k8s.io/ingress-nginx",
      "IngressParameters.k8s.example.com/p",
      "7m",
    ]);
    const np = obj("networking.k8s.io/v1", "NetworkPolicy", {
      metadata: { name: "deny" },
      spec: { podSelector: {} },
    });
    assert.deepEqual(cells("networking.k8s.io", "networkpolicies", np), ["deny", "<none>", "7m"]);
  });
  it("endpointslices", () => {
    const es = obj("discovery.k8s.io/v1", "EndpointSlice", {
      metadata: { name: "web-abc12" },
      addressType: "IPv4",
      ports: [{ name: "http", port: 80, protocol: "TCP" }, { name: "named" }, {}],
      endpoints: [{ addresses: ["10.244.1.2"] }, { addresses: ["10.244.2.3", "10.244.2.4", "10.244.2.5"] }],
    });
    assert.deepEqual(cells("discovery.k8s.io", "endpointslices", es), [
      "web-abc12",
      "IPv4",
      "80,named,*",
      "10.244.1.2,10.244.2.3,10.244.2.4 + 1 more...",
      "7m",
    ]);
    const empty = obj("discovery.k8s.io/v1", "EndpointSlice", { addressType: "IPv4" });
    assert.deepEqual(cells("discovery.k8s.io", "endpointslices", empty).slice(2, 4), ["<unset>", "<unset>"]);
  });
});

describe("rbac, storage, coordination, certificates", () => {
  it("rolebindings and clusterrolebindings", () => {
    const rb = obj("rbac.authorization.k8s.io/v1", "RoleBinding", {
      metadata: { name: "read-pods" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "pod-reader" },
      subjects: [
        { kind: "User", name: "jane" },
        { kind: "Group", name: "devs" },
        { kind: "ServiceAccount", name: "default", namespace: "ns1" },
        { kind: "User", name: "joe" },
      ],
    });
    assert.deepEqual(cells("rbac.authorization.k8s.io", "rolebindings", rb), [
      "read-pods",
      "Role/pod-reader",
      "7m",
      "jane, joe",
      "devs",
      "ns1/default",
    ]);
    const crb = printerFor("rbac.authorization.k8s.io", "clusterrolebindings");
    assert.equal(crb.columns[3].description, "Users in the clusterRoleBinding");
  });
  it("roles and clusterroles have no printer: NAME, CREATED AT", () => {
    assert.deepEqual(headers("rbac.authorization.k8s.io", "clusterroles"), ["NAME", "CREATED AT"]);
    const role = obj("rbac.authorization.k8s.io/v1", "Role", { metadata: { name: "pod-reader" } });
    assert.deepEqual(cells("rbac.authorization.k8s.io", "roles", role), [
      "pod-reader",
      "2024-05-01T11:53:00Z",
    ]);
  });
  it("storageclasses", () => {
    const sc = obj("storage.k8s.io/v1", "StorageClass", {
      metadata: { name: "standard", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
      provisioner: "rancher.io/local-path",
      volumeBindingMode: "WaitForFirstConsumer",
    });
    assert.deepEqual(cells("storage.k8s.io", "storageclasses", sc), [
      "standard (default)",
      "rancher.io/local-path",
      "Delete",
      "WaitForFirstConsumer",
      false,
      "7m",
    ]);
  });
  it("leases", () => {
    const l = obj("coordination.k8s.io/v1", "Lease", {
      metadata: { name: "node-1" },
      spec: { holderIdentity: "node-1" },
    });
    assert.deepEqual(cells("coordination.k8s.io", "leases", l), ["node-1", "node-1", "7m"]);
    const free = obj("coordination.k8s.io/v1", "Lease", { metadata: { name: "kube-scheduler" }, spec: {} });
    assert.deepEqual(cells("coordination.k8s.io", "leases", free), ["kube-scheduler", "", "7m"]);
  });
  it("certificatesigningrequests", () => {
    const csr = obj("certificates.k8s.io/v1", "CertificateSigningRequest", {
      metadata: { name: "alice" },
      spec: {
        signerName: "kubernetes.io/kube-apiserver-client",
        username: "admin",
        expirationSeconds: 86400,
      },
      status: { conditions: [{ type: "Approved", status: "True" }], certificate: "LS0t" },
    });
    assert.deepEqual(cells("certificates.k8s.io", "certificatesigningrequests", csr), [
      "alice",
      "7m",
      "kubernetes.io/kube-apiserver-client",
      "admin",
      "24h",
      "Approved,Issued",
    ]);
  });
});
