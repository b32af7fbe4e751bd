import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { StrategicMergePatchError } from "./errors.js";
import { strategicMergePatch } from "./index.js";
import type { Field, Schema } from "./schema.js";

// The MergeItem test type of apimachinery's strategicpatch tests, with its struct tags.
const none = { strategies: [], mergeKey: "" };
const mergeItem: Schema = { fields: {} };
const retainKeysMergeItem: Schema = {
  fields: {
    mergingIntList: { schema: {}, meta: { strategies: ["merge"], mergeKey: "" } },
    mergingList: { schema: mergeItem, meta: { strategies: ["merge"], mergeKey: "name" } },
    nonMergingList: { schema: mergeItem, meta: none },
  },
};
Object.assign(mergeItem.fields as Record<string, Field>, {
  mergingList: { schema: mergeItem, meta: { strategies: ["merge"], mergeKey: "name" } },
  nonMergingList: { schema: mergeItem, meta: none },
  mergingIntList: { schema: {}, meta: { strategies: ["merge"], mergeKey: "" } },
  nonMergingIntList: { schema: {}, meta: none },
  mergeItemPtr: { schema: mergeItem, meta: { strategies: ["merge"], mergeKey: "name" } },
  replacingItem: { schema: {}, meta: { strategies: ["replace"], mergeKey: "" } },
  retainKeysMap: { schema: retainKeysMergeItem, meta: { strategies: ["retainKeys"], mergeKey: "" } },
  retainKeysMergingList: {
    schema: mergeItem,
    meta: { strategies: ["merge", "retainKeys"], mergeKey: "name" },
  },
});

interface Fixture {
  description: string;
  original: unknown;
  twoWay: unknown;
  modified: unknown;
  twoWayResult?: unknown;
  current: unknown;
  threeWay: unknown;
  result: unknown;
}

