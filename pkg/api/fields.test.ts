import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  fieldRequiresExactMatch,
  fieldSelectorMatchesSet,
  fieldSelectorToString,
  parseFieldSelector,
  unsupportedField,
} from "./fields.js";

describe("parseFieldSelector", () => {
  const cases: [string, string][] = [
    ["", ""],
    ["metadata.name=x", "metadata.name=x"],
    ["metadata.name==x", "metadata.name=x"],
    ["status.phase!=Running,spec.nodeName=n1", "spec.nodeName=n1,status.phase!=Running"],
    ["a=b\\,c", "a=b\\,c"],
    ["a=", "a="],
  ];
  for (const [input, want] of cases) {
    it(JSON.stringify(input), () => assert.equal(fieldSelectorToString(parseFieldSelector(input)), want));
  }
  const errors: [string, string][] = [
    ["abc", "invalid selector: 'abc'; can't understand 'abc'"],
    ["a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"],
    ["a=b\\x", "invalid field selector: invalid escape sequence: \\x"],
    ["a=b=c", "invalid field selector: unescaped character in value: 61"],
    ["a=b\\", "invalid field selector: invalid escape sequence: \\"],
  ];
  for (const [input, want] of errors) {
    it(`error ${JSON.stringify(input)}`, () =>
      assert.throws(() => parseFieldSelector(input), { message: want }));
  }
});

describe("fieldSelectorMatches", () => {
  const pod = { "metadata.name": "web-1", "spec.nodeName": "node-1", "status.phase": "Running" };
  const cases: [string, boolean][] = [
    ["", true],
    ["spec.nodeName=node-1", true],
    ["spec.nodeName!=node-1", false],
    ["spec.nodeName=", false],
    ["spec.missing=", true],
    ["status.phase!=Pending,metadata.name=web-1", true],
  ];
  for (const [sel, want] of cases) {
    it(sel || "(empty)", () => assert.equal(fieldSelectorMatchesSet(parseFieldSelector(sel), pod), want));
  }
  it("exact match and unsupported fields", () => {
    const sel = parseFieldSelector("spec.nodeName=n1,foo=bar");
    assert.equal(fieldRequiresExactMatch(sel, "spec.nodeName"), "n1");
    assert.equal(unsupportedField(sel, ["spec.nodeName", "metadata.name"]), "foo");
  });
});
