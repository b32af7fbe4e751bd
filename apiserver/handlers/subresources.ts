// The non-streaming subresources: status, scale (autoscaling/v1 Scale), pods/binding, pods/eviction,
// namespaces/finalize.
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1";
import type { StoredObject } from "../../pkg/api/types.js";
import { stripResourceVersion } from "../admission/store-helpers.js";
import { alignWithLive, apply, endpointOptions } from "../fieldmanager/index.js";
import { toServedVersion, toStorageVersion } from "../registry/conversion.js";
import { type MutableMeta, metaOf, prepareForStatusUpdate } from "../registry/strategy.js";
import { guessedUpdate } from "../storage/guaranteed-update.js";
import { objectKey } from "../storage/keys.js";
import { computeBudgetStatus, decideEviction } from "./eviction.js";
import { decodeObjectBody, readBody } from "./negotiation.js";
import { applyPatch, decodeApplyConfiguration, patchTypeOf } from "./patch.js";
import { readObject, respondObject } from "./read.js";
import { writeJson } from "./response.js";
import type { ApiContext, RequestScope } from "./scope.js";
import {
  ApiError,
  badRequest,
  conflict,
  internalError,
  invalid,
  methodNotSupported,
  notFound,
} from "./status.js";
import {
  checkResourceVersion,
  checkTypeMeta,
  type DeleteOptions,
  deleteObject,
  guaranteedUpdate,
  managedFieldsAfter,
  setManagedFields,
  stripForStorage,
  writeManager,
} from "./write.js";

type Obj = Record<string, unknown>;

// ---------------------------------------------------------------- status

export async function handleStatus(ctx: ApiContext, scope: RequestScope): Promise<void> {
  const verb = scope.info.verb;
  if (verb === "get") {
    respondObject(ctx, scope, 200, await readObject(ctx, scope, scope.info.name));
    return;
  }
  if (verb !== "update" && verb !== "patch") throw methodNotSupported(scope.gr, verb);
  const type = verb === "patch" ? patchTypeOf(scope.req.headers["content-type"]) : undefined;
  const { manager, force } = writeManager(scope, verb, type === "apply");
  const raw = await readBody(scope.req);
  const body = verb === "update" ? await decodeObjectBody(raw, scope.req.headers["content-type"]) : undefined;
  if (body) checkTypeMeta(scope, body);
  const applied = type === "apply" ? await decodeApplyConfiguration(raw) : undefined;
  const r = await guaranteedUpdate(ctx, scope, scope.info.name, async (cur) => {
    const servedCur = toServedVersion(scope.served, cur);
    let incoming: StoredObject;
    if (applied) {
      const { gvk, opts } = endpointOptions(scope.served.def, "status", () => ctx.now());
      const res = apply(servedCur, applied, manager, gvk, { ...opts, force });
      if (!res.ok) throw new ApiError(res.status);
      if (!res.changed) return null;
      incoming = alignWithLive(res.object as StoredObject, servedCur);
    } else {
      incoming = (
        body ? structuredClone(body) : await applyPatch(type!, servedCur, raw, scope.served.def)
      ) as StoredObject;
    }
    checkResourceVersion(scope, incoming.metadata?.resourceVersion, cur);
    // A uid in the body is a precondition, as on the main resource: the kubelet's status patch carries the
    // pod's uid so that a late write about a deleted pod never lands on a new pod that took its name.
    if (incoming.metadata?.uid && incoming.metadata.uid !== cur.metadata.uid) {
      throw conflict(
        scope.gr,
        cur.metadata.name,
        `Precondition failed: UID in precondition: ${incoming.metadata.uid}, UID in object meta: ${cur.metadata.uid}`,
      );
    }
    const next = prepareForStatusUpdate(toStorageVersion(scope.served, incoming), cur);
    if (scope.served.def.resource === "namespaces") {
      // A namespace's phase is the server's to set.
      (next.status as Obj).phase = (cur.status as Obj | undefined)?.phase ?? "Active";
    }
    // Ownership of what the write changed, which is the status alone (subresource "status").
    setManagedFields(
      next,
      applied
        ? incoming.metadata.managedFields
        : managedFieldsAfter(ctx, scope, cur, toServedVersion(scope.served, next), manager, "status"),
    );
    return next;
  });
  respondObject(ctx, scope, 200, r.obj);
}

// ---------------------------------------------------------------- finalize (namespaces)

export async function handleFinalize(ctx: ApiContext, scope: RequestScope): Promise<void> {
  if (scope.info.verb !== "update") throw methodNotSupported(scope.gr, scope.info.verb);
  const body = await decodeObjectBody(await readBody(scope.req), scope.req.headers["content-type"]);
  const finalizers = ((body.spec as Obj | undefined)?.finalizers ?? []) as string[];
  const r = await guaranteedUpdate(ctx, scope, scope.info.name, (cur) => {
    checkResourceVersion(scope, body.metadata?.resourceVersion, cur);
    const next = structuredClone(cur);
    next.spec = { ...(next.spec as Obj), finalizers };
    if (finalizers.length === 0) delete (next.spec as Obj).finalizers;
    return next;
  });
  respondObject(ctx, scope, 200, r.obj);
}

