// The Deployment tutorial (shared/seeds 000 L1313-2267) against the real apiserver on etcd, the real
// scheduler and the controller-manager, with simulated nodes, driven by the real kubectl: create,
// rolling update with its events, a stuck rollout, history, undo, scale, pause/resume, and a progress
// deadline.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Deployment, ReplicaSet } from "kubernetes-types/apps/v1";
import type { Event as EventObj, Pod } from "kubernetes-types/core/v1";
import { Deployments, Events, Pods, ReplicaSets } from "../../../../pkg/client/index.js";
import { type ControlPlane, startControlPlane } from "./env.js";
import { type SimulatedNodes, startSimulatedNodes } from "./simulated-nodes.js";
import { eventually } from "./wait.js";

let cp: ControlPlane;
let nodes: SimulatedNodes;

before(async () => {
  cp = await startControlPlane();
  nodes = await startSimulatedNodes(cp.client, {
    names: ["node-1", "node-2", "node-3"],
    missingImages: ["nginx:1.91", "nginx:sometag"],
  });
});
after(async () => {
  await nodes?.stop();
  await cp?.stop();
});

const NGINX = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
  labels:
    app: nginx
spec:
  replicas: 3
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
        image: nginx:1.7.9
        ports:
        - containerPort: 80
`;

async function kubectl(...args: string[]): Promise<string> {
  const r = await cp.kubectl(args);
  assert.equal(r.code, 0, `kubectl ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

const deployment = (name = "nginx-deployment") => cp.client.resource(Deployments, "default").get(name);

async function replicaSets(): Promise<ReplicaSet[]> {
  const list = await cp.client.resource(ReplicaSets, "default").list({ labelSelector: "app=nginx" });
  return list.items;
}

const rsFor = (sets: ReplicaSet[], image: string) =>
  sets.find((rs) => rs.spec?.template?.spec?.containers?.[0]?.image === image);

/** The deployment controller's events for one Deployment, in the order they were written. */
async function scalingEvents(name = "nginx-deployment"): Promise<string[]> {
  const list = await cp.client
    .resource(Events, "default")
    .list({ fieldSelector: `involvedObject.kind=Deployment,involvedObject.name=${name}` });
  return list.items
    .sort(
      (a: EventObj, b: EventObj) => Number(a.metadata?.resourceVersion) - Number(b.metadata?.resourceVersion),
    )
    .map((e) => `${e.reason} ${e.message}`);
}

let rs1 = "";
let rs2 = "";
let rs3 = "";

test("create: the Deployment rolls out 3 replicas through one ReplicaSet", async () => {
  const r = await cp.kubectl(["apply", "-f", "-"], NGINX);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /deployment.apps\/nginx-deployment created/);
  const st = await kubectl("rollout", "status", "deployment.v1.apps/nginx-deployment", "--timeout=30s");
  assert.match(st, /deployment "nginx-deployment" successfully rolled out/);
  assert.match(await kubectl("get", "deployments"), /nginx-deployment\s+3\/3\s+3\s+3\s+/);
  const sets = await replicaSets();
  assert.equal(sets.length, 1);
  rs1 = sets[0].metadata?.name ?? "";
  const hash = sets[0].metadata?.labels?.["pod-template-hash"] ?? "";
  assert.equal(rs1, `nginx-deployment-${hash}`);
  assert.match(await kubectl("get", "rs"), new RegExp(`${rs1}\\s+3\\s+3\\s+3\\s+`));
  const pods = await cp.client.resource(Pods, "default").list({ labelSelector: "app=nginx" });
  assert.equal(pods.items.length, 3);
  for (const p of pods.items) {
    assert.equal(p.metadata?.labels?.["pod-template-hash"], hash);
    assert.ok(p.metadata?.name?.startsWith(`${rs1}-`));
  }
  const d = await deployment();
  assert.equal(d.metadata?.annotations?.["deployment.kubernetes.io/revision"], "1");
  assert.deepEqual(await scalingEvents(), [`ScalingReplicaSet Scaled up replica set ${rs1} to 3`]);
});

