// Scenario 4 (issue 9): the apiserver dies and comes back. Every component must reconnect and resume its
// watches: node Leases and the leader Leases are renewed again, a new pod is scheduled and started, a new
// Service gets endpoints. And without a relist storm: LIST requests are counted from the apiserver's own
// apiserver_request_total (reset by the restart, so the counts are since it came back). One relist per
// informer after a restart is expected (the new apiserver's watch cache cannot resume an old revision);
// a storm is informers relisting again and again, which shows as LISTs that keep coming once settled.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Lease } from "kubernetes-types/coordination/v1";
import { Endpoints, Leases, Pods } from "../../pkg/client/index.js";
import { docker, kubectl } from "../lib/cluster.js";
import {
  api,
  apply,
  clusterSteady,
  container,
  counterDelta,
  createNamespace,
  deleteNamespace,
  eventually,
  isPodReady,
  kill,
  log,
  NODES,
  nginxDeployment,
  ok,
  ownPodLists,
  podsOf,
  requestCounts,
  restoreCluster,
  sleep,
  start,
  stopwatch,
  total,
  waitHealthy,
} from "./lib.js";
import { recordResult } from "./report.js";

/** The windows LISTs are counted in: before the restart (the baseline) and once settled (after the
 *  first 30 s). Components relist within seconds of a reconnect; a storm keeps going, so 15 s shows it. */
const WINDOW_MS = 15_000;
/** LISTs allowed in the settled window (30–45 s after the restart): the tutorial suites sharing the
 *  cluster run `kubectl get` (LISTs) all the time, so the limit is the baseline of the same window
 *  length before the restart, plus slack. */
const SETTLED_SLACK = 20;
/** A relist storm: one resource listed more often than every process with an informer on it could. */
const PER_RESOURCE_LIMIT = 30;

const metrics = () =>
  eventually("GET /metrics", async () => ok(kubectl("get", "--raw", "/metrics"), "GET /metrics"), {
    timeoutMs: 30_000,
    intervalMs: 1000,
  });
const apiserverStartedAt = async () =>
  (await ok(docker("inspect", "-f", "{{.State.StartedAt}}", container("apiserver")))).trim();
const renewedAfter = (l: Lease | undefined, t: number) => Date.parse(l?.spec?.renewTime ?? "") > t;

