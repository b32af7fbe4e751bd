import assert from "node:assert/strict";
import { test } from "node:test";
import { type CpuProfile, hotSpots } from "./profile.js";

const frame = (functionName: string, lineNumber: number) => ({
  functionName,
  url: "file:///x/a.js",
  lineNumber,
  columnNumber: 0,
});

test("hotSpots adds self time per function and leaves idle out of the shares", () => {
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame("(root)", -1) },
      { id: 2, callFrame: frame("encode", 9) },
      { id: 3, callFrame: frame("(idle)", -1) },
      { id: 4, callFrame: frame("parse", 19) },
    ],
    samples: [2, 2, 4, 3, 2],
    // Each delta is the time before its sample; it is charged to the sample before it.
    timeDeltas: [0, 1000, 1000, 1000, 4000, 1000],
  };
  const { spots, busyMs, idleMs } = hotSpots(profile, 10);
  assert.equal(idleMs, 4);
  assert.equal(busyMs, 4);
  assert.deepEqual(
    spots.map((s) => [s.functionName, s.line, s.selfMs, s.share]),
    [
      ["encode", 10, 3, 0.75],
      ["parse", 20, 1, 0.25],
    ],
  );
});

test("hotSpots survives an empty profile", () => {
  assert.deepEqual(hotSpots({ nodes: [] }), { spots: [], busyMs: 0, idleMs: 0 });
});
