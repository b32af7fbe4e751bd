// The apply half of k8s.io/apimachinery/pkg/util/strategicpatch (StrategicMergeMapPatch with
// MergeParallelList and IgnoreUnmatchedNulls, as the apiserver runs it), function by function, so
// that list order, directive handling and error texts match. The functions mutate their inputs;
// applyStrategicMergePatch works on deep copies.
import {
  errBadArgType,
  errBadPatchFormatForPrimitiveList,
  errBadPatchFormatForRetainKeys,
  errBadPatchFormatForSetElementOrderList,
  errBadPatchType,
  errNoListOfLists,
  errNoMergeKey,
  goValue,
  MAP_TYPE,
  SLICE_TYPE,
  StrategicMergePatchError,
} from "./errors.js";
import { lookup, type Schema } from "./schema.js";

type JMap = Record<string, unknown>;

const DIRECTIVE_MARKER = "$patch";
const DELETE_DIRECTIVE = "delete";
const REPLACE_DIRECTIVE = "replace";
const MERGE_DIRECTIVE = "merge";
const RETAIN_KEYS_STRATEGY = "retainKeys";
const RETAIN_KEYS_DIRECTIVE = "$retainKeys";
const DELETE_FROM_PRIMITIVE_LIST_PREFIX = "$deleteFromPrimitiveList";
const SET_ELEMENT_ORDER_PREFIX = "$setElementOrder";

/** The Go kind of a JSON value as encoding/json decodes it. */
type Kind = "map" | "slice" | "string" | "number" | "bool" | "nil";

function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return "nil";
  if (Array.isArray(v)) return "slice";
  switch (typeof v) {
    case "string":
      return "string";
    case "number":
      return "number";
    case "boolean":
      return "bool";
    default:
      return "map";
  }
}

function isMap(v: unknown): v is JMap {
  return kindOf(v) === "map";
}

/** mergeMap: merge patch into original (which may be null), honouring directives and patch metadata. */
export function mergeMap(original: JMap | null, patch: JMap, schema: Schema): JMap {
  if (DIRECTIVE_MARKER in patch) return handleDirectiveInMergeMap(patch[DIRECTIVE_MARKER], patch);
  const out = original ?? {};
  applyRetainKeysDirective(out, patch);
  // $setElementOrder lists and the lists they order; merged items are removed from patch
  mergePatchIntoOriginal(out, patch, schema);

  for (const [patchKey, patchV] of Object.entries(patch)) {
    let k = patchKey;
    let isDeleteList = false;
    if (k.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX)) {
      k = extractKey(k, DELETE_FROM_PRIMITIVE_LIST_PREFIX);
      isDeleteList = true;
    }
    // null deletes the key; unmatched nulls are ignored
    if (patchV === null) {
      delete out[k];
      continue;
    }
    if (!(k in out) || kindOf(out[k]) !== kindOf(patchV)) {
      if (!isDeleteList) {
        discardNullValuesFromPatch(patchV);
        const [v, keep] = removeDirectives(patchV);
        if (keep) out[k] = v;
        else delete out[k];
      }
      continue;
    }
    const field = lookup(schema, k);
    const [, patchStrategy] = extractRetainKeysPatchStrategy(field.meta.strategies);
    switch (kindOf(out[k])) {
      case "map":
        out[k] =
          patchStrategy !== REPLACE_DIRECTIVE
            ? mergeMap(out[k] as JMap, patchV as JMap, field.schema)
            : patchV;
        break;
      case "slice":
        out[k] = mergeSliceHandler(
          out[k],
          patchV,
          field.schema,
          patchStrategy,
          field.meta.mergeKey,
          isDeleteList,
          k,
        );
        break;
      default:
        out[k] = patchV;
    }
  }
  return out;
}

/** handleDirectiveInMergeMap: `$patch: replace` keeps the patch itself, `$patch: delete` empties the map. */
function handleDirectiveInMergeMap(directive: unknown, patch: JMap): JMap {
  if (directive === REPLACE_DIRECTIVE) {
    delete patch[DIRECTIVE_MARKER];
    return patch;
  }
  if (directive === DELETE_DIRECTIVE) return {};
  throw errBadPatchType(directive, patch);
}

/** discardNullValuesFromPatch: drop null properties everywhere below v. */
function discardNullValuesFromPatch(v: unknown): void {
  if (isMap(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (x === null) delete v[k];
      else discardNullValuesFromPatch(x);
    }
  } else if (Array.isArray(v)) {
    for (const x of v) discardNullValuesFromPatch(x);
  }
}

