// GET, LIST and WATCH. Lists and watches are served from the watch cache with Kubernetes' resourceVersion
// semantics: unset = consistent (wait for the cache to reach etcd's current revision), "0" = any,
// N = not older than N; `continue` pages are read from etcd at the first page's revision.
import type { StoredObject } from "../../pkg/api/types.js";
import { isCompactedError } from "../storage/etcd-store.js";
import { objectKey, resourcePrefix } from "../storage/keys.js";
import {
  type CachedObject,
  type CacheEvent,
  type CacheWatcher,
  decodeStored,
  type EventType,
} from "../watchcache/cache.js";
import { decodeContinue, encodeContinue, nextKey } from "../watchcache/continue-token.js";
import { buildPredicate, type Predicate } from "./filter.js";
import { writeJson, writeRaw } from "./response.js";
import { type ApiContext, type RequestScope, served, tableContentType, tableOf } from "./scope.js";
import { badRequest, CONTINUE_TOO_OLD, gone, notFound, timeout, tooOldResourceVersion } from "./status.js";

const CACHE_WAIT_MS = 3000;

export function parseResourceVersion(s: string | null): number | undefined {
  if (s === null || s === "") return undefined;
  if (!/^\d+$/.test(s)) throw badRequest(`invalid resource version: ${s}`);
  return Number(s);
}

function respondObject(ctx: ApiContext, scope: RequestScope, code: number, obj: StoredObject): void {
  if (scope.table) {
    const t = tableOf(scope, [obj], { resourceVersion: obj.metadata.resourceVersion }, ctx.now());
    writeJson(scope.res, code, t, tableContentType(scope.table));
    return;
  }
  writeJson(scope.res, code, served(scope, obj));
}

export { respondObject };

/** Reads one object from etcd (consistent), or from the cache for resourceVersion=0. */
export async function readObject(
  ctx: ApiContext,
  scope: RequestScope,
  name: string,
  fromCache = false,
): Promise<StoredObject> {
  const key = objectKey(ctx.prefix, scope.served.storage, scope.info.namespace, name);
  if (fromCache && ctx.cache.ready) {
    const c = ctx.cache.caches.get(scope.served.storage)?.items.get(key);
    if (!c) throw notFound(scope.gr, name);
    return c.obj;
  }
  const kv = await ctx.store.get(key);
  const obj = kv ? decodeStored(kv) : null;
  if (!obj) throw notFound(scope.gr, name);
  return obj;
}

export async function handleGet(ctx: ApiContext, scope: RequestScope): Promise<void> {
  const rv = parseResourceVersion(scope.query.get("resourceVersion"));
  const obj = await readObject(ctx, scope, scope.info.name, rv === 0);
  respondObject(ctx, scope, 200, obj);
}

/** Waits until the cache holds the state the request asks for; falls back to etcd when it does not. */
async function cacheFresh(ctx: ApiContext, rv: number | undefined): Promise<boolean> {
  if (rv === 0) return ctx.cache.ready;
  const target = rv ?? (await ctx.store.currentRevision());
  return ctx.cache.waitForRevision(target, CACHE_WAIT_MS);
}

interface ListPage {
  items: StoredObject[];
  rv: number;
  continueToken?: string;
  remaining?: number;
}

function listFromCache(
  ctx: ApiContext,
  scope: RequestScope,
  predicate: Predicate,
  selective: boolean,
  limit: number,
): ListPage {
  const rc = ctx.cache.caches.get(scope.served.storage);
  const rv = ctx.cache.revision;
  if (!rc) return { items: [], rv };
  const prefix = resourcePrefix(ctx.prefix, scope.served.storage, scope.info.namespace);
  const keys = rc.keys();
  const items: StoredObject[] = [];
  let i = scope.info.namespace ? lowerBound(keys, prefix) : 0;
  for (; i < keys.length; i++) {
    const k = keys[i]!;
    if (!k.startsWith(prefix)) break;
    const o = rc.items.get(k)!;
    if (!predicate(o)) continue;
    if (limit > 0 && items.length === limit) {
      const page: ListPage = {
        items,
        rv,
        continueToken: encodeContinue({ rv, start: k.slice(prefix.length) }),
      };
      if (!selective) page.remaining = countPrefix(keys, i, prefix);
      return page;
    }
    items.push(o.obj);
  }
  return { items, rv };
}

function lowerBound(keys: string[], target: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function countPrefix(keys: string[], from: number, prefix: string): number {
  let n = 0;
  for (let i = from; i < keys.length && keys[i]!.startsWith(prefix); i++) n++;
  return n;
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
  const items: StoredObject[] = [];
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
      items.push(obj);
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
    page = await listFromEtcd(ctx, scope, predicate, limit, token.rv, token.start);
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
    writeJson(scope.res, 200, tableOf(scope, page.items, meta, ctx.now()), tableContentType(scope.table));
    return;
  }
  writeRaw(scope.res, 200, encodeList(scope, page.items, meta));
}