test("rolling update to nginx:1.9.1: surge one, then down one and up one, as the tutorial's events show", async () => {
  const out = await kubectl("set", "image", "deployment/nginx-deployment", "nginx=nginx:1.9.1", "--record");
  assert.match(out, /deployment.apps\/nginx-deployment image updated/);
  await kubectl("rollout", "status", "deployment.v1.apps/nginx-deployment", "--timeout=30s");
  const sets = await replicaSets();
  rs2 = rsFor(sets, "nginx:1.9.1")?.metadata?.name ?? "";
  assert.match(await kubectl("get", "rs"), new RegExp(`${rs2}\\s+3\\s+3\\s+3\\s+[\\s\\S]*`));
  assert.equal(rsFor(sets, "nginx:1.7.9")?.spec?.replicas, 0);
  assert.deepEqual(await scalingEvents(), [
    `ScalingReplicaSet Scaled up replica set ${rs1} to 3`,
    `ScalingReplicaSet Scaled up replica set ${rs2} to 1`,
    `ScalingReplicaSet Scaled down replica set ${rs1} to 2 from 3`,
    `ScalingReplicaSet Scaled up replica set ${rs2} to 2 from 1`,
    `ScalingReplicaSet Scaled down replica set ${rs1} to 1 from 2`,
    `ScalingReplicaSet Scaled up replica set ${rs2} to 3 from 2`,
    `ScalingReplicaSet Scaled down replica set ${rs1} to 0 from 1`,
  ]);
  const describe = await kubectl("describe", "deployment", "nginx-deployment");
  assert.match(describe, /deployment\.kubernetes\.io\/revision: 2/);
  assert.match(describe, /Replicas:\s+3 desired \| 3 updated \| 3 total \| 3 available \| 0 unavailable/);
  assert.match(describe, /RollingUpdateStrategy:\s+25% max unavailable, 25% max surge/);
  assert.match(describe, /Available\s+True\s+MinimumReplicasAvailable/);
  assert.match(describe, /Progressing\s+True\s+NewReplicaSetAvailable/);
  assert.match(describe, new RegExp(`NewReplicaSet:\\s+${rs2} \\(3/3 replicas created\\)`));
  // kubectl 1.32 lists every old ReplicaSet, scaled to 0 or not.
  assert.match(describe, new RegExp(`OldReplicaSets:\\s+${rs1} \\(0/0 replicas created\\)`));
});

