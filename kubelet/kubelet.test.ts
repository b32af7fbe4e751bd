// The per-pod sync loop against a fake engine and a fake apiserver client: what a deletion does, in order,
// and that nothing in it waits for a later sync.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1";
import { ApiError, type RestClient } from "../pkg/client/index.js";
import { newLogger } from "../pkg/util/log.js";
import { isOwnStatusEcho, Kubelet, POD_RETRY_MAX_MS, relistChanges, sameNameOtherUid } from "./kubelet.js";
import type { PodNetwork } from "./network/bridge.js";
import { containerHash, stableStringify } from "./pod/hash.js";
import { PodStartTrace } from "./pod/start-trace.js";
import type { DockerRuntime } from "./runtime/docker.js";
import type { ContainerStatus, PodRuntimeStatus } from "./runtime/types.js";
import type { VolumeManager, VolumeObjects } from "./volumes/manager.js";

const spec = { name: "nginx", image: "nginx:1.14.2" };

/** The engine as the kubelet sees it: one pod's sandbox and containers, changed by stop and remove. */
class FakeRuntime {
  calls: string[] = [];
  sandbox = { id: "sb", ready: true, createdAt: 1, attempt: 0, ip: "10.244.1.5" };
  containers: ContainerStatus[] = [
    {
      id: "c1",
      name: "nginx",
      state: "running",
      createdAt: 1,
      startedAt: 1000,
      image: "nginx:1.14.2",
      imageRef: "",
      restartCount: 0,
      hash: containerHash(spec),
      isInit: false,
    },
  ];
  removed = new Set<string>();
  async podStatus(uid: string): Promise<PodRuntimeStatus | undefined> {
    const sandboxes = this.removed.has(this.sandbox.id) ? [] : [{ ...this.sandbox }];
    const containers = this.containers.filter((c) => !this.removed.has(c.id)).map((c) => ({ ...c }));
    if (sandboxes.length === 0 && containers.length === 0) return undefined;
    return { uid, name: "web-1", namespace: "default", sandboxes, containers };
  }
  async listPods(): Promise<Map<string, PodRuntimeStatus>> {
    return new Map();
  }
  async stop(id: string, grace: number): Promise<void> {
    this.calls.push(`stop ${id} ${grace}`);
    const c = this.containers.find((x) => x.id === id);
    if (c) Object.assign(c, { state: "exited", exitCode: 0, finishedAt: 2000 });
    if (id === this.sandbox.id) this.sandbox.ready = false;
  }
  async remove(id: string): Promise<void> {
    this.calls.push(`remove ${id}`);
    this.removed.add(id);
  }
}

/** The apiserver calls the kubelet makes about one pod: status patches and deletes. */
function fakeClient(onDelete: () => void = () => undefined) {
  const calls: Array<{ verb: string; name: string; body?: unknown; opts?: unknown }> = [];
  const client = {
    resource: () => ({
      patch: async (name: string, body: unknown) => {
        calls.push({ verb: "patch", name, body });
        return {};
      },
      delete: async (name: string, opts: unknown) => {
        calls.push({ verb: "delete", name, opts });
        onDelete();
        return {};
      },
    }),
  } as unknown as RestClient;
  return { client, calls };
}

function kubelet(runtime: FakeRuntime, client: RestClient): Kubelet {
  return new Kubelet({
    log: newLogger("kubelet-test"),
    runtime: runtime as unknown as DockerRuntime,
    network: {} as PodNetwork,
    volumes: { tearDown: async () => undefined } as unknown as VolumeManager,
    objects: {} as VolumeObjects,
    ctx: {
      cluster: "t",
      nodeName: "node-1",
      nodeContainerId: "node",
      cgroupParent: "/docker/node",
      pauseImage: "pause",
      clusterDNS: [],
      clusterDomain: "cluster.local",
      hostDNS: { nameservers: [], searches: [] },
    },
    nodeIP: "172.28.0.101",
    rootDir: "/tmp/kubelet-test",
    nodeAllocatable: () => ({ cpuMilli: 2000, memoryBytes: 1 << 30 }),
    services: () => [],
    client,
  });
}

const terminating: Pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    name: "web-1",
    namespace: "default",
    uid: "uid-1",
    deletionTimestamp: "2026-01-01T00:00:30Z",
    deletionGracePeriodSeconds: 30,
  },
  spec: { nodeName: "node-1", containers: [spec] },
  status: { phase: "Running", podIP: "10.244.1.5" },
};

test("a deleted pod: SIGTERM with its grace, sandbox gone, final status, then DELETE grace 0 — in one sync", async () => {
  const rt = new FakeRuntime();
  const { client, calls } = fakeClient();
  const k = kubelet(rt, client);
  k.upsertPod(terminating);
  const t0 = Date.now();
  await k.syncPod("uid-1");
  assert.ok(Date.now() - t0 < 1000);
  assert.deepEqual(rt.calls, ["stop c1 30", "stop sb 0", "remove sb"]);
  assert.deepEqual(
    calls.map((c) => c.verb),
    ["patch", "delete"],
  );
  const patch = calls[0]?.body as { status?: { phase?: string } } | undefined;
  assert.equal(patch?.status?.phase, "Succeeded", "the containers exited 0 and will not restart: terminal");
  assert.deepEqual(calls[1]?.opts, { gracePeriodSeconds: 0, preconditions: { uid: "uid-1" } });
  k.queue.shutDown();
});

