// WATCH, served from the watch cache: an initial snapshot (resourceVersion unset or 0, or
// sendInitialEvents) or a replay of the cache's recent events, then every change, as JSON lines.
// Each event's frame is made once per (apiVersion, type) from the object's cached JSON and the same bytes
// go to every watcher (watchcache/encoding.ts), as kube-apiserver's cacher does.
import type { CachedObject, CacheEvent, CacheWatcher, EventType } from "../watchcache/cache.js";
import { eventFrame, FRAME_TAIL, frameHead, frameOf, objectJson } from "../watchcache/encoding.js";
import { buildPredicate } from "./filter.js";
import { cacheFresh, parseResourceVersion } from "./list.js";
import { type ApiContext, type RequestScope, served, tableContentType, tableOf } from "./scope.js";
import { timeout, tooOldResourceVersion } from "./status.js";

/** A watcher whose connection holds more than this many unsent bytes is closed (it reconnects). */
const MAX_BUFFERED = 32 * 1024 * 1024;
/** Initial events are handed to the socket in batches of about this many bytes. */
const INITIAL_BATCH_BYTES = 256 * 1024;

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
  let timer: NodeJS.Timeout | undefined;
  let columnsSent = false;
  const apiVersion = scope.served.apiVersion;
  const toServed = (o: CachedObject["obj"]) => served(scope, o);
  const tableMemoKey = `table:${scope.table}:${q.get("includeObject") ?? ""}:${apiVersion}`;

  const tableFrame = (type: EventType, ev: CacheEvent): Buffer => {
    if (!columnsSent) {
      columnsSent = true;
      const t = tableOf(scope, [ev.object.obj], { resourceVersion: String(ev.rv) }, ctx.now(), true);
      return frameOf(type, Buffer.from(JSON.stringify(t)));
    }
    const key = `${tableMemoKey}:${type}`;
    ev.frames ??= new Map();
    let frame = ev.frames.get(key);
    if (frame === undefined) {
      const t = tableOf(scope, [ev.object.obj], { resourceVersion: String(ev.rv) }, ctx.now(), false);
      frame = frameOf(type, Buffer.from(JSON.stringify(t)));
      ev.frames.set(key, frame);
    }
    return frame;
  };
  const encodeEvent = (type: EventType, ev: CacheEvent): Buffer =>
    scope.table ? tableFrame(type, ev) : eventFrame(ev, type, apiVersion, toServed);

  const finish = () => {
    if (closed) return;
    closed = true;
    rc.watchers.delete(watcher);
    clearTimeout(timer);
    res.end();
  };

  const write = (frame: Buffer | string) => {
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
    let batch: Buffer[] = [];
    let size = 0;
    const flush = () => {
      if (size > 0) write(Buffer.concat(batch, size));
      batch = [];
      size = 0;
    };
    const added = frameHead("ADDED");
    for (const k of rc.keys()) {
      const o = rc.items.get(k)!;
      if (!predicate(o)) continue;
      if (scope.table) {
        const frame = tableFrame("ADDED", { type: "ADDED", rv: o.rv, object: o, at: 0 });
        batch.push(frame);
        size += frame.length;
      } else {
        const json = objectJson(o, apiVersion, toServed);
        batch.push(added, json, FRAME_TAIL);
        size += added.length + json.length + FRAME_TAIL.length;
      }
      if (size >= INITIAL_BATCH_BYTES) flush();
    }
    flush();
    if (sendInitial && bookmarks) write(bookmarkFrame(def.kind, apiVersion, snapshotRv, true));
  } else {
    // As after a live dispatch, the replayed events' frames are not kept (cache.ts).
    for (const ev of rc.eventsSince(rv!)) {
      rc.dispatchTo(watcher, ev);
      ev.frames = undefined;
    }
  }
  // A snapshot larger than the watcher may buffer has already closed it: do not register it.
  if (closed) return;
  rc.watchers.add(watcher);
  timer = setTimeout(finish, timeoutSeconds * 1000);
  timer.unref();
  scope.req.on("close", finish);
  res.on("close", finish);
}

function bookmarkFrame(kind: string, apiVersion: string, rv: number, initialEnd = false): string {
  const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
  if (initialEnd) metadata.annotations = { "k8s.io/initial-events-end": "true" };
  return `${JSON.stringify({ type: "BOOKMARK", object: { kind, apiVersion, metadata } })}\n`;
}
