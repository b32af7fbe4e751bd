import assert from "node:assert/strict";
import { test } from "node:test";
import { makePod, pi } from "../framework/testing.js";
import { backoffDuration, eventMayHelp, type QueuedPodInfo, requeueFor, SchedulingQueue } from "./queue.js";

test("backoffDuration doubles from 1 s to 10 s", () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6].map((a) => backoffDuration(a, 1000, 10_000)),
    [1000, 2000, 4000, 8000, 10_000, 10_000],
  );
});

test("eventMayHelp follows the plugins that rejected the pod", () => {
  const cases: [Parameters<typeof eventMayHelp>[0], string[], boolean][] = [
    ["NodeAdd", ["NodeResourcesFit"], true],
    ["AssignedPodDelete", ["NodeResourcesFit"], true],
    ["AssignedPodAdd", ["NodeResourcesFit"], false],
    ["NodeTaintChange", ["TaintToleration"], true],
    ["NodeLabelChange", ["TaintToleration"], false],
    ["PvcChange", [], true],
  ];
  for (const [ev, plugins, want] of cases)
    assert.equal(eventMayHelp(ev, new Set(plugins)), want, `${ev} ${plugins}`);
});

test("active order: priority, then age; unschedulable pods move on a helpful event; back-off holds them", async () => {
  let now = 0;
  const q = new SchedulingQueue({ now: () => now });
  q.add(pi(makePod("low", { priority: 1 })));
  now = 1;
  q.add(pi(makePod("high", { priority: 100 })));
  now = 2;
  q.add(pi(makePod("low2", { priority: 1 })));
  const order = [];
  for (let i = 0; i < 3; i++) order.push((await q.pop())!.podInfo.name);
  assert.deepEqual(order, ["high", "low", "low2"]);

  q.add(pi(makePod("big")));
  const big = (await q.pop())!;
  big.unschedulablePlugins = new Set(["NodeResourcesFit"]);
  q.addUnschedulable(big);
  assert.equal(q.counts().unschedulable, 1);
  q.moveOnEvent("AssignedPodAdd");
  assert.equal(q.counts().unschedulable, 1, "an unrelated event leaves it");
  q.moveOnEvent("AssignedPodDelete");
  assert.deepEqual(q.counts(), { active: 0, backoff: 1, unschedulable: 0, inFlight: 3 });
  now += 1000;
  q.flushBackoffCompleted();
  assert.equal(q.counts().active, 1);

  // A failure whose cycle saw a move request goes to back-off, not unschedulable.
  const again = (await q.pop())!;
  q.moveOnEvent("NodeAdd");
  again.unschedulablePlugins = new Set(["NodeResourcesFit"]);
  q.addUnschedulable(again);
  assert.equal(q.counts().backoff, 1);

  // Left-overs go back after 5 minutes.
  q.add(pi(makePod("stuck")));
  const stuck = (await q.pop())!;
  stuck.unschedulablePlugins = new Set(["NodeAffinity"]);
  now += 60_000;
  q.addUnschedulable(stuck);
  assert.equal(q.counts().unschedulable, 1);
  now += 5 * 60_000 + 1;
  q.flushUnschedulableLeftover();
  assert.equal(q.counts().unschedulable, 0);
  q.close();
});

test("requeueFor: Pending rejections skip back-off, others wait it out, unrelated events skip", () => {
  const q = (unschedulable: string[], pending: string[] = [], failedWithError = false): QueuedPodInfo => ({
    podInfo: pi(makePod("p")),
    timestamp: 0,
    attempts: 1,
    unschedulablePlugins: new Set(unschedulable),
    pendingPlugins: new Set(pending),
    failedWithError,
  });
  const cases: [string, Parameters<typeof requeueFor>[0], QueuedPodInfo, ReturnType<typeof requeueFor>][] = [
    ["claim bound, pod waits for it", "PvcChange", q([], ["VolumeBinding"]), "immediately"],
    ["volume created, pod waits for a claim", "PvChange", q([], ["VolumeBinding"]), "immediately"],
    ["node added, pod waits for a claim", "NodeAdd", q([], ["VolumeBinding"]), "immediately"],
    ["pod deleted, pod did not fit", "AssignedPodDelete", q(["NodeResourcesFit"]), "afterBackoff"],
    ["pod added, pod did not fit", "AssignedPodAdd", q(["NodeResourcesFit"]), "skip"],
    ["taint changed, pod waits for a claim", "NodeTaintChange", q([], ["VolumeBinding"]), "skip"],
    ["any event after an error", "AssignedPodAdd", q(["NodeResourcesFit"], [], true), "afterBackoff"],
    ["no rejector known", "NamespaceChange", q([]), "afterBackoff"],
  ];
  for (const [what, ev, pod, want] of cases) assert.equal(requeueFor(ev, pod), want, what);
});

test("a claim that binds while its pod is in flight is not lost: the pod comes back to active at once", async () => {
  let now = 0;
  const q = new SchedulingQueue({ now: () => now });
  q.add(pi(makePod("web-0")));
  const web0 = (await q.pop())!;
  // The cycle found the claim unbound; before the pod is back in the queue, the claim binds.
  q.moveOnEvent("PvcChange");
  web0.pendingPlugins = new Set(["VolumeBinding"]);
  q.addUnschedulable(web0);
  assert.deepEqual(q.counts(), { active: 1, backoff: 0, unschedulable: 0, inFlight: 0 });
  assert.equal((await q.pop())!.podInfo.name, "web-0", "no back-off: popped at once");
  q.done("default/web-0");

  // An event that cannot help a pod (a pod added, for one that did not fit) leaves it unschedulable,
  // even while in flight; one that can sends it to back-off.
  q.add(pi(makePod("big")));
  const big = (await q.pop())!;
  q.moveOnEvent("AssignedPodAdd");
  big.unschedulablePlugins = new Set(["NodeResourcesFit"]);
  q.addUnschedulable(big);
  assert.equal(q.counts().unschedulable, 1);
  now += 1000; // its back-off is over: the next helpful event sends it to active
  q.moveOnEvent("AssignedPodDelete");
  const again = (await q.pop())!;
  q.moveOnEvent("AssignedPodDelete");
  q.addUnschedulable(again);
  assert.deepEqual(q.counts(), { active: 0, backoff: 1, unschedulable: 0, inFlight: 0 });
  now += 10_000;
  q.flushBackoffCompleted();
  assert.equal(q.counts().active, 1);
  q.close();
});

test("events seen by no pod in flight are not kept; a pod popped later does not see earlier events", async () => {
  const q = new SchedulingQueue({ now: () => 0 });
  q.add(pi(makePod("a")));
  q.add(pi(makePod("b")));
  const a = (await q.pop())!;
  q.moveOnEvent("PvcChange"); // a sees it
  const b = (await q.pop())!; // b was popped after it
  a.pendingPlugins = new Set(["VolumeBinding"]);
  b.pendingPlugins = new Set(["VolumeBinding"]);
  q.addUnschedulable(b);
  q.addUnschedulable(a);
  assert.deepEqual(q.counts(), { active: 1, backoff: 0, unschedulable: 1, inFlight: 0 });
  q.close();
});
