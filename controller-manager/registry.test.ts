import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ControllerDescriptor } from "./context.js";
import { selectControllers } from "./registry.js";

const fake = (name: string, disabledByDefault = false): ControllerDescriptor => ({
  name,
  disabledByDefault,
  init: () => async () => {},
});
const all = [fake("replicaset"), fake("deployment"), fake("bootstrapsigner", true)];
const names = (spec: string[]) => selectControllers(spec, all).map((c) => c.name);

describe("selectControllers", () => {
  const cases: [string[], string[]][] = [
    [["*"], ["replicaset", "deployment"]],
    [["*,-deployment"], ["replicaset"]],
    [
      ["*", "bootstrapsigner"],
      ["replicaset", "deployment", "bootstrapsigner"],
    ],
    [["deployment"], ["deployment"]],
    [[], []],
  ];
  for (const [spec, want] of cases) it(JSON.stringify(spec), () => assert.deepEqual(names(spec), want));
  it("rejects unknown names", () =>
    assert.throws(() => names(["nope"]), /"nope" is not in the list of known controllers/));
});
