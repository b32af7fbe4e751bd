// Scenario 7 (issue 9), run last: the whole compose project stops (`docker-compose stop`) and starts again
// (`npm start`). Every declared object must come back (same uid: from etcd, not re-created) and every pod
// that was running must run again: a bare pod under its own name, a controller's pods as that controller's
// full ready count. Objects other suites were deleting at the time (deletionTimestamp, or in a namespace
// being deleted) are left out.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { DaemonSet, ReplicaSet, StatefulSet } from "kubernetes-types/apps/v1";
import type { Pod } from "kubernetes-types/core/v1";

import {
  ApiError,
  type ApiObject,
  ConfigMaps,
  DaemonSets,
  Deployments,
  Namespaces,
  Pods,
  ReplicaSets,
  type ResourceRef,
  Secrets,
  Services,
  StatefulSets,
} from "../../pkg/client/index.js";
import { run } from "../lib/cluster.js";
import {
  api,
  apply,
  clusterSteady,
  createNamespace,
  deleteNamespace,
  eventually,
  isPodReady,
  log,
  NODES,
  nginxDeployment,
  restoreCluster,
  stopwatch,
  waitNodeReady,
  waitReady,
} from "./lib.js";
import { recordResult, repoRoot } from "./report.js";

// biome-ignore lint/suspicious/noExplicitAny: a list of refs of different object types
const DECLARED: ResourceRef<any>[] = [
  Namespaces,
  Deployments,
  StatefulSets,
  DaemonSets,
  Services,
  ConfigMaps,
  Secrets,
];

type Snapshot = Map<string, string>; // "kind ns/name" -> uid

async function declaredObjects(): Promise<{ objects: Snapshot; deleting: Set<string> }> {
  const objects: Snapshot = new Map();
  const deleting = new Set<string>();
  for (const ref of DECLARED) {
    const items: ApiObject[] = (await api.resource(ref).listAll()).items;
    for (const o of items) {
      const key = `${ref.kind} ${o.metadata?.namespace ?? ""}/${o.metadata?.name}`;
      if (o.metadata?.deletionTimestamp) {
        if (ref.kind === "Namespace") deleting.add(o.metadata?.name ?? "");
        continue;
      }
      objects.set(key, o.metadata?.uid ?? "");
    }
  }
  return { objects, deleting };
}

const nsOfKey = (key: string) =>
  key.startsWith("Namespace ") ? key.slice(11) : key.split(" ")[1]?.split("/")[0];

/** Is the controller that owns `pod` fully ready again (or the bare pod itself running)? */
async function podBack(pod: Pod): Promise<boolean> {
  const ns = pod.metadata?.namespace ?? "";
  const owner = pod.metadata?.ownerReferences?.find((o) => o.controller);
  if (!owner) {
    const now = await api.resource(Pods, ns).get(pod.metadata?.name ?? "");
    return isPodReady(now);
  }
  switch (owner.kind) {
    case "ReplicaSet": {
      const rs: ReplicaSet = await api.resource(ReplicaSets, ns).get(owner.name);
      return (rs.status?.readyReplicas ?? 0) >= (rs.spec?.replicas ?? 1);
    }
    case "StatefulSet": {
      const ss: StatefulSet = await api.resource(StatefulSets, ns).get(owner.name);
      return (ss.status?.readyReplicas ?? 0) >= (ss.spec?.replicas ?? 1);
    }
    case "DaemonSet": {
      const ds: DaemonSet = await api.resource(DaemonSets, ns).get(owner.name);
      return (ds.status?.numberReady ?? 0) >= (ds.status?.desiredNumberScheduled ?? 1);
    }
    default:
      // Jobs and others: the pod under its own name, running or finished.
      return true;
  }
}

