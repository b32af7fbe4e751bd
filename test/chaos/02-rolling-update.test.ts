// Scenario 2 (issue 9): a node container dies while a Deployment rolls to a new image. The rollout must
// still complete: every replica on the new image, ready, on the surviving nodes; `kubectl rollout status`
// says so.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Deployments } from "../../pkg/client/index.js";
import { kubectl } from "../lib/cluster.js";
import {
  api,
  apply,
  clusterSteady,
  container,
  createNamespace,
  deleteNamespace,
  deploymentComplete,
  eventually,
  isPodReady,
  kill,
  log,
  nginxDeployment,
  nodeStatus,
  ok,
  podsOf,
  readyByNode,
  restoreCluster,
  start,
  stopwatch,
  waitNodeReady,
  waitReady,
} from "./lib.js";
import { recordResult } from "./report.js";

const REPLICAS = 12;
const OLD = "nginx:1.14.2";
const NEW = "nginx:1.16.1";
const ROLLOUT_LIMIT_MS = 150_000;

describe("chaos: node loss during a rolling update", { timeout: 600_000 }, () => {
  let ns = "";
  before(async () => {
    await clusterSteady();
    ns = await createNamespace("chaos-rollout");
  });
  after(async () => {
    await restoreCluster();
    await deleteNamespace(ns);
  });

  it("completes the rollout on the surviving nodes", async () => {
    await apply(nginxDeployment(ns, "web", REPLICAS, OLD));
    await waitReady(ns, "web", REPLICAS, 180_000);
    const byNode = readyByNode(await podsOf(ns, "app=web"));
    const victim = [...byNode.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "node-1";

    let detectMs: number | undefined;
    let recoverMs: number | undefined;
    let lost = 0;
    let converged = false;
    const notes: string[] = [];
    try {
      await ok(kubectl("-n", ns, "set", "image", "deployment/web", `nginx=${NEW}`), "kubectl set image");
      // Kill the node once the rollout is under way: some new pods exist, old ones still serve.
      await eventually(
        "the rollout under way",
        async () => {
          const pods = await podsOf(ns, "app=web");
          return pods.some((p) => p.spec?.containers[0]?.image === NEW) ? true : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      );
      const mix = (await podsOf(ns, "app=web")).filter(isPodReady);
      notes.push(
        `killed ${victim} with ${mix.filter((p) => p.spec?.nodeName === victim).length} ready pods mid-rollout`,
      );
      const sw = stopwatch();
      await kill(container(victim));
      const detected = eventually(
        `${victim} NotReady/Unknown`,
        async () => ((await nodeStatus(victim)) !== "True" ? sw.since() : undefined),
        { timeoutMs: 90_000, intervalMs: 250 },
      ).then((ms) => {
        detectMs = ms;
      });
      const completed = eventually(
        "the rollout complete on the surviving nodes",
        async () => {
          if (!(await deploymentComplete(ns, "web", NEW))) return undefined;
          const pods = (await podsOf(ns, "app=web")).filter(isPodReady);
          return pods.every((p) => p.spec?.nodeName !== victim) ? sw.since() : undefined;
        },
        { timeoutMs: ROLLOUT_LIMIT_MS, intervalMs: 500 },
      ).then((ms) => {
        recoverMs = ms;
        log(`rollout complete ${ms} ms after the kill`);
      });
      const results = await Promise.allSettled([detected, completed]);
      for (const r of results) if (r.status === "rejected") notes.push(String(r.reason));
      const status = await ok(
        kubectl("-n", ns, "rollout", "status", "deployment/web", "--timeout=60s"),
        "kubectl rollout status",
      );
      assert.match(status, /successfully rolled out/);
      const d = await api.resource(Deployments, ns).get("web");
      if (d.spec?.replicas !== REPLICAS) lost++;
      await start(container(victim));
      await waitNodeReady(victim, 120_000);
      await waitReady(ns, "web", REPLICAS, 60_000);
      converged = recoverMs !== undefined;
    } finally {
      recordResult({
        scenario: "2. node loss during a rolling update",
        detectMs,
        recoverMs,
        goal: `rollout completes (≤ ${ROLLOUT_LIMIT_MS / 1000} s)`,
        lost,
        passed: converged && lost === 0,
        notes: notes.join("; "),
      });
    }
    assert.ok(recoverMs !== undefined, `rollout did not complete: ${notes.join("; ")}`);
    assert.equal(lost, 0);
  });
});
