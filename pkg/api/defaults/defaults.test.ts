import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../types.js";
import { applyDefaults, defaultPullPolicy } from "./index.js";

function defaulted(obj: KubeObject): KubeObject {
  const copy = JSON.parse(JSON.stringify(obj)) as KubeObject;
  applyDefaults(copy);
  return copy;
}

const nginx = { name: "nginx", image: "nginx:1.7.9", ports: [{ containerPort: 80 }] };

describe("imagePullPolicy", () => {
  const cases: [string, string][] = [
    ["nginx", "Always"],
    ["nginx:latest", "Always"],
    ["nginx:1.7.9", "IfNotPresent"],
    ["localhost:5000/app", "Always"],
    ["localhost:5000/app:v1", "IfNotPresent"],
    ["gcr.io/kuar-demo/kuard-amd64:blue", "IfNotPresent"],
    ["busybox@sha256:abcd", "IfNotPresent"],
    ["", "IfNotPresent"],
  ];
  for (const [image, want] of cases)
    it(image || "(empty)", () => assert.equal(defaultPullPolicy(image), want));
});

describe("Pod", () => {
  it("gets every default a real apiserver shows", () => {
    const pod = defaulted({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p" },
      spec: {
        containers: [
          {
            ...nginx,
            resources: { limits: { cpu: "500m", memory: "128Mi" } },
            livenessProbe: { httpGet: { port: 80 } },
            env: [{ name: "N", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }],
          },
        ],
        volumes: [{ name: "v" }, { name: "c", configMap: { name: "cm" } }],
      },
    });
    assert.deepEqual(pod.spec, {
      containers: [
        {
          name: "nginx",
          image: "nginx:1.7.9",
          ports: [{ containerPort: 80, protocol: "TCP" }],
          resources: { limits: { cpu: "500m", memory: "128Mi" }, requests: { cpu: "500m", memory: "128Mi" } },
          livenessProbe: {
            httpGet: { port: 80, path: "/", scheme: "HTTP" },
            timeoutSeconds: 1,
            periodSeconds: 10,
            successThreshold: 1,
            failureThreshold: 3,
          },
          env: [{ name: "N", valueFrom: { fieldRef: { fieldPath: "metadata.name", apiVersion: "v1" } } }],
          imagePullPolicy: "IfNotPresent",
          terminationMessagePath: "/dev/termination-log",
          terminationMessagePolicy: "File",
        },
      ],
      volumes: [
        { name: "v", emptyDir: {} },
        { name: "c", configMap: { name: "cm", defaultMode: 420 } },
      ],
      enableServiceLinks: true,
      dnsPolicy: "ClusterFirst",
      restartPolicy: "Always",
      securityContext: {},
      terminationGracePeriodSeconds: 30,
      schedulerName: "default-scheduler",
      serviceAccountName: "default",
      serviceAccount: "default",
      tolerations: [
        {
          effect: "NoExecute",
          key: "node.kubernetes.io/not-ready",
          operator: "Exists",
          tolerationSeconds: 300,
        },
        {
          effect: "NoExecute",
          key: "node.kubernetes.io/unreachable",
          operator: "Exists",
          tolerationSeconds: 300,
        },
      ],
      priority: 0,
      preemptionPolicy: "PreemptLowerPriority",
    });
  });
  it("is idempotent", () => {
    const once = defaulted({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p" },
      spec: { containers: [nginx] },
    });
    assert.deepEqual(defaulted(once), once);
  });
  it("keeps explicit values and existing tolerations", () => {
    const pod = defaulted({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p" },
      spec: {
        restartPolicy: "Never",
        terminationGracePeriodSeconds: 0,
        containers: [{ name: "c", image: "busybox", imagePullPolicy: "Never" }],
        tolerations: [{ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" }],
      },
    });
    const spec = pod.spec as Record<string, unknown>;
    assert.equal(spec.restartPolicy, "Never");
    assert.equal(spec.terminationGracePeriodSeconds, 0);
    assert.equal((spec.containers as Record<string, unknown>[])[0].imagePullPolicy, "Never");
    assert.equal((spec.tolerations as unknown[]).length, 2);
  });
});

describe("workloads", () => {
  const template = { metadata: { labels: { app: "nginx" } }, spec: { containers: [nginx] } };
  it("Deployment (apps/v1)", () => {
    const d = defaulted({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d" },
      spec: { selector: { matchLabels: { app: "nginx" } }, template },
    });
    const spec = d.spec as Record<string, unknown>;
    assert.equal(spec.replicas, 1);
    assert.deepEqual(spec.strategy, {
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" },
    });
    assert.equal(spec.revisionHistoryLimit, 10);
    assert.equal(spec.progressDeadlineSeconds, 600);
    const t = spec.template as Record<string, Record<string, unknown>>;
    assert.equal(t.metadata.creationTimestamp, null);
    assert.equal(t.spec.restartPolicy, "Always");
    assert.equal(t.spec.enableServiceLinks, undefined, "templates do not get pod-only defaults");
    assert.equal(t.spec.tolerations, undefined);
  });
  it("Deployment (extensions/v1beta1): selector from template labels, 1/1 rolling update", () => {
    const d = defaulted({
      apiVersion: "extensions/v1beta1",
      kind: "Deployment",
      metadata: { name: "d" },
      spec: { template },
    });
    const spec = d.spec as Record<string, unknown>;
    assert.deepEqual(spec.selector, { matchLabels: { app: "nginx" } });
    assert.deepEqual((d.metadata as Record<string, unknown>).labels, { app: "nginx" });
    assert.deepEqual(spec.strategy, {
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: 1, maxSurge: 1 },
    });
    assert.equal(spec.revisionHistoryLimit, 2147483647);
  });
  it("ReplicaSet (extensions/v1beta1) gets a selector", () => {
    const rs = defaulted({
      apiVersion: "extensions/v1beta1",
      kind: "ReplicaSet",
      metadata: { name: "r" },
      spec: { template },
    });
    assert.deepEqual((rs.spec as Record<string, unknown>).selector, { matchLabels: { app: "nginx" } });
    assert.equal((rs.spec as Record<string, unknown>).replicas, 1);
  });
  it("DaemonSet", () => {
    const ds = defaulted({
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "d" },
      spec: { template },
    });
    const spec = ds.spec as Record<string, unknown>;
    assert.deepEqual(spec.updateStrategy, {
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
    });
    assert.equal(spec.revisionHistoryLimit, 10);
    const old = defaulted({
      apiVersion: "extensions/v1beta1",
      kind: "DaemonSet",
      metadata: { name: "d" },
      spec: { template },
    });
    assert.deepEqual((old.spec as Record<string, unknown>).updateStrategy, { type: "OnDelete" });
  });
  it("StatefulSet", () => {
    const sts = defaulted({
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "web" },
      spec: {
        serviceName: "nginx",
        template,
        volumeClaimTemplates: [
          {
            metadata: { name: "www" },
            spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
          },
        ],
      },
    });
    const spec = sts.spec as Record<string, unknown>;
    assert.equal(spec.podManagementPolicy, "OrderedReady");
    assert.deepEqual(spec.updateStrategy, { type: "RollingUpdate", rollingUpdate: { partition: 0 } });
    assert.deepEqual(spec.persistentVolumeClaimRetentionPolicy, {
      whenDeleted: "Retain",
      whenScaled: "Retain",
    });
    assert.equal(spec.replicas, 1);
    const pvc = (spec.volumeClaimTemplates as Record<string, unknown>[])[0];
    assert.equal(pvc.apiVersion, "v1");
    assert.equal(pvc.kind, "PersistentVolumeClaim");
    assert.deepEqual(pvc.status, { phase: "Pending" });
    assert.equal((pvc.spec as Record<string, unknown>).volumeMode, "Filesystem");
  });
  it("Job with a uid gets the generated selector and labels", () => {
    const job = defaulted({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "pi", uid: "u-1" },
      spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "pi", image: "perl" }] } } },
    });
    const spec = job.spec as Record<string, unknown>;
    assert.equal(spec.completions, 1);
    assert.equal(spec.parallelism, 1);
    assert.equal(spec.backoffLimit, 6);
    assert.equal(spec.completionMode, "NonIndexed");
    assert.equal(spec.suspend, false);
    assert.equal(spec.podReplacementPolicy, "TerminatingOrFailed");
    assert.deepEqual(spec.selector, { matchLabels: { "batch.kubernetes.io/controller-uid": "u-1" } });
    const labels = ((spec.template as Record<string, Record<string, unknown>>).metadata.labels ??
      {}) as Record<string, string>;
    assert.deepEqual(labels, {
      "batch.kubernetes.io/controller-uid": "u-1",
      "controller-uid": "u-1",
      "batch.kubernetes.io/job-name": "pi",
      "job-name": "pi",
    });
  });
  it("CronJob", () => {
    const cj = defaulted({
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "c" },
      spec: {
        schedule: "*/1 * * * *",
        jobTemplate: { spec: { template: { spec: { containers: [nginx] } } } },
      },
    });
    const spec = cj.spec as Record<string, unknown>;
    assert.equal(spec.concurrencyPolicy, "Allow");
    assert.equal(spec.suspend, false);
    assert.equal(spec.successfulJobsHistoryLimit, 3);
    assert.equal(spec.failedJobsHistoryLimit, 1);
  });
});

