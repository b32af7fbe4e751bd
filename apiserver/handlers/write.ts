// POST, PUT, PATCH, DELETE and deletecollection for every resource, through one create path and one
// optimistic-concurrency update loop (Kubernetes' GuaranteedUpdate), with admission in both.
import type { KubeObject, StoredObject } from "../../pkg/api/types.js";
import { mergeExtras, noExtras, type TxnExtras } from "../admission/types.js";
import {
  alignWithLive,
  apply,
  endpointOptions,
  type ManagedFieldsEntry,
  update,
  type WriteVerb,
  writeManagerOf,
} from "../fieldmanager/index.js";
import { checkFieldTypes, checkUnknownFields, zeroNulls } from "../openapi/field-validation.js";
import { toServedVersion, toStorageVersion } from "../registry/conversion.js";
import {
  generateName,
  metaOf,
  prepareForCreate,
  prepareForUpdate,
  validatePathSegmentName,
} from "../registry/strategy.js";
import { objectKey } from "../storage/keys.js";
import { decodeStored } from "../watchcache/cache.js";
import { buildPredicate } from "./filter.js";
import { decodeObjectBody, readBody } from "./negotiation.js";
import { applyPatch, decodeApplyConfiguration, patchTypeOf } from "./patch.js";
import { respondObject } from "./read.js";
import { writeJson } from "./response.js";
import type { ApiContext, RequestScope } from "./scope.js";
import {
  ApiError,
  alreadyExists,
  badRequest,
  conflict,
  internalError,
  invalid,
  notFound,
  success,
} from "./status.js";

const MAX_UPDATE_RETRIES = 10;
/** Resources where PUT of a missing object creates it (AllowCreateOnUpdate in their strategies). */
const CREATE_ON_UPDATE = new Set(["endpoints", "events", "leases", "endpointslices"]);

export function stripForStorage(obj: StoredObject): string {
  const { resourceVersion: _rv, ...meta } = obj.metadata;
  return JSON.stringify({ ...obj, metadata: meta });
}

function withRv(obj: StoredObject, rv: number): StoredObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } };
}

/** Checks kind/apiVersion of a body against the endpoint, and fills them in when missing. */
/** The JSON type name Go's encoding/json uses in its unmarshal errors. */
function goJsonType(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (typeof v === "boolean") return "bool";
  return typeof v === "number" ? "number" : "object";
}

export function checkTypeMeta(
  scope: RequestScope,
  body: KubeObject,
  expectedKind = scope.served.def.kind,
): void {
  const apiVersion = scope.info.subresource === "scale" ? "autoscaling/v1" : scope.served.apiVersion;
  for (const field of ["apiVersion", "kind"] as const) {
    const v: unknown = body[field];
    if (v === null) delete body[field];
    else if (v !== undefined && typeof v !== "string") {
      throw badRequest(
        `couldn't get version/kind; json parse error: json: cannot unmarshal ${goJsonType(v)} into Go struct field .${field} of type string`,
      );
    }
  }
  if (body.apiVersion !== undefined && body.apiVersion !== "" && body.apiVersion !== apiVersion) {
    const other = body.apiVersion;
    const sameGroup =
      other.split("/").length === apiVersion.split("/").length &&
      other.split("/")[0] === apiVersion.split("/")[0];
    if (!(sameGroup && body.kind === expectedKind)) {
      throw badRequest(
        `the API version in the data (${other}) does not match the expected API version (${apiVersion})`,
      );
    }
  }
  if (body.kind !== undefined && body.kind !== "" && body.kind !== expectedKind) {
    throw badRequest(
      `${body.kind} in version "${apiVersion.split("/").pop()}" cannot be handled as a ${expectedKind}: no kind "${body.kind}" is registered for version "${apiVersion}"`,
    );
  }
  body.apiVersion = body.apiVersion || apiVersion;
  body.kind = expectedKind;
}

