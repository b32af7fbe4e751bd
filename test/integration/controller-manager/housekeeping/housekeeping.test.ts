// Housekeeping controllers against the in-memory apiserver (pkg/client/testing/fakeserver.ts):
// garbage collection (background, orphan, foreground), namespace deletion, default service accounts
// and kube-root-ca.crt, PV provisioning/binding/reclaim, node lifecycle with taint-based eviction, pod GC,
// ClusterRole aggregation.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ConfigMap, Event as EventObj, Namespace, Node, Pod } from "kubernetes-types/core/v1";
import type {
  ControllerContext,
  ControllerDescriptor,
  ControllerManagerOptions,
} from "../../../../controller-manager/context.js";
import { ClusterRoles } from "../../../../controller-manager/controllers/clusterroleaggregation/controller.js";
import { clusterRoleAggregationDescriptor } from "../../../../controller-manager/controllers/clusterroleaggregation/index.js";
import { garbageCollectorDescriptor } from "../../../../controller-manager/controllers/garbagecollector/index.js";
import { namespaceDescriptor } from "../../../../controller-manager/controllers/namespace/index.js";
import {
  nodeLifecycleDescriptor,
  taintEvictionDescriptor,
} from "../../../../controller-manager/controllers/nodelifecycle/index.js";
import { StorageClasses } from "../../../../controller-manager/controllers/persistentvolume/controller.js";
import { persistentVolumeBinderDescriptor } from "../../../../controller-manager/controllers/persistentvolume/index.js";
import { podGCDescriptor } from "../../../../controller-manager/controllers/podgc/index.js";
import { resourceQuotaDescriptor } from "../../../../controller-manager/controllers/resourcequota/index.js";
import {
  rootCACertPublisherDescriptor,
  serviceAccountDescriptor,
} from "../../../../controller-manager/controllers/serviceaccount/index.js";
import {
  ConfigMaps,
  Deployments,
  EventBroadcaster,
  Events,
  InformerFactory,
  Leases,
  Namespaces,
  Nodes,
  PersistentVolumeClaims,
  PersistentVolumes,
  Pods,
  ReplicaSets,
  ResourceQuotas,
  RestClient,
  ServiceAccounts,
} from "../../../../pkg/client/index.js";
import { FakeApiServer } from "../../../../pkg/client/testing/fakeserver.js";
import { newLogger } from "../../../../pkg/util/log.js";

const CA = "-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n";
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

interface Env {
  server: FakeApiServer;
  client: RestClient;
  stop(): Promise<void>;
}