// Apply cases from k8s.io/apimachinery pkg/util/strategicpatch/patch_test.go
// (strategicMergePatchRawTestCases): the two-way patch applied to `original` gives `twoWayResult`
// (else `modified`); the three-way patch applied to `current` gives `result`. Order matters.
const fixtures = parse(`
- description: nested patch merge with empty list
  original: {name: hi}
  current: {name: hi, mergingList: [{name: hello2}]}
  modified: {name: hi, mergingList: [{name: hello}, {$patch: delete, name: doesntexist}]}
  twoWay: {mergingList: [{name: hello}, {$patch: delete, name: doesntexist}]}
  threeWay: {$setElementOrder/mergingList: [{name: hello}, {name: doesntexist}], mergingList: [{name: hello}]}
  twoWayResult: {name: hi, mergingList: [{name: hello}]}
  result: {name: hi, mergingList: [{name: hello}, {name: hello2}]}
- description: delete items in lists of scalars
  original: {mergingIntList: [1, 2, 3]}
  twoWay: {$setElementOrder/mergingIntList: [1, 2], $deleteFromPrimitiveList/mergingIntList: [3]}
  modified: {mergingIntList: [1, 2]}
  current: {mergingIntList: [1, 2, 3, 4]}
  threeWay: {$setElementOrder/mergingIntList: [1, 2], $deleteFromPrimitiveList/mergingIntList: [3]}
  result: {mergingIntList: [1, 2, 4]}
- description: delete all duplicate items in lists of scalars
  original: {mergingIntList: [1, 2, 3, 3]}
  twoWay: {$setElementOrder/mergingIntList: [1, 2], $deleteFromPrimitiveList/mergingIntList: [3]}
  modified: {mergingIntList: [1, 2]}
  current: {mergingIntList: [1, 2, 3, 3, 4]}
  threeWay: {$setElementOrder/mergingIntList: [1, 2], $deleteFromPrimitiveList/mergingIntList: [3]}
  result: {mergingIntList: [1, 2, 4]}
- description: add and delete items in lists of scalars
  original: {mergingIntList: [1, 2, 3]}
  twoWay: {$setElementOrder/mergingIntList: [1, 2, 4], $deleteFromPrimitiveList/mergingIntList: [3], mergingIntList: [4]}
  modified: {mergingIntList: [1, 2, 4]}
  current: {mergingIntList: [1, 2, 3, 4]}
  threeWay: {$setElementOrder/mergingIntList: [1, 2, 4], $deleteFromPrimitiveList/mergingIntList: [3]}
  result: {mergingIntList: [1, 2, 4]}
- description: merge lists of maps
  original: {mergingList: [{name: 1}, {name: 2, value: 2}]}
  twoWay:
    $setElementOrder/mergingList: [{name: 4}, {name: 1}, {name: 2}, {name: 3}]
    mergingList: [{name: 4, value: 4}, {name: 3, value: 3}]
  modified: {mergingList: [{name: 4, value: 4}, {name: 1}, {name: 2, value: 2}, {name: 3, value: 3}]}
  current: {mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}]}
  threeWay:
    $setElementOrder/mergingList: [{name: 4}, {name: 1}, {name: 2}, {name: 3}]
    mergingList: [{name: 4, value: 4}, {name: 3, value: 3}]
  result: {mergingList: [{name: 4, value: 4}, {name: 1, other: a}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]}
- description: merge lists of maps with conflict
  original: {mergingList: [{name: 1}, {name: 2, value: 2}]}
  twoWay: {$setElementOrder/mergingList: [{name: 1}, {name: 2}, {name: 3}], mergingList: [{name: 3, value: 3}]}
  modified: {mergingList: [{name: 1}, {name: 2, value: 2}, {name: 3, value: 3}]}
  current: {mergingList: [{name: 1, other: a}, {name: 2, value: 3, other: b}]}
  threeWay:
    $setElementOrder/mergingList: [{name: 1}, {name: 2}, {name: 3}]
    mergingList: [{name: 2, value: 2}, {name: 3, value: 3}]
  result: {mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]}
- description: add field to map in merging list with conflict
  original: {mergingList: [{name: 1}, {name: 2, value: 2}]}
  twoWay: {$setElementOrder/mergingList: [{name: 1}, {name: 2}], mergingList: [{name: 1, value: 1}]}
  modified: {mergingList: [{name: 1, value: 1}, {name: 2, value: 2}]}
  current: {mergingList: [{name: 1, other: a}, {name: 3, value: 2, other: b}]}
  threeWay:
    $setElementOrder/mergingList: [{name: 1}, {name: 2}]
    mergingList: [{name: 1, value: 1}, {name: 2, value: 2}]
  result: {mergingList: [{name: 1, value: 1, other: a}, {name: 2, value: 2}, {name: 3, value: 2, other: b}]}
- description: add an item that already exists in current object in merging list
  original: {mergingList: [{name: 1, value: a}, {name: 2}]}
  twoWay: {$setElementOrder/mergingList: [{name: 1}, {name: 2}, {name: 3}], mergingList: [{name: 3}]}
  modified: {mergingList: [{name: 1, value: a}, {name: 2}, {name: 3}]}
  current: {mergingList: [{name: 1, value: a, other: x}, {name: 2}, {name: 3}]}
  threeWay: {}
  result: {mergingList: [{name: 1, value: a, other: x}, {name: 2}, {name: 3}]}
- description: replace map field value in merging list with conflict
  original: {mergingList: [{name: 1, value: 1}, {name: 2, value: 2}]}
  twoWay: {$setElementOrder/mergingList: [{name: 1}, {name: 2}], mergingList: [{name: 1, value: a}]}
  modified: {mergingList: [{name: 1, value: a}, {name: 2, value: 2}]}
  current: {mergingList: [{name: 1, value: 3, other: a}, {name: 2, value: 2, other: b}]}
  threeWay: {$setElementOrder/mergingList: [{name: 1}, {name: 2}], mergingList: [{name: 1, value: a}]}
  result: {mergingList: [{name: 1, value: a, other: a}, {name: 2, value: 2, other: b}]}
- description: delete map from merging list with conflict
  original: {mergingList: [{name: 1}, {name: 2}]}
  twoWay: {$setElementOrder/mergingList: [{name: 2}], mergingList: [{name: 1, $patch: delete}]}
  modified: {mergingList: [{name: 2}]}
  current: {mergingList: [{name: 1, other: a}, {name: 2, other: b}]}
  threeWay: {$setElementOrder/mergingList: [{name: 2}], mergingList: [{name: 1, $patch: delete}]}
  result: {mergingList: [{name: 2, other: b}]}
- description: delete missing map from merging list with conflict
  original: {mergingList: [{name: 1}, {name: 2}]}
  twoWay: {$setElementOrder/mergingList: [{name: 2}], mergingList: [{name: 1, $patch: delete}]}
  modified: {mergingList: [{name: 2}]}
  current: {mergingList: [{name: 3, other: a}]}
  threeWay: {$setElementOrder/mergingList: [{name: 2}], mergingList: [{name: 2}, {name: 1, $patch: delete}]}
  result: {mergingList: [{name: 2}, {name: 3, other: a}]}
- description: add map and delete map from merging list
  original: {mergingList: [{name: 1}, {name: 2}]}
  twoWay: {$setElementOrder/mergingList: [{name: 2}, {name: 3}], mergingList: [{name: 3}, {name: 1, $patch: delete}]}
  modified: {mergingList: [{name: 2}, {name: 3}]}
  current: {mergingList: [{name: 1}, {name: 2, other: b}, {name: 4, other: c}]}
  threeWay: {$setElementOrder/mergingList: [{name: 2}, {name: 3}], mergingList: [{name: 3}, {name: 1, $patch: delete}]}
  result: {mergingList: [{name: 2, other: b}, {name: 4, other: c}, {name: 3}]}
- description: retainKeys map changes a field in a nested map with conflict
  original: {retainKeysMap: {name: foo, value: bar, simpleMap: {key1: old, key2: b}}}
  current: {retainKeysMap: {name: foo, value: bar, simpleMap: {key1: new, key2: b, key3: c}}}
  modified: {retainKeysMap: {name: foo, value: bar, simpleMap: {key1: modified, key2: b}}}
  twoWay: {retainKeysMap: {$retainKeys: [name, simpleMap, value], simpleMap: {key1: modified}}}
  threeWay: {retainKeysMap: {$retainKeys: [name, simpleMap, value], simpleMap: {key1: modified}}}
  result: {retainKeysMap: {name: foo, value: bar, simpleMap: {key1: modified, key2: b, key3: c}}}
- description: retainKeys map replaces non-merging list
  original: {retainKeysMap: {name: foo, value: bar, nonMergingList: [{name: a}, {name: b}]}}
  current: {retainKeysMap: {name: foo, value: bar, nonMergingList: [{name: a}, {name: b}]}}
  modified: {retainKeysMap: {name: foo, value: bar, nonMergingList: [{name: a}, {name: c}, {name: b}]}}
  twoWay: {retainKeysMap: {$retainKeys: [name, nonMergingList, value], nonMergingList: [{name: a}, {name: c}, {name: b}]}}
  threeWay: {retainKeysMap: {$retainKeys: [name, nonMergingList, value], nonMergingList: [{name: a}, {name: c}, {name: b}]}}
  result: {retainKeysMap: {name: foo, value: bar, nonMergingList: [{name: a}, {name: c}, {name: b}]}}
- description: retainKeys map delete nested non-merging list with conflict
  original: {retainKeysMap: {name: foo, nonMergingList: [{name: a}, {name: b}]}}
  current: {retainKeysMap: {name: foo, nonMergingList: [{name: a}, {name: b}, {name: c}]}}
  modified: {retainKeysMap: {name: foo, value: bar}}
  twoWay: {retainKeysMap: {$retainKeys: [name, value], value: bar, nonMergingList: null}}
  threeWay: {retainKeysMap: {$retainKeys: [name, value], value: bar, nonMergingList: null}}
  result: {retainKeysMap: {name: foo, value: bar}}
- description: retainKeys map nested merging int list with no change
  original: {retainKeysMap: {name: foo, mergingIntList: [1, 2]}}
  current: {retainKeysMap: {name: foo, mergingIntList: [1, 2, 3]}}
  modified: {retainKeysMap: {name: foo, value: bar, mergingIntList: [1, 2]}}
  twoWay: {retainKeysMap: {$retainKeys: [mergingIntList, name, value], value: bar}}
  threeWay: {retainKeysMap: {$retainKeys: [mergingIntList, name, value], $setElementOrder/mergingIntList: [1, 2], value: bar}}
  result: {retainKeysMap: {name: foo, value: bar, mergingIntList: [1, 2, 3]}}
- description: retainKeys map adds an item in nested merging int list
  original: {retainKeysMap: {name: foo, mergingIntList: [1, 2]}}
  current: {retainKeysMap: {name: foo, mergingIntList: [1, 2, 3]}}
  modified: {retainKeysMap: {name: foo, mergingIntList: [1, 2, 4]}}
  twoWay: {retainKeysMap: {$setElementOrder/mergingIntList: [1, 2, 4], $retainKeys: [mergingIntList, name], mergingIntList: [4]}}
  threeWay: {retainKeysMap: {$setElementOrder/mergingIntList: [1, 2, 4], $retainKeys: [mergingIntList, name], mergingIntList: [4]}}
  result: {retainKeysMap: {name: foo, mergingIntList: [1, 2, 4, 3]}}
- description: retainKeys map adds an item and deletes an item in nested merging int list
  original: {retainKeysMap: {name: foo, mergingIntList: [1, 2, 3]}}
  current: {retainKeysMap: {name: foo, mergingIntList: [1, 2, 3, 4]}}
  modified: {retainKeysMap: {name: foo, mergingIntList: [1, 3, 5]}}
  twoWay:
    retainKeysMap: {$retainKeys: [mergingIntList, name], mergingIntList: [5], $deleteFromPrimitiveList/mergingIntList: [2], $setElementOrder/mergingIntList: [1, 3, 5]}
  threeWay:
    retainKeysMap: {$retainKeys: [mergingIntList, name], mergingIntList: [5], $deleteFromPrimitiveList/mergingIntList: [2], $setElementOrder/mergingIntList: [1, 3, 5]}
  result: {retainKeysMap: {name: foo, mergingIntList: [1, 3, 5, 4]}}
- description: retainKeys map adds an item in nested merging list
  original: {retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b}]}}
  current: {retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b}, {name: x}]}}
  modified: {retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b}, {name: c}]}}
  twoWay:
    retainKeysMap: {$retainKeys: [mergingList, name], $setElementOrder/mergingList: [{name: a}, {name: b}, {name: c}], mergingList: [{name: c}]}
  threeWay:
    retainKeysMap: {$retainKeys: [mergingList, name], $setElementOrder/mergingList: [{name: a}, {name: b}, {name: c}], mergingList: [{name: c}]}
  result: {retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b}, {name: c}, {name: x}]}}
- description: retainKeys map changes an item in nested merging list
  original: {retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b, value: foo}]}}
  current: {retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b, value: foo}, {name: x}]}}
  modified: {retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b, value: bar}]}}
  twoWay:
    retainKeysMap: {$retainKeys: [mergingList, name], $setElementOrder/mergingList: [{name: a}, {name: b}], mergingList: [{name: b, value: bar}]}
  threeWay:
    retainKeysMap: {$retainKeys: [mergingList, name], $setElementOrder/mergingList: [{name: a}, {name: b}], mergingList: [{name: b, value: bar}]}
  result: {retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b, value: bar}, {name: x}]}}
- description: retainKeys map deletes an item in nested merging list
  original: {retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b}]}}
  current: {retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b}, {name: x}]}}
  modified: {retainKeysMap: {name: foo, mergingList: [{name: a}]}}
  twoWay:
    retainKeysMap: {$retainKeys: [mergingList, name], $setElementOrder/mergingList: [{name: a}], mergingList: [{name: b, $patch: delete}]}
  threeWay:
    retainKeysMap: {$retainKeys: [mergingList, name], $setElementOrder/mergingList: [{name: a}], mergingList: [{name: b, $patch: delete}]}
  result: {retainKeysMap: {name: foo, mergingList: [{name: a}, {name: x}]}}
`) as Fixture[];