describe("core kinds", () => {
  it("Service (ClusterIP and NodePort)", () => {
    const svc = defaulted({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "s" },
      spec: { selector: { app: "x" }, ports: [{ port: 80 }] },
    });
    assert.deepEqual(svc.spec, {
      selector: { app: "x" },
      ports: [{ port: 80, protocol: "TCP", targetPort: 80 }],
      sessionAffinity: "None",
      type: "ClusterIP",
      internalTrafficPolicy: "Cluster",
      ipFamilyPolicy: "SingleStack",
      ipFamilies: ["IPv4"],
    });
    const np = defaulted({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "s" },
      spec: { type: "NodePort", ports: [{ port: 80, targetPort: 8080 }] },
    });
    assert.equal((np.spec as Record<string, unknown>).externalTrafficPolicy, "Cluster");
    const ext = defaulted({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "s" },
      spec: { type: "ExternalName", externalName: "example.com" },
    });
    assert.equal((ext.spec as Record<string, unknown>).ipFamilies, undefined);
  });
  it("Namespace, PVC, PV, Secret", () => {
    const ns = defaulted({ apiVersion: "v1", kind: "Namespace", metadata: { name: "dev" } });
    assert.deepEqual(ns.spec, { finalizers: ["kubernetes"] });
    assert.deepEqual(ns.status, { phase: "Active" });
    assert.deepEqual((ns.metadata as Record<string, unknown>).labels, {
      "kubernetes.io/metadata.name": "dev",
    });
    const pvc = defaulted({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "c" },
      spec: {},
    });
    assert.equal((pvc.spec as Record<string, unknown>).volumeMode, "Filesystem");
    const pv = defaulted({
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name: "v" },
      spec: { hostPath: { path: "/x" } },
    });
    assert.equal((pv.spec as Record<string, unknown>).persistentVolumeReclaimPolicy, "Retain");
    assert.deepEqual((pv.spec as Record<string, unknown>).hostPath, { path: "/x", type: "" });
    const secret = defaulted({ apiVersion: "v1", kind: "Secret", metadata: { name: "s" } });
    assert.equal(secret.type, "Opaque");
  });
  it("ReplicationController takes its selector from the template", () => {
    const rc = defaulted({
      apiVersion: "v1",
      kind: "ReplicationController",
      metadata: { name: "r" },
      spec: { template: { metadata: { labels: { app: "a" } }, spec: { containers: [nginx] } } },
    });
    assert.deepEqual((rc.spec as Record<string, unknown>).selector, { app: "a" });
    assert.equal((rc.spec as Record<string, unknown>).replicas, 1);
  });
  it("never throws on malformed input", () => {
    for (const kind of ["Pod", "Deployment", "Service", "Job", "StatefulSet", "Namespace"]) {
      const apiVersion =
        kind === "Deployment" || kind === "StatefulSet" ? "apps/v1" : kind === "Job" ? "batch/v1" : "v1";
      for (const spec of [null, "x", 3, [], { containers: "x" }, { template: "x" }, { ports: [1, null] }]) {
        assert.doesNotThrow(() => defaulted({ apiVersion, kind, metadata: { name: "x" }, spec }));
      }
    }
  });
});

