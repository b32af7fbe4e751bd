// Shared informers (client-go's tools/cache SharedIndexInformer + informers.SharedInformerFactory):
// a reflector (listAndWatch) keeps an indexed store in step with the apiserver and tells handlers
// what changed. Handlers should only enqueue keys: the work happens in reconcile(key), which reads
// the store. One informer per resource per process, shared by every controller through the factory.
import type { Logger } from "../util/log.js";
import { describeError } from "./errors.js";
import { apiVersionOf, type ResourceRef } from "./gvr.js";
import type { ResourceClient, RestClient } from "./rest.js";
import { type DeletedFinalStateUnknown, Indexer, type Indexers } from "./store.js";
import type { ApiObject, WatchEvent } from "./types.js";
import { listAndWatch } from "./watch.js";

export interface ResourceEventHandler<T> {
  /** isInInitialList: the object came with the first list (or was cached when the handler was added). */
  onAdd?(obj: T, isInInitialList: boolean): void;
  /** Also called on every resync with oldObj === newObj. */
  onUpdate?(oldObj: T, newObj: T): void;
  /** A tombstone when the delete happened while the watch was down (found missing on relist). */
  onDelete?(obj: T | DeletedFinalStateUnknown<T>): void;
}

export interface HandlerRegistration {
  remove(): void;
}

export interface SharedInformerOptions<T> {
  labelSelector?: string;
  fieldSelector?: string;
  indexers?: Indexers<T>;
  /** Every resyncMs, handlers get onUpdate(obj, obj) for every cached object. 0 = never (default). */
  resyncMs?: number;
  pageSize?: number;
  logger?: Logger;
  /**
   * Applied to every object before it enters the store and reaches the handlers (client-go's
   * SetTransform), e.g. stripManagedFields: what a component never reads need not stay in its memory.
   */
  transform?: (obj: T) => T;
}

/**
 * Drops metadata.managedFields (client-go's TransformStripManagedFields), as kube-scheduler's pod informer
 * and kube-controller-manager's informers do: server-side apply's bookkeeping can be as large as the
 * rest of the object and no controller reads it. Mutates and returns the object it is given.
 */
export function stripManagedFields<T extends ApiObject>(obj: T): T {
  const meta = (obj as ApiObject).metadata as { managedFields?: unknown } | undefined;
  if (meta?.managedFields !== undefined) delete meta.managedFields;
  return obj;
}

interface Registered<T> {
  handler: ResourceEventHandler<T>;
}

export class SharedInformer<T extends ApiObject> {
  readonly store: Indexer<T>;
  private readonly handlers = new Set<Registered<T>>();
  private synced = false;
  private lastRV = "";
  private running = false;
  private readonly syncWaiters: Array<() => void> = [];
  private readonly logger: Logger | undefined;

  constructor(
    readonly resourceClient: ResourceClient<T>,
    private readonly opts: SharedInformerOptions<T> = {},
  ) {
    this.store = new Indexer<T>(opts.indexers ?? {});
    this.logger = opts.logger ?? resourceClient.client.logger;
  }

  get ref(): ResourceRef<T> {
    return this.resourceClient.ref;
  }

  /** Handlers added late get onAdd(obj, true) for everything already cached, so they miss nothing. */
  addEventHandler(handler: ResourceEventHandler<T>): HandlerRegistration {
    const reg: Registered<T> = { handler };
    this.handlers.add(reg);
    for (const obj of this.store.list()) this.call("onAdd", () => handler.onAdd?.(obj, true));
    return { remove: () => this.handlers.delete(reg) };
  }

  addIndexers(indexers: Indexers<T>): void {
    this.store.addIndexers(indexers);
  }