/** Builds the list JSON by joining each item's JSON (memoised per object version when unconverted). */
function encodeList(scope: RequestScope, items: StoredObject[], meta: Record<string, unknown>): string {
  const def = scope.served.def;
  const parts = items.map((o) => JSON.stringify(served(scope, o)));
  return `{"kind":"${def.kind}List","apiVersion":"${scope.served.apiVersion}","metadata":${JSON.stringify(meta)},"items":[${parts.join(",")}]}`;
}

// ---------------------------------------------------------------- watch

const MAX_BUFFERED = 32 * 1024 * 1024;

export async function handleWatch(ctx: ApiContext, scope: RequestScope): Promise<void> {
  const q = scope.query;
  const def = scope.served.def;
  let fieldSelector = q.get("fieldSelector");
  if (scope.info.name) {
    const byName = `metadata.name=${scope.info.name}`;
    fieldSelector = fieldSelector ? `${fieldSelector},${byName}` : byName;
  }
  const { predicate } = buildPredicate(def, {
    namespace: scope.info.namespace,
    labelSelector: q.get("labelSelector"),
    fieldSelector,
  });
  const rv = parseResourceVersion(q.get("resourceVersion"));
  const bookmarks = q.get("allowWatchBookmarks") === "true";
  const sendInitial = q.get("sendInitialEvents") === "true";
  const timeoutSeconds = Number(q.get("timeoutSeconds") ?? "0") || 1800 + Math.floor(Math.random() * 1800);

  const fresh = await cacheFresh(ctx, rv === undefined || rv === 0 ? 0 : rv);
  if (!fresh) {
    if (rv !== undefined && rv > 0)
      throw timeout(`Too large resource version: ${rv}, current: ${ctx.cache.revision}`, 1);
    throw timeout("the watch cache is not ready", 1);
  }
  const rc = ctx.cache.cache(scope.served.storage);
  const initial = rv === undefined || rv === 0 || sendInitial;
  if (!initial && rv! < rc.resumableFrom) throw tooOldResourceVersion(rv!, rc.resumableFrom);

  const res = scope.res;
  const contentType = scope.table ? tableContentType(scope.table) : "application/json";
  res.writeHead(200, {
    "Content-Type": contentType,
    "Transfer-Encoding": "chunked",
    "Cache-Control": "no-cache, private",
  });
  res.socket?.setNoDelay(true);
  res.flushHeaders();

  let closed = false;
  let columnsSent = false;
  const apiVersion = scope.served.apiVersion;
  const memoBase = scope.table
    ? `table:${scope.table}:${q.get("includeObject") ?? ""}:${apiVersion}`
    : `json:${apiVersion}`;

  const encodeEvent = (type: EventType, ev: CacheEvent): string => {
    if (scope.table && !columnsSent) {
      columnsSent = true;
      const t = tableOf(scope, [ev.object.obj], { resourceVersion: String(ev.rv) }, ctx.now(), true);
      return `{"type":"${type}","object":${JSON.stringify(t)}}\n`;
    }
    const key = `${memoBase}:${type}`;
    let frame = ev.memo.get(key);
    if (frame === undefined) {
      const body = scope.table
        ? JSON.stringify(
            tableOf(scope, [ev.object.obj], { resourceVersion: String(ev.rv) }, ctx.now(), false),
          )
        : JSON.stringify(served(scope, ev.object.obj));
      frame = `{"type":"${type}","object":${body}}\n`;
      ev.memo.set(key, frame);
    }
    return frame;
  };

  const finish = () => {
    if (closed) return;
    closed = true;
    rc.watchers.delete(watcher);
    clearTimeout(timer);
    res.end();
  };

  const write = (frame: string) => {
    if (closed) return;
    res.write(frame);
    if (res.writableLength > MAX_BUFFERED) {
      ctx.log.warn({ resource: def.resource }, "closing a slow watcher");
      finish();
    }
  };

  const watcher: CacheWatcher = {
    matches: predicate,
    deliver: (type, ev) => write(encodeEvent(type, ev)),
    bookmark: (brv) => {
      if (bookmarks) write(bookmarkFrame(def.kind, apiVersion, brv));
    },
    terminate: () => finish(),
  };

  // Snapshot or replay, and registration, happen in one synchronous step: no event can fall between.
  if (initial) {
    const snapshotRv = ctx.cache.revision;
    for (const k of rc.keys()) {
      const o = rc.items.get(k)!;
      if (!predicate(o)) continue;
      const ev: CacheEvent = { type: "ADDED", rv: o.rv, object: o, memo: new Map() };
      write(encodeEvent("ADDED", ev));
    }
    if (sendInitial && bookmarks) write(bookmarkFrame(def.kind, apiVersion, snapshotRv, true));
  } else {
    for (const ev of rc.eventsSince(rv!)) rc.dispatchTo(watcher, ev);
  }
  rc.watchers.add(watcher);
  const timer = setTimeout(finish, timeoutSeconds * 1000);
  timer.unref();
  scope.req.on("close", finish);
  res.on("close", finish);
}

function bookmarkFrame(kind: string, apiVersion: string, rv: number, initialEnd = false): string {
  const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
  if (initialEnd) metadata.annotations = { "k8s.io/initial-events-end": "true" };
  return `${JSON.stringify({ type: "BOOKMARK", object: { kind, apiVersion, metadata } })}\n`;
}