async function start(controllers: ControllerDescriptor[], extra: Record<string, unknown>): Promise<Env> {
  const server = await FakeApiServer.start();
  const client = new RestClient(server.clientConfig());
  const ac = new AbortController();
  const log = newLogger("housekeeping-test", process.env.LOG_LEVEL ?? "silent");
  const factory = new InformerFactory(client, { logger: log });
  const events = new EventBroadcaster(client, { logger: log, retryDelayMs: 50 });
  const options = { nodeCIDRMaskSize: 24, concurrentSyncs: 4, ...extra } as ControllerManagerOptions;
  const ctx: ControllerContext = { client, factory, events, log, signal: ac.signal, options, now: Date.now };
  const runs = controllers.map((c) => c.init(ctx));
  factory.start(ac.signal);
  const done = Promise.all(runs.map((r) => r()));
  return {
    server,
    client,
    async stop() {
      ac.abort();
      await done;
      await events.shutdown();
      client.close();
      await server.stop();
    },
  };
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const ownerRef = (kind: string, name: string, uid: string, block = true) => ({
  apiVersion: "apps/v1",
  kind,
  name,
  uid,
  controller: true,
  blockOwnerDeletion: block,
});

describe("housekeeping controllers", () => {
  let env: Env;
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), "housekeeping-"));
    writeFileSync(join(dir, "ca.crt"), CA);
    env = await start(
      [
        garbageCollectorDescriptor,
        namespaceDescriptor,
        serviceAccountDescriptor,
        rootCACertPublisherDescriptor,
        persistentVolumeBinderDescriptor,
        resourceQuotaDescriptor,
      ],
      { rootCAFile: join(dir, "ca.crt") },
    );
  });
  after(async () => {
    await env.stop();
  });

  it("garbagecollector: background deletion of a deleted owner's dependents, across kinds", async () => {
    const d = await env.client
      .resource(Deployments, "default")
      .create({ metadata: { name: "web" }, spec: { selector: {}, template: {} } });
    const rs = await env.client.resource(ReplicaSets, "default").create({
      metadata: { name: "web-1", ownerReferences: [ownerRef("Deployment", "web", d.metadata!.uid!)] },
      spec: { selector: {} },
    });
    await env.client.resource(Pods, "default").create({
      metadata: { name: "web-1-a", ownerReferences: [ownerRef("ReplicaSet", "web-1", rs.metadata!.uid!)] },
      spec: { containers: [] },
    });
    // Another owner's dependent stays.
    await env.client.resource(ConfigMaps, "default").create({ metadata: { name: "keep" } });
    await env.client.resource(Deployments, "default").delete("web");
    await waitFor("replicaset gone", () => !env.server.getObject(ReplicaSets, "default", "web-1"));
    await waitFor("pod gone", () => !env.server.getObject(Pods, "default", "web-1-a"));
    assert.ok(env.server.getObject(ConfigMaps, "default", "keep"));
  });

  it("garbagecollector: a dependent with a live owner left keeps it, and loses the gone one", async () => {
    const a = await env.client.resource(ConfigMaps, "default").create({ metadata: { name: "owner-a" } });
    const b = await env.client.resource(ConfigMaps, "default").create({ metadata: { name: "owner-b" } });
    const ref = (n: string, uid: string) => ({ apiVersion: "v1", kind: "ConfigMap", name: n, uid });
    await env.client.resource(ConfigMaps, "default").create({
      metadata: {
        name: "shared",
        ownerReferences: [ref("owner-a", a.metadata!.uid!), ref("owner-b", b.metadata!.uid!)],
      },
    });
    await env.client.resource(ConfigMaps, "default").delete("owner-a");
    await waitFor(
      "ref removed",
      () => env.server.getObject(ConfigMaps, "default", "shared")?.metadata?.ownerReferences?.length === 1,
    );
    assert.equal(
      env.server.getObject(ConfigMaps, "default", "shared")?.metadata?.ownerReferences?.[0].name,
      "owner-b",
    );
  });

  it("garbagecollector: orphan propagation removes the owner reference, then the finalizer", async () => {
    const d = await env.client.resource(Deployments, "default").create({
      metadata: { name: "orphaner", finalizers: ["orphan"] },
      spec: { selector: {}, template: {} },
    });
    await env.client.resource(ReplicaSets, "default").create({
      metadata: {
        name: "orphaner-1",
        ownerReferences: [ownerRef("Deployment", "orphaner", d.metadata!.uid!)],
      },
      spec: { selector: {} },
    });
    await env.client.resource(Deployments, "default").delete("orphaner");
    await waitFor("owner gone", () => !env.server.getObject(Deployments, "default", "orphaner"));
    const rs = env.server.getObject(ReplicaSets, "default", "orphaner-1");
    assert.ok(rs, "dependent survives");
    assert.equal(rs.metadata?.ownerReferences, undefined);
  });

  it("garbagecollector: foreground deletion deletes blocking dependents first", async () => {
    const d = await env.client.resource(Deployments, "default").create({
      metadata: { name: "fg", finalizers: ["foregroundDeletion"] },
      spec: { selector: {}, template: {} },
    });
    await env.client.resource(ReplicaSets, "default").create({
      metadata: { name: "fg-1", ownerReferences: [ownerRef("Deployment", "fg", d.metadata!.uid!)] },
      spec: { selector: {} },
    });
    await env.client.resource(Deployments, "default").delete("fg");
    await waitFor("dependent gone", () => !env.server.getObject(ReplicaSets, "default", "fg-1"));
    await waitFor("owner gone", () => !env.server.getObject(Deployments, "default", "fg"));
  });

  it("serviceaccount + root CA: every active namespace gets `default` and kube-root-ca.crt, recreated when deleted", async () => {
    await env.client
      .resource(Namespaces)
      .create({ metadata: { name: "team-a" }, status: { phase: "Active" } });
    await waitFor("default SA", () => env.server.getObject(ServiceAccounts, "team-a", "default"));
    const cm = await waitFor("root CA", () =>
      env.server.getObject<ConfigMap>(ConfigMaps, "team-a", "kube-root-ca.crt"),
    );
    assert.equal(cm.data?.["ca.crt"], CA);
    await env.client.resource(ServiceAccounts, "team-a").delete("default");
    await waitFor("default SA recreated", () => env.server.getObject(ServiceAccounts, "team-a", "default"));
    await env.client.resource(ConfigMaps, "team-a").update({ ...cm, data: { "ca.crt": "tampered" } });
    await waitFor(
      "CA restored",
      () =>
        env.server.getObject<ConfigMap>(ConfigMaps, "team-a", "kube-root-ca.crt")?.data?.["ca.crt"] === CA,
    );
  });

  it("namespace: a terminating namespace is emptied, then finalized", async () => {
    env.server.seed(Namespaces, {
      metadata: { name: "doomed" },
      spec: { finalizers: ["kubernetes"] },
      status: { phase: "Active" },
    } as Namespace);
    await waitFor("default SA in doomed", () => env.server.getObject(ServiceAccounts, "doomed", "default"));
    await env.client.resource(ConfigMaps, "doomed").create({ metadata: { name: "c1" } });
    await env.client.resource(Pods, "doomed").create({ metadata: { name: "p1" }, spec: { containers: [] } });
    const ns = env.server.getObject<Namespace>(Namespaces, undefined, "doomed")!;
    env.server.seed(Namespaces, {
      ...ns,
      metadata: { ...ns.metadata, deletionTimestamp: now() },
      status: { phase: "Terminating" },
    } as Namespace);
    await waitFor("namespace gone", () => !env.server.getObject(Namespaces, undefined, "doomed"));
    assert.equal(env.server.listObjects(ConfigMaps, "doomed").length, 0);
    assert.equal(env.server.listObjects(Pods, "doomed").length, 0);
    assert.equal(env.server.listObjects(ServiceAccounts, "doomed").length, 0);
  });

  it("persistentvolume: default class, provisioning, binding, and Delete reclaim", async () => {
    const claims = env.client.resource(PersistentVolumeClaims, "default");
    await claims.create({
      metadata: { name: "www-web-0" },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
    });
    const sc = await waitFor("default class", () =>
      env.server.getObject(StorageClasses, undefined, "standard"),
    );
    assert.equal(sc.metadata?.annotations?.["storageclass.kubernetes.io/is-default-class"], "true");
    assert.equal(sc.provisioner, "tskube.io/hostpath");
    const claim = await waitFor("claim bound", () => {
      const c = env.server.getObject(PersistentVolumeClaims, "default", "www-web-0");
      return c?.status?.phase === "Bound" ? c : undefined;
    });
    const pvName = claim.spec?.volumeName ?? "";
    assert.equal(pvName, `pvc-${claim.metadata?.uid}`);
    assert.equal(claim.status?.capacity?.storage, "1Gi");
    const pv = await waitFor("pv bound", () => {
      const v = env.server.getObject(PersistentVolumes, undefined, pvName);
      return v?.status?.phase === "Bound" ? v : undefined;
    });
    assert.equal(pv.spec?.hostPath?.path, `/var/lib/tskube/volumes/${pvName}`);
    assert.equal(pv.spec?.persistentVolumeReclaimPolicy, "Delete");
    // A manual volume with Retain binds a matching claim and is Released after it.
    await env.client.resource(PersistentVolumes).create({
      metadata: { name: "manual" },
      spec: {
        capacity: { storage: "5Gi" },
        accessModes: ["ReadWriteOnce"],
        persistentVolumeReclaimPolicy: "Retain",
        storageClassName: "manual",
        hostPath: { path: "/tmp/manual" },
      },
    });
    await claims.create({
      metadata: { name: "manual-claim" },
      spec: {
        storageClassName: "manual",
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: "2Gi" } },
      },
    });
    await waitFor(
      "manual bound",
      () =>
        env.server.getObject(PersistentVolumeClaims, "default", "manual-claim")?.spec?.volumeName ===
        "manual",
    );
    await claims.delete("www-web-0");
    await claims.delete("manual-claim");
    await waitFor(
      "provisioned volume deleted",
      () => !env.server.getObject(PersistentVolumes, undefined, pvName),
    );
    await waitFor(
      "manual released",
      () => env.server.getObject(PersistentVolumes, undefined, "manual")?.status?.phase === "Released",
    );
  });

  it("resourcequota: status.used follows the namespace's pods", async () => {
    await env.client.resource(ResourceQuotas, "default").create({
      metadata: { name: "q" },
      spec: { hard: { pods: "10", "requests.cpu": "4", configmaps: "20" } },
    });
    await env.client.resource(Pods, "default").create({
      metadata: { name: "q1" },
      spec: { containers: [{ name: "c", image: "x", resources: { requests: { cpu: "300m" } } }] },
    });
    await waitFor("used", () => {
      const used = env.server.getObject(ResourceQuotas, "default", "q")?.status?.used;
      return used?.pods === "1" && used["requests.cpu"] === "300m" && used.configmaps !== undefined;
    });
  });
});

