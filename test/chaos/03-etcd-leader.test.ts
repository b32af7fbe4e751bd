// Scenario 3 (issue 9): the etcd leader dies while a writer creates ConfigMaps through the apiserver one at
// a time. Writes must resume within 5 s (the longest gap between two acknowledged writes), and every
// ConfigMap acknowledged to the writer (201, or 409 on the retry of a request whose answer was lost) must
// still exist once the member is back: through the apiserver, and in the restarted member's own store.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ConfigMap } from "kubernetes-types/core/v1";
import { ApiError, ConfigMaps, loadKubeconfig, RestClient } from "../../pkg/client/index.js";
import { docker, KUBECONFIG } from "../lib/cluster.js";
import {
  api,
  clusterSteady,
  container,
  createNamespace,
  deleteNamespace,
  type EndpointStatus,
  eventually,
  kill,
  leaderOf,
  log,
  longestGap,
  restoreCluster,
  sleep,
  start,
  stopwatch,
  waitHealthy,
} from "./lib.js";
import { recordResult } from "./report.js";

const MEMBERS = ["etcd-1", "etcd-2", "etcd-3"];
const ENDPOINTS = MEMBERS.map((m) => `http://${m}:2379`).join(",");
const GAP_GOAL_MS = 5_000;

async function endpointStatus(via: string, endpoints = ENDPOINTS): Promise<EndpointStatus[]> {
  const r = await docker(
    "exec",
    container(via),
    "etcdctl",
    `--endpoints=${endpoints}`,
    "--command-timeout=2s",
    "endpoint",
    "status",
    "-w",
    "json",
  );
  // With a member down etcdctl exits non-zero but still prints the others' status.
  const line = r.stdout
    .trim()
    .split("\n")
    .find((l) => l.startsWith("["));
  // Member ids are 64-bit: quote them before JSON.parse rounds them.
  return line ? (JSON.parse(line.replace(/"(\w+_?id|leader)":(\d+)/g, '"$1":"$2"')) as EndpointStatus[]) : [];
}

describe("chaos: etcd leader loss under writes", { timeout: 600_000 }, () => {
  let ns = "";
  before(async () => {
    await clusterSteady();
    ns = await createNamespace("chaos-etcd");
  });
  after(async () => {
    await restoreCluster();
    await deleteNamespace(ns);
  });

  it("resumes writes within 5 s and loses nothing acknowledged", async () => {
    const leader = await eventually("the etcd leader", async () => leaderOf(await endpointStatus("etcd-1")), {
      timeoutMs: 30_000,
      intervalMs: 1000,
    });
    log(`etcd leader: ${leader.member} (${leader.id})`);
    const survivors = MEMBERS.filter((m) => m !== leader.member);
    // A client of its own: one write at a time, a bounded wait for each.
    const writerClient = new RestClient(loadKubeconfig(KUBECONFIG), {
      userAgent: "chaos-writer",
      timeoutMs: 10_000,
    });
    const cms = writerClient.resource(ConfigMaps, ns);
    const acked: string[] = [];
    const ackTimes: number[] = [];
    const errors = new Map<string, number>();
    let slowest = { ms: 0, at: 0 };
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const name = `cm-${String(i).padStart(5, "0")}`;
        const cm: ConfigMap = {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name },
          data: { i: String(i) },
        };
        for (let attempt = 0; writing; attempt++) {
          const t0 = Date.now();
          try {
            await cms.create(cm).finally(() => {
              if (Date.now() - t0 > slowest.ms) slowest = { ms: Date.now() - t0, at: t0 };
            });
            acked.push(name);
            ackTimes.push(Date.now());
            break;
          } catch (err) {
            if (err instanceof ApiError && err.code === 409 && attempt > 0) {
              // An earlier attempt was stored but its answer lost: it exists, so it counts.
              acked.push(name);
              ackTimes.push(Date.now());
              break;
            }
            const key =
              err instanceof ApiError ? `${err.code} ${err.reason}` : (err as Error).message.slice(0, 80);
            errors.set(key, (errors.get(key) ?? 0) + 1);
            await sleep(100);
          }
        }
      }
    })();

    let detectMs: number | undefined;
    let gapMs: number | undefined;
    let lost = -1;
    const notes: string[] = [];
    try {
      await sleep(5000);
      const beforeKill = acked.length;
      const killedAt = Date.now();
      const sw = stopwatch();
      await kill(container(leader.member));
      const survivorEndpoints = survivors.map((m) => `http://${m}:2379`).join(",");
      const newLeader = await eventually(
        "a new etcd leader",
        async () => {
          const l = leaderOf(await endpointStatus(survivors[0] ?? "etcd-1", survivorEndpoints));
          return l && l.id !== leader.id ? l : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      detectMs = sw.since();
      log(`new etcd leader ${newLeader.member} after ${detectMs} ms`);
      await sleep(Math.max(0, 15_000 - sw.since()));
      gapMs = longestGap(ackTimes, killedAt, Date.now());
      notes.push(
        `leader ${leader.member} killed; ${beforeKill} writes before, ${acked.length - beforeKill} in the 15 s after`,
      );
      await start(container(leader.member));
      await waitHealthy(container(leader.member), 60_000);
      await sleep(3000);
      writing = false;
      await writer;
      notes.push(
        `slowest write ${slowest.ms} ms, sent ${((slowest.at - killedAt) / 1000).toFixed(1)} s after the kill`,
      );
      if (errors.size) notes.push(`write errors: ${[...errors].map(([k, v]) => `${v}× ${k}`).join(", ")}`);

      const stored = new Set(
        (await api.resource(ConfigMaps, ns).listAll()).items.map((c) => c.metadata?.name ?? ""),
      );
      const missing = acked.filter((n) => !stored.has(n));
      lost = missing.length;
      if (missing.length) notes.push(`missing through the apiserver: ${missing.slice(0, 10).join(", ")}`);
      // The restarted member caught up: its own (serializable) read has every acknowledged key.
      const prefix = `/registry/configmaps/${ns}/`;
      const inMember = await eventually(
        `${leader.member} caught up`,
        async () => {
          const r = await docker(
            "exec",
            container(leader.member),
            "etcdctl",
            "--endpoints=http://127.0.0.1:2379",
            "--consistency=s",
            "get",
            "--prefix",
            "--keys-only",
            prefix,
          );
          const keys = new Set(
            r.stdout
              .split("\n")
              .filter((l) => l.startsWith(prefix))
              .map((l) => l.slice(prefix.length)),
          );
          return acked.every((n) => keys.has(n)) ? keys.size : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 1000 },
      ).catch((e: Error) => {
        notes.push(String(e.message));
        return -1;
      });
      notes.push(`${acked.length} acknowledged, ${stored.size} stored; restarted member holds ${inMember}`);
      assert.ok(inMember >= acked.length, `the restarted member lacks acknowledged keys`);
    } finally {
      writing = false;
      await writer.catch(() => undefined);
      writerClient.close();
      recordResult({
        scenario: "3. etcd leader loss under writes",
        detectMs,
        recoverMs: gapMs,
        goal: "write gap ≤ 5 s, 0 lost",
        lost: lost < 0 ? undefined : lost,
        passed: gapMs !== undefined && gapMs <= GAP_GOAL_MS && lost === 0,
        notes: `detect = new leader elected; recover = longest gap between acknowledged writes; ${notes.join("; ")}`,
      });
    }
    assert.equal(lost, 0, notes.join("; "));
    assert.ok(gapMs !== undefined && gapMs <= GAP_GOAL_MS, `writes stopped for ${gapMs} ms (goal 5 s)`);
  });
});