describe("chaos: the whole compose project restarts", { timeout: 900_000 }, () => {
  let ns = "";
  before(async () => {
    await clusterSteady();
    ns = await createNamespace("chaos-restart");
  });
  after(async () => {
    await restoreCluster();
    await deleteNamespace(ns);
  });

  it("brings back every declared object and every running pod", async () => {
    // A little of everything of our own, on top of whatever the other suites left.
    await apply(nginxDeployment(ns, "web", 3));
    await apply({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace: ns },
      spec: { selector: { app: "web" }, ports: [{ port: 80 }] },
    });
    await apply({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "settings", namespace: ns },
      data: { a: "1" },
    });
    await apply({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "token", namespace: ns },
      stringData: { t: "x" },
    });
    await apply({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "solo", namespace: ns },
      spec: { containers: [{ name: "nginx", image: "nginx:1.14.2", imagePullPolicy: "IfNotPresent" }] },
    });
    await waitReady(ns, "web", 3, 120_000);
    await eventually(
      "pod solo running",
      async () => (isPodReady(await api.resource(Pods, ns).get("solo")) ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 500 },
    );

    const before = await declaredObjects();
    const running = (await api.resource(Pods).listAll()).items.filter(
      (p) => isPodReady(p) && !before.deleting.has(p.metadata?.namespace ?? ""),
    );
    log(`${before.objects.size} declared objects, ${running.length} running pods before the stop`);

    let upMs: number | undefined;
    let backMs: number | undefined;
    let lost = -1;
    let startFailure = "";
    const notes: string[] = [];
    try {
      const sw = stopwatch();
      const stop = await run("docker-compose", ["stop"], { cwd: repoRoot(), timeoutMs: 180_000 });
      notes.push(`docker-compose stop: exit ${stop.code} in ${(sw.since() / 1000).toFixed(1)} s`);
      const up = stopwatch();
      const npmStart = () =>
        run("bash", ["deploy/scripts/start.sh"], { cwd: repoRoot(), timeoutMs: 600_000 });
      let started = await npmStart();
      if (started.code !== 0) {
        // Kept as a failure (below), but a user would run it again: do so, to check what came back.
        startFailure = `npm start failed the first time: ${started.stderr.trim().split("\n").slice(-3).join(" / ")}`;
        notes.push(startFailure);
        log(startFailure);
        started = await npmStart();
      }
      assert.equal(started.code, 0, `npm start failed twice: ${started.stderr.slice(-2000)}`);
      for (const n of NODES) await waitNodeReady(n, 120_000);
      upMs = up.since();
      log(`cluster up again ${upMs} ms after npm start`);

      const missingObjects: string[] = [];
      const excluded: string[] = [];
      const pending = new Set(running.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`));
      await eventually(
        "every declared object and every running pod back",
        async () => {
          const now = await declaredObjects();
          missingObjects.length = 0;
          excluded.length = 0;
          for (const [key, uid] of before.objects) {
            if (now.objects.get(key) === uid) continue;
            const nsName = nsOfKey(key) ?? "";
            // Deleted meanwhile by the suites sharing the cluster, not lost.
            if (nsName !== ns && (now.deleting.has(nsName) || !now.objects.has(`Namespace /${nsName}`)))
              excluded.push(key);
            else missingObjects.push(key);
          }
          for (const p of running) {
            const key = `${p.metadata?.namespace}/${p.metadata?.name}`;
            if (!pending.has(key)) continue;
            if (now.deleting.has(p.metadata?.namespace ?? "")) pending.delete(key);
            // A 404: its controller was deleted meanwhile by its own suite (a lost Deployment shows above).
            else if (await podBack(p).catch((e: unknown) => e instanceof ApiError && e.code === 404))
              pending.delete(key);
          }
          return missingObjects.length === 0 && pending.size === 0 ? true : undefined;
        },
        { timeoutMs: 240_000, intervalMs: 2000 },
      ).catch((e: Error) => notes.push(e.message.slice(0, 200)));
      backMs = pending.size === 0 && missingObjects.length === 0 ? up.since() : undefined;
      lost = missingObjects.length + pending.size;
      notes.push(`${before.objects.size} declared objects, ${running.length} running pods checked`);
      if (excluded.length) notes.push(`${excluded.length} left out (deleted by other suites meanwhile)`);
      if (missingObjects.length) notes.push(`missing: ${missingObjects.slice(0, 8).join(", ")}`);
      if (pending.size) notes.push(`pods not back: ${[...pending].slice(0, 8).join(", ")}`);
    } finally {
      recordResult({
        scenario: "7. whole compose project restart",
        detectMs: upMs,
        recoverMs: backMs,
        goal: "everything back, 0 lost",
        lost: lost < 0 ? undefined : lost,
        passed: lost === 0 && !startFailure,
        notes: `detect = npm start until every node Ready; recover = until every object and pod is back; ${notes.join("; ")}`,
      });
    }
    assert.equal(lost, 0, notes.join("; "));
    assert.equal(startFailure, "", "npm start must bring the stopped project up the first time");
  });
});