describe("node lifecycle and taint-based eviction", () => {
  let env: Env;
  before(async () => {
    env = await start([nodeLifecycleDescriptor, taintEvictionDescriptor, podGCDescriptor], {
      nodeMonitorPeriodMs: 100,
      nodeMonitorGracePeriodMs: 1000,
      podGCPeriodMs: 200,
      orphanQuarantineMs: 300,
    });
  });
  after(async () => {
    await env.stop();
  });

  const lease = (node: string) => ({
    metadata: { name: node, namespace: "kube-node-lease" },
    spec: {
      holderIdentity: node,
      leaseDurationSeconds: 40,
      renewTime: new Date().toISOString().replace("Z", "000Z"),
    },
  });
  const readyNode = (name: string): Node => ({
    metadata: { name },
    status: {
      conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", lastHeartbeatTime: now() }],
    },
  });
  const pod = (name: string, node: string, tolerationSeconds?: number): Pod => ({
    metadata: { name, namespace: "default", creationTimestamp: now() },
    spec: {
      nodeName: node,
      containers: [{ name: "c", image: "x" }],
      tolerations:
        tolerationSeconds === undefined
          ? undefined
          : [
              {
                key: "node.kubernetes.io/unreachable",
                operator: "Exists",
                effect: "NoExecute",
                tolerationSeconds,
              },
            ],
    },
    status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] },
  });

  it("a node whose lease stops goes Unknown, is tainted, its pods not ready and evicted; the taints go when it is back", async () => {
    env.server.seed(Nodes, readyNode("n1"), readyNode("n2"));
    env.server.seed(Leases, lease("n1"), lease("n2"));
    env.server.seed(
      Pods,
      pod("quick", "n1"),
      pod("patient", "n1", 2),
      pod("forever", "n1"),
      pod("other", "n2"),
    );
    // `forever` tolerates everything without a limit.
    const forever = env.server.getObject<Pod>(Pods, "default", "forever")!;
    env.server.seed(Pods, {
      ...forever,
      spec: { ...forever.spec!, tolerations: [{ operator: "Exists" }] },
    } as Pod);
    const renew = setInterval(() => env.server.seed(Leases, lease("n2")), 200);
    try {
      const t0 = Date.now();
      const n1 = await waitFor("n1 unreachable", () => {
        const n = env.server.getObject<Node>(Nodes, undefined, "n1");
        return n?.spec?.taints?.some((t) => t.effect === "NoExecute") ? n : undefined;
      });
      assert.ok(Date.now() - t0 >= 900, "not before the grace period");
      const ready = n1.status?.conditions?.find((c) => c.type === "Ready");
      assert.equal(ready?.status, "Unknown");
      assert.equal(ready?.reason, "NodeStatusUnknown");
      assert.equal(ready?.message, "Kubelet stopped posting node status.");
      assert.deepEqual(
        n1.spec?.taints?.map((t) => `${t.key}:${t.effect}`),
        ["node.kubernetes.io/unreachable:NoSchedule", "node.kubernetes.io/unreachable:NoExecute"],
      );
      await waitFor("quick evicted", () => !env.server.getObject(Pods, "default", "quick"));
      assert.ok(env.server.getObject(Pods, "default", "patient"), "tolerating pod waits");
      await waitFor("patient evicted", () => !env.server.getObject(Pods, "default", "patient"), 5000);
      const forever2 = env.server.getObject<Pod>(Pods, "default", "forever");
      assert.ok(forever2);
      assert.equal(forever2.status?.conditions?.find((c) => c.type === "Ready")?.status, "False");
      const n2 = env.server.getObject<Node>(Nodes, undefined, "n2");
      assert.equal(n2?.spec?.taints, undefined, "a live node is left alone");
      assert.ok(env.server.getObject(Pods, "default", "other"));
      await waitFor("eviction event", () =>
        env.server
          .listObjects<EventObj>(Events, "default")
          .find(
            (e) =>
              e.reason === "TaintManagerEviction" && e.message === "Marking for deletion Pod default/quick",
          ),
      );
      // The kubelet comes back: lease renewed, Ready posted.
      const back = env.server.getObject<Node>(Nodes, undefined, "n1")!;
      env.server.seed(Nodes, { ...back, status: readyNode("n1").status } as Node);
      env.server.seed(Leases, lease("n1"));
      await waitFor(
        "taints removed",
        () => (env.server.getObject<Node>(Nodes, undefined, "n1")?.spec?.taints ?? []).length === 0,
      );
    } finally {
      clearInterval(renew);
    }
  });

  it("podgc: pods bound to a deleted node are removed", async () => {
    env.server.seed(Nodes, readyNode("n3"));
    env.server.seed(Leases, lease("n3"));
    env.server.seed(Pods, pod("stray", "n3"));
    env.server.remove(Nodes, undefined, "n3");
    await waitFor("stray removed", () => !env.server.getObject(Pods, "default", "stray"), 5000);
  });
});