/** removeDirectives: drop every map carrying `$patch`; returns the value and whether to keep it. */
function removeDirectives(obj: unknown): [unknown, boolean] {
  if (obj === null || obj === undefined) return [obj, true];
  if (isMap(obj)) {
    if (DIRECTIVE_MARKER in obj) return [null, false];
    for (const [k, v] of Object.entries(obj)) {
      const [nv, keep] = removeDirectives(v);
      if (keep) obj[k] = nv;
      else delete obj[k];
    }
    return [obj, true];
  }
  if (Array.isArray(obj)) {
    const res: unknown[] = [];
    for (const v of obj) {
      const [nv, keep] = removeDirectives(v);
      if (keep) res.push(nv);
    }
    return [res, true];
  }
  return [obj, true];
}

/** extractKey: the field name after "<prefix>/". */
function extractKey(s: string, prefix: string): string {
  const slash = s.indexOf("/");
  if (slash < 0 || s.slice(0, slash) !== prefix) {
    if (prefix === DELETE_FROM_PRIMITIVE_LIST_PREFIX) throw errBadPatchFormatForPrimitiveList();
    if (prefix === SET_ELEMENT_ORDER_PREFIX) throw errBadPatchFormatForSetElementOrderList();
    throw new StrategicMergePatchError(`fail to find unknown prefix "${prefix}" in ${s}`);
  }
  return s.slice(slash + 1);
}

/** extractRetainKeysPatchStrategy: [has retainKeys, the other strategy]. */
function extractRetainKeysPatchStrategy(strategies: string[]): [boolean, string] {
  switch (strategies.length) {
    case 0:
      return [false, ""];
    case 1:
      return strategies[0] === RETAIN_KEYS_STRATEGY ? [true, ""] : [false, strategies[0]];
    case 2:
      if (strategies[0] === RETAIN_KEYS_STRATEGY) return [true, strategies[1]];
      if (strategies[1] === RETAIN_KEYS_STRATEGY) return [true, strategies[0]];
  }
  throw new StrategicMergePatchError(`unexpected patch strategy: [${strategies.join(" ")}]`);
}

/** applyRetainKeysDirective: drop original keys missing from `$retainKeys`; every patched key must be listed. */
function applyRetainKeysDirective(original: JMap, patch: JMap): void {
  if (!(RETAIN_KEYS_DIRECTIVE in patch)) return;
  const list = patch[RETAIN_KEYS_DIRECTIVE];
  delete patch[RETAIN_KEYS_DIRECTIVE];
  if (!Array.isArray(list)) throw errBadPatchFormatForRetainKeys();
  const keep = new Set<unknown>(list);
  for (const [k, v] of Object.entries(patch)) {
    if (
      v === null ||
      k.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX) ||
      k.startsWith(SET_ELEMENT_ORDER_PREFIX)
    )
      continue;
    if (!keep.has(k)) throw errBadPatchFormatForRetainKeys();
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/**
 * mergePatchIntoOriginal: merge each list that has a `$setElementOrder/<field>` and put it in that
 * order ($setElementOrder > order in the patch > order in the live list).
 */
function mergePatchIntoOriginal(original: JMap, patch: JMap, schema: Schema): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER_PREFIX)) continue;
    const setElementOrder = patch[key];
    delete patch[key];
    if (!Array.isArray(setElementOrder)) throw errBadArgType(SLICE_TYPE, setElementOrder);
    const originalKey = extractKey(key, SET_ELEMENT_ORDER_PREFIX);
    const foundOriginal = originalKey in original;
    const foundPatch = originalKey in patch;
    let originalFieldValue: unknown[] = [];
    let patchFieldValue: unknown[] = [];
    if (foundOriginal) {
      if (!Array.isArray(original[originalKey])) throw errBadArgType(SLICE_TYPE, original[originalKey]);
      originalFieldValue = original[originalKey] as unknown[];
    }
    if (foundPatch) {
      if (!Array.isArray(patch[originalKey])) throw errBadArgType(SLICE_TYPE, patch[originalKey]);
      patchFieldValue = patch[originalKey] as unknown[];
    }
    const field = lookup(schema, originalKey);
    const mergeKey = field.meta.mergeKey;
    const [, patchStrategy] = extractRetainKeysPatchStrategy(field.meta.strategies);
    validatePatchWithSetOrderList(patchFieldValue, setElementOrder, mergeKey);

    let merged: unknown[];
    if (foundOriginal && !foundPatch) {
      merged = originalFieldValue;
    } else if (!foundOriginal && foundPatch) {
      merged = removeDirectives(patchFieldValue)[0] as unknown[];
    } else if (foundOriginal && foundPatch) {
      merged = mergeSliceHandler(
        originalFieldValue,
        patchFieldValue,
        field.schema,
        patchStrategy,
        mergeKey,
        false,
        originalKey,
      );
    } else {
      continue;
    }

    const [patchItems, serverOnlyItems] =
      mergeKey === ""
        ? partitionPrimitivesByPresentInList(merged, setElementOrder)
        : partitionMapsByPresentInList(merged, setElementOrder, mergeKey);
    const kind = sliceElementType(originalFieldValue, patchFieldValue);
    // the live list as Go sees it after mergeSlice: deletions shifted it in place and appended
    // items filled the freed slots of the shared backing array (see GoSlice)
    original[originalKey] = normalizeElementOrder(
      patchItems,
      serverOnlyItems,
      setElementOrder,
      originalFieldValue,
      mergeKey,
      kind,
    );
    delete patch[originalKey];
  }
}