  /** True once the first list is in the store. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves when synced; false if the signal aborts first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => resolve(false);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.syncWaiters.push(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve(true);
      });
    });
  }

  lastSyncResourceVersion(): string {
    return this.lastRV;
  }

  isRunning(): boolean {
    return this.running;
  }

  /** Lists and watches until the signal aborts. Calling it twice is a no-op for the second caller. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.running) return;
    this.running = true;
    let resync: NodeJS.Timeout | undefined;
    if (this.opts.resyncMs && this.opts.resyncMs > 0) {
      resync = setInterval(() => this.resync(), this.opts.resyncMs);
    }
    try {
      await listAndWatch(
        this.resourceClient,
        { replace: (items, rv) => this.onReplace(items, rv), event: (ev) => this.onEvent(ev) },
        {
          labelSelector: this.opts.labelSelector,
          fieldSelector: this.opts.fieldSelector,
          pageSize: this.opts.pageSize,
          logger: this.logger,
          signal,
        },
      );
    } finally {
      if (resync) clearInterval(resync);
      this.running = false;
    }
  }

  private call(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      // A failing handler must not stop the informer nor the other handlers.
      this.logger?.error(
        { resource: this.ref.resource, handler: what, err: describeError(err) },
        "event handler failed",
      );
    }
  }

  private notifyAdd(obj: T, initial: boolean): void {
    for (const reg of this.handlers) this.call("onAdd", () => reg.handler.onAdd?.(obj, initial));
  }

  private notifyUpdate(oldObj: T, newObj: T): void {
    for (const reg of this.handlers) this.call("onUpdate", () => reg.handler.onUpdate?.(oldObj, newObj));
  }

  private notifyDelete(obj: T | DeletedFinalStateUnknown<T>): void {
    for (const reg of this.handlers) this.call("onDelete", () => reg.handler.onDelete?.(obj));
  }

  private onReplace(listed: T[], resourceVersion: string): void {
    const transform = this.opts.transform;
    const items = transform ? listed.map(transform) : listed;
    const initial = !this.synced;
    const seen = new Set<string>();
    const previous = new Map<string, T>();
    for (const obj of items) {
      const key = this.store.keyFunc(obj);
      seen.add(key);
      const old = this.store.getByKey(key);
      if (old) previous.set(key, old);
    }
    const gone: Array<[string, T]> = [];
    for (const key of this.store.listKeys()) if (!seen.has(key)) gone.push([key, this.store.getByKey(key)!]);
    this.store.replace(items);
    this.lastRV = resourceVersion;
    for (const [key, old] of gone) this.notifyDelete({ tombstone: true, key, obj: old });
    for (const obj of items) {
      const old = previous.get(this.store.keyFunc(obj));
      if (old) this.notifyUpdate(old, obj);
      else this.notifyAdd(obj, initial);
    }
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  private onEvent(ev: WatchEvent<T>): void {
    const rv = ev.object?.metadata?.resourceVersion;
    if (rv) this.lastRV = rv;
    switch (ev.type) {
      case "ADDED":
      case "MODIFIED": {
        const obj = this.opts.transform ? this.opts.transform(ev.object) : ev.object;
        const apiObj = obj as ApiObject;
        // Watch events carry the type meta; make sure cached objects always do.
        apiObj.apiVersion ??= apiVersionOf(this.ref);
        apiObj.kind ??= this.ref.kind;
        const old = this.store.add(obj);
        if (old) this.notifyUpdate(old, obj);
        else this.notifyAdd(obj, false);
        break;
      }
      case "DELETED": {
        const obj = this.opts.transform && ev.object ? this.opts.transform(ev.object) : ev.object;
        const old = this.store.delete(obj);
        this.notifyDelete(obj ?? old);
        break;
      }
      default:
        break; // BOOKMARK: only the resourceVersion moves
    }
  }

  private resync(): void {
    if (!this.synced) return;
    for (const obj of this.store.list()) this.notifyUpdate(obj, obj);
  }
}

export interface InformerFactoryOptions {
  /** Default resync for informers made by this factory; 0 = none. */
  resyncMs?: number;
  /** Default namespace (undefined = all). */
  namespace?: string;
  logger?: Logger;
  /** Default transform for informers made by this factory (SharedInformerOptions.transform). */
  transform?: <T extends ApiObject>(obj: T) => T;
}

export interface InformerForOptions<T> extends SharedInformerOptions<T> {
  namespace?: string;
}

/** One shared informer per (resource, namespace, selectors) per process. */
export class InformerFactory {
  private readonly informers = new Map<string, SharedInformer<ApiObject>>();
  private signal: AbortSignal | undefined;

  constructor(
    readonly client: RestClient,
    private readonly opts: InformerFactoryOptions = {},
  ) {}

  /**
   * The informer for a resource, made on first request. Indexers are merged into a shared informer;
   * an index name already defined keeps its first definition (same name = same meaning).
   */
  informerFor<T extends ApiObject>(ref: ResourceRef<T>, opts: InformerForOptions<T> = {}): SharedInformer<T> {
    const namespace = ref.namespaced ? (opts.namespace ?? this.opts.namespace) : undefined;
    const key = [
      ref.group,
      ref.version,
      ref.resource,
      namespace ?? "",
      opts.labelSelector ?? "",
      opts.fieldSelector ?? "",
    ].join("|");
    let informer = this.informers.get(key) as SharedInformer<T> | undefined;
    if (!informer) {
      informer = new SharedInformer<T>(this.client.resource(ref, namespace), {
        ...opts,
        resyncMs: opts.resyncMs ?? this.opts.resyncMs,
        logger: opts.logger ?? this.opts.logger,
        transform: opts.transform ?? this.opts.transform,
      });
      this.informers.set(key, informer as unknown as SharedInformer<ApiObject>);
      if (this.signal) void informer.run(this.signal);
    } else if (opts.indexers) {
      const fresh: Indexers<T> = {};
      for (const [name, fn] of Object.entries(opts.indexers))
        if (!informer.store.hasIndexer(name)) fresh[name] = fn;
      informer.addIndexers(fresh);
    }
    return informer;
  }

  /** Starts every informer not yet running; informers requested later start at once. */
  start(signal: AbortSignal): void {
    this.signal = signal;
    for (const informer of this.informers.values()) if (!informer.isRunning()) void informer.run(signal);
  }

  /** Resolves true when every informer made so far has synced, false if the signal aborts first. */
  async waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    return waitForCacheSync(signal, ...this.informers.values());
  }

  all(): SharedInformer<ApiObject>[] {
    return [...this.informers.values()];
  }
}

/** Waits until every given informer has synced (cache.WaitForCacheSync). */
export async function waitForCacheSync(
  signal: AbortSignal | undefined,
  ...informers: Array<{ waitForSync(signal?: AbortSignal): Promise<boolean> }>
): Promise<boolean> {
  const results = await Promise.all(informers.map((i) => i.waitForSync(signal)));
  return results.every(Boolean);
}