function dryRunOf(q: URLSearchParams): boolean {
  const v = q.getAll("dryRun");
  if (v.length === 0) return false;
  for (const x of v) if (x !== "All") throw badRequest(`Invalid dry run value: ${x}; supported values: All`);
  return true;
}

export { dryRunOf };

/** The manager of a write that has no request behind it (the server's own objects). */
const SERVER_MANAGER = "kube-apiserver";

/**
 * The field manager of a write (?fieldManager=, else the User-Agent) and an apply's ?force=; bad
 * options are a 422, before the body is read, as kube-apiserver checks them.
 */
export function writeManager(
  scope: RequestScope,
  verb: WriteVerb,
  isApply = false,
): { manager: string; force: boolean } {
  const r = writeManagerOf(verb, isApply, scope.query, scope.req?.headers["user-agent"]);
  if (!r.ok) throw new ApiError(r.status);
  return r;
}

/**
 * metadata.managedFields after `manager` wrote `next` over `cur` (undefined: a create) through the
 * main resource or `subresource`. `next` is in the served version, decoded and defaulted; `cur` as
 * stored.
 */
export function managedFieldsAfter(
  ctx: ApiContext,
  scope: RequestScope,
  cur: StoredObject | undefined,
  next: StoredObject,
  manager: string,
  subresource = "",
): ManagedFieldsEntry[] | undefined {
  const { gvk, opts } = endpointOptions(scope.served.def, subresource, () => ctx.now());
  return update(cur && toServedVersion(scope.served, cur), next, manager, gvk, opts);
}

export function setManagedFields(obj: StoredObject, entries: ManagedFieldsEntry[] | undefined): void {
  if (entries) metaOf(obj).managedFields = entries;
  else delete metaOf(obj).managedFields;
}

function ensureMetadata(body: KubeObject): StoredObject {
  if (
    body.metadata !== undefined &&
    (typeof body.metadata !== "object" || body.metadata === null || Array.isArray(body.metadata))
  ) {
    throw badRequest("metadata: expected an object");
  }
  body.metadata = body.metadata ?? {};
  return body as StoredObject;
}

function runValidation(scope: RequestScope, obj: StoredObject, old?: StoredObject): void {
  const def = scope.served.def;
  const errs = [...validatePathSegmentName(obj.metadata.name ?? "")];
  if (errs.length === 0 && def.validate) errs.push(...def.validate(obj, old));
  if (errs.length > 0) throw invalid(def.group, def.kind, obj.metadata.name ?? "", errs);
}

/**
 * Wrong JSON types are refused whatever the mode (Go's decoder cannot take them); fieldValidation=Strict
 * rejects unknown fields (400), Warn turns them into Warning headers. Creates and
 * updates say which kind could not be decoded, as kube-apiserver's transformDecodeError does; patches not.
 */
function fieldValidation(ctx: ApiContext, scope: RequestScope, body: KubeObject, patch = false): void {
  const typeErr = checkFieldTypes(ctx.schemas, scope.served, body);
  if (!typeErr) zeroNulls(ctx.schemas, scope.served, body);
  if (typeErr) {
    const { kind, version } = scope.served.def;
    throw badRequest(
      patch ? typeErr : `${kind} in version "${version}" cannot be handled as a ${kind}: ${typeErr}`,
    );
  }
  const mode = scope.query.get("fieldValidation") ?? "";
  if (mode === "Ignore" || mode === "") return;
  if (mode !== "Strict" && mode !== "Warn") {
    throw badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict" but got "${mode}"`);
  }
  const unknown = checkUnknownFields(ctx.schemas, scope.served, body);
  if (unknown.length === 0) return;
  if (mode === "Strict") {
    const parts = unknown.map((f) => `unknown field "${f}"`);
    const { kind, version } = scope.served.def;
    const prefix = patch ? "" : `${kind} in version "${version}" cannot be handled as a ${kind}: `;
    throw badRequest(`${prefix}strict decoding error: ${parts.join(", ")}`);
  }
  for (const f of unknown) {
    const w = `unknown field "${f}"`;
    if (!scope.warnings.includes(w)) scope.warnings.push(w);
  }
}