/** validatePatchWithSetOrderList: the patch list's items appear in $setElementOrder, in the same order. */
function validatePatchWithSetOrderList(
  patchList: unknown[],
  setOrderList: unknown[],
  mergeKey: string,
): void {
  if (setOrderList.length === 0 || patchList.length === 0) return;
  const nonDeleteList = mergeKey !== "" ? extractToDeleteItems(patchList)[0] : patchList;
  let patchIndex = 0;
  let setOrderIndex = 0;
  while (patchIndex < nonDeleteList.length && setOrderIndex < setOrderList.length) {
    if (containsDirectiveMarker(nonDeleteList[patchIndex])) {
      patchIndex++;
      continue;
    }
    if (mergeKeyValueEqual(nonDeleteList[patchIndex], setOrderList[setOrderIndex], mergeKey)) patchIndex++;
    setOrderIndex++;
  }
  if (patchIndex < nonDeleteList.length && setOrderIndex >= setOrderList.length) {
    throw new StrategicMergePatchError(
      `the order in patch list:\n${goValue(patchList)}\n doesn't match ${SET_ELEMENT_ORDER_PREFIX} list:\n${goValue(setOrderList)}`,
    );
  }
}

function containsDirectiveMarker(item: unknown): boolean {
  return isMap(item) && DIRECTIVE_MARKER in item;
}

function mergeKeyValueEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (mergeKey === "") return left === right;
  if (!isMap(left)) throw errBadArgType(MAP_TYPE, left);
  if (!isMap(right)) throw errBadArgType(MAP_TYPE, right);
  if (!(mergeKey in left)) throw errNoMergeKey(left, mergeKey);
  if (!(mergeKey in right)) throw errNoMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

/** mergeSliceHandler: merge lists with the merge strategy (or a deletion list); replace the others. */
function mergeSliceHandler(
  original: unknown,
  patch: unknown,
  schema: Schema,
  patchStrategy: string,
  mergeKey: string,
  isDeleteList: boolean,
  field: string,
): unknown[] {
  if (!Array.isArray(original)) throw errBadArgType(SLICE_TYPE, original);
  if (!Array.isArray(patch)) throw errBadArgType(SLICE_TYPE, patch);
  if (patchStrategy === MERGE_DIRECTIVE || isDeleteList) {
    return mergeSlice(original, patch, schema, mergeKey, isDeleteList, field);
  }
  return patch;
}

/**
 * A Go slice header over a backing array whose capacity is its length (as the apiserver's
 * unstructured objects are built). mergeSlice shifts and appends through it so that the caller's
 * view of the live list changes exactly as it does in Go, which decides the final list order.
 */
class GoSlice {
  constructor(
    public arr: unknown[],
    public len: number,
  ) {}
  view(): unknown[] {
    return this.arr.slice(0, this.len);
  }
  /** append(s[:i], s[i+1:]...) */
  deleteAt(i: number): void {
    for (let j = i; j < this.len - 1; j++) this.arr[j] = this.arr[j + 1];
    this.len--;
  }
  /** append(s, v): in place while there is room, else on a new backing array. */
  append(v: unknown): void {
    if (this.len >= this.arr.length) this.arr = this.arr.slice(0, this.len);
    this.arr[this.len++] = v;
  }
}

