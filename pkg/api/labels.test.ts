import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  formatLabels,
  labelSelectorAsSelector,
  labelSelectorMatches,
  matches,
  parseSelector,
  requiresExactMatch,
  selectorFromSet,
  selectorToString,
} from "./labels.js";

describe("parseSelector: canonical string", () => {
  const cases: [string, string][] = [
    ["", ""],
    ["a=b", "a=b"],
    ["a==b", "a==b"],
    ["a!=b", "a!=b"],
    ["x=a,y=b,z=c", "x=a,y=b,z=c"],
    ["z=c,x=a", "x=a,z=c"],
    ["a=b,c!=d,e in (y,x),f notin (z),g,!h", "a=b,c!=d,e in (x,y),f notin (z),g,!h"],
    ["  env in ( prod , qa )  ", "env in (prod,qa)"],
    ["x in (foo,,baz),y,z notin ()", "x in (,baz,foo),y,z notin ()"],
    ["x=", "x="],
    ["x>1", "x>1"],
    ["x<10", "x<10"],
    ["in in (in,notin)", "in in (in,notin)"],
    ["app.kubernetes.io/name=web", "app.kubernetes.io/name=web"],
  ];
  for (const [input, want] of cases) {
    it(JSON.stringify(input), () => assert.equal(selectorToString(parseSelector(input)), want));
  }
});

describe("parseSelector: errors as Kubernetes'", () => {
  const cases: [string, string][] = [
    ["x=a,=b", "found '=', expected: identifier after ','"],
    ["x=a,", "found '', expected: identifier after ','"],
    [",x=a", "found ',', expected: !, identifier, or 'end of string'"],
    ["x in (a", "unable to parse requirement: found '', expected: ',' or ')'"],
    ["x in a", "unable to parse requirement: found 'a' expected: '('"],
    ["x a", "unable to parse requirement: found 'a', expected: in, notin, =, ==, !=, gt, lt"],
    ["!x=a", "found '=', expected: ',' or 'end of string'"],
    ["x=a b", "found 'b', expected: ',' or 'end of string'"],
    [
      "x>a",
      "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer",
    ],
    ["x=a b c", "found 'b', expected: ',' or 'end of string'"],
    [
      "-x=a",
      "unable to parse requirement: <nil>: Invalid value: \"-x\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    ],
    [
      "x=-a",
      "unable to parse requirement: values[0][x]: Invalid value: \"-a\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ],
  ];
  for (const [input, want] of cases) {
    it(JSON.stringify(input), () => assert.throws(() => parseSelector(input), { message: want }));
  }
});

describe("matches", () => {
  const labels = { app: "nginx", tier: "web", version: "3" };
  const cases: [string, boolean][] = [
    ["", true],
    ["app=nginx", true],
    ["app==nginx", true],
    ["app=redis", false],
    ["app!=redis", true],
    ["missing!=x", true],
    ["app in (nginx,redis)", true],
    ["app notin (nginx)", false],
    ["missing notin (x)", true],
    ["app", true],
    ["!app", false],
    ["!missing", true],
    ["version>2", true],
    ["version<3", false],
    ["missing>1", false],
    ["app=nginx,tier=db", false],
  ];
  for (const [sel, want] of cases) {
    it(sel || "(empty)", () => assert.equal(matches(parseSelector(sel), labels), want));
  }
});

describe("metav1.LabelSelector", () => {
  it("nil selects nothing, empty selects everything", () => {
    assert.equal(labelSelectorMatches(undefined, { a: "b" }), false);
    assert.equal(labelSelectorMatches({}, { a: "b" }), true);
  });
  it("converts matchLabels and matchExpressions, sorted by key", () => {
    const sel = labelSelectorAsSelector({
      matchLabels: { tier: "web", app: "nginx" },
      matchExpressions: [
        { key: "env", operator: "In", values: ["qa", "prod"] },
        { key: "legacy", operator: "DoesNotExist" },
        { key: "zone", operator: "Exists" },
        { key: "b", operator: "NotIn", values: ["x"] },
      ],
    });
    assert.equal(selectorToString(sel), "app=nginx,b notin (x),env in (prod,qa),!legacy,tier=web,zone");
    assert.equal(matches(sel, { app: "nginx", tier: "web", env: "qa", zone: "a" }), true);
    assert.equal(matches(sel, { app: "nginx", tier: "web", env: "qa", zone: "a", legacy: "" }), false);
  });
  it("rejects unknown operators", () => {
    assert.throws(() => labelSelectorAsSelector({ matchExpressions: [{ key: "a", operator: "Foo" }] }), {
      message: '"Foo" is not a valid label selector operator',
    });
    assert.equal(
      labelSelectorMatches({ matchExpressions: [{ key: "a", operator: "Foo" }] }, { a: "b" }),
      false,
    );
  });
  it("set helpers", () => {
    assert.equal(selectorToString(selectorFromSet({ b: "2", a: "1" })), "a=1,b=2");
    assert.equal(formatLabels({ b: "2", a: "1" }), "a=1,b=2");
    assert.equal(requiresExactMatch(parseSelector("a=1,b in (x)"), "b"), "x");
    assert.equal(requiresExactMatch(parseSelector("a!=1"), "a"), undefined);
  });
});
