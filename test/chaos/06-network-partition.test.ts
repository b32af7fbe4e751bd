// Scenario 6 (issue 9): a node is cut off the network (`docker network disconnect`): its kubelet can no
// longer reach the apiserver, while its pods' containers keep running on the engine. The node must be
// seen NotReady, its pods replaced on the other nodes; once reconnected (with its own address), the node
// must be Ready again and stop the pods that were replaced elsewhere.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { docker } from "../lib/cluster.js";
import {
  apply,
  clusterSteady,
  createNamespace,
  deleteNamespace,
  describeTimeline,
  disconnect,
  eventually,
  log,
  NODE_LOSS_DETECT_GOAL_MS,
  NODE_LOSS_RECOVER_GOAL_MS,
  nginxDeployment,
  nodeStatus,
  podsOf,
  reconnect,
  restoreCluster,
  sampleReplacement,
  startLatencies,
  stopwatch,
  waitNodeReady,
  waitReady,
} from "./lib.js";
import { recordResult } from "./report.js";

const REPLICAS = 9;
const VICTIM = "node-2";

describe("chaos: a node cut off the network", { timeout: 600_000 }, () => {
  let ns = "";
  before(async () => {
    await clusterSteady();
    ns = await createNamespace("chaos-partition");
  });
  after(async () => {
    await restoreCluster();
    await deleteNamespace(ns);
  });

  it("replaces the cut-off node's pods, and the node returns Ready once reconnected", async () => {
    await apply(nginxDeployment(ns, "web", REPLICAS));
    await waitReady(ns, "web", REPLICAS, 180_000);
    const podsOfBefore = podsOf(ns, "app=web");
    const stranded = (await podsOfBefore).filter((p) => p.spec?.nodeName === VICTIM);
    const strandedUids = new Set(stranded.map((p) => p.metadata?.uid ?? ""));
    let detectMs: number | undefined;
    let recoverMs: number | undefined;
    let converged = false;
    const notes: string[] = [`${VICTIM} held ${stranded.length} pods`];
    try {
      const sw = stopwatch();
      await disconnect(VICTIM);
      const stop = new AbortController();
      const timeline = sampleReplacement(ns, "web", strandedUids, REPLICAS, sw.since, stop.signal);
      const detected = eventually(
        `${VICTIM} NotReady/Unknown`,
        async () => ((await nodeStatus(VICTIM)) !== "True" ? sw.since() : undefined),
        { timeoutMs: 90_000, intervalMs: 250 },
      ).then((ms) => {
        detectMs = ms;
      });
      const recovered = waitReady(ns, "web", REPLICAS, 120_000, VICTIM).then(() => {
        recoverMs = sw.since();
      });
      const results = await Promise.allSettled([detected, recovered]);
      stop.abort();
      for (const r of results) if (r.status === "rejected") notes.push(String(r.reason));
      notes.push(describeTimeline(await timeline));
      const known = new Set((await podsOfBefore).map((p) => p.metadata?.uid ?? ""));
      notes.push(
        `replacements: ${startLatencies((await podsOf(ns, "app=web")).filter((p) => !known.has(p.metadata?.uid ?? "")))}`,
      );
      log(`detected ${detectMs} ms, recovered ${recoverMs} ms; ${notes.join("; ")}`);

      const rc = stopwatch();
      await reconnect(VICTIM);
      const readyMs = await waitNodeReady(VICTIM, 120_000);
      notes.push(`Ready ${(readyMs / 1000).toFixed(1)} s after reconnecting`);
      await eventually(
        "the replaced pods gone from the API and stopped in Docker",
        async () => {
          const inApi = (await podsOf(ns, "app=web")).filter((p) => strandedUids.has(p.metadata?.uid ?? ""));
          const running = (
            await docker(
              "ps",
              "--filter",
              `label=io.kubernetes.pod.namespace=${ns}`,
              "--format",
              '{{.Label "io.kubernetes.pod.uid"}}',
            )
          ).stdout
            .split("\n")
            .filter((u) => strandedUids.has(u.trim()));
          return inApi.length === 0 && running.length === 0 ? true : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 1000 },
      );
      notes.push(`old pods cleaned up ${(rc.since() / 1000).toFixed(1)} s after reconnecting`);
      await waitReady(ns, "web", REPLICAS, 60_000);
      converged = true;
    } finally {
      await reconnect(VICTIM).catch((e) => notes.push(String(e)));
      recordResult({
        scenario: "6. node cut off the network",
        detectMs,
        recoverMs,
        goal: "≤ 20 s / ≤ 45 s",
        lost: 0,
        passed:
          converged &&
          detectMs !== undefined &&
          detectMs <= NODE_LOSS_DETECT_GOAL_MS &&
          recoverMs !== undefined &&
          recoverMs <= NODE_LOSS_RECOVER_GOAL_MS,
        notes: notes.join("; "),
      });
    }
    assert.ok(
      detectMs !== undefined && detectMs <= NODE_LOSS_DETECT_GOAL_MS,
      `detection took ${detectMs} ms (goal 20 s)`,
    );
    assert.ok(
      recoverMs !== undefined && recoverMs <= NODE_LOSS_RECOVER_GOAL_MS,
      `recovery took ${recoverMs} ms (goal 45 s)`,
    );
  });
});