// ---------------------------------------------------------------- create

export async function handleCreate(ctx: ApiContext, scope: RequestScope): Promise<void> {
  const { manager } = writeManager(scope, "create");
  const body = await decodeObjectBody(await readBody(scope.req), scope.req.headers["content-type"]);
  checkTypeMeta(scope, body);
  fieldValidation(ctx, scope, body);
  const created = await createObject(ctx, scope, ensureMetadata(body), manager);
  respondObject(ctx, scope, 201, created);
}

/**
 * Creates `obj` (in the served version). `manager` owns its fields in metadata.managedFields; null
 * when the object carries them already (made by server-side apply).
 */
export async function createObject(
  ctx: ApiContext,
  scope: RequestScope,
  obj: StoredObject,
  manager: string | null = SERVER_MANAGER,
  attempt = 0,
): Promise<StoredObject> {
  const pristine = attempt < MAX_UPDATE_RETRIES ? structuredClone(obj) : undefined;
  const def = scope.served.def;
  const m = obj.metadata;
  if (def.namespaced) {
    if (m.namespace && m.namespace !== scope.info.namespace) {
      throw badRequest(
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    }
    m.namespace = scope.info.namespace;
  } else delete m.namespace;
  if (!m.name) {
    if (m.generateName) m.name = generateName(m.generateName);
    else {
      throw invalid(def.group, def.kind, "", [
        {
          type: "FieldValueRequired",
          field: "metadata.name",
          message: "Required value: name or generateName is required",
        },
      ]);
    }
  }
  def.defaults?.(obj);
  if (manager !== null) setManagedFields(obj, managedFieldsAfter(ctx, scope, undefined, obj, manager));
  const stored = toStorageVersion(scope.served, obj);
  prepareForCreate(def, stored, { now: ctx.now() });
  runValidation(scope, stored);
  const extras = noExtras();
  for (const p of ctx.admission)
    if (p.admitCreate) mergeExtras(extras, await p.admitCreate(ctx, scope, stored));
  if (scope.dryRun) return stored;
  const key = objectKey(ctx.prefix, scope.served.storage, scope.info.namespace, stored.metadata.name);
  const res = await ctx.store.txn(
    [{ key, absent: true }, ...extras.compares],
    [{ put: key, value: stripForStorage(stored) }, ...extras.ops],
  );
  if (!res.succeeded) {
    if (pristine && extras.compares.length > 0 && !(await ctx.store.get(key))) {
      // An allocator's record moved under us: run the whole create again.
      return createObject(ctx, scope, pristine, manager, attempt + 1);
    }
    throw alreadyExists(scope.gr, stored.metadata.name);
  }
  return withRv(stored, res.revision);
}

// ---------------------------------------------------------------- update loop

export type Mutation = (current: StoredObject) => Promise<StoredObject | null> | StoredObject | null;

/**
 * Reads the object, applies `mutate`, and writes it back if etcd still holds the version read;
 * retries on a concurrent write. `mutate` throws Conflict itself when the client named a stale
 * resourceVersion. Returns the stored object (unchanged when the mutation was a no-op).
 */
export async function guaranteedUpdate(
  ctx: ApiContext,
  scope: RequestScope,
  name: string,
  mutate: Mutation,
  opts: { extrasFor?: (next: StoredObject, cur: StoredObject) => Promise<TxnExtras> } = {},
): Promise<{ obj: StoredObject; deleted: boolean }> {
  const key = objectKey(ctx.prefix, scope.served.storage, scope.info.namespace, name);
  for (let attempt = 0; attempt < MAX_UPDATE_RETRIES; attempt++) {
    const kv = await ctx.store.get(key);
    const cur = kv ? decodeStored(kv) : null;
    if (!kv || !cur) throw notFound(scope.gr, name);
    const next = await mutate(structuredClone(cur));
    if (next === null) return { obj: cur, deleted: false };
    delete next.metadata.resourceVersion;
    const finalize =
      next.metadata.deletionTimestamp !== undefined &&
      (next.metadata.finalizers ?? []).length === 0 &&
      (next.metadata.deletionGracePeriodSeconds ?? 0) === 0 &&
      !(
        scope.served.def.resource === "namespaces" &&
        ((next.spec as { finalizers?: string[] })?.finalizers ?? []).length > 0
      );
    const extras = noExtras();
    // Admission may change the object (a Service that became NodePort gets its node ports), so it
    // runs before the object is encoded and compared with the stored one.
    if (!finalize && opts.extrasFor) mergeExtras(extras, await opts.extrasFor(next, cur));
    const curJson = stripForStorage(cur);
    const nextJson = stripForStorage(next);
    if (!finalize && nextJson === curJson) return { obj: cur, deleted: false };
    if (scope.dryRun) return { obj: withRv(next, kv.modRevision), deleted: finalize };
    if (finalize) {
      for (const p of ctx.admission)
        if (p.admitDelete) mergeExtras(extras, await p.admitDelete(ctx, scope, cur));
      const res = await ctx.store.txn(
        [{ key, modRevision: kv.modRevision }, ...extras.compares],
        [{ del: key }, ...extras.ops],
      );
      if (res.succeeded) return { obj: withRv(next, res.revision), deleted: true };
      continue;
    }
    const res = await ctx.store.txn(
      [{ key, modRevision: kv.modRevision }, ...extras.compares],
      [{ put: key, value: nextJson }, ...extras.ops],
    );
    if (res.succeeded) return { obj: withRv(next, res.revision), deleted: false };
  }
  throw internalError(new Error(`too many concurrent updates to ${name}; please retry`));
}

/** Throws Conflict when the client named a resourceVersion other than the current one. */
export function checkResourceVersion(
  scope: RequestScope,
  requested: string | undefined,
  cur: StoredObject,
): void {
  if (requested && requested !== cur.metadata.resourceVersion) throw conflict(scope.gr, cur.metadata.name);
}

/**
 * The main-resource update path shared by PUT and PATCH: new object in, stored object out. `manager`
 * takes what changed in metadata.managedFields; null when the object carries them already (apply).
 */
async function admitUpdate(
  ctx: ApiContext,
  scope: RequestScope,
  incoming: StoredObject,
  cur: StoredObject,
  manager: string | null,
): Promise<StoredObject> {
  const def = scope.served.def;
  checkResourceVersion(scope, incoming.metadata.resourceVersion, cur);
  if (incoming.metadata.uid && incoming.metadata.uid !== cur.metadata.uid) {
    throw conflict(
      scope.gr,
      cur.metadata.name,
      `Precondition failed: UID in precondition: ${incoming.metadata.uid}, UID in object meta: ${cur.metadata.uid}`,
    );
  }
  def.defaults?.(incoming);
  if (manager !== null) setManagedFields(incoming, managedFieldsAfter(ctx, scope, cur, incoming, manager));
  // An applied object: what pruning took out and defaulting put back keeps its place (generation, no-op writes).
  const written = manager === null ? alignWithLive(incoming, toServedVersion(scope.served, cur)) : incoming;
  const next = toStorageVersion(scope.served, written);
  if (def.namespaced) next.metadata.namespace = scope.info.namespace;
  prepareForUpdate(def, next, cur);
  runValidation(scope, next, cur);
  return next;
}

async function updateExtras(
  ctx: ApiContext,
  scope: RequestScope,
  next: StoredObject,
  cur: StoredObject,
): Promise<TxnExtras> {
  const extras = noExtras();
  for (const p of ctx.admission)
    if (p.admitUpdate) mergeExtras(extras, await p.admitUpdate(ctx, scope, next, cur));
  return extras;
}

function respondUpdated(
  ctx: ApiContext,
  scope: RequestScope,
  r: { obj: StoredObject; deleted: boolean },
): void {
  respondObject(ctx, scope, 200, r.obj);
}

// ---------------------------------------------------------------- PUT

export async function handleUpdate(ctx: ApiContext, scope: RequestScope): Promise<void> {
  const { manager } = writeManager(scope, "update");
  const body = ensureMetadata(
    await decodeObjectBody(await readBody(scope.req), scope.req.headers["content-type"]),
  );
  checkTypeMeta(scope, body);
  fieldValidation(ctx, scope, body);
  const name = scope.info.name;
  if (body.metadata.name && body.metadata.name !== name) {
    throw badRequest(
      `the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`,
    );
  }
  body.metadata.name = name;
  if (
    scope.served.def.namespaced &&
    body.metadata.namespace &&
    body.metadata.namespace !== scope.info.namespace
  ) {
    throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
  }
  try {
    const r = await guaranteedUpdate(
      ctx,
      scope,
      name,
      (cur) => admitUpdate(ctx, scope, structuredClone(body), cur, manager),
      {
        extrasFor: (n, c) => updateExtras(ctx, scope, n, c),
      },
    );
    respondUpdated(ctx, scope, r);
  } catch (err) {
    if ((err as { code?: number }).code === 404 && CREATE_ON_UPDATE.has(scope.served.def.resource)) {
      const created = await createObject(ctx, scope, structuredClone(body), manager);
      respondObject(ctx, scope, 201, created);
      return;
    }
    throw err;
  }
}

// ---------------------------------------------------------------- PATCH

export async function handlePatch(ctx: ApiContext, scope: RequestScope): Promise<void> {
  const contentType = scope.req.headers["content-type"];
  const type = patchTypeOf(contentType);
  const { manager, force } = writeManager(scope, "patch", type === "apply");
  const raw = await readBody(scope.req);
  const name = scope.info.name;
  const def = scope.served.def;
  const applied = type === "apply" ? await decodeApplyConfiguration(raw) : undefined;
  if (applied) fieldValidation(ctx, scope, applied, true);
  const { gvk, opts } = endpointOptions(def, "", () => ctx.now());
  const checkName = (obj: StoredObject) => {
    if (obj.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
  };
  try {
    const r = await guaranteedUpdate(
      ctx,
      scope,
      name,
      async (cur) => {
        const servedCur = toServedVersion(scope.served, cur);
        if (applied) {
          // Server-side apply: merged into the live object with managedFields and conflicts.
          const res = apply(servedCur, applied, manager, gvk, { ...opts, force });
          if (!res.ok) throw new ApiError(res.status);
          if (!res.changed) return null;
          const patched = ensureMetadata(res.object);
          checkName(patched);
          return admitUpdate(ctx, scope, patched, cur, null);
        }
        const patched = ensureMetadata(await applyPatch(type, servedCur, raw, def));
        checkTypeMeta(scope, patched);
        checkName(patched);
        fieldValidation(ctx, scope, patched, true);
        // A patch that does not mention resourceVersion keeps the current one: only a stale one conflicts.
        return admitUpdate(ctx, scope, patched, cur, manager);
      },
      { extrasFor: (n, c) => updateExtras(ctx, scope, n, c) },
    );
    respondUpdated(ctx, scope, r);
  } catch (err) {
    if ((err as { code?: number }).code === 404 && applied) {
      // Server-side apply creates what does not exist, its fields owned by the applier.
      const res = apply(undefined, applied, manager, gvk, { ...opts, force });
      if (!res.ok) throw new ApiError(res.status);
      const body = ensureMetadata(res.object);
      checkTypeMeta(scope, body);
      body.metadata.name = body.metadata.name || name;
      checkName(body);
      const created = await createObject(ctx, scope, body, null);
      respondObject(ctx, scope, 201, created);
      return;
    }
    throw err;
  }
}

// ---------------------------------------------------------------- DELETE

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  preconditions?: { uid?: string; resourceVersion?: string };
  orphanDependents?: boolean;
  dryRun?: string[];
}

export async function readDeleteOptions(scope: RequestScope): Promise<DeleteOptions> {
  const raw = await readBody(scope.req);
  let opts: DeleteOptions = {};
  if (raw.length > 0) {
    const body = (await decodeObjectBody(raw, scope.req.headers["content-type"])) as DeleteOptions &
      KubeObject;
    if (body.kind && body.kind !== "DeleteOptions") {
      throw badRequest(
        `the kind in the data ("${body.kind}") does not match the expected kind ("DeleteOptions")`,
      );
    }
    opts = body;
  }
  const q = scope.query;
  if (q.has("gracePeriodSeconds")) opts.gracePeriodSeconds = Number(q.get("gracePeriodSeconds"));
  if (q.has("propagationPolicy"))
    opts.propagationPolicy = q.get("propagationPolicy") as DeleteOptions["propagationPolicy"];
  if (q.has("orphanDependents")) opts.orphanDependents = q.get("orphanDependents") === "true";
  if (opts.dryRun?.some((d) => d !== "All"))
    throw badRequest(`Invalid dry run value: ${opts.dryRun.join(",")}`);
  if (opts.dryRun?.length) scope.dryRun = true;
  if (
    opts.propagationPolicy !== undefined &&
    !["Orphan", "Background", "Foreground"].includes(opts.propagationPolicy)
  ) {
    throw badRequest(
      `propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`,
    );
  }
  if (
    opts.gracePeriodSeconds !== undefined &&
    (!Number.isInteger(opts.gracePeriodSeconds) || opts.gracePeriodSeconds < 0)
  ) {
    if (opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds < 0) opts.gracePeriodSeconds = 1;
    else throw badRequest("gracePeriodSeconds: must be an integer");
  }
  return opts;
}

function nowIso(ctx: ApiContext, plusSeconds = 0): string {
  return new Date(ctx.now().getTime() + plusSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The grace period a pod deletion gets (pod strategy CheckGracefulDelete). */
function podGrace(pod: StoredObject, requested: number | undefined): number {
  const spec = (pod.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (!spec.nodeName || phase === "Succeeded" || phase === "Failed") return 0;
  return requested ?? spec.terminationGracePeriodSeconds ?? 30;
}

/** Deletes one object by name, gracefully or with finalizers as its kind and options say. */
export async function deleteObject(
  ctx: ApiContext,
  scope: RequestScope,
  name: string,
  opts: DeleteOptions,
): Promise<{ obj: StoredObject; deleted: boolean }> {
  const def = scope.served.def;
  for (const p of ctx.admission) if (p.validateDeleteRequest) await p.validateDeleteRequest(ctx, scope, name);
  const key = objectKey(ctx.prefix, scope.served.storage, scope.info.namespace, name);
  for (let attempt = 0; attempt < MAX_UPDATE_RETRIES; attempt++) {
    const kv = await ctx.store.get(key);
    const cur = kv ? decodeStored(kv) : null;
    if (!kv || !cur) throw notFound(scope.gr, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== cur.metadata.uid) {
      throw conflict(
        scope.gr,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${cur.metadata.uid}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== cur.metadata.resourceVersion) {
      throw conflict(
        scope.gr,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${cur.metadata.resourceVersion}`,
      );
    }
    const next: StoredObject = structuredClone(cur);
    const m = metaOf(next);
    const finalizers = new Set(m.finalizers ?? []);
    const policy = opts.propagationPolicy ?? (opts.orphanDependents ? "Orphan" : undefined);
    if (policy === "Orphan") {
      finalizers.add("orphan");
      finalizers.delete("foregroundDeletion");
    } else if (policy === "Foreground") {
      finalizers.add("foregroundDeletion");
      finalizers.delete("orphan");
    } else if (policy === "Background") {
      finalizers.delete("orphan");
      finalizers.delete("foregroundDeletion");
    }
    let grace = 0;
    if (def.kind === "Pod" && def.group === "") grace = podGrace(cur, opts.gracePeriodSeconds);
    const isNamespace = def.resource === "namespaces" && def.group === "";
    const nsFinalizers = isNamespace
      ? ((cur.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [])
      : [];
    const keep = finalizers.size > 0 || grace > 0 || nsFinalizers.length > 0;
    if (!keep) {
      const extras = noExtras();
      for (const p of ctx.admission)
        if (p.admitDelete) mergeExtras(extras, await p.admitDelete(ctx, scope, cur));
      if (scope.dryRun) return { obj: cur, deleted: true };
      const res = await ctx.store.txn(
        [{ key, modRevision: kv.modRevision }, ...extras.compares],
        [{ del: key }, ...extras.ops],
      );
      if (res.succeeded) return { obj: withRv(cur, res.revision), deleted: true };
      continue;
    }
    // Graceful: mark for deletion; the kubelet, the GC or the namespace controller finishes it.
    if (m.deletionTimestamp) {
      const curGrace = m.deletionGracePeriodSeconds ?? 0;
      if (grace > 0 && grace < curGrace) {
        m.deletionGracePeriodSeconds = grace;
        m.deletionTimestamp = nowIso(ctx, grace);
      } else if (finalizers.size === (m.finalizers ?? []).length) {
        return { obj: cur, deleted: false };
      }
    } else {
      m.deletionTimestamp = nowIso(ctx, grace);
      m.deletionGracePeriodSeconds = grace;
    }
    if (finalizers.size > 0) m.finalizers = [...finalizers];
    else delete m.finalizers;
    if (usesGenerationBump(def.kind) && m.generation !== undefined) m.generation += 1;
    if (isNamespace) next.status = { ...(next.status as object), phase: "Terminating" };
    if (scope.dryRun) return { obj: next, deleted: false };
    const res = await ctx.store.txn(
      [{ key, modRevision: kv.modRevision }],
      [{ put: key, value: stripForStorage(next) }],
    );
    if (res.succeeded) return { obj: withRv(next, res.revision), deleted: false };
  }
  throw internalError(new Error(`too many concurrent updates to ${name}; please retry`));
}

function usesGenerationBump(kind: string): boolean {
  // Kubernetes bumps generation when deletionTimestamp is set on objects that track generation.
  return kind !== "Pod";
}

export async function handleDelete(ctx: ApiContext, scope: RequestScope): Promise<void> {
  const opts = await readDeleteOptions(scope);
  const r = await deleteObject(ctx, scope, scope.info.name, opts);
  if (!r.deleted) {
    writeJson(scope.res, 200, toServedVersion(scope.served, r.obj));
    return;
  }
  const details: Record<string, string> = { name: r.obj.metadata.name };
  if (scope.gr.group) details.group = scope.gr.group;
  details.kind = scope.gr.resource;
  if (r.obj.metadata.uid) details.uid = r.obj.metadata.uid;
  writeJson(scope.res, 200, success(details));
}

export async function handleDeleteCollection(ctx: ApiContext, scope: RequestScope): Promise<void> {
  const opts = await readDeleteOptions(scope);
  const { predicate } = buildPredicate(scope.served.def, {
    namespace: scope.info.namespace,
    labelSelector: scope.query.get("labelSelector"),
    fieldSelector: scope.query.get("fieldSelector"),
  });
  await ctx.cache.waitForRevision(await ctx.store.currentRevision(), 3000);
  const rc = ctx.cache.caches.get(scope.served.storage);
  const targets = rc ? [...rc.items.values()].filter(predicate) : [];
  const deleted: StoredObject[] = [];
  for (const t of targets) {
    try {
      const s = { ...scope, info: { ...scope.info, namespace: t.namespace } };
      const r = await deleteObject(ctx, s, t.name, opts);
      deleted.push(toServedVersion(scope.served, r.obj));
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
    }
  }
  writeJson(scope.res, 200, {
    kind: `${scope.served.def.kind}List`,
    apiVersion: scope.served.apiVersion,
    metadata: { resourceVersion: String(ctx.cache.revision) },
    items: deleted,
  });
}
