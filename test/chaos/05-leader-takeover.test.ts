// Scenario 5 (issue 9): the scheduler leader and the controller-manager leader die, each with a standby
// replica running. Take-over = the Lease's holderIdentity changes to the standby AND the standby does the
// leader's work: a new pod gets scheduled (scheduler), a new Deployment's pods get created
// (controller-manager). Goal ≤ 15 s from the kill, for both.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Leases, Pods } from "../../pkg/client/index.js";
import {
  api,
  apply,
  clusterSteady,
  container,
  createNamespace,
  deleteNamespace,
  eventually,
  kill,
  log,
  nginxDeployment,
  podsOf,
  restoreCluster,
  serviceOfHolder,
  start,
  stopwatch,
  waitHealthy,
} from "./lib.js";
import { recordResult } from "./report.js";

const GOAL_MS = 15_000;

async function holder(lease: string): Promise<string> {
  return (await api.resource(Leases, "kube-system").get(lease)).spec?.holderIdentity ?? "";
}

interface Case {
  lease: string;
  scenario: string;
  /** Something only the leader does, started right after the kill; resolves when it has been done. */
  work: (ns: string, tag: string) => Promise<void>;
  what: string;
}

const cases: Case[] = [
  {
    lease: "kube-scheduler",
    scenario: "5a. scheduler leader take-over",
    what: "a new pod scheduled",
    work: async (ns, tag) => {
      await apply({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: tag, namespace: ns },
        spec: { containers: [{ name: "nginx", image: "nginx:1.14.2", imagePullPolicy: "IfNotPresent" }] },
      });
      await eventually(
        `pod ${tag} scheduled`,
        async () => ((await api.resource(Pods, ns).get(tag)).spec?.nodeName ? true : undefined),
        { timeoutMs: 60_000, intervalMs: 200 },
      );
    },
  },
  {
    lease: "kube-controller-manager",
    scenario: "5b. controller-manager leader take-over",
    what: "a new Deployment's pods created",
    work: async (ns, tag) => {
      await apply(nginxDeployment(ns, tag, 2));
      await eventually(
        `deployment ${tag}'s pods created`,
        async () => ((await podsOf(ns, `app=${tag}`)).length >= 2 ? true : undefined),
        { timeoutMs: 60_000, intervalMs: 200 },
      );
    },
  },
];

describe("chaos: leader take-over", { timeout: 600_000 }, () => {
  let ns = "";
  before(async () => {
    await clusterSteady();
    ns = await createNamespace("chaos-leaders");
  });
  after(async () => {
    await restoreCluster();
    await deleteNamespace(ns);
  });

  for (const c of cases)
    it(`${c.lease}: the standby takes over and acts within 15 s`, async () => {
      const old = await holder(c.lease);
      const victim = serviceOfHolder(old);
      assert.ok(victim, `no holder on Lease ${c.lease}`);
      // Both replicas must be up, or there is nobody to take over.
      const standby = victim.endsWith("-2") ? victim.slice(0, -2) : `${victim}-2`;
      await waitHealthy(container(standby), 60_000);
      log(`${c.lease} held by ${old}; killing ${victim}`);
      let leaseMs: number | undefined;
      let workMs: number | undefined;
      const notes: string[] = [];
      try {
        const sw = stopwatch();
        await kill(container(victim));
        const leaseMoved = eventually(
          `${c.lease} held by someone else`,
          async () => {
            const h = await holder(c.lease);
            return h && h !== old ? h : undefined;
          },
          { timeoutMs: 60_000, intervalMs: 200 },
        ).then((h) => {
          leaseMs = sw.since();
          notes.push(`${victim} killed; new holder ${h}`);
        });
        const worked = c.work(ns, `after-${c.lease}`).then(() => {
          workMs = sw.since();
        });
        const results = await Promise.allSettled([leaseMoved, worked]);
        for (const r of results) if (r.status === "rejected") notes.push(String(r.reason));
        log(`${c.lease}: lease moved after ${leaseMs} ms, ${c.what} after ${workMs} ms`);
      } finally {
        await start(container(victim)).catch((e) => notes.push(String(e)));
        await waitHealthy(container(victim), 90_000).catch((e) => notes.push(String(e)));
        recordResult({
          scenario: c.scenario,
          detectMs: leaseMs,
          recoverMs: workMs,
          goal: "≤ 15 s",
          lost: 0,
          passed: leaseMs !== undefined && workMs !== undefined && Math.max(leaseMs, workMs) <= GOAL_MS,
          notes: `detect = Lease holder changed; recover = ${c.what}; ${notes.join("; ")}`,
        });
      }
      assert.ok(leaseMs !== undefined && leaseMs <= GOAL_MS, `Lease moved after ${leaseMs} ms (goal 15 s)`);
      assert.ok(workMs !== undefined && workMs <= GOAL_MS, `${c.what} after ${workMs} ms (goal 15 s)`);
    });
});
