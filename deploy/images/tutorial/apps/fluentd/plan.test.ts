import assert from "node:assert/strict";
import { test } from "node:test";
import { countLines, maxReadBytes, planReads } from "./plan.js";

test("files present at start are followed from their end, later ones from their start", () => {
  const first = planReads(new Map(), new Map([["/a.log", 100]]), true);
  assert.deepEqual(first, {
    reads: [{ path: "/a.log", from: 100, to: 100 }],
    followed: ["/a.log"],
    gone: [],
  });

  const later = planReads(
    new Map([["/a.log", 100]]),
    new Map([
      ["/a.log", 150],
      ["/b.log", 10],
    ]),
    false,
  );
  assert.deepEqual(later, {
    reads: [
      { path: "/a.log", from: 100, to: 150 },
      { path: "/b.log", from: 0, to: 10 },
    ],
    followed: ["/b.log"],
    gone: [],
  });
});

test("a truncated file is read again from 0, a removed one forgotten, a big one read in slices", () => {
  const plan = planReads(
    new Map([
      ["/a.log", 500],
      ["/gone.log", 5],
      ["/big.log", 0],
    ]),
    new Map([
      ["/a.log", 20],
      ["/big.log", 3 * maxReadBytes],
    ]),
    false,
  );
  assert.deepEqual(plan, {
    reads: [
      { path: "/a.log", from: 0, to: 20 },
      { path: "/big.log", from: 0, to: maxReadBytes },
    ],
    followed: [],
    gone: ["/gone.log"],
  });
});

test("an unchanged file needs no read", () => {
  assert.deepEqual(planReads(new Map([["/a.log", 7]]), new Map([["/a.log", 7]]), false).reads, []);
});

test("lines are counted by newlines", () => {
  assert.equal(countLines(Buffer.from("a\nb\nc")), 2);
  assert.equal(countLines(Buffer.from("")), 0);
});
