import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ERR_FORMAT_WRONG,
  ERR_SUFFIX,
  isValidQuantity,
  newMilliQuantity,
  newQuantity,
  parseQuantity,
  quantityError,
  sumQuantities,
} from "./quantity.js";

describe("parseQuantity canonical form", () => {
  const cases: [string | number, string][] = [
    ["0", "0"],
    ["0n", "0"],
    ["0m", "0"],
    ["0Ki", "0"],
    ["0e-10", "0"],
    ["-0", "0"],
    ["1", "1"],
    ["1n", "1n"],
    ["1u", "1u"],
    ["1m", "1m"],
    ["100m", "100m"],
    ["1000m", "1"],
    ["1500m", "1500m"],
    ["1.5", "1500m"],
    ["0.5", "500m"],
    [".5", "500m"],
    ["0.1", "100m"],
    ["1k", "1k"],
    ["1e3", "1e3"],
    ["1E3", "1E3"],
    ["1e-3", "1e-3"],
    ["129e6", "129e6"],
    ["12e6", "12e6"],
    ["1.5e3", "1500"],
    ["128974848", "128974848"],
    ["12000", "12k"],
    ["1500", "1500"],
    ["123Mi", "123Mi"],
    ["1Ki", "1Ki"],
    ["1024Mi", "1Gi"],
    ["1536Mi", "1536Mi"],
    ["1.5Gi", "1536Mi"],
    ["0.5Gi", "512Mi"],
    ["0.9Gi", "966367641600m"],
    ["1.1Ki", "1126400m"],
    ["512", "512"],
    ["8Ei", "9223372036854775807"],
    ["1E", "1E"],
    ["1000E", "1e21"],
    ["0.0000000001", "1n"],
    ["1.0000000001", "1000000001n"],
    ["-1", "-1"],
    ["-100m", "-100m"],
    ["-1.5", "-1500m"],
    ["+1", "+1"],
    ["1.G", "1.G"],
    [0.5, "500m"],
    [2, "2"],
    [1e21, "1e21"],
  ];
  for (const [input, want] of cases) {
    it(`${JSON.stringify(input)} -> ${want}`, () => {
      assert.equal(parseQuantity(input).toString(), want);
      assert.equal(JSON.stringify({ q: parseQuantity(input) }), `{"q":"${want}"}`);
    });
  }
});

describe("parseQuantity errors", () => {
  const cases: [string, string][] = [
    ["", ERR_FORMAT_WRONG],
    ["abc", ERR_FORMAT_WRONG],
    ["1.5.5", ERR_FORMAT_WRONG],
    ["1 ", ERR_FORMAT_WRONG],
    ["1Kb", ERR_FORMAT_WRONG],
    ["1K", ERR_SUFFIX],
    ["5i", ERR_SUFFIX],
    ["1ki", ERR_SUFFIX],
    ["1mm", ERR_SUFFIX],
  ];
  for (const [input, want] of cases) {
    it(JSON.stringify(input), () => {
      assert.throws(() => parseQuantity(input), { message: want });
      assert.equal(isValidQuantity(input), false);
      assert.equal(quantityError(input), want);
    });
  }
  it("message is Kubernetes'", () => {
    assert.equal(
      ERR_FORMAT_WRONG,
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    );
  });
});

describe("values", () => {
  const cases: [string, number, number][] = [
    ["100m", 1, 100],
    ["1", 1, 1000],
    ["1.5", 2, 1500],
    ["-1.5", -2, -1500],
    ["1Gi", 1073741824, 1073741824000],
    ["129e6", 129000000, 129000000000],
    ["1n", 1, 1],
    ["0", 0, 0],
  ];
  for (const [input, value, milli] of cases) {
    it(input, () => {
      const q = parseQuantity(input);
      assert.equal(q.value(), value);
      assert.equal(q.milliValue(), milli);
    });
  }
});

describe("arithmetic", () => {
  it("compares across formats", () => {
    assert.equal(parseQuantity("1Gi").cmp(parseQuantity("1G")), 1);
    assert.equal(parseQuantity("1000m").cmp(parseQuantity("1")), 0);
    assert.equal(parseQuantity("100m").cmp(parseQuantity("0.2")), -1);
    assert.ok(parseQuantity("1e3").equals(parseQuantity("1k")));
  });
  it("adds keeping the first format unless zero", () => {
    assert.equal(parseQuantity("100m").add(parseQuantity("1")).toString(), "1100m");
    assert.equal(parseQuantity("1Gi").add(parseQuantity("512Mi")).toString(), "1536Mi");
    assert.equal(parseQuantity("0").add(parseQuantity("1Gi")).toString(), "1Gi");
    assert.equal(parseQuantity("1").sub(parseQuantity("250m")).toString(), "750m");
  });
  it("sums and builds", () => {
    assert.equal(
      sumQuantities([parseQuantity("100m"), parseQuantity("400m"), parseQuantity("500m")]).toString(),
      "1",
    );
    assert.equal(newMilliQuantity(1500).toString(), "1500m");
    assert.equal(newQuantity(2048, "BinarySI").toString(), "2Ki");
    assert.equal(newQuantity(1000).toString(), "1k");
  });
});
