import assert from "node:assert/strict";
import { test } from "node:test";
import { makePod, pi } from "../framework/testing.js";
import { backoffDuration, eventMayHelp, SchedulingQueue } from "./queue.js";

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
  const cycle = q.schedulingCycle;
  big.unschedulablePlugins = new Set(["NodeResourcesFit"]);
  q.addUnschedulable(big, cycle);
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
  const c2 = q.schedulingCycle;
  q.moveOnEvent("NodeAdd");
  again.unschedulablePlugins = new Set(["NodeResourcesFit"]);
  q.addUnschedulable(again, c2);
  assert.equal(q.counts().backoff, 1);

  // Left-overs go back after 5 minutes.
  q.add(pi(makePod("stuck")));
  const stuck = (await q.pop())!;
  stuck.unschedulablePlugins = new Set(["NodeAffinity"]);
  now += 60_000;
  q.addUnschedulable(stuck, q.schedulingCycle + 1);
  assert.equal(q.counts().unschedulable, 1);
  now += 5 * 60_000 + 1;
  q.flushUnschedulableLeftover();
  assert.equal(q.counts().unschedulable, 0);
  q.close();
});
