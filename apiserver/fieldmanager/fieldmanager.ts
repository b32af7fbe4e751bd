// kube-apiserver's field manager (k8s.io/apimachinery/pkg/util/managedfields/internal): the layers
// NewDefaultFieldManager stacks, outermost first, as two functions —
//   versionCheck > lastAppliedUpdater > lastAppliedManager > skipNonApplied > capManagers >
//   buildManagerInfo > managedFieldsUpdater > stripMeta > structuredMerge (updater.ts)
// `update` is called on every create, update and non-apply patch, `apply` on apply patches. Pure:
// the caller passes the clock.
import type { KubeObject } from "../../pkg/api/types.js";
import { conflictStatus, type FailureStatus, failureStatus } from "./conflict.js";
import { FieldSet } from "./fieldset.js";
import {
  buildManagerInfo,
  capUpdateManagers,
  decodeManagedFields,
  emptyManaged,
  encodeManagedFields,
  formatTime,
  type Managed,
  type ManagedFieldsEntry,
} from "./managedfields.js";
import { compareStrings, goJson } from "./pathelement.js";
import {
  addedFieldsV1,
  compare,
  dropNulls,
  isObj,
  rootType,
  TypedError,
  type TypeNode,
  toFieldSet,
  validate,
} from "./typed.js";
import { type Conflict, Conflicts, Updater } from "./updater.js";

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface FieldManagerOptions {
  /** "" (the main resource) or the subresource written through, e.g. "status". */
  subresource?: string;
  /** Field paths the strategy resets on this endpoint, never owned (see resetFieldsFor). */
  resetFields?: string[][];
  /** The clock for managedFields[].time. */
  now?: () => Date;
}

export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";

/** Fields no manager owns: type meta and server-set metadata (stripMetaManager). */
const STRIP_SET = FieldSet.of(
  [{ field: "apiVersion" }],
  [{ field: "kind" }],
  [{ field: "metadata" }],
  ...[
    "name",
    "namespace",
    "creationTimestamp",
    "selfLink",
    "uid",
    "clusterName",
    "generation",
    "managedFields",
  ].map((f) => [{ field: "metadata" }, { field: f }]),
  [{ field: "metadata" }, { field: "resourceVersion" }],
);

const BEFORE_FIRST_APPLY = "before-first-apply";
const CURRENT_OPERATION = "current-operation";

/**
 * The fields a strategy resets on an endpoint (GetResetFields): status through the main resource of
 * a kind with a status subresource; spec (and, for pods, deletionTimestamp and ownerReferences)
 * through /status.
 */
export function resetFieldsFor(kind: string, subresource: string, hasStatusSubresource: boolean): string[][] {
  if (subresource === "status") {
    const pod =
      kind === "Pod"
        ? [
            ["metadata", "deletionTimestamp"],
            ["metadata", "ownerReferences"],
          ]
        : [];
    return [["spec"], ...pod];
  }
  if (subresource === "" && hasStatusSubresource) return [["status"]];
  return [];
}

function groupVersion(gvk: GroupVersionKind): string {
  return gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
}

function ignoredSet(opts: FieldManagerOptions): FieldSet {
  return FieldSet.of(...(opts.resetFields ?? []).map((p) => p.map((field) => ({ field }))));
}

/** What every write of a kind through an endpoint needs: its type, its reset fields, an Updater. */
interface KindTypes {
  root: TypeNode;
  ignored: FieldSet;
  updater: Updater;
}

/** KindTypes by kind and reset fields: they hold nothing of a request, and every write needs them. */
const kindTypes = new Map<string, KindTypes>();

function kindTypesFor(gvk: GroupVersionKind, opts: FieldManagerOptions): KindTypes {
  const key = `${gvk.group}/${gvk.kind}|${(opts.resetFields ?? []).map((p) => p.join(".")).join(",")}`;
  let t = kindTypes.get(key);
  if (!t) {
    const root = rootType(gvk.group, gvk.kind);
    const ignored = ignoredSet(opts);
    t = { root, ignored, updater: new Updater(root, ignored) };
    kindTypes.set(key, t);
  }
  return t;
}

/** An object as the typed walks see it: no managedFields, no nulls (it may share subtrees with `obj`). */
function typedValue(obj: KubeObject | undefined): Record<string, unknown> {
  if (!obj) return {};
  const v = { ...(dropNulls(obj) as Record<string, unknown>) };
  if (isObj(v.metadata)) {
    const { managedFields: _, ...meta } = v.metadata;
    v.metadata = meta;
  }
  return v;
}

