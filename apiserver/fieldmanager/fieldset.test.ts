import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FieldSet } from "./fieldset.js";
import {
  comparePathElements,
  deserializePathElement,
  type Path,
  type PathElement,
  pathToString,
  serializePathElement,
} from "./pathelement.js";

const f = (field: string): PathElement => ({ field });
const k = (m: Record<string, string | number>): PathElement => ({
  key: Object.entries(m).sort(([a], [b]) => (a < b ? -1 : 1)),
});
const v = (value: string | number): PathElement => ({ value });
/** A path from `.a.b`-style field names. */
const p = (...pes: (string | PathElement)[]): Path => pes.map((x) => (typeof x === "string" ? f(x) : x));

describe("path elements", () => {
  const cases: [PathElement, string, string][] = [
    [f("image"), "f:image", ".image"],
    [k({ name: "nginx" }), 'k:{"name":"nginx"}', '[name="nginx"]'],
    [
      k({ protocol: "TCP", containerPort: 80 }),
      'k:{"containerPort":80,"protocol":"TCP"}',
      '[containerPort=80,protocol="TCP"]',
    ],
    [v("example.com/finalizer"), 'v:"example.com/finalizer"', '[="example.com/finalizer"]'],
    [v("<b>&"), 'v:"\\u003cb\\u003e\\u0026"', '[="<b>&"]'],
    [{ index: 3 }, "i:3", "[3]"],
  ];
  for (const [pe, serialized, printed] of cases) {
    it(`${serialized} round-trips and prints ${printed}`, () => {
      assert.equal(serializePathElement(pe), serialized);
      assert.deepEqual(deserializePathElement(serialized), pe);
      assert.equal(pathToString([pe]), printed);
    });
  }

  it("orders fields < keys < values < indexes, numbers before strings", () => {
    const sorted = [{ index: 0 }, v("a"), v(2), k({ name: "b" }), k({ name: "a" }), f("z"), f("a")].sort(
      comparePathElements,
    );
    assert.deepEqual(sorted.map(serializePathElement), [
      "f:a",
      "f:z",
      'k:{"name":"a"}',
      'k:{"name":"b"}',
      "v:2",
      'v:"a"',
      "i:0",
    ]);
  });

  it('prints a path as upstream: .spec.containers[name="nginx"].image', () => {
    assert.equal(
      pathToString(p("spec", "containers", k({ name: "nginx" }), "image")),
      '.spec.containers[name="nginx"].image',
    );
  });
});

describe("FieldSet fieldsV1", () => {
  // the brief's example, plus a multi-key list and a set list
  const json = {
    "f:metadata": { "f:finalizers": { 'v:"a"': {} }, "f:labels": { "f:app": {} } },
    "f:spec": {
      "f:containers": {
        'k:{"name":"nginx"}': {
          ".": {},
          "f:image": {},
          "f:ports": { 'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} } },
        },
      },
    },
  };

  it("reads and writes the same JSON, in upstream's order (`.` first)", () => {
    const s = FieldSet.fromFieldsV1(json);
    assert.deepEqual(s.toFieldsV1(), json);
    assert.equal(JSON.stringify(s.toFieldsV1()), JSON.stringify(json));
  });

  it("knows members from the mere parents of members", () => {
    const s = FieldSet.fromFieldsV1(json);
    const c = p("spec", "containers", k({ name: "nginx" }));
    assert.ok(s.has(c));
    assert.ok(s.has([...c, f("image")]));
    assert.ok(!s.has(p("spec", "containers")));
    assert.ok(s.has(p("metadata", "labels", "app")));
    assert.ok(!s.has(p("metadata", "labels")));
    assert.ok(s.has(p("metadata", "finalizers", v("a"))));
  });

  it("lists its paths members first, then children, each in order", () => {
    const s = FieldSet.fromFieldsV1(json);
    assert.deepEqual(s.paths().map(pathToString), [
      '.metadata.finalizers[="a"]',
      ".metadata.labels.app",
      '.spec.containers[name="nginx"]',
      '.spec.containers[name="nginx"].image',
      '.spec.containers[name="nginx"].ports[containerPort=80,protocol="TCP"]',
      '.spec.containers[name="nginx"].ports[containerPort=80,protocol="TCP"].containerPort',
    ]);
  });

  it("drops unknown path element types and reads an empty object as empty", () => {
    assert.deepEqual(FieldSet.fromFieldsV1({ "f:a": {}, "x:b": {} }).toFieldsV1(), { "f:a": {} });
    assert.ok(FieldSet.fromFieldsV1({}).empty());
  });
});

describe("FieldSet operations", () => {
  const s = (...paths: Path[]) => FieldSet.of(...paths);
  const a = p("a");
  const ab = p("a", "b");
  const ac = p("a", "c");
  const d = p("d");
  const cases: [string, FieldSet, Path[]][] = [
    ["union", s(a, ab).union(s(ac, d)), [a, d, ab, ac]],
    ["intersection", s(a, ab, ac).intersection(s(ab, d)), [ab]],
    ["difference", s(a, ab, ac, d).difference(s(ab, d)), [a, ac]],
    // a parent in the other set does not remove its children from a plain difference...
    ["difference keeps children of a removed parent", s(ab, ac).difference(s(a)), [ab, ac]],
    // ...but does from a recursive one (ignored fields)
    ["recursiveDifference", s(ab, ac, d).recursiveDifference(s(a)), [d]],
    ["withPrefix", s(ab, ac, d).withPrefix(f("a")), [p("b"), p("c")]],
  ];
  for (const [name, got, want] of cases) {
    it(name, () => assert.deepEqual(got.paths().map(pathToString), want.map(pathToString)));
  }

  it("leaves its operands alone and compares by content", () => {
    const x = s(a, ab);
    x.union(s(d));
    x.difference(s(a));
    assert.ok(x.equals(s(ab, a)));
    assert.ok(!x.equals(s(a)));
    assert.ok(s().empty());
    assert.ok(!s(ab).empty());
  });
});
