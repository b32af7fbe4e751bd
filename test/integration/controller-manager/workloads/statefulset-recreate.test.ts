// StatefulSet Basics (seeds 000, "Non-cascading delete"), against the real apiserver on etcd, the real
// scheduler and the controller-manager (workload controllers and the garbage collector), with simulated
// nodes, driven by the real kubectl: after a history of three revisions and a finished rolling update,
// `delete statefulset web --cascade=orphan`, `delete pod web-0`, then `apply -f web.yaml` again. The new
// set adopts the orphaned pods and ControllerRevisions, relaunches web-0 at the revision equal to its
// template and keeps it; only web-1 is replaced; web-2 is removed.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { ControllerRevision, StatefulSet } from "kubernetes-types/apps/v1";
import type { Pod } from "kubernetes-types/core/v1";
import { ControllerRevisions, Pods, StatefulSets } from "../../../../pkg/client/index.js";
import { type ControlPlane, startControlPlane, WORKLOAD_CONTROLLERS } from "./env.js";
import { type SimulatedNodes, startSimulatedNodes } from "./simulated-nodes.js";
import { startVolumeBinder } from "./volume-binder.js";
import { eventually } from "./wait.js";

let cp: ControlPlane;
let nodes: SimulatedNodes;
let binder: { stop(): void };

before(async () => {
  cp = await startControlPlane({ controllers: `${WORKLOAD_CONTROLLERS},garbagecollector` });
  // Pods take a while to start and to stop, as on the compose cluster: the order of events matters here.
  nodes = await startSimulatedNodes(cp.client, {
    names: ["node-1", "node-2", "node-3"],
    startDelayMs: 2000,
    terminationDelayMs: 1000,
  });
  binder = await startVolumeBinder(cp.client);
});
after(async () => {
  binder?.stop();
  await nodes?.stop();
  await cp?.stop();
});

