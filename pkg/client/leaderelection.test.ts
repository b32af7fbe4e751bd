import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Leases } from "./gvr.js";
import { decideAcquire, type LeaderElectionRecord, LeaderElector, microTime } from "./leaderelection.js";
import { RestClient } from "./rest.js";
import { FakeApiServer } from "./testing/fakeserver.js";

const rec = (holder: string, transitions = 0): LeaderElectionRecord => ({
  holderIdentity: holder,
  leaseDurationSeconds: 15,
  acquireTime: "2024-01-01T00:00:00.000000Z",
  renewTime: "2024-01-01T00:00:00.000000Z",
  leaseTransitions: transitions,
});

describe("decideAcquire", () => {
  const cases: Array<{
    name: string;
    current?: LeaderElectionRecord;
    observedAt: number;
    now: number;
    acquire: boolean;
    transitions?: number;
  }> = [
    { name: "no lease: create it", observedAt: 0, now: 0, acquire: true, transitions: 0 },
    { name: "held by another, fresh", current: rec("b", 3), observedAt: 1000, now: 10_000, acquire: false },
    {
      name: "held by another, expired",
      current: rec("b", 3),
      observedAt: 1000,
      now: 16_001,
      acquire: true,
      transitions: 4,
    },
    {
      name: "held by us: renew",
      current: rec("me", 3),
      observedAt: 1000,
      now: 2000,
      acquire: true,
      transitions: 3,
    },
    {
      name: "released (no holder)",
      current: rec("", 3),
      observedAt: 1000,
      now: 1001,
      acquire: true,
      transitions: 4,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = decideAcquire(c.current, c.observedAt, c.now, "me", 15);
      assert.equal(d.acquire, c.acquire);
      if (d.acquire) {
        assert.equal(d.record.holderIdentity, "me");
        assert.equal(d.record.leaseTransitions, c.transitions);
        if (c.current?.holderIdentity === "me")
          assert.equal(d.record.acquireTime, c.current.acquireTime, "renewal keeps acquireTime");
      }
    });
  }
  it("microTime has microseconds", () => {
    assert.equal(microTime(Date.UTC(2024, 0, 2, 3, 4, 5, 678)), "2024-01-02T03:04:05.678000Z");
  });
});

describe("LeaderElector against the fake apiserver", () => {
  let server: FakeApiServer;
  let client: RestClient;
  before(async () => {
    server = await FakeApiServer.start();
    client = new RestClient(server.clientConfig());
  });
  after(async () => {
    client.close();
    await server.stop();
  });

  // Lease durations are whole seconds on the wire.
  const timing = { leaseDurationMs: 2000, renewDeadlineMs: 1000, retryPeriodMs: 200 };

  function candidate(name: string, identity: string, log: string[]) {
    const ac = new AbortController();
    let leadingSignal: AbortSignal | undefined;
    let startedAt = 0;
    const elector = new LeaderElector({
      client,
      namespace: "kube-system",
      name,
      identity,
      ...timing,
      onStartedLeading: (signal) => {
        leadingSignal = signal;
        startedAt = Date.now();
        log.push(`${identity}:start`);
      },
      onStoppedLeading: () => log.push(`${identity}:stop`),
    });
    return {
      elector,
      ac,
      run: (releaseOnCancel = true) => {
        (elector as unknown as { config: { releaseOnCancel: boolean } }).config.releaseOnCancel =
          releaseOnCancel;
        return elector.run(ac.signal);
      },
      get leadingSignal() {
        return leadingSignal;
      },
      get startedAt() {
        return startedAt;
      },
    };
  }

  async function until(cond: () => boolean, what: string, ms = 10_000) {
    const deadline = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  it("one leader; a standby takes over within leaseDuration of the leader's death", async () => {
    const log: string[] = [];
    const a = candidate("sched", "a", log);
    const b = candidate("sched", "b", log);
    const ra = a.run(false);
    await until(() => a.elector.isLeader(), "a leads");
    const rb = b.run();
    await new Promise((r) => setTimeout(r, 700));
    assert.ok(!b.elector.isLeader(), "b must wait while a renews");
    assert.equal(b.elector.getLeader(), "a");
    // "Kill" a: it stops renewing and does not release.
    const lastRenew = Date.parse(server.getObject(Leases, "kube-system", "sched")!.spec!.renewTime!);
    a.ac.abort();
    const died = Date.now();
    await ra;
    await until(() => b.elector.isLeader(), "b takes over");
    const lease = server.getObject(Leases, "kube-system", "sched")!;
    assert.equal(lease.spec?.holderIdentity, "b");
    assert.equal(lease.spec?.leaseTransitions, 1);
    const tookOver = b.startedAt;
    assert.ok(
      tookOver - lastRenew >= timing.leaseDurationMs - 50,
      `not before expiry (${tookOver - lastRenew} ms)`,
    );
    assert.ok(
      tookOver - died <= timing.leaseDurationMs + 150,
      `within leaseDuration of death (${tookOver - died} ms)`,
    );
    b.ac.abort();
    await rb;
    assert.deepEqual(log, ["a:start", "a:stop", "b:start", "b:stop"]);
    assert.equal(
      server.getObject(Leases, "kube-system", "sched")?.spec?.holderIdentity,
      "",
      "b released on shutdown",
    );
  });

  it("releasing on shutdown hands over at once", async () => {
    const log: string[] = [];
    const a = candidate("cm", "a", log);
    const b = candidate("cm", "b", log);
    const ra = a.run(true);
    await until(() => a.elector.isLeader(), "a leads");
    const rb = b.run();
    await new Promise((r) => setTimeout(r, 300));
    const stopped = Date.now();
    a.ac.abort();
    await ra;
    await until(() => b.elector.isLeader(), "b takes over");
    assert.ok(Date.now() - stopped < 500, `handover took ${Date.now() - stopped} ms`);
    b.ac.abort();
    await rb;
  });

  it("steps down when it cannot renew within renewDeadline", async () => {
    const log: string[] = [];
    const a = candidate("lost", "a", log);
    const ra = a.run();
    await until(() => a.elector.isLeader(), "a leads");
    server.failNext({ code: 500, count: 1000, match: (_m, p) => p.includes("/leases/lost") });
    const failing = Date.now();
    await until(() => a.leadingSignal?.aborted === true, "leadership lost");
    const took = Date.now() - failing;
    assert.ok(
      took >= timing.renewDeadlineMs - timing.retryPeriodMs && took < timing.renewDeadlineMs + 800,
      `lost after ${took} ms`,
    );
    await ra;
    assert.deepEqual(log, ["a:start", "a:stop"]);
    server.clearFaults();
  });
});
