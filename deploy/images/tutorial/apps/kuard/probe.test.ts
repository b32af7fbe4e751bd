import assert from "node:assert/strict";
import { test } from "node:test";
import { Probe, relativeTime } from "./probe.js";

test("a probe succeeds, fails for the next N calls, or fails for ever", () => {
  const now = new Date(2020, 0, 1, 12, 0, 0);
  const p = new Probe("/healthy");
  assert.deepEqual(p.check(now), { status: 200, body: "ok" });
  p.setFailNext(2);
  assert.deepEqual(p.check(now), { status: 500, body: "fail, 1 left" });
  assert.deepEqual(p.check(now), { status: 500, body: "fail, 0 left" });
  assert.deepEqual(p.check(now), { status: 200, body: "ok" });
  p.setFailNext(-1);
  assert.deepEqual(p.check(now), { status: 500, body: "fail, permanent" });
  assert.deepEqual(p.check(now), { status: 500, body: "fail, permanent" });
  p.setFailNext(0);
  assert.deepEqual(p.check(now), { status: 200, body: "ok" });
});

test("the status lists the last 20 calls, newest first", () => {
  const t0 = new Date(2020, 0, 1, 12, 0, 0);
  const p = new Probe("/ready");
  for (let i = 0; i < 25; i++) p.check(t0);
  const s = p.status(new Date(t0.getTime() + 5000));
  assert.equal(s.probePath, "/ready");
  assert.equal(s.history.length, 20);
  assert.deepEqual(s.history[0], { id: 25, when: "12:00:00", relWhen: "5 seconds ago", code: 200 });
  assert.equal(s.history[19]?.id, 6);
});

test("relative times read as go-humanize's", () => {
  const now = new Date(100_000_000);
  const cases: [number, string][] = [
    [0, "now"],
    [1, "1 second ago"],
    [59, "59 seconds ago"],
    [60, "1 minute ago"],
    [7200, "2 hours ago"],
  ];
  for (const [ago, want] of cases)
    assert.equal(relativeTime(new Date(now.getTime() - ago * 1000), now), want);
});