test("the pod's name already belongs to a new pod (StatefulSet): the old one counts as deleted, no retry", async () => {
  const rt = new FakeRuntime();
  const conflict = () =>
    new ApiError({
      kind: "Status",
      apiVersion: "v1",
      status: "Failure",
      reason: "Conflict",
      code: 409,
      message:
        'Operation cannot be fulfilled on pods "web-1": Precondition failed: UID in precondition: uid-1, UID in object meta: uid-2',
    });
  const client = {
    resource: () => ({
      patch: async () => {
        throw conflict();
      },
      delete: async () => {
        throw conflict();
      },
    }),
  } as unknown as RestClient;
  const k = kubelet(rt, client);
  k.upsertPod(terminating);
  await k.syncPod("uid-1");
  k.queue.shutDown();
});

test("failed pod syncs are retried within upstream's 10 s back-off period, however often they failed", () => {
  const rt = new FakeRuntime();
  const k = kubelet(rt, fakeClient().client);
  const delays: number[] = [];
  const limiter = (k.queue as unknown as { rateLimiter: { when(item: string): number } }).rateLimiter;
  for (let i = 0; i < 40; i++) delays.push(limiter.when("uid-1"));
  assert.equal(delays[0], 5);
  assert.ok(Math.max(...delays) <= POD_RETRY_MAX_MS);
  k.queue.shutDown();
});

test("isOwnStatusEcho: only an update bringing back the status last sent, nothing else changed", () => {
  const base: Pod = {
    metadata: { name: "p", namespace: "default", uid: "u", resourceVersion: "1", labels: { a: "1" } },
    spec: { containers: [spec] },
    status: { phase: "Pending" },
  };
  const sent = stableStringify({ phase: "Running" });
  const echo: Pod = {
    ...base,
    metadata: { ...base.metadata, resourceVersion: "2" },
    status: { phase: "Running" },
  };
  assert.equal(isOwnStatusEcho(base, echo, sent), true);
  assert.equal(isOwnStatusEcho(base, echo, undefined), false, "nothing sent yet");
  assert.equal(
    isOwnStatusEcho(base, { ...echo, status: { phase: "Failed" } }, sent),
    false,
    "someone else's status",
  );
  const deleted: Pod = { ...echo, metadata: { ...echo.metadata, deletionTimestamp: "2026-01-01T00:00:00Z" } };
  assert.equal(isOwnStatusEcho(base, deleted, sent), false, "deletion");
  const relabelled: Pod = { ...echo, metadata: { ...echo.metadata, labels: { a: "2" } } };
  assert.equal(isOwnStatusEcho(base, relabelled, sent), false, "labels feed the downward API");
});

test("PodStartTrace: time between consecutive steps, summed per step, reported once", () => {
  const t = new PodStartTrace();
  t.mark("u", "ignored", 1);
  t.seen("u", 100);
  t.seen("u", 150);
  t.mark("u", "queued", 110);
  t.mark("u", "create", 140);
  t.mark("u", "queued", 160);
  assert.deepEqual(t.running("u", 200), { totalMs: 100, steps: { queued: 30, create: 30, running: 40 } });
  assert.equal(t.running("u", 300), undefined);
  t.seen("u", 400);
  assert.equal(t.running("u", 500), undefined, "a pod that ran is not traced again");
});

test("relist: syncs the pods whose containers changed, appeared or disappeared since the last relist", () => {
  const before = new Map([
    ["a", "s1:true,c1:running"],
    ["b", "s2:true,c2:running"],
    ["c", "s3:true"],
  ]);
  const after = new Map([
    ["a", "s1:true,c1:running"],
    ["b", "s2:true,c2:exited"],
    ["d", "s4:false"],
  ]);
  assert.deepEqual(relistChanges(before, after).sort(), ["b", "c", "d"]);
  assert.deepEqual(relistChanges(after, after), []);
});

test("a pod re-created under the same name replaces the old one (informer relist reports it as an update)", () => {
  const pod = (uid: string, name: string, namespace = "default"): Pod => ({
    metadata: { uid, name, namespace },
  });
  const desired = new Map<string, Pod>([
    ["old", pod("old", "web-0")],
    ["other", pod("other", "web-1")],
    ["elsewhere", pod("elsewhere", "web-0", "prod")],
  ]);
  assert.deepEqual(sameNameOtherUid(desired, pod("new", "web-0")), ["old"]);
  assert.deepEqual(sameNameOtherUid(desired, pod("old", "web-0")), []);
});

test("a status someone else wrote (pods marked NotReady by the node controller) is written again on the next sync", async () => {
  const { client, calls } = fakeClient();
  const k = kubelet(new FakeRuntime(), client);
  const ready = { phase: "Running", conditions: [{ type: "Ready", status: "True" }] };
  const pod: Pod = {
    metadata: { name: "p", namespace: "default", uid: "uid-s" },
    spec: { nodeName: "node-1", containers: [spec] },
    status: { phase: "Pending" },
  };
  k.upsertPod(pod);
  await k.statusManager.setPodStatus(pod, ready, true);
  assert.equal(calls.length, 1, "the kubelet's own status is written once");
  // Its echo changes nothing.
  k.upsertPod({ ...pod, status: ready });
  await k.statusManager.setPodStatus({ ...pod, status: ready }, ready, true);
  assert.equal(calls.length, 1);
  // The node lifecycle controller sets Ready=False: the same status is written again.
  const markedNotReady = { ...pod, status: { ...ready, conditions: [{ type: "Ready", status: "False" }] } };
  k.upsertPod(markedNotReady);
  await k.statusManager.setPodStatus(markedNotReady, ready, true);
  assert.equal(calls.length, 2, "re-asserted");
});