test("a bad image (nginx:1.91) gets stuck at one new replica; history lists 3 revisions", async () => {
  await kubectl("set", "image", "deployment.v1.apps/nginx-deployment", "nginx=nginx:1.91", "--record=true");
  const st = await cp.kubectl(["rollout", "status", "deployment.v1.apps/nginx-deployment", "--timeout=3s"]);
  assert.notEqual(st.code, 0);
  assert.match(
    st.stdout,
    /Waiting for deployment "nginx-deployment" rollout to finish: 1 out of 3 new replicas have been updated/,
  );
  const sets = await replicaSets();
  rs3 = rsFor(sets, "nginx:1.91")?.metadata?.name ?? "";
  assert.equal(rsFor(sets, "nginx:1.9.1")?.spec?.replicas, 3);
  assert.equal(rsFor(sets, "nginx:1.91")?.spec?.replicas, 1);
  assert.equal(rsFor(sets, "nginx:1.7.9")?.spec?.replicas, 0);
  const pods = await cp.client.resource(Pods, "default").list({ labelSelector: "app=nginx" });
  assert.equal(pods.items.length, 4);
  const describe = await kubectl("describe", "deployment", "nginx-deployment");
  assert.match(describe, /Replicas:\s+3 desired \| 1 updated \| 4 total \| 3 available \| 1 unavailable/);
  assert.match(describe, /Progressing\s+True\s+ReplicaSetUpdated/);
  const history = await kubectl("rollout", "history", "deployment.v1.apps/nginx-deployment");
  assert.match(
    history,
    /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+kubectl set image deployment\/nginx-deployment nginx=nginx:1.9.1 --record=true\n3\s+kubectl set image deployment.v1.apps\/nginx-deployment nginx=nginx:1.91 --record=true\n/,
  );
  const rev2 = await kubectl("rollout", "history", "deployment.v1.apps/nginx-deployment", "--revision=2");
  assert.match(rev2, /deployment.apps\/nginx-deployment with revision #2/);
  assert.match(rev2, /Image:\s+nginx:1.9.1/);
});

test("undo: back to revision 2's template as revision 4; the bad ReplicaSet scales to 0", async () => {
  const out = await kubectl("rollout", "undo", "deployment.v1.apps/nginx-deployment");
  assert.match(out, /deployment.apps\/nginx-deployment rolled back/);
  await kubectl("rollout", "status", "deployment.v1.apps/nginx-deployment", "--timeout=30s");
  const d = await deployment();
  assert.equal(d.metadata?.annotations?.["deployment.kubernetes.io/revision"], "4");
  assert.equal(d.spec?.template?.spec?.containers?.[0]?.image, "nginx:1.9.1");
  const sets = await replicaSets();
  assert.equal(rsFor(sets, "nginx:1.9.1")?.metadata?.name, rs2);
  assert.equal(rsFor(sets, "nginx:1.9.1")?.metadata?.annotations?.["deployment.kubernetes.io/revision"], "4");
  assert.equal(
    rsFor(sets, "nginx:1.9.1")?.metadata?.annotations?.["deployment.kubernetes.io/revision-history"],
    "2",
  );
  assert.equal(rsFor(sets, "nginx:1.91")?.spec?.replicas, 0);
  const events = await scalingEvents();
  assert.equal(events.at(-1), `ScalingReplicaSet Scaled down replica set ${rs3} to 0 from 1`);
  const history = await kubectl("rollout", "history", "deployment.v1.apps/nginx-deployment");
  assert.match(
    history,
    /\n1\s+<none>\n3\s+kubectl set image .*nginx:1.91 --record=true\n4\s+kubectl set image .*nginx:1.9.1 --record=true\n/,
  );
  assert.match(await kubectl("get", "deployment", "nginx-deployment"), /nginx-deployment\s+3\/3\s+3\s+3\s+/);
});

test("scale to 10 adds replicas to the current ReplicaSet, with no new revision", async () => {
  assert.match(
    await kubectl("scale", "deployment.v1.apps/nginx-deployment", "--replicas=10"),
    /deployment.apps\/nginx-deployment scaled/,
  );
  await kubectl("rollout", "status", "deployment.v1.apps/nginx-deployment", "--timeout=30s");
  const d = await deployment();
  assert.equal(d.status?.availableReplicas, 10);
  assert.equal(d.metadata?.annotations?.["deployment.kubernetes.io/revision"], "4");
  assert.equal(rsFor(await replicaSets(), "nginx:1.9.1")?.spec?.replicas, 10);
});

test("proportional scaling: a scale-up during a blocked rollout is spread over both ReplicaSets", async () => {
  await kubectl(
    "patch",
    "deployment",
    "nginx-deployment",
    "-p",
    '{"spec":{"strategy":{"rollingUpdate":{"maxSurge":3,"maxUnavailable":2}}}}',
  );
  await kubectl("set", "image", "deployment.v1.apps/nginx-deployment", "nginx=nginx:sometag");
  await eventually("the blocked rollout: 5 new and 8 old", async () => {
    const sets = await replicaSets();
    return (
      rsFor(sets, "nginx:sometag")?.spec?.replicas === 5 && rsFor(sets, "nginx:1.9.1")?.spec?.replicas === 8
    );
  });
  await kubectl("scale", "deployment.v1.apps/nginx-deployment", "--replicas=15");
  const sets = await eventually("proportional scaling: 7 new and 11 old", async () => {
    const sets = await replicaSets();
    const fresh = rsFor(sets, "nginx:sometag")?.spec?.replicas;
    const old = rsFor(sets, "nginx:1.9.1")?.spec?.replicas;
    return fresh === 7 && old === 11 ? sets : undefined;
  });
  assert.ok(sets);
  // The tutorial's snapshot shows 8 available; here the old pods are ready at once, so all 11 are.
  await eventually("status: 15 desired, 18 current, 7 up-to-date, 11 available", async () => {
    const d = await deployment();
    return d.status?.replicas === 18 && d.status?.updatedReplicas === 7 && d.status?.availableReplicas === 11;
  });
  await kubectl("rollout", "undo", "deployment.v1.apps/nginx-deployment");
  await kubectl("rollout", "status", "deployment.v1.apps/nginx-deployment", "--timeout=30s");
  await kubectl("scale", "deployment.v1.apps/nginx-deployment", "--replicas=3");
  await kubectl("rollout", "status", "deployment.v1.apps/nginx-deployment", "--timeout=30s");
});

test("pause, two changes, resume: one new ReplicaSet and one new revision", async () => {
  const before = (await replicaSets()).length;
  const revBefore = Number((await deployment()).metadata?.annotations?.["deployment.kubernetes.io/revision"]);
  assert.match(
    await kubectl("rollout", "pause", "deployment.v1.apps/nginx-deployment"),
    /deployment.apps\/nginx-deployment paused/,
  );
  await kubectl("set", "image", "deployment.v1.apps/nginx-deployment", "nginx=nginx:1.16.1");
  await kubectl(
    "set",
    "resources",
    "deployment.v1.apps/nginx-deployment",
    "-c=nginx",
    "--limits=cpu=200m,memory=512Mi",
  );
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal((await replicaSets()).length, before);
  const paused = await deployment();
  assert.equal(paused.metadata?.annotations?.["deployment.kubernetes.io/revision"], String(revBefore));
  assert.equal(paused.status?.conditions?.find((c) => c.type === "Progressing")?.reason, "DeploymentPaused");
  assert.match(
    await kubectl("rollout", "resume", "deployment.v1.apps/nginx-deployment"),
    /deployment.apps\/nginx-deployment resumed/,
  );
  await kubectl("rollout", "status", "deployment.v1.apps/nginx-deployment", "--timeout=30s");
  const sets = await replicaSets();
  assert.equal(sets.length, before + 1);
  const fresh = rsFor(sets, "nginx:1.16.1");
  assert.equal(fresh?.spec?.replicas, 3);
  assert.equal(fresh?.spec?.template?.spec?.containers?.[0]?.resources?.limits?.cpu, "200m");
  assert.equal(
    (await deployment()).metadata?.annotations?.["deployment.kubernetes.io/revision"],
    String(revBefore + 1),
  );
});

test("a stuck rollout past progressDeadlineSeconds: ProgressDeadlineExceeded and rollout status exits 1", async () => {
  const stuck = NGINX.replaceAll("nginx-deployment", "stuck")
    .replace("app: nginx\n  template", "app: nginx\n  template")
    .replace("  replicas: 3\n", "  replicas: 2\n  progressDeadlineSeconds: 3\n")
    .replaceAll("app: nginx", "app: stuck")
    .replace("nginx:1.7.9", "nginx:1.91");
  const r = await cp.kubectl(["apply", "-f", "-"], stuck);
  assert.equal(r.code, 0, r.stderr);
  const st = await cp.kubectl(["rollout", "status", "deployment/stuck", "--timeout=30s"]);
  assert.equal(st.code, 1);
  assert.match(st.stderr, /error: deployment "stuck" exceeded its progress deadline/);
  const d: Deployment = await deployment("stuck");
  const progressing = d.status?.conditions?.find((c) => c.type === "Progressing");
  assert.equal(progressing?.status, "False");
  assert.equal(progressing?.reason, "ProgressDeadlineExceeded");
  assert.match(progressing?.message ?? "", /^ReplicaSet "stuck-[a-z0-9]+" has timed out progressing\.$/);
  const pod: Pod | undefined = (
    await cp.client.resource(Pods, "default").list({ labelSelector: "app=stuck" })
  ).items[0];
  assert.equal(pod?.status?.containerStatuses?.[0]?.state?.waiting?.reason, "ErrImagePull");
});