/** mergeSlice: merge two lists by merge key (maps) or as a set (scalars), then restore the order. */
function mergeSlice(
  original: unknown[],
  patchIn: unknown[],
  schema: Schema,
  mergeKey: string,
  isDeleteList: boolean,
  field: string,
): unknown[] {
  if (original.length === 0 && patchIn.length === 0) return original;
  const kind = sliceElementType(original, patchIn);
  if (kind !== "map") {
    if (isDeleteList) return deleteFromSlice(original, patchIn);
    const merged = deduplicateScalars([...original, ...patchIn]);
    const [patchItems, serverOnlyItems] = partitionPrimitivesByPresentInList(merged, patchIn);
    return normalizeElementOrder(patchItems, serverOnlyItems, patchIn, original, mergeKey, kind);
  }
  if (mergeKey === "")
    throw new StrategicMergePatchError(`cannot merge lists without merge key for ${field}`);
  const [live, patch] = mergeSliceWithSpecialElements(
    new GoSlice(original, original.length),
    patchIn,
    mergeKey,
  );
  const merged = mergeSliceWithoutSpecialElements(new GoSlice(live.arr, live.len), patch, mergeKey, schema);
  const [patchItems, serverOnlyItems] = partitionMapsByPresentInList(merged, patch, mergeKey);
  return normalizeElementOrder(patchItems, serverOnlyItems, patch, live.view(), mergeKey, kind);
}

/** mergeSliceWithSpecialElements: apply `$patch: delete` / `$patch: replace` elements of a list of maps. */
function mergeSliceWithSpecialElements(
  original: GoSlice,
  patch: unknown[],
  mergeKey: string,
): [GoSlice, unknown[]] {
  const withoutSpecial: unknown[] = [];
  let replace = false;
  for (const v of patch) {
    const m = v as JMap;
    if (!(DIRECTIVE_MARKER in m)) {
      withoutSpecial.push(v);
      continue;
    }
    const patchType = m[DIRECTIVE_MARKER];
    if (patchType === DELETE_DIRECTIVE) {
      if (!(mergeKey in m)) throw errNoMergeKey(m, mergeKey);
      deleteMatchingEntries(original, mergeKey, m[mergeKey]);
    } else if (patchType === REPLACE_DIRECTIVE) {
      replace = true; // keep going to prune the other $patch elements
    } else if (patchType === MERGE_DIRECTIVE) {
      throw new StrategicMergePatchError("merging lists cannot yet be specified in the patch");
    } else {
      throw errBadPatchType(patchType, m);
    }
  }
  if (replace) return [new GoSlice(withoutSpecial, withoutSpecial.length), []];
  return [original, withoutSpecial];
}

function deleteMatchingEntries(original: GoSlice, mergeKey: string, mergeValue: unknown): void {
  for (;;) {
    const [, i, found] = findMapInSliceBasedOnKeyValue(original.view(), mergeKey, mergeValue);
    if (!found) return;
    original.deleteAt(i);
  }
}

/** mergeSliceWithoutSpecialElements: merge each patch element into the live one with its key, or append it. */
function mergeSliceWithoutSpecialElements(
  original: GoSlice,
  patch: unknown[],
  mergeKey: string,
  schema: Schema,
): unknown[] {
  for (const v of patch) {
    const m = v as JMap;
    if (!(mergeKey in m)) throw errNoMergeKey(m, mergeKey);
    const [live, i, found] = findMapInSliceBasedOnKeyValue(original.view(), mergeKey, m[mergeKey]);
    if (found) original.arr[i] = mergeMap(live, m, schema);
    else original.append(v);
  }
  return original.view();
}

/** deleteFromSlice: the scalars of current not listed in toDelete. */
function deleteFromSlice(current: unknown[], toDelete: unknown[]): unknown[] {
  const del = new Set(toDelete);
  return current.filter((v) => !del.has(v));
}

function findMapInSliceBasedOnKeyValue(
  m: unknown[],
  key: string,
  value: unknown,
): [JMap | null, number, boolean] {
  for (let i = 0; i < m.length; i++) {
    const v = m[i];
    if (!isMap(v)) throw new StrategicMergePatchError(`value for key ${i} is not a map`);
    if (key in v && v[key] === value) return [v, i, true];
  }
  return [null, 0, false];
}

function partitionPrimitivesByPresentInList(
  original: unknown[],
  partitionBy: unknown[],
): [unknown[], unknown[]] {
  const inPatch = new Set(partitionBy);
  const patch: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of original) (inPatch.has(v) ? patch : serverOnly).push(v);
  return [patch, serverOnly];
}