describe("upstream apply fixtures (MergeItem)", () => {
  for (const f of fixtures) {
    it(`${f.description}: two-way`, () => {
      assert.deepEqual(strategicMergePatch(f.original, f.twoWay, mergeItem), f.twoWayResult ?? f.modified);
    });
    it(`${f.description}: three-way`, () => {
      assert.deepEqual(strategicMergePatch(f.current, f.threeWay, mergeItem), f.result);
    });
  }
});

describe("directives and edge cases (MergeItem)", () => {
  const apply = (original: string, patch: string) =>
    strategicMergePatch(parse(original), parse(patch), mergeItem);
  const cases: [string, string, string, string][] = [
    ["null deletes a key", "{name: a, value: b}", "{value: null}", "{name: a}"],
    [
      "unmatched nulls are ignored",
      "{name: a}",
      "{value: null, simpleMap: {x: null, y: '1'}}",
      "{name: a, simpleMap: {y: '1'}}",
    ],
    [
      "maps merge recursively",
      "{simpleMap: {a: '1', b: '2'}}",
      "{simpleMap: {b: '3', c: '4'}}",
      "{simpleMap: {a: '1', b: '3', c: '4'}}",
    ],
    [
      "$patch: replace on a map",
      "{mergeItemPtr: {name: a, value: b}}",
      "{mergeItemPtr: {$patch: replace, name: c}}",
      "{mergeItemPtr: {name: c}}",
    ],
    [
      "$patch: delete on a map empties it",
      "{mergeItemPtr: {name: a, value: b}}",
      "{mergeItemPtr: {$patch: delete}}",
      "{mergeItemPtr: {}}",
    ],
    [
      "$patch: delete on a missing map drops the key",
      "{name: x}",
      "{mergeItemPtr: {$patch: delete}}",
      "{name: x}",
    ],
    [
      "$patch: replace on the whole object",
      "{name: a, value: b}",
      "{$patch: replace, other: c}",
      "{other: c}",
    ],
    [
      "$patch: replace in a merging list",
      "{mergingList: [{name: a}, {name: b}]}",
      "{mergingList: [{name: c, value: x}, {$patch: replace}]}",
      "{mergingList: [{name: c, value: x}]}",
    ],
    [
      "non-merging lists are replaced",
      "{nonMergingList: [{name: a}, {name: b}]}",
      "{nonMergingList: [{name: c}]}",
      "{nonMergingList: [{name: c}]}",
    ],
    [
      "merging int lists are unions",
      "{mergingIntList: [1, 2]}",
      "{mergingIntList: [2, 3]}",
      "{mergingIntList: [1, 2, 3]}",
    ],
    [
      "strategy replace on a struct field",
      "{replacingItem: {a: 1, b: 2}}",
      "{replacingItem: {c: 3}}",
      "{replacingItem: {c: 3}}",
    ],
    [
      "a new list loses its directive elements",
      "{}",
      "{mergingList: [{name: a}, {name: b, $patch: delete}]}",
      "{mergingList: [{name: a}]}",
    ],
    ["a type change replaces the value", "{name: a}", "{name: [1]}", "{name: [1]}"],
    [
      "deleting from a missing primitive list is a no-op",
      "{name: a}",
      "{$deleteFromPrimitiveList/mergingIntList: [1]}",
      "{name: a}",
    ],
    [
      "retainKeys on a merging list element",
      "{retainKeysMergingList: [{name: a, value: x, other: y}]}",
      "{retainKeysMergingList: [{$retainKeys: [name, other], name: a, other: z}]}",
      "{retainKeysMergingList: [{name: a, other: z}]}",
    ],
  ];
  for (const [what, original, patch, want] of cases) {
    it(what, () => assert.deepEqual(apply(original, patch), parse(want)));
  }

  const errors: [string, string, string, RegExp, string][] = [
    [
      "unknown $patch on a map",
      "{name: a}",
      "{$patch: merge}",
      /^unknown patch type: merge in map: map\[\$patch:merge\]$/,
      "InternalError",
    ],
    [
      "$patch: merge in a list",
      "{mergingList: [{name: a}]}",
      "{mergingList: [{$patch: merge}]}",
      /^merging lists cannot yet be specified in the patch$/,
      "InternalError",
    ],
    [
      "merge key missing",
      "{mergingList: [{name: a}]}",
      "{mergingList: [{value: b}]}",
      /^map: map\[value:b\] does not contain declared merge key: name$/,
      "InternalError",
    ],
    [
      "$retainKeys not a list",
      "{retainKeysMap: {name: a}}",
      "{retainKeysMap: {$retainKeys: name}}",
      /^invalid patch format of retainKeys$/,
      "BadRequest",
    ],
    [
      "patched key missing from $retainKeys",
      "{retainKeysMap: {name: a}}",
      "{retainKeysMap: {$retainKeys: [name], value: b}}",
      /^invalid patch format of retainKeys$/,
      "BadRequest",
    ],
    [
      "$setElementOrder without a field",
      "{name: a}",
      "{$setElementOrder: [1]}",
      /^invalid patch format of setElementOrder list$/,
      "BadRequest",
    ],
    [
      "$deleteFromPrimitiveList without a field",
      "{name: a}",
      "{$deleteFromPrimitiveList: [1]}",
      /^invalid patch format of primitive list$/,
      "BadRequest",
    ],
    [
      "lists of lists",
      "{mergingIntList: [[1]]}",
      "{mergingIntList: [[2]]}",
      /^lists of lists are not supported$/,
      "Invalid",
    ],
    [
      "mixed element types",
      "{mergingIntList: [1]}",
      "{mergingIntList: [a]}",
      /^list element types are not identical: \[\[1\] \[a\]\]$/,
      "InternalError",
    ],
    [
      "patch order not in $setElementOrder",
      "{mergingList: [{name: a}]}",
      "{$setElementOrder/mergingList: [{name: a}], mergingList: [{name: b}]}",
      /^the order in patch list:\n\[map\[name:b\]\]\n doesn't match \$setElementOrder list:\n\[map\[name:a\]\]$/,
      "InternalError",
    ],
  ];
  for (const [what, original, patch, message, reason] of errors) {
    it(`error: ${what}`, () => {
      assert.throws(
        () => apply(original, patch),
        (e: unknown) =>
          e instanceof StrategicMergePatchError && message.test(e.message) && e.reason === reason,
      );
    });
  }

  it("a non-object patch is a BadRequest; null is an empty patch", () => {
    assert.throws(
      () => strategicMergePatch({}, [1], mergeItem),
      (e: unknown) =>
        e instanceof StrategicMergePatchError &&
        e.code === 400 &&
        e.message === "json: cannot unmarshal array into Go value of type map[string]interface {}",
    );
    assert.deepEqual(strategicMergePatch({ name: "a" }, null, mergeItem), { name: "a" });
  });

  it("does not modify its arguments", () => {
    const original = { mergingList: [{ name: "a", value: "1" }] };
    const patch = {
      mergingList: [
        { name: "a", value: "2" },
        { name: "b", $patch: "delete" },
      ],
    };
    const o = structuredClone(original);
    const p = structuredClone(patch);
    strategicMergePatch(original, patch, mergeItem);
    assert.deepEqual(original, o);
    assert.deepEqual(patch, p);
  });
});