/** The fields an object (an applied configuration) sets, for its kind (managedFields and type meta included). */
export function fieldSetOf(obj: KubeObject, gvk: GroupVersionKind): FieldSet {
  return toFieldSet(typedValue(obj), rootType(gvk.group, gvk.kind));
}

function withManagedFields<T extends KubeObject>(obj: T, entries: ManagedFieldsEntry[] | undefined): T {
  const out = structuredClone(obj);
  const meta = { ...(out.metadata ?? {}) };
  if (entries) meta.managedFields = entries;
  else delete meta.managedFields;
  out.metadata = meta;
  return out;
}

function stripMeta(m: Managed, id: string): void {
  const vs = m.fields.get(id);
  if (!vs) return;
  const set = vs.set.difference(STRIP_SET);
  if (set.empty()) m.fields.delete(id);
  else m.fields.set(id, { ...vs, set });
}

/** buildManagerInfo > managedFieldsUpdater > stripMeta > structuredMerge, for an Update. */
function updateLayers(
  updater: Updater,
  oldObj: unknown,
  newObj: unknown,
  m: Managed,
  manager: string,
  version: string,
  subresource: string,
  now: () => Date,
): Managed {
  const id = buildManagerInfo(manager, "Update", version, subresource);
  const out: Managed = {
    fields: updater.updateManagers(oldObj, newObj, version, m.fields, CURRENT_OPERATION),
    times: new Map(m.times),
  };
  stripMeta(out, CURRENT_OPERATION);
  const vs = out.fields.get(CURRENT_OPERATION);
  if (vs) {
    // the operation changed something: its fields join the manager's entry, stamped now
    out.fields.delete(CURRENT_OPERATION);
    const previous = out.fields.get(id);
    out.fields.set(id, previous ? { ...vs, set: vs.set.union(previous.set) } : vs);
    out.times.set(id, formatTime(now()));
  }
  return capUpdateManagers(out);
}

function isResetManagedFields(entries: ManagedFieldsEntry[] | undefined): boolean {
  if (entries === undefined || entries === null) return false;
  if (entries.length === 0) return true;
  return entries.length === 1 && isObj(entries[0]) && Object.keys(entries[0]).length === 0;
}

function decodeOrEmpty(entries: ManagedFieldsEntry[] | undefined): Managed {
  try {
    return decodeManagedFields(entries);
  } catch {
    return emptyManaged();
  }
}

/** decodeLiveOrNew: the request's managedFields when it sets them, else the live object's. */
function decodeLiveOrNew(
  oldObj: KubeObject | undefined,
  newObj: KubeObject,
  isSubresource: boolean,
): Managed {
  const live = oldObj?.metadata?.managedFields;
  if (isSubresource) return decodeOrEmpty(live);
  const requested = newObj.metadata?.managedFields;
  if (isResetManagedFields(requested)) return emptyManaged();
  try {
    const m = decodeManagedFields(requested);
    if (m.fields.size > 0) return m;
  } catch {
    // fall back to the live object's
  }
  return decodeOrEmpty(live);
}

/**
 * metadata.managedFields after a create (`oldObj` undefined), update or non-apply patch by `manager`:
 * it takes the fields it changed, other managers lose them. `newObj` is the object about to be
 * stored, decoded and defaulted, before the strategy and mutating admission change it. Objects
 * that exist without managedFields stay untracked until their first apply. Never fails: on an
 * internal error the live object's entries are kept (UpdateNoErrors).
 */
export function update(
  oldObj: KubeObject | undefined,
  newObj: KubeObject,
  manager: string,
  gvk: GroupVersionKind,
  opts: FieldManagerOptions = {},
): ManagedFieldsEntry[] | undefined {
  const subresource = opts.subresource ?? "";
  const managed = decodeLiveOrNew(oldObj, newObj, subresource !== "");
  const exists = Boolean(oldObj?.metadata?.uid);
  if (managed.fields.size === 0 && exists) return undefined; // skipNonApplied: not tracked yet
  try {
    const types = kindTypesFor(gvk, opts);
    if (!oldObj && managed.fields.size === 0) return createdEntries(newObj, manager, gvk, types, opts);
    const updater = types.updater;
    const m = updateLayers(
      updater,
      typedValue(oldObj),
      typedValue(newObj),
      managed,
      manager,
      groupVersion(gvk),
      subresource,
      opts.now ?? (() => new Date()),
    );
    return encodeManagedFields(m);
  } catch {
    return oldObj?.metadata?.managedFields;
  }
}

/**
 * `update` of a create that brings no managedFields of its own, in one walk (the most frequent
 * write): one Update entry owning what the object sets, as updateLayers would make it.
 */