async function kubectl(...args: string[]): Promise<string> {
  const r = await cp.kubectl(args);
  assert.equal(r.code, 0, `kubectl ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

async function apply(manifest: string): Promise<string> {
  const r = await cp.kubectl(["apply", "-f", "-"], manifest);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

const webPods = async (): Promise<Pod[]> =>
  (await cp.client.resource(Pods, "default").list({ labelSelector: "app=nginx" })).items;
const revisions = async (): Promise<ControllerRevision[]> =>
  (await cp.client.resource(ControllerRevisions, "default").list({ labelSelector: "app=nginx" })).items;
const isReady = (p: Pod | undefined) =>
  p?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
const runningAndReady = (p: Pod) =>
  p.status?.phase === "Running" && isReady(p) && !p.metadata?.deletionTimestamp;
const imageOf = (p: Pod | undefined) => p?.spec?.containers?.[0]?.image;
const byName = (pods: Pod[], name: string) => pods.find((p) => p.metadata?.name === name);

/** Waits until exactly `names` are the set's pods, all Running and Ready (the tutorial's `get pods -w`). */
const exactlyRunning = (names: string[], timeoutMs = 30_000) =>
  eventually(
    `exactly ${names.join(", ")} Running and Ready`,
    async () => {
      const pods = await webPods();
      const ok =
        pods.length === names.length &&
        names.every((n) => {
          const p = byName(pods, n);
          return p !== undefined && runningAndReady(p);
        });
      return ok ? pods : undefined;
    },
    timeoutMs,
  );

const allOn = (image: string, n: number) =>
  eventually(
    `${n} pods on ${image}`,
    async () => {
      const pods = await webPods();
      return (
        pods.length === n &&
        pods.every((p) => imageOf(p) === image && runningAndReady(p)) &&
        pods.length === n
      );
    },
    60_000,
  );

const patchImage = (image: string) =>
  kubectl(
    "patch",
    "statefulset",
    "web",
    "--type=json",
    `-p=[{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value":"${image}"}]`,
  );
const patchPartition = (partition: number) =>
  kubectl(
    "patch",
    "statefulset",
    "web",
    "-p",
    JSON.stringify({ spec: { updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition } } } }),
  );

const WEB = `apiVersion: v1
kind: Service
metadata:
  name: nginx
  labels:
    app: nginx
spec:
  ports:
  - port: 80
    name: web
  clusterIP: None
  selector:
    app: nginx
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: "nginx"
  replicas: 2
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: k8s.gcr.io/nginx-slim:0.8
        ports:
        - containerPort: 80
          name: web
        volumeMounts:
        - name: www
          mountPath: /usr/share/nginx/html
  volumeClaimTemplates:
  - metadata:
      name: www
    spec:
      accessModes: [ "ReadWriteOnce" ]
      resources:
        requests:
          storage: 1Gi
`;

test("StatefulSet: the tutorial's history — 3 replicas, three revisions, all pods on nginx-slim:0.7", async () => {
  await apply(WEB);
  await kubectl("rollout", "status", "sts/web", "--timeout=30s");
  await kubectl("scale", "sts", "web", "--replicas=3");
  await kubectl("rollout", "status", "sts/web", "--timeout=30s");
  await patchImage("gcr.io/google_containers/nginx-slim:0.8");
  await allOn("gcr.io/google_containers/nginx-slim:0.8", 3);
  await patchPartition(3);
  await patchImage("k8s.gcr.io/nginx-slim:0.7");
  await kubectl("delete", "po", "web-2");
  await exactlyRunning(["web-0", "web-1", "web-2"]);
  await patchPartition(2);
  await eventually("web-2 on nginx-slim:0.7", async () => {
    const p = byName(await webPods(), "web-2");
    return imageOf(p) === "k8s.gcr.io/nginx-slim:0.7" && isReady(p);
  });
  await patchPartition(0);
  await allOn("k8s.gcr.io/nginx-slim:0.7", 3);
  assert.equal((await revisions()).length, 3);
});

test("StatefulSet: a set re-created after a non-cascading delete keeps the web-0 it relaunched", async () => {
  const old = await cp.client.resource(StatefulSets, "default").get("web");
  await kubectl("delete", "statefulset", "web", "--cascade=orphan");
  const left = await webPods();
  assert.deepEqual(left.map((p) => p.metadata?.name).sort(), ["web-0", "web-1", "web-2"]);
  for (const p of left) assert.deepEqual(p.metadata?.ownerReferences ?? [], [], "pods are orphaned");
  const orphaned = await revisions();
  for (const r of orphaned) assert.deepEqual(r.metadata?.ownerReferences ?? [], [], "revisions are orphaned");
  const first = orphaned.find((r) => r.revision === 1);
  assert.ok(first, "the first revision (nginx-slim:0.8) is kept");

  await kubectl("delete", "pod", "web-0");
  await eventually("web-0 gone", async () => !byName(await webPods(), "web-0"));
  const web1 = byName(await webPods(), "web-1");

  assert.match(await apply(WEB), /statefulset.apps\/web created/);
  const running = await exactlyRunning(["web-0", "web-1"]);
  const web0 = byName(running, "web-0");
  assert.equal(imageOf(web0), "k8s.gcr.io/nginx-slim:0.8");
  // web-0 must stay the pod it is (the tutorial curls it next): the same uid for 10 s.
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    const now = byName(await webPods(), "web-0");
    assert.equal(now?.metadata?.uid, web0?.metadata?.uid, "web-0 was deleted after it became Ready");
    assert.ok(!now?.metadata?.deletionTimestamp, "web-0 is being deleted");
    await new Promise((r) => setTimeout(r, 200));
  }

  // web-1 (nginx-slim:0.7) is replaced by the rolling update at the first revision's template.
  await eventually("web-1 replaced on nginx-slim:0.8", async () => {
    const p = byName(await webPods(), "web-1");
    return (
      p?.metadata?.uid !== web1?.metadata?.uid && imageOf(p) === "k8s.gcr.io/nginx-slim:0.8" && isReady(p)
    );
  });
  const set = await cp.client.resource(StatefulSets, "default").get("web");
  assert.notEqual(set.metadata?.uid, old.metadata?.uid);
  // The orphaned revision equal to the template is adopted and re-numbered as the newest one.
  const adopted = (await revisions()).find((r) => r.metadata?.name === first.metadata?.name);
  assert.ok(adopted, "the first revision still exists");
  const ref = adopted.metadata?.ownerReferences?.find((o) => o.controller);
  assert.equal(ref?.uid, set.metadata?.uid, "the orphaned revision is owned by the new set");
  assert.equal(adopted.revision, 4);
  await eventually("status on the adopted revision", async () => {
    const s: StatefulSet = await cp.client.resource(StatefulSets, "default").get("web");
    return (
      s.status?.updateRevision === first.metadata?.name &&
      s.status?.currentRevision === first.metadata?.name &&
      s.status?.readyReplicas === 2
    );
  });
  for (const r of await revisions())
    assert.equal(r.metadata?.ownerReferences?.find((o) => o.controller)?.uid, set.metadata?.uid);
});