function partitionMapsByPresentInList(
  original: unknown[],
  partitionBy: unknown[],
  mergeKey: string,
): [unknown[], unknown[]] {
  const patch: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of original) {
    if (!isMap(v)) throw errBadArgType(MAP_TYPE, v);
    if (!(mergeKey in v)) throw errNoMergeKey(v, mergeKey);
    const [, , found] = findMapInSliceBasedOnKeyValue(partitionBy, mergeKey, v[mergeKey]);
    (found ? patch : serverOnly).push(v);
  }
  return [patch, serverOnly];
}

/** normalizeElementOrder: sort patch items by patchOrder, server-only items by serverOrder, interleave. */
function normalizeElementOrder(
  patch: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: Kind,
): unknown[] {
  const p = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(s, p, serverOrder, mergeKey, kind);
}

/**
 * mergeSortedSlice: insert the server-only items (left) among the patch items (right), each before
 * the first patch item that follows it in the live list.
 */
function mergeSortedSlice(
  left: unknown[],
  right: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: Kind,
): unknown[] {
  const s: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const li = index(serverOrder, left[i], mergeKey, kind);
    const ri = index(serverOrder, right[j], mergeKey, kind);
    if (li >= 0 && ri >= 0 && li < ri) s.push(left[i++]);
    else s.push(right[j++]);
  }
  return [...s, ...left.slice(i), ...right.slice(j)];
}

/** index of an item in l: by merge key value for maps, by value for scalars; -1 when absent. */
function index(l: unknown[], val: unknown, mergeKey: string, kind: Kind): number {
  const get = (item: unknown) => (kind === "map" ? (isMap(item) ? item[mergeKey] : null) : item);
  const want = get(val);
  for (let i = 0; i < l.length; i++) if (get(l[i]) === want) return i;
  return -1;
}

/** extractToDeleteItems: [items to keep, `$patch: delete` items]. */
function extractToDeleteItems(l: unknown[]): [unknown[], unknown[]] {
  const nonDelete: unknown[] = [];
  const toDelete: unknown[] = [];
  for (const v of l) {
    if (!isMap(v)) throw errBadArgType(MAP_TYPE, v);
    (v[DIRECTIVE_MARKER] === DELETE_DIRECTIVE ? toDelete : nonDelete).push(v);
  }
  return [nonDelete, toDelete];
}

/**
 * normalizeSliceOrder: sort by position in order (Go's sort.SliceStable, whose insertion sort is
 * reproduced so that items missing from order land where Go puts them); deletions go last.
 */
function normalizeSliceOrder(toSortIn: unknown[], order: unknown[], mergeKey: string, kind: Kind): unknown[] {
  let toSort = [...toSortIn];
  let toDelete: unknown[] = [];
  if (kind === "map") {
    for (const list of [toSortIn, order]) {
      for (const item of list) {
        if (!isMap(item)) throw errBadArgType(MAP_TYPE, item);
        if (!(mergeKey in item)) throw errNoMergeKey(item, mergeKey);
      }
    }
    [toSort, toDelete] = extractToDeleteItems(toSort);
  }
  const less = (a: unknown, b: unknown) => {
    const ia = index(order, a, mergeKey, kind);
    if (ia >= 0) {
      const ib = index(order, b, mergeKey, kind);
      if (ib >= 0) return ia < ib;
    }
    return true;
  };
  for (let i = 1; i < toSort.length; i++) {
    for (let j = i; j > 0 && less(toSort[j], toSort[j - 1]); j--) {
      [toSort[j], toSort[j - 1]] = [toSort[j - 1], toSort[j]];
    }
  }
  return [...toSort, ...toDelete];
}

/** deduplicateScalars: the first occurrence of each scalar (the order is normalized afterwards). */
function deduplicateScalars(s: unknown[]): unknown[] {
  return [...new Set(s)];
}

/** sliceElementType: the common kind of the elements of the lists (no lists of lists, no mixing). */
function sliceElementType(...slices: unknown[][]): Kind {
  let prev: Kind | undefined;
  for (const s of slices) {
    for (const v of s) {
      const t = kindOf(v);
      if (prev === undefined) {
        prev = t;
        if (t === "slice") throw errNoListOfLists();
      } else if (prev !== t) {
        throw new StrategicMergePatchError(`list element types are not identical: ${goValue(slices)}`);
      }
    }
  }
  if (prev === undefined) throw new StrategicMergePatchError("no elements in any of the given slices");
  return prev;
}
