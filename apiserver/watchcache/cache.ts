// The watch cache: one etcd watch on the whole registry prefix feeds an in-memory copy of every
// resource, a ring buffer of recent events per resource (for watch resume), and the watchers.
// Every watcher and list is served from memory; each event is decoded once, and each object version
// serialized once for every LIST and watcher (encoding.ts, Kubernetes' cachingObject).
import type { StoredObject } from "../../pkg/api/types.js";
import type { Logger } from "../../pkg/util/log.js";
import type { EtcdStore, KV, WatchBatch } from "../storage/etcd-store.js";
import { parseKey, splitRest } from "../storage/keys.js";

export interface CachedObject {
  key: string;
  namespace: string;
  name: string;
  rv: number;
  /** The object with metadata.resourceVersion set. Shared: never mutate. */
  obj: StoredObject;
  /** Its JSON as served in one apiVersion, filled on first use by encoding.ts's objectJson. */
  encoded?: { apiVersion: string; json: Buffer };
}

export type EventType = "ADDED" | "MODIFIED" | "DELETED";

export interface CacheEvent {
  type: EventType;
  rv: number;
  object: CachedObject;
  prev?: CachedObject;
  /** Encoded frames as bytes, per (encoding, type), shared by all watchers (encoding.ts's eventFrame).
   * Dropped once the event has been dispatched: only a watcher resuming from an older revision needs
   * them again, and it makes them again. */
  frames?: Map<string, Buffer>;
  /** When the cache recorded the event (ms), for the history's freshness window. */
  at: number;
}

export interface CacheWatcher {
  /** Whether the object passes the watcher's namespace/label/field filters. */
  matches(o: CachedObject): boolean;
  /** Deliver one event (already filtered and typed). Must not throw. */
  deliver(type: EventType, ev: CacheEvent): void;
  /** Periodic bookmark at the cache's revision. */
  bookmark(rv: number): void;
  /** The cache was reset (compaction, re-list): the watcher must end. */
  terminate(reason: string): void;
}

/** Decodes a stored value into an object with its resourceVersion. Null for undecodable data. */
export function decodeStored(kv: KV, rv = kv.modRevision): StoredObject | null {
  try {
    const obj = JSON.parse(kv.value) as StoredObject;
    if (
      typeof obj !== "object" ||
      obj === null ||
      typeof obj.metadata !== "object" ||
      obj.metadata === null
    ) {
      return null;
    }
    obj.metadata.resourceVersion = String(rv);
    return obj;
  } catch {
    return null;
  }
}

