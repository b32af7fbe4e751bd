import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  accessModesString,
  formatLabelSelector,
  formatLabels,
  humanDuration,
  intOrString,
  labelSelectorString,
  quantityString,
  since,
} from "./format.js";

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe("humanDuration (duration.HumanDuration)", () => {
  // cases from apimachinery's duration_test.go
  const cases: [number, string][] = [
    [-2 * S, "<invalid>"],
    [-1999, "0s"],
    [-1 * S, "0s"],
    [0, "0s"],
    [1 * S, "1s"],
    [59 * S, "59s"],
    [60 * S, "60s"],
    [119 * S, "119s"],
    [2 * M, "2m"],
    [3 * M + 2 * S, "3m2s"],
    [9 * M + 59 * S, "9m59s"],
    [10 * M, "10m"],
    [179 * M, "179m"],
    [3 * H, "3h"],
    [3 * H + 30 * M, "3h30m"],
    [8 * H, "8h"],
    [47 * H + 59 * M, "47h"],
    [48 * H, "2d"],
    [2 * D + 3 * H, "2d3h"],
    [7 * D + 23 * H, "7d23h"],
    [8 * D, "8d"],
    [729 * D, "729d"],
    [730 * D, "2y"],
    [731 * D, "2y1d"],
    [8 * 365 * D - 1, "7y364d"],
    [8 * 365 * D, "8y"],
    [100 * 365 * D, "100y"],
  ];
  for (const [ms, want] of cases) {
    it(`${ms}ms -> ${want}`, () => assert.equal(humanDuration(ms), want));
  }
  it("since() of an unset timestamp is <unknown>", () => {
    assert.equal(since(undefined, new Date()), "<unknown>");
    assert.equal(since("garbage", new Date()), "<unknown>");
    assert.equal(since("2024-01-01T00:00:00Z", new Date("2024-01-01T00:05:00Z")), "5m");
  });
});

describe("label formatting", () => {
  it("formatLabels sorts by key and prints <none> when empty", () => {
    assert.equal(formatLabels({ b: "2", a: "1" }), "a=1,b=2");
    assert.equal(formatLabels({}), "<none>");
    assert.equal(formatLabels(undefined), "<none>");
  });
  const selectors: [unknown, string | undefined, string][] = [
    [undefined, "", "<none>"],
    [{}, "", "<none>"],
    [{ matchLabels: { app: "nginx" } }, "app=nginx", "app=nginx"],
    [
      {
        matchLabels: { tier: "web" },
        matchExpressions: [
          { key: "env", operator: "In", values: ["prod", "dev"] },
          { key: "zz", operator: "Exists" },
          { key: "b", operator: "DoesNotExist" },
          { key: "c", operator: "NotIn", values: ["x"] },
        ],
      },
      "!b,c notin (x),env in (dev,prod),tier=web,zz",
      "!b,c notin (x),env in (dev,prod),tier=web,zz",
    ],
    [{ matchExpressions: [{ key: "a", operator: "Bogus" }] }, undefined, "<error>"],
    [{ matchExpressions: [{ key: "a", operator: "In", values: [] }] }, undefined, "<error>"],
  ];
  for (const [sel, asString, formatted] of selectors) {
    it(`selector ${JSON.stringify(sel)}`, () => {
      assert.equal(labelSelectorString(sel as never), asString);
      assert.equal(formatLabelSelector(sel as never), formatted);
    });
  }
});

describe("small formatters", () => {
  it("access modes in fixed order without duplicates", () => {
    assert.equal(accessModesString(["ReadWriteMany", "ReadWriteOnce", "ReadWriteOnce"]), "RWO,RWX");
    assert.equal(accessModesString(["ReadWriteOncePod", "ReadOnlyMany"]), "ROX,RWOP");
    assert.equal(accessModesString(undefined), "");
  });
  it("IntOrString and Quantity", () => {
    assert.equal(intOrString(1), "1");
    assert.equal(intOrString("50%"), "50%");
    assert.equal(quantityString(undefined), "0");
    assert.equal(quantityString("1Gi"), "1Gi");
    assert.equal(quantityString("1024Mi"), "1Gi");
  });
});