describe("clusterrole-aggregation", () => {
  let env: Env;
  before(async () => {
    env = await start([clusterRoleAggregationDescriptor], {});
  });
  after(async () => {
    await env.stop();
  });

  it("fills an aggregated ClusterRole with the union of the selected roles' rules, and follows them", async () => {
    const roles = env.client.resource(ClusterRoles);
    const label = { "example.com/aggregate-to-monitoring": "true" };
    const get = (resource: string) => ({ verbs: ["get"], apiGroups: [""], resources: [resource] });
    await roles.create({
      metadata: { name: "monitoring" },
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: label }] },
    });
    await roles.create({ metadata: { name: "mon-b", labels: label }, rules: [get("services"), get("pods")] });
    await roles.create({ metadata: { name: "mon-a", labels: label }, rules: [get("pods")] });
    await roles.create({ metadata: { name: "unrelated" }, rules: [get("secrets")] });
    const rulesOf = async () => (await roles.get("monitoring")).rules ?? [];
    const until = async (want: unknown[]) => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const got = await rulesOf();
        if (JSON.stringify(got) === JSON.stringify(want)) return;
        if (Date.now() > deadline) assert.deepEqual(got, want);
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    await until([get("pods"), get("services")]);
    await roles.patch("mon-a", { metadata: { labels: null } });
    await until([get("services"), get("pods")]);
    await roles.delete("mon-b");
    await until([]);
  });
});