describe("chaos: apiserver restart", { timeout: 600_000 }, () => {
  let ns = "";
  before(async () => {
    await clusterSteady();
    ns = await createNamespace("chaos-apiserver");
  });
  after(async () => {
    await restoreCluster();
    await deleteNamespace(ns);
  });

  it("components reconnect, resume their watches and act again, without a relist storm", async () => {
    const base0 = requestCounts(await metrics(), "LIST");
    await sleep(WINDOW_MS);
    const baseline = total(counterDelta(base0, requestCounts(await metrics(), "LIST")));
    log(`LISTs in ${WINDOW_MS / 1000} s before the restart: ${baseline}`);

    let upMs: number | undefined;
    let actMs: number | undefined;
    let settled = -1;
    const notes: string[] = [];
    let converged = false;
    try {
      const sw = stopwatch();
      await kill(container("apiserver"));
      await sleep(2000);
      await start(container("apiserver"));
      await waitHealthy(container("apiserver"), 120_000);
      upMs = sw.since();
      const upAt = Date.now();
      const startedAt = await apiserverStartedAt();
      const ownAtUp = ownPodLists.count;
      log(`apiserver healthy again after ${upMs} ms`);

      // Acting again: a new pod scheduled and running, a new Service with endpoints.
      const act = stopwatch();
      await apply({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "after-restart", namespace: ns },
        spec: { containers: [{ name: "nginx", image: "nginx:1.14.2", imagePullPolicy: "IfNotPresent" }] },
      });
      await apply(nginxDeployment(ns, "web", 2));
      await apply({
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "web", namespace: ns },
        spec: { selector: { app: "web" }, ports: [{ port: 80 }] },
      });
      const steps: Record<string, number> = {};
      const step = (name: string, check: () => Promise<boolean>) =>
        eventually(name, async () => ((await check()) ? true : undefined), {
          timeoutMs: 90_000,
          intervalMs: 250,
        }).then(() => {
          steps[name] = act.since();
        });
      const pod = () => api.resource(Pods, ns).get("after-restart");
      const results = await Promise.allSettled([
        step("pod scheduled", async () => Boolean((await pod()).spec?.nodeName)),
        step("pod running", async () => isPodReady(await pod())),
        step("deployment pods created", async () => (await podsOf(ns, "app=web")).length >= 2),
        step("endpoints filled", async () => {
          const ep = await api.resource(Endpoints, ns).get("web");
          return (ep.subsets ?? []).reduce((a, s) => a + (s.addresses?.length ?? 0), 0) === 2;
        }),
      ]);
      notes.push(
        `after the apiserver was back: ${Object.entries(steps)
          .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
          .join(", ")}`,
      );
      for (const r of results) if (r.status === "rejected") throw r.reason;
      actMs = act.since();
      log(`pod started and endpoints filled ${actMs} ms after the apiserver came back`);

      // Reconnected: every node's Lease and both leaders' Leases renewed since the restart.
      await eventually(
        "node and leader Leases renewed after the restart",
        async () => {
          for (const n of NODES)
            if (!renewedAfter(await api.resource(Leases, "kube-node-lease").get(n), upAt)) return undefined;
          for (const l of ["kube-scheduler", "kube-controller-manager"])
            if (!renewedAfter(await api.resource(Leases, "kube-system").get(l), upAt)) return undefined;
          return true;
        },
        { timeoutMs: 30_000, intervalMs: 1000 },
      );

      // LISTs: the relist after the restart, then a settled window that must look like the baseline.
      await sleep(Math.max(0, upAt + 30_000 - Date.now()));
      const at30 = requestCounts(await metrics(), "LIST");
      // Our own polling of pods is not the components' relisting.
      const ownBy = (m: Map<string, number>) =>
        m.set("pods", Math.max(0, (m.get("pods") ?? 0) - (ownPodLists.count - ownAtUp)));
      ownBy(at30);
      await sleep(WINDOW_MS);
      const at60 = requestCounts(await metrics(), "LIST");
      const own = ownPodLists.count - ownAtUp;
      ownBy(at60);
      const settledDelta = counterDelta(at30, at60);
      settled = total(settledDelta);
      const settledTop = [...settledDelta]
        .filter(([, n]) => n > 0)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 4)
        .map(([r, n]) => `${r || "-"} ${n}`)
        .join(", ");
      const perResource = [...at60].sort((a, b) => b[1] - a[1]);
      const watches = total(requestCounts(await metrics(), "WATCH"));
      notes.push(
        `LISTs: ${total(at30)} in the first 30 s (ours: ${own} of pods; top without ours: ${perResource
          .slice(0, 4)
          .map(([r, n]) => `${r || "-"} ${n}`)
          .join(
            ", ",
          )}), ${settled} in the next ${WINDOW_MS / 1000} s${settledTop ? ` (${settledTop})` : ""} vs ${baseline} before the restart; ${watches} WATCHes`,
      );
      log(notes.join("; "));
      // The counters start again when the apiserver does: a restart by someone else voids the figures.
      assert.equal(
        await apiserverStartedAt(),
        startedAt,
        "the apiserver was restarted by someone else meanwhile",
      );
      const storm = perResource.filter(([, n]) => n > PER_RESOURCE_LIMIT);
      assert.deepEqual(storm, [], `resources listed more than ${PER_RESOURCE_LIMIT} times in 60 s`);
      assert.ok(settled <= baseline + SETTLED_SLACK, `LISTs kept coming: ${settled} vs baseline ${baseline}`);
      converged = true;
    } finally {
      recordResult({
        scenario: "4. apiserver restart",
        detectMs: upMs,
        recoverMs: upMs !== undefined && actMs !== undefined ? upMs + actMs : undefined,
        goal: "components act again; no relist storm",
        lost: 0,
        passed: converged,
        notes: `detect = apiserver healthy again; recover = + new pod running and endpoints filled; ${notes.join("; ")}`,
      });
    }
  });
});
