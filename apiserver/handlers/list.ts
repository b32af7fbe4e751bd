// LIST, served from the watch cache with Kubernetes' resourceVersion semantics: unset = consistent (wait
// for the cache to reach etcd's current revision), "0" = any, N = not older than N; `continue` pages and
// resourceVersionMatch=Exact are read from etcd at the page's revision.
// The hot path, as kube-apiserver's: each item's JSON is made once per object version and its bytes
// reused by every LIST and watcher (watchcache/encoding.ts, the cachingObject), and the response is
// written piece by piece with its Content-Length known up front, never built as one big string.
import type { ServerResponse } from "node:http";
import { isCompactedError } from "../storage/etcd-store.js";
import { resourcePrefix } from "../storage/keys.js";
import { type CachedObject, decodeStored, lowerBound } from "../watchcache/cache.js";
import { decodeContinue, encodeContinue, nextKey } from "../watchcache/continue-token.js";
import { listEnvelope, objectJson } from "../watchcache/encoding.js";
import { buildPredicate, type Predicate } from "./filter.js";
import { writeJson } from "./response.js";
import { type ApiContext, type RequestScope, served, tableContentType, tableOf } from "./scope.js";
import { badRequest, CONTINUE_TOO_OLD, gone, timeout } from "./status.js";

const CACHE_WAIT_MS = 3000;

export function parseResourceVersion(s: string | null): number | undefined {
  if (s === null || s === "") return undefined;
  if (!/^\d+$/.test(s)) throw badRequest(`invalid resource version: ${s}`);
  return Number(s);
}

/** Waits until the cache holds the state the request asks for; false when it does not in time. */
export async function cacheFresh(ctx: ApiContext, rv: number | undefined): Promise<boolean> {
  if (rv === 0) return ctx.cache.ready;
  const target = rv ?? (await ctx.store.currentRevision());
  return ctx.cache.waitForRevision(target, CACHE_WAIT_MS);
}

export interface ListPage {
  items: CachedObject[];
  rv: number;
  continueToken?: string;
  remaining?: number;
}

/** One page of the cached objects under `prefix` that pass `predicate`, in key order. Pure. */
export function pageOf(
  keys: string[],
  items: ReadonlyMap<string, CachedObject>,
  prefix: string,
  predicate: Predicate,
  selective: boolean,
  limit: number,
  rv: number,
  start = "",
): ListPage {
  const out: CachedObject[] = [];
  let i = prefix || start ? lowerBound(keys, prefix + start) : 0;
  for (; i < keys.length; i++) {
    const k = keys[i]!;
    if (!k.startsWith(prefix)) break;
    const o = items.get(k)!;
    if (!predicate(o)) continue;
    if (limit > 0 && out.length === limit) {
      const page: ListPage = {
        items: out,
        rv,
        continueToken: encodeContinue({ rv, start: k.slice(prefix.length) }),
      };
      if (!selective) page.remaining = countPrefix(keys, i, prefix);
      return page;
    }
    out.push(o);
  }
  return { items: out, rv };
}

function countPrefix(keys: string[], from: number, prefix: string): number {
  let n = 0;
  for (let i = from; i < keys.length && keys[i]!.startsWith(prefix); i++) n++;
  return n;
}

/**
 * Whether the cache's copy of the resource is its state at `revision`: the cache has seen every event up
 * to it and none of the resource's since.
 */
function cacheHoldsSnapshot(ctx: ApiContext, scope: RequestScope, revision: number): boolean {
  if (!ctx.cache.ready || ctx.cache.revision < revision) return false;
  const rc = ctx.cache.caches.get(scope.served.storage);
  return (rc?.lastEventRevision ?? 0) <= revision;
}

/** A page of the cache's objects, from `start` (a continue token's key, relative to the prefix). */
function listFromCache(
  ctx: ApiContext,
  scope: RequestScope,
  predicate: Predicate,
  selective: boolean,
  limit: number,
  start = "",
  revision = ctx.cache.revision,
): ListPage {
  const rc = ctx.cache.caches.get(scope.served.storage);
  if (!rc) return { items: [], rv: revision };
  const prefix = resourcePrefix(ctx.prefix, scope.served.storage, scope.info.namespace);
  return pageOf(rc.keys(), rc.items, prefix, predicate, selective, limit, revision, start);
}

/** A page read from etcd at a fixed revision (continue pages, exact reads, cache not fresh). */
async function listFromEtcd(
  ctx: ApiContext,
  scope: RequestScope,
  predicate: Predicate,
  limit: number,
  revision: number,
  start: string,
): Promise<ListPage> {
  const prefix = resourcePrefix(ctx.prefix, scope.served.storage, scope.info.namespace);
  const items: CachedObject[] = [];
  let startKey = start ? prefix + start : undefined;
  let rv = revision;
  for (;;) {
    let page: Awaited<ReturnType<typeof ctx.store.list>>;
    try {
      page = await ctx.store.list(prefix, {
        revision: rv || undefined,
        limit: limit > 0 ? limit + 1 : 0,
        startKey,
      });
    } catch (err) {
      if (isCompactedError(err)) throw gone(CONTINUE_TOO_OLD);
      throw err;
    }
    if (!rv) rv = page.revision;
    for (const kv of page.kvs) {
      const obj = decodeStored(kv);
      if (!obj) continue;
      const rest = kv.key.slice(prefix.length);
      const [ns, name] =
        scope.info.namespace || !scope.served.def.namespaced ? [scope.info.namespace, rest] : rest.split("/");
      const co: CachedObject = {
        key: kv.key,
        namespace: ns ?? "",
        name: name ?? "",
        rv: kv.modRevision,
        obj,
      };
      if (!predicate(co)) continue;
      if (limit > 0 && items.length === limit) {
        return { items, rv, continueToken: encodeContinue({ rv, start: rest }) };
      }
      items.push(co);
    }
    if (!page.more || page.kvs.length === 0) return { items, rv };
    startKey = nextKey(page.kvs[page.kvs.length - 1]!.key);
  }
}

