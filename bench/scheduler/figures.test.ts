import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createToBind, parseProcStatus, perSecond } from "./figures.js";

describe("createToBind", () => {
  const cases: Array<{
    name: string;
    created: Array<[string, number]>;
    bound: Array<[string, number]>;
    want: { samples: number[]; unbound: number; early: number };
  }> = [
    { name: "none", created: [], bound: [], want: { samples: [], unbound: 0, early: 0 } },
    {
      name: "bound after create",
      created: [["a", 100]],
      bound: [["a", 130]],
      want: { samples: [30], unbound: 0, early: 0 },
    },
    {
      name: "binding seen before the create response counts 0",
      created: [["a", 100]],
      bound: [["a", 95]],
      want: { samples: [0], unbound: 0, early: 1 },
    },
    {
      name: "never bound; bound pods not created in this phase are ignored",
      created: [["a", 100]],
      bound: [["other", 50]],
      want: { samples: [], unbound: 1, early: 0 },
    },
  ];
  for (const c of cases)
    it(c.name, () => assert.deepEqual(createToBind(new Map(c.created), new Map(c.bound)), c.want));
});

describe("perSecond", () => {
  it("counts per second of the interval", () => assert.equal(perSecond(500, 1000, 2000), 500));
  it("NaN for an empty interval", () => assert.ok(Number.isNaN(perSecond(5, 10, 10))));
});

describe("parseProcStatus", () => {
  it("reads VmRSS and VmHWM in MiB", () => {
    const text = "Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t11\n";
    assert.deepEqual(parseProcStatus(text), { rssMiB: 100, peakMiB: 200 });
  });
  it("NaN when a field is missing", () => {
    const m = parseProcStatus("Name:\tzombie\n");
    assert.ok(Number.isNaN(m.rssMiB) && Number.isNaN(m.peakMiB));
  });
});
