// The informer's local cache: objects by "namespace/name" key, plus secondary indexes (client-go's
// tools/cache ThreadSafeStore + Indexer). Node is single-threaded, so every method is atomic; objects
// handed out are the cached ones and must be treated as read-only.
import type { ApiObject } from "./types.js";

export type IndexFunc<T> = (obj: T) => string[];
export type Indexers<T> = Record<string, IndexFunc<T>>;

export const NAMESPACE_INDEX = "namespace";

/** "namespace/name" for namespaced objects, "name" for cluster-scoped ones (cache.MetaNamespaceKeyFunc). */
export function metaNamespaceKey(obj: ApiObject | DeletedFinalStateUnknown<ApiObject>): string {
  if (isTombstone(obj)) return obj.key;
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? "";
  return ns ? `${ns}/${name}` : name;
}

export function splitKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf("/");
  if (slash < 0) return { name: key };
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** A delete the informer missed while it was disconnected: the last state it knew. */
export interface DeletedFinalStateUnknown<T> {
  tombstone: true;
  key: string;
  obj: T;
}

export function isTombstone<T>(x: T | DeletedFinalStateUnknown<T>): x is DeletedFinalStateUnknown<T> {
  return typeof x === "object" && x !== null && (x as DeletedFinalStateUnknown<T>).tombstone === true;
}

/** The object inside a delete notification, whether it was seen deleted or only found gone. */
export function objectOf<T>(x: T | DeletedFinalStateUnknown<T>): T {
  return isTombstone(x) ? x.obj : x;
}

export const namespaceIndexFunc: IndexFunc<ApiObject> = (obj) => {
  const ns = obj.metadata?.namespace;
  return ns ? [ns] : [];
};

export class Indexer<T extends ApiObject> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  /** indexName → indexed value → keys. */
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(
    indexers: Indexers<T> = {},
    readonly keyFunc: (obj: T) => string = metaNamespaceKey,
  ) {
    this.addIndexers({ [NAMESPACE_INDEX]: namespaceIndexFunc, ...indexers });
  }

  /** Adds indexes (also after objects are in: they are indexed at once). Redefining one is an error. */
  addIndexers(indexers: Indexers<T>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      const existing = this.indexers.get(name);
      if (existing === fn) continue;
      if (existing) throw new Error(`indexer "${name}" already exists`);
      this.indexers.set(name, fn);
      const index = new Map<string, Set<string>>();
      this.indices.set(name, index);
      for (const [key, obj] of this.items) this.indexOne(fn, index, key, obj);
    }
  }

  hasIndexer(name: string): boolean {
    return this.indexers.has(name);
  }

  private indexOne(fn: IndexFunc<T>, index: Map<string, Set<string>>, key: string, obj: T): void {
    let values: string[];
    try {
      values = fn(obj);
    } catch {
      // A bad object must not break the cache: it is simply absent from this index.
      return;
    }
    for (const v of values) {
      let keys = index.get(v);
      if (!keys) {
        keys = new Set();
        index.set(v, keys);
      }
      keys.add(key);
    }
  }

  private unindexOne(fn: IndexFunc<T>, index: Map<string, Set<string>>, key: string, obj: T): void {
    let values: string[];
    try {
      values = fn(obj);
    } catch {
      return;
    }
    for (const v of values) {
      const keys = index.get(v);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) index.delete(v);
    }
  }

  private updateIndices(key: string, oldObj: T | undefined, newObj: T | undefined): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name)!;
      if (oldObj) this.unindexOne(fn, index, key, oldObj);
      if (newObj) this.indexOne(fn, index, key, newObj);
    }
  }

  /** Adds or replaces; returns the previous object under the same key. */
  add(obj: T): T | undefined {
    const key = this.keyFunc(obj);
    const old = this.items.get(key);
    this.items.set(key, obj);
    this.updateIndices(key, old, obj);
    return old;
  }

  update(obj: T): T | undefined {
    return this.add(obj);
  }

  /** Removes by the object's key; returns what was there. */
  delete(obj: T): T | undefined {
    return this.deleteByKey(this.keyFunc(obj));
  }

  deleteByKey(key: string): T | undefined {
    const old = this.items.get(key);
    if (old === undefined) return undefined;
    this.items.delete(key);
    this.updateIndices(key, old, undefined);
    return old;
  }

  /** Replaces the whole content (after a relist). */
  replace(items: T[]): void {
    this.items.clear();
    for (const index of this.indices.values()) index.clear();
    for (const obj of items) this.add(obj);
  }

  get(obj: T): T | undefined {
    return this.items.get(this.keyFunc(obj));
  }

  getByKey(key: string): T | undefined {
    return this.items.get(key);
  }

  has(key: string): boolean {
    return this.items.has(key);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  listKeys(): string[] {
    return [...this.items.keys()];
  }

  get size(): number {
    return this.items.size;
  }

  /** Keys whose index function returned `value`. Throws for an unknown index (a programming error). */
  indexKeys(indexName: string, value: string): string[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`index "${indexName}" does not exist`);
    return [...(index.get(value) ?? [])];
  }

  byIndex(indexName: string, value: string): T[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`index "${indexName}" does not exist`);
    const out: T[] = [];
    for (const key of index.get(value) ?? []) {
      const obj = this.items.get(key);
      if (obj) out.push(obj);
    }
    return out;
  }

  /** The values an index currently holds (e.g. every node that has pods). */
  indexValues(indexName: string): string[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`index "${indexName}" does not exist`);
    return [...index.keys()];
  }

  listByNamespace(namespace: string): T[] {
    return this.byIndex(NAMESPACE_INDEX, namespace);
  }
}