function createdEntries(
  newObj: KubeObject,
  manager: string,
  gvk: GroupVersionKind,
  types: KindTypes,
  opts: FieldManagerOptions,
): ManagedFieldsEntry[] | undefined {
  let value: KubeObject = newObj;
  if (newObj.metadata?.managedFields !== undefined) {
    const { managedFields: _, ...meta } = newObj.metadata;
    value = { ...newObj, metadata: meta };
  }
  const fieldsV1 = addedFieldsV1(value, types.root, types.ignored, STRIP_SET);
  if (!fieldsV1) return undefined;
  const e: ManagedFieldsEntry = {
    manager: manager || "unknown",
    operation: "Update",
    apiVersion: groupVersion(gvk),
    time: formatTime((opts.now ?? (() => new Date()))()),
    fieldsType: "FieldsV1",
    fieldsV1,
  };
  if (opts.subresource) e.subresource = opts.subresource;
  return [e];
}

/** `update`, returning a copy of `newObj` carrying the new managedFields. */
export function updateObject<T extends KubeObject>(
  oldObj: KubeObject | undefined,
  newObj: T,
  manager: string,
  gvk: GroupVersionKind,
  opts: FieldManagerOptions = {},
): T {
  return withManagedFields(newObj, update(oldObj, newObj, manager, gvk, opts));
}

export type ApplyResult =
  | {
      ok: true;
      /** The object to store: live merged with the configuration, pruned, with managedFields. */
      object: KubeObject;
      managedFields: ManagedFieldsEntry[] | undefined;
      /** Whether object differs from the live object (managedFields included). */
      changed: boolean;
    }
  | { ok: false; status: FailureStatus };

class ApplyFailure extends Error {
  constructor(readonly status: FailureStatus) {
    super(status.message);
  }
}

function gvkString(apiVersion: unknown, kind: unknown): string {
  const av = typeof apiVersion === "string" ? apiVersion : "";
  const i = av.lastIndexOf("/");
  const [g, v] = i < 0 ? ["", av] : [av.slice(0, i), av.slice(i + 1)];
  return `${g}/${v}, Kind=${typeof kind === "string" ? kind : ""}`;
}

function objectGVKNN(obj: KubeObject, gvk: GroupVersionKind): string {
  const ns = obj.metadata?.namespace ?? "";
  const name = obj.metadata?.name ?? "";
  return `${ns}/${name}; ${gvk.group}/${gvk.version}, Kind=${gvk.kind}`;
}

interface ApplyCtx {
  live: KubeObject | undefined;
  applied: KubeObject;
  manager: string;
  gvk: GroupVersionKind;
  version: string;
  subresource: string;
  root: TypeNode;
  updater: Updater;
  now: () => Date;
}

/** skipNonApplied > ... > structuredMerge, for an Apply. Throws Conflicts or ApplyFailure. */
function applyLayers(
  ctx: ApplyCtx,
  m0: Managed,
  force: boolean,
): { object: Record<string, unknown>; managed: Managed } {
  const liveTyped = typedValue(ctx.live);
  let m = m0;
  if (m.fields.size === 0) {
    // skipNonApplied: an object nobody tracked so far is owned by "before-first-apply"
    m = updateLayers(
      ctx.updater,
      {},
      liveTyped,
      m,
      BEFORE_FIRST_APPLY,
      ctx.version,
      ctx.subresource,
      ctx.now,
    );
  }
  const id = buildManagerInfo(ctx.manager, "Apply", ctx.version, ctx.subresource);
  // structuredMerge
  if (ctx.applied.metadata?.managedFields !== undefined && ctx.applied.metadata?.managedFields !== null)
    throw new ApplyFailure(failureStatus(400, "BadRequest", "metadata.managedFields must be nil"));
  const config = typedValue(ctx.applied);
  const errors = validate(config, ctx.root);
  if (errors.length)
    throw new ApplyFailure(
      failureStatus(
        500,
        undefined,
        `failed to create typed patch object (${objectGVKNN(ctx.applied, ctx.gvk)}): ${new TypedError(errors).message}`,
      ),
    );
  const r = ctx.updater.apply(liveTyped, config, ctx.version, m.fields, id, force);
  const out: Managed = { fields: r.managers, times: new Map(m.times) };
  stripMeta(out, id);
  // managedFieldsUpdater: the applier's time moves only when the object changed
  if (r.object !== undefined) out.times.set(id, formatTime(ctx.now()));
  return { object: (r.object ?? liveTyped) as Record<string, unknown>, managed: out };
}