// ---------------------------------------------------------------- scale

/** A metav1.LabelSelector (or a map, for ReplicationControllers) as its string form. */
export function selectorString(sel: unknown): string {
  if (!sel || typeof sel !== "object") return "";
  const s = sel as {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  };
  if (s.matchLabels === undefined && s.matchExpressions === undefined) {
    return Object.entries(sel as Record<string, string>)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
  }
  const parts: string[] = Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of s.matchExpressions ?? []) {
    const vals = [...(e.values ?? [])].sort().join(",");
    if (e.operator === "In") parts.push(`${e.key} in (${vals})`);
    else if (e.operator === "NotIn") parts.push(`${e.key} notin (${vals})`);
    else if (e.operator === "Exists") parts.push(e.key);
    else if (e.operator === "DoesNotExist") parts.push(`!${e.key}`);
  }
  return parts.sort().join(",");
}

export function scaleOf(obj: StoredObject): StoredObject {
  const spec = (obj.spec ?? {}) as Obj;
  const status = (obj.status ?? {}) as Obj;
  const m = obj.metadata;
  const metadata: MutableMeta = { name: m.name };
  if (m.namespace) metadata.namespace = m.namespace;
  metadata.uid = m.uid;
  metadata.resourceVersion = m.resourceVersion;
  metadata.creationTimestamp = m.creationTimestamp;
  const selector =
    obj.kind === "ReplicationController"
      ? selectorString(spec.selector ?? {})
      : selectorString(spec.selector);
  const st: Obj = { replicas: (status.replicas as number | undefined) ?? 0 };
  if (selector) st.selector = selector;
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata,
    spec: {
      replicas: (spec.replicas as number | undefined) ?? (obj.kind === "ReplicationController" ? 1 : 1),
    },
    status: st,
  };
}