export async function handleList(ctx: ApiContext, scope: RequestScope): Promise<void> {
  const q = scope.query;
  const def = scope.served.def;
  const { predicate, selective } = buildPredicate(def, {
    namespace: scope.info.namespace,
    labelSelector: q.get("labelSelector"),
    fieldSelector: q.get("fieldSelector"),
  });
  const limit = Math.max(0, Number(q.get("limit") ?? "0") || 0);
  const cont = q.get("continue");
  const rv = parseResourceVersion(q.get("resourceVersion"));
  const match = q.get("resourceVersionMatch");
  let page: ListPage;
  if (cont) {
    const token = decodeContinue(cont);
    // While the resource has not changed since the first page's revision, the cache still holds that
    // snapshot and the next page is cut from memory; otherwise etcd is read at that revision. (An
    // informer's first list of 10,000 pods is 20 pages: read from etcd, its start-up took seconds.)
    page = cacheHoldsSnapshot(ctx, scope, token.rv)
      ? listFromCache(ctx, scope, predicate, selective, limit, token.start, token.rv)
      : await listFromEtcd(ctx, scope, predicate, limit, token.rv, token.start);
  } else if (match === "Exact" && rv !== undefined) {
    if (rv === 0) throw badRequest("resourceVersionMatch: Exact is not allowed with resourceVersion 0");
    page = await listFromEtcd(ctx, scope, predicate, limit, rv, "");
  } else if (await cacheFresh(ctx, rv)) {
    page = listFromCache(ctx, scope, predicate, selective, limit);
  } else if (rv !== undefined && rv > 0) {
    throw timeout(`Too large resource version: ${rv}, current: ${ctx.cache.revision}`, 1);
  } else {
    page = await listFromEtcd(ctx, scope, predicate, limit, 0, "");
  }
  const meta: Record<string, unknown> = { resourceVersion: String(page.rv) };
  if (page.continueToken) meta.continue = page.continueToken;
  if (page.remaining !== undefined) meta.remainingItemCount = page.remaining;
  if (scope.table) {
    const objs = page.items.map((o) => o.obj);
    writeJson(scope.res, 200, tableOf(scope, objs, meta, ctx.now()), tableContentType(scope.table));
    return;
  }
  const apiVersion = scope.served.apiVersion;
  const toServed = (o: CachedObject["obj"]) => served(scope, o);
  const { head, tail } = listEnvelope(`${def.kind}List`, apiVersion, meta);
  const parts = listParts(
    head,
    page.items.map((o) => objectJson(o, apiVersion, toServed)),
    tail,
  );
  await writeParts(scope.res, 200, parts, "application/json");
}

const COMMA = Buffer.from(",");

/** The list body as pieces: head, the items separated by commas, tail. Pure. */
export function listParts(head: Buffer, items: Buffer[], tail: Buffer): Buffer[] {
  const parts: Buffer[] = new Array(items.length * 2 + 1);
  let n = 0;
  parts[n++] = head;
  for (let i = 0; i < items.length; i++) {
    if (i > 0) parts[n++] = COMMA;
    parts[n++] = items[i]!;
  }
  parts[n++] = tail;
  parts.length = n;
  return parts;
}

/** Bytes handed to the socket at once: large enough for few TLS writes, small enough to bound memory. */
const WRITE_BATCH_BYTES = 256 * 1024;

/**
 * Writes a body made of `parts` with its Content-Length, in batches of about WRITE_BATCH_BYTES that
 * wait for the socket to drain: the bytes are the shared cached ones, copied only a batch at a time.
 */
export async function writeParts(
  res: ServerResponse,
  code: number,
  parts: Buffer[],
  contentType: string,
): Promise<void> {
  let length = 0;
  for (const p of parts) length += p.length;
  res.writeHead(code, { "Content-Type": contentType, "Content-Length": length });
  let batch: Buffer[] = [];
  let size = 0;
  for (const p of parts) {
    batch.push(p);
    size += p.length;
    if (size < WRITE_BATCH_BYTES) continue;
    const more = res.write(Buffer.concat(batch, size));
    batch = [];
    size = 0;
    if (!more && !(await drained(res))) return;
  }
  res.end(size > 0 ? Buffer.concat(batch, size) : undefined);
}

/** Resolves true once `res` can take more, false when the connection closed first. */
function drained(res: ServerResponse): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      res.off("drain", onDrain);
      res.off("close", onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    res.on("drain", onDrain);
    res.on("close", onClose);
  });
}