/** The first index in sorted `keys` whose key is >= `target`. Pure. */
export function lowerBound(keys: string[], target: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * How much event history a resource keeps for watch resumes, as kube-apiserver's watch cache sizes it
 * (k8s.io/apiserver/pkg/storage/cacher/watch_cache.go): at least `freshMs` of events (75 s: a bookmark
 * interval and a margin), between `lowerBound` and `upperBound` events; the capacity doubles when full of
 * fresh events and halves when even its newest quarter is stale.
 */
export interface HistoryOptions {
  lowerBound: number;
  upperBound: number;
  freshMs: number;
  now: () => number;
}

export const DEFAULT_HISTORY: HistoryOptions = {
  lowerBound: 100,
  upperBound: 100 * 1024,
  freshMs: 75_000,
  now: Date.now,
};

/** A fixed history of `capacity` events (tests). */
export function fixedHistory(capacity: number): HistoryOptions {
  return { ...DEFAULT_HISTORY, lowerBound: capacity, upperBound: capacity };
}

/**
 * The capacity the history should have before `now`'s event is added: doubled when full and its oldest
 * event is still fresh, halved when full and the oldest of its newest quarter is stale. Pure.
 */
export function nextCapacity(
  capacity: number,
  recordTimes: { length: number; at(i: number): number },
  now: number,
  o: Pick<HistoryOptions, "lowerBound" | "upperBound" | "freshMs">,
): number {
  const n = recordTimes.length;
  if (n < capacity) return capacity;
  if (now - recordTimes.at(0) < o.freshMs) return Math.min(capacity * 2, o.upperBound);
  if (now - recordTimes.at(n - Math.floor(capacity / 4)) > o.freshMs)
    return Math.max(Math.floor(capacity / 2), o.lowerBound);
  return capacity;
}

export class ResourceCache {
  readonly items = new Map<string, CachedObject>();
  private sortedKeys: string[] | null = null;
  /** Recent events, oldest first, from `historyStart` on (the slots before it are dropped ones). */
  private history: CacheEvent[] = [];
  private historyStart = 0;
  private capacity: number;
  /** Watches may resume from any revision >= this one. */
  resumableFrom: number;
  /** The revision of this resource's newest event, or the one the cache was loaded at: its copy is the
   * resource's state at every revision from this one to the cache's. */
  lastEventRevision: number;
  readonly watchers = new Set<CacheWatcher>();

  constructor(
    readonly storage: string,
    readonly namespaced: boolean,
    initRevision: number,
    private readonly historyOptions: HistoryOptions = DEFAULT_HISTORY,
  ) {
    this.resumableFrom = initRevision;
    this.lastEventRevision = initRevision;
    this.capacity = historyOptions.lowerBound;
  }

  /** Events kept for resumes, and the history's current capacity (tests, metrics). */
  historySize(): { events: number; capacity: number } {
    return { events: this.history.length - this.historyStart, capacity: this.capacity };
  }

  /**
   * Keys in etcd order: sorted once after a bulk load, then kept in order by each insert and delete
   * (a memmove of the array), so that a LIST right after a create does not sort every key again.
   */
  keys(): string[] {
    if (!this.sortedKeys) this.sortedKeys = [...this.items.keys()].sort();
    return this.sortedKeys;
  }

  private insertKey(key: string): void {
    if (this.sortedKeys) this.sortedKeys.splice(lowerBound(this.sortedKeys, key), 0, key);
  }

  private removeKey(key: string): void {
    if (!this.sortedKeys) return;
    const i = lowerBound(this.sortedKeys, key);
    if (this.sortedKeys[i] === key) this.sortedKeys.splice(i, 1);
  }

  load(o: CachedObject): void {
    this.items.set(o.key, o);
    this.sortedKeys = null;
  }

  apply(type: "put" | "delete", key: string, kv: KV, prev: KV | undefined, rest: string): void {
    const old = this.items.get(key);
    let ev: CacheEvent;
    if (type === "put") {
      const parts = splitRest(rest, this.namespaced);
      const obj = decodeStored(kv);
      if (!parts || !obj) return;
      const o: CachedObject = { key, namespace: parts.namespace, name: parts.name, rv: kv.modRevision, obj };
      if (!old) this.insertKey(key);
      this.items.set(key, o);
      // The replaced version's JSON served LISTs; only the history still refers to it now.
      if (old) old.encoded = undefined;
      ev = { type: old ? "MODIFIED" : "ADDED", rv: kv.modRevision, object: o, prev: old, at: 0 };
    } else {
      if (!old && !prev) return;
      if (old) this.removeKey(key);
      this.items.delete(key);
      const base = old ?? (prev ? this.fromPrev(key, prev, rest) : undefined);
      if (!base) return;
      // The deleted object is served with the deletion's revision, as Kubernetes does (and so not
      // with the JSON cached for its last version).
      const obj = {
        ...base.obj,
        metadata: { ...base.obj.metadata, resourceVersion: String(kv.modRevision) },
      };
      base.encoded = undefined;
      const o: CachedObject = { key, namespace: base.namespace, name: base.name, rv: kv.modRevision, obj };
      ev = { type: "DELETED", rv: kv.modRevision, object: o, prev: base, at: 0 };
    }
    this.push(ev);
    this.dispatch(ev);
    ev.frames = undefined;
  }

  private fromPrev(key: string, prev: KV, rest: string): CachedObject | undefined {
    const parts = splitRest(rest, this.namespaced);
    const obj = decodeStored(prev);
    if (!parts || !obj) return undefined;
    return { key, namespace: parts.namespace, name: parts.name, rv: prev.modRevision, obj };
  }

  private push(ev: CacheEvent): void {
    this.lastEventRevision = ev.rv;
    const now = this.historyOptions.now();
    ev.at = now;
    const h = this.history;
    const start = this.historyStart;
    const times = { length: h.length - start, at: (i: number) => h[start + i]!.at };
    this.capacity = nextCapacity(this.capacity, times, now, this.historyOptions);
    // Drop the oldest events beyond capacity - 1, making room for this one.
    const excess = times.length - this.capacity + 1;
    if (excess > 0) this.drop(excess);
    this.history.push(ev); // (drop may have compacted into a new array)
  }

  private drop(count: number): void {
    const h = this.history;
    const last = this.historyStart + count - 1;
    this.resumableFrom = h[last]!.rv;
    for (let i = this.historyStart; i <= last; i++) h[i] = undefined as unknown as CacheEvent;
    this.historyStart = last + 1;
    // Compact now and then (amortised O(1) per event).
    if (this.historyStart >= 64 && this.historyStart * 2 >= h.length) {
      this.history = h.slice(this.historyStart);
      this.historyStart = 0;
    }
  }

  /** Events with rv > fromRev, oldest first. Caller checks fromRev >= resumableFrom. */
  eventsSince(fromRev: number): CacheEvent[] {
    const h = this.history;
    let lo = this.historyStart;
    let hi = h.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (h[mid]!.rv <= fromRev) lo = mid + 1;
      else hi = mid;
    }
    return h.slice(lo);
  }

  dispatch(ev: CacheEvent): void {
    for (const w of this.watchers) this.dispatchTo(w, ev);
  }

  /** Delivers one event to one watcher, turning selector transitions into ADDED / DELETED. */
  dispatchTo(w: CacheWatcher, ev: CacheEvent): void {
    if (ev.type === "DELETED") {
      if (ev.prev && w.matches(ev.prev)) w.deliver("DELETED", ev);
      return;
    }
    const now = w.matches(ev.object);
    const before = ev.prev !== undefined && w.matches(ev.prev);
    if (now && before) w.deliver("MODIFIED", ev);
    else if (now) w.deliver("ADDED", ev);
    else if (before) w.deliver("DELETED", ev);
  }
}