describe("other groups", () => {
  it("HPA v2 default metric and v1 minReplicas", () => {
    const v2 = defaulted({
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: "h" },
      spec: { maxReplicas: 3 },
    });
    assert.deepEqual(v2.spec, {
      maxReplicas: 3,
      minReplicas: 1,
      metrics: [
        {
          type: "Resource",
          resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } },
        },
      ],
    });
    const v1 = defaulted({
      apiVersion: "autoscaling/v1",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: "h" },
      spec: { maxReplicas: 3 },
    });
    assert.deepEqual(v1.spec, { maxReplicas: 3, minReplicas: 1 });
  });
  it("NetworkPolicy, StorageClass, RoleBinding, Ingress v1beta1", () => {
    const np = defaulted({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "n" },
      spec: { podSelector: {}, egress: [{ ports: [{ port: 53 }] }] },
    });
    assert.deepEqual((np.spec as Record<string, unknown>).policyTypes, ["Ingress", "Egress"]);
    const sc = defaulted({
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: "s" },
      provisioner: "p",
    });
    assert.equal(sc.reclaimPolicy, "Delete");
    assert.equal(sc.volumeBindingMode, "Immediate");
    const rb = defaulted({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "r" },
      roleRef: { kind: "Role", name: "x" },
      subjects: [
        { kind: "User", name: "u" },
        { kind: "ServiceAccount", name: "s" },
      ],
    });
    assert.deepEqual(rb.subjects, [
      { kind: "User", name: "u", apiGroup: "rbac.authorization.k8s.io" },
      { kind: "ServiceAccount", name: "s" },
    ]);
    assert.equal((rb.roleRef as Record<string, unknown>).apiGroup, "rbac.authorization.k8s.io");
    const ing = defaulted({
      apiVersion: "networking.k8s.io/v1beta1",
      kind: "Ingress",
      metadata: { name: "i" },
      spec: {
        rules: [{ http: { paths: [{ path: "/t", backend: { serviceName: "s", servicePort: 80 } }] } }],
      },
    });
    const rules = (ing.spec as { rules: { http: { paths: Record<string, unknown>[] } }[] }).rules;
    assert.equal(rules[0].http.paths[0].pathType, "ImplementationSpecific");
  });
});

describe("quantities are stored canonical", () => {
  it("container resources, PVC requests, quota", () => {
    const p = defaulted({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p" },
      spec: {
        containers: [
          {
            name: "c",
            image: "i",
            resources: { limits: { cpu: 0.5, memory: "1024Mi" }, requests: { cpu: "0.25" } },
          },
        ],
      },
    });
    const res = (
      (p.spec as Record<string, unknown>).containers as Record<string, Record<string, unknown>>[]
    )[0].resources;
    assert.deepEqual(res, {
      limits: { cpu: "500m", memory: "1Gi" },
      requests: { cpu: "250m", memory: "1Gi" },
    });
    const q = defaulted({
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: "q" },
      spec: { hard: { pods: 10, "requests.cpu": "1000m", bad: "x1" } },
    });
    assert.deepEqual((q.spec as Record<string, unknown>).hard, {
      pods: "10",
      "requests.cpu": "1",
      bad: "x1",
    });
  });
});