export async function handleScale(ctx: ApiContext, scope: RequestScope): Promise<void> {
  const verb = scope.info.verb;
  const name = scope.info.name;
  if (verb === "get") {
    writeJson(scope.res, 200, scaleOf(await readObject(ctx, scope, name)));
    return;
  }
  if (verb !== "update" && verb !== "patch") throw methodNotSupported(scope.gr, verb);
  const type = verb === "patch" ? patchTypeOf(scope.req.headers["content-type"]) : undefined;
  // `kubectl scale` writes as "kubectl-scale": it takes spec.replicas (subresource "scale", recorded on
  // the parent in its own apiVersion, as upstream's ScaleHandler), so a later apply of other replicas
  // conflicts with it.
  const { manager } = writeManager(scope, verb);
  const raw = await readBody(scope.req);
  const body = verb === "update" ? await decodeObjectBody(raw, scope.req.headers["content-type"]) : undefined;
  if (body) checkTypeMeta(scope, body, "Scale");
  const def = scope.served.def;
  const r = await guaranteedUpdate(ctx, scope, name, async (cur) => {
    const current = scaleOf(cur);
    const scale = (body ? structuredClone(body) : await applyPatch(type!, current, raw, def)) as StoredObject;
    checkResourceVersion(scope, scale.metadata?.resourceVersion, cur);
    const replicas = (scale.spec as Obj | undefined)?.replicas;
    if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
      throw invalid("autoscaling", "Scale", name, [
        {
          type: "FieldValueInvalid",
          field: "spec.replicas",
          message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`,
        },
      ]);
    }
    const next = structuredClone(cur);
    const spec = (next.spec ?? {}) as Obj;
    if (spec.replicas === replicas) return null;
    spec.replicas = replicas;
    next.spec = spec;
    metaOf(next).generation = (cur.metadata.generation ?? 1) + 1;
    setManagedFields(
      next,
      managedFieldsAfter(ctx, scope, cur, toServedVersion(scope.served, next), manager, "scale"),
    );
    return next;
  });
  writeJson(scope.res, 200, scaleOf(r.obj));
}

// ---------------------------------------------------------------- pods/binding

export async function handleBinding(ctx: ApiContext, scope: RequestScope): Promise<void> {
  if (scope.info.verb !== "create") throw methodNotSupported(scope.gr, scope.info.verb);
  const body = await decodeObjectBody(await readBody(scope.req), scope.req.headers["content-type"]);
  const target = body.target as { kind?: string; name?: string } | undefined;
  const podName = scope.info.name || body.metadata?.name || "";
  if (!target?.name) {
    throw invalid("", "Binding", podName, [
      { type: "FieldValueRequired", field: "target.name", message: "Required value" },
    ]);
  }
  if (target.kind && target.kind !== "Node") {
    throw invalid("", "Binding", podName, [
      {
        type: "FieldValueNotSupported",
        field: "target.kind",
        message: `Unsupported value: "${target.kind}": supported values: "Node"`,
      },
    ]);
  }
  // The pod as the watch cache has it is the first guess (one etcd call when it is current), as
  // kube-apiserver's cacher does for every GuaranteedUpdate.
  const key = objectKey(ctx.prefix, scope.served.storage, scope.info.namespace, podName);
  const cached = ctx.cache.ready ? ctx.cache.caches.get(scope.served.storage)?.items.get(key) : undefined;
  const guess = cached ? { obj: cached.obj, rev: cached.rv } : undefined;
  const bind = (cur: StoredObject): StoredObject => {
    const spec = (cur.spec ?? {}) as Obj;
    if (cur.metadata.deletionTimestamp) {
      throw conflict(
        { group: "", resource: "pods/binding" },
        podName,
        `pod ${podName} is being deleted, cannot be assigned to a host`,
      );
    }
    if (spec.nodeName) {
      throw conflict(
        { group: "", resource: "pods/binding" },
        podName,
        `pod ${podName} is already assigned to node "${String(spec.nodeName)}"`,
      );
    }
    spec.nodeName = target.name;
    cur.spec = spec;
    const ann = body.metadata?.annotations;
    if (ann && Object.keys(ann).length) cur.metadata.annotations = { ...cur.metadata.annotations, ...ann };
    const status = (cur.status ?? {}) as Obj;
    const conds = ((status.conditions ?? []) as Obj[]).filter((c) => c.type !== "PodScheduled");
    conds.push({
      type: "PodScheduled",
      status: "True",
      lastProbeTime: null,
      lastTransitionTime: new Date(ctx.now()).toISOString().replace(/\.\d{3}Z$/, "Z"),
    });
    status.conditions = conds;
    cur.status = status;
    return cur;
  };
  const r = await guessedUpdate(ctx.store, key, guess, bind, stripForStorage, { dryRun: scope.dryRun });
  if (r.kind === "notFound") throw notFound(scope.gr, podName);
  if (r.kind === "tooManyConflicts")
    throw internalError(new Error(`too many concurrent updates to ${podName}; please retry`));
  writeJson(scope.res, 201, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 });
}

// ---------------------------------------------------------------- pods/eviction

/** Checks the pod's PodDisruptionBudget and takes one disruption from it (or throws 429). */
async function takeDisruption(ctx: ApiContext, scope: RequestScope): Promise<void> {
  const ns = scope.info.namespace;
  for (let attempt = 0; attempt < 5; attempt++) {
    const pod = await readObject(
      ctx,
      { ...scope, info: { ...scope.info, subresource: "" } },
      scope.info.name,
    );
    const { kvs } = await ctx.store.list(`${ctx.prefix}/poddisruptionbudgets/${ns}/`);
    const pdbs: { kv: (typeof kvs)[number]; pdb: PodDisruptionBudget }[] = [];
    for (const kv of kvs) {
      try {
        pdbs.push({ kv, pdb: JSON.parse(kv.value) as PodDisruptionBudget });
      } catch {
        // An undecodable budget protects nothing.
      }
    }
    const podsServed = ctx.catalogue.lookup("", "v1", "pods");
    const nsPods = podsServed
      ? [...ctx.cache.cache(podsServed.storage).items.values()]
          .filter((o) => o.namespace === ns)
          .map((o) => o.obj)
      : [];
    for (const p of pdbs) {
      const st = p.pdb.status;
      if (!st || (st.observedGeneration ?? 0) < (p.pdb.metadata?.generation ?? 0)) {
        p.pdb.status = computeBudgetStatus(p.pdb, nsPods);
      }
    }
    const d = decideEviction(
      pod,
      pdbs.map((p) => p.pdb),
      ctx.now(),
    );
    if (d.kind === "delete") return;
    if (d.kind === "refuse") throw d.error;
    const kv = pdbs.find((p) => p.pdb.metadata?.name === d.pdb.metadata?.name)?.kv;
    if (!kv) return;
    const res = await ctx.store.txn(
      [{ key: kv.key, modRevision: kv.modRevision }],
      [{ put: kv.key, value: stripResourceVersion(d.pdb as unknown as StoredObject) }],
    );
    if (res.succeeded) return;
  }
  throw conflict(scope.gr, scope.info.name, "the PodDisruptionBudget kept changing; please retry");
}

export async function handleEviction(ctx: ApiContext, scope: RequestScope): Promise<void> {
  if (scope.info.verb !== "create") throw methodNotSupported(scope.gr, scope.info.verb);
  const body = await decodeObjectBody(await readBody(scope.req), scope.req.headers["content-type"]);
  if (body.metadata?.name && body.metadata.name !== scope.info.name) {
    throw badRequest(`name in URL does not match name in Eviction object`);
  }
  const opts = (body.deleteOptions ?? {}) as DeleteOptions;
  const podScope = { ...scope, info: { ...scope.info, subresource: "" } };
  try {
    if (!scope.dryRun) await takeDisruption(ctx, scope);
    await deleteObject(ctx, podScope, scope.info.name, opts);
  } catch (err) {
    if ((err as { code?: number }).code === 404) throw notFound(scope.gr, scope.info.name);
    throw err;
  }
  writeJson(scope.res, 201, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 });
}