/** The fields of the last client-side apply that still hold their applied value in `live`. */
function allowedConflictsFromLastApplied(ctx: ApplyCtx): FieldSet | undefined {
  const raw = ctx.live?.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
  if (!raw) return undefined;
  let last: unknown;
  try {
    last = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isObj(last) || last.apiVersion !== ctx.version) return undefined;
  const lastTyped = typedValue(last as KubeObject);
  if (validate(lastTyped, ctx.root).length) return undefined;
  // fields the last-applied configuration holds with another value than live's are not its any more
  const c = compare(lastTyped, typedValue(ctx.live), ctx.root);
  return toFieldSet(lastTyped, ctx.root).difference(c.modified).difference(c.added).difference(c.removed);
}

/** Go's encoding/json of a map[string]interface{}: keys sorted, compact, HTML-escaped. */
function goJsonSorted(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goJsonSorted).join(",")}]`;
  if (isObj(v))
    return `{${Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort(compareStrings)
      .map((k) => `${goJson(k)}:${goJsonSorted(v[k])}`)
      .join(",")}}`;
  return goJson(v);
}

/** buildLastApplied: the applied configuration without its own annotation, as the annotation. */
function buildLastApplied(applied: KubeObject): string {
  const obj = structuredClone(applied) as Record<string, unknown>;
  const meta = obj.metadata;
  if (isObj(meta) && isObj(meta.annotations)) delete meta.annotations[LAST_APPLIED_ANNOTATION];
  return `${goJsonSorted(obj)}\n`;
}

/**
 * Server-side apply of `applied` (the request body) by `manager` to `live` (undefined: the object is
 * being created). Returns the object to store, or the Status to answer: 409 Conflict naming the
 * fields other managers own (unless `force`), 400 for a configuration of the wrong kind, 500 for one
 * upstream cannot type (duplicate list keys, a list item without its key).
 */
export function apply(
  live: KubeObject | undefined,
  applied: KubeObject,
  manager: string,
  gvk: GroupVersionKind,
  opts: FieldManagerOptions & { force?: boolean } = {},
): ApplyResult {
  const version = groupVersion(gvk);
  const types = kindTypesFor(gvk, opts);
  const ctx: ApplyCtx = {
    live,
    applied,
    manager,
    gvk,
    version,
    subresource: opts.subresource ?? "",
    root: types.root,
    updater: types.updater,
    now: opts.now ?? (() => new Date()),
  };
  let managed: Managed;
  try {
    managed = decodeManagedFields(live?.metadata?.managedFields);
  } catch (e) {
    return {
      ok: false,
      status: failureStatus(500, undefined, `failed to decode managed fields: ${(e as Error).message}`),
    };
  }
  // versionCheck
  if (applied.apiVersion !== version || applied.kind !== gvk.kind)
    return {
      ok: false,
      status: failureStatus(
        400,
        "BadRequest",
        `invalid object type: ${gvkString(applied.apiVersion, applied.kind)}`,
      ),
    };
  try {
    let result: { object: Record<string, unknown>; managed: Managed };
    try {
      result = applyLayers(ctx, managed, opts.force ?? false);
    } catch (e) {
      // lastAppliedManager: kubectl's first server-side apply over a client-side one does not
      // conflict on the fields the last-applied annotation holds with their live values
      if (!(e instanceof Conflicts) || manager !== "kubectl") throw e;
      const allowed = allowedConflictsFromLastApplied(ctx);
      if (!allowed) throw e;
      const rest = e.conflicts.filter((c: Conflict) => !allowed.has(c.path));
      if (rest.length > 0) throw new Conflicts(rest);
      result = applyLayers(ctx, managed, true);
    }
    let object = result.object as KubeObject;
    // lastAppliedUpdater: kubectl's server-side apply keeps an existing annotation in sync
    if (manager === "kubectl" && object.metadata?.annotations?.[LAST_APPLIED_ANNOTATION]) {
      object = structuredClone(object);
      object.metadata = {
        ...object.metadata,
        annotations: {
          ...object.metadata!.annotations,
          [LAST_APPLIED_ANNOTATION]: buildLastApplied(applied),
        },
      };
    }
    const managedFields = encodeManagedFields(result.managed);
    object = withManagedFields(object, managedFields);
    const before = live
      ? withManagedFields(typedValue(live) as KubeObject, live.metadata?.managedFields)
      : undefined;
    return { ok: true, object, managedFields, changed: !before || !sameJson(before, object) };
  } catch (e) {
    if (e instanceof Conflicts) return { ok: false, status: conflictStatus(e.conflicts) };
    if (e instanceof ApplyFailure) return { ok: false, status: e.status };
    const msg =
      e instanceof TypedError
        ? `failed to create typed live object (${objectGVKNN(applied, gvk)}): ${e.message}`
        : String(e);
    return { ok: false, status: failureStatus(500, undefined, msg) };
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return goJsonSorted(a) === goJsonSorted(b);
}