export interface CacheOptions {
  prefix: string;
  namespaced(storage: string): boolean | undefined;
  log: Logger;
  /** Event history kept per resource for watch resumes (default: kube-apiserver's sizing). */
  history?: HistoryOptions;
  bookmarkIntervalMs?: number;
}

/** All resources' caches, fed by one etcd watch on `<prefix>/`. */
export class WatchCache {
  readonly caches = new Map<string, ResourceCache>();
  revision = 0;
  ready = false;
  private waiters: { rev: number; resolve: () => void }[] = [];
  private watcher: { cancel(): Promise<void> } | null = null;
  private bookmarkTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private initRevision = 0;

  constructor(
    private readonly store: EtcdStore,
    private readonly opts: CacheOptions,
  ) {}

  cache(storage: string): ResourceCache {
    let c = this.caches.get(storage);
    if (!c) {
      c = new ResourceCache(
        storage,
        this.opts.namespaced(storage) ?? true,
        this.initRevision,
        this.opts.history ?? DEFAULT_HISTORY,
      );
      this.caches.set(storage, c);
    }
    return c;
  }

  /** Lists everything under the prefix, then watches from the next revision. Retries until it works. */
  async start(): Promise<void> {
    let delay = 200;
    while (!this.stopped) {
      try {
        await this.initialize();
        break;
      } catch (err) {
        this.opts.log.warn({ err: String(err) }, "watch cache: initial list failed; retrying");
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5000);
      }
    }
    if (!this.bookmarkTimer) {
      this.bookmarkTimer = setInterval(() => this.sendBookmarks(), this.opts.bookmarkIntervalMs ?? 15000);
      this.bookmarkTimer.unref();
    }
  }

  private async initialize(): Promise<void> {
    const prefix = `${this.opts.prefix}/`;
    const rev = await this.store.currentRevision();
    const all: KV[] = [];
    let start: string | undefined;
    for (;;) {
      const page = await this.store.list(prefix, { revision: rev, limit: 5000, startKey: start });
      all.push(...page.kvs);
      if (!page.more || page.kvs.length === 0) break;
      start = `${page.kvs[page.kvs.length - 1]!.key}\u0000`;
    }
    for (const c of this.caches.values()) {
      for (const w of c.watchers) w.terminate("watch cache re-initialised");
    }
    this.caches.clear();
    this.initRevision = rev;
    for (const kv of all) {
      const pk = parseKey(this.opts.prefix, kv.key);
      if (!pk) continue;
      const c = this.cache(pk.storage);
      const parts = splitRest(pk.rest, c.namespaced);
      const obj = decodeStored(kv);
      if (parts && obj)
        c.load({ key: kv.key, namespace: parts.namespace, name: parts.name, rv: kv.modRevision, obj });
    }
    this.revision = rev;
    const w = await this.store.watch(
      prefix,
      rev + 1,
      (b) => this.onBatch(b),
      (err) => this.onWatchError(err),
    );
    this.watcher = w;
    this.ready = true;
    this.notifyWaiters();
    this.opts.log.info({ revision: rev, objects: all.length }, "watch cache initialised");
  }

  private onWatchError(err: Error): void {
    this.opts.log.warn({ err: err.message }, "watch cache: etcd watch failed; re-listing");
    this.ready = false;
    const w = this.watcher;
    this.watcher = null;
    void w?.cancel().catch(() => {});
    if (!this.stopped) void this.start();
  }

  private onBatch(b: WatchBatch): void {
    for (const ev of b.events) {
      const pk = parseKey(this.opts.prefix, ev.kv.key);
      if (pk) this.cache(pk.storage).apply(ev.type, ev.kv.key, ev.kv, ev.prev, pk.rest);
      if (ev.kv.modRevision > this.revision) this.revision = ev.kv.modRevision;
    }
    if (b.progressRevision && b.progressRevision > this.revision) this.revision = b.progressRevision;
    this.notifyWaiters();
  }

  private notifyWaiters(): void {
    if (this.waiters.length === 0) return;
    const keep: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (this.ready && this.revision >= w.rev) w.resolve();
      else keep.push(w);
    }
    this.waiters = keep;
  }

  /**
   * True when the cache is ready and holds no object of `storage` under the key `prefix`: what admission
   * plugins ask their informer's lister in Kubernetes ("no ResourceQuota / LimitRange in this namespace"),
   * answered without a round trip to etcd. Like a lister it may trail etcd by the cache's lag (ms).
   */
  knownEmpty(storage: string, prefix: string): boolean {
    // Only as fresh as every write under `prefix` this apiserver has acknowledged: a LimitRange or
    // ResourceQuota created a moment ago must not be missed by the next create's admission (Kubernetes'
    // quota and limit-range admission close the same gap with a live lookup). Behind that, the caller
    // reads etcd. (Writes of other resources do not count: under a steady load of creates the cache is
    // always a few ms behind the newest one, and every create would read etcd.)
    if (!this.ready || this.revision < this.store.lastWriteRevisionUnder(prefix)) return false;
    const rc = this.caches.get(storage);
    if (!rc) return true;
    const keys = rc.keys();
    const i = lowerBound(keys, prefix);
    return i >= keys.length || !keys[i]!.startsWith(prefix);
  }

  /** Resolves true once the cache has seen `rev`, false after `timeoutMs`. */
  waitForRevision(rev: number, timeoutMs: number): Promise<boolean> {
    if (this.ready && this.revision >= rev) return Promise.resolve(true);
    return new Promise((resolve) => {
      const entry = {
        rev,
        resolve: () => {
          clearTimeout(t);
          resolve(true);
        },
      };
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== entry);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(entry);
    });
  }

  private sendBookmarks(): void {
    for (const c of this.caches.values()) for (const w of c.watchers) w.bookmark(this.revision);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.bookmarkTimer) clearInterval(this.bookmarkTimer);
    for (const c of this.caches.values()) for (const w of c.watchers) w.terminate("server shutting down");
    await this.watcher?.cancel().catch(() => {});
  }
}
