// A read-modify-write of one object that starts from a first guess of its current state (the watch
// cache's copy) instead of reading etcd, as kube-apiserver's Cacher.GuaranteedUpdate hands the cached
// object to the etcd3 store's GuaranteedUpdate (k8s.io/apiserver/pkg/storage/etcd3/store.go): the write
// is a transaction on "mod revision == the guess's", and a stale guess only makes that transaction fail,
// returning the current value in the same round trip, with which the update is tried again. A write
// that finds its object where the cache says costs one etcd call instead of two (a read, then the
// transaction). Optimistic concurrency is unchanged: nothing is written over a version the update did not see.
import type { StoredObject } from "../../pkg/api/types.js";
import { decodeStored } from "../watchcache/cache.js";
import type { EtcdStore, KV } from "./etcd-store.js";

/** An object version: the object (resourceVersion set; never mutated here) and its mod revision. */
export interface ObjectVersion {
  obj: StoredObject;
  rev: number;
}

export interface GuessedUpdateOptions {
  /** Compute but do not write (?dryRun=All). */
  dryRun?: boolean;
  /** Attempts before giving up on a key that keeps changing. */
  maxAttempts?: number;
}

export type GuessedUpdateResult =
  | { kind: "written"; obj: StoredObject; rev: number }
  /** `update` returned null (no change), or dry run: `obj` is what would be stored. */
  | { kind: "unchanged"; obj: StoredObject; rev: number }
  | { kind: "notFound" }
  | { kind: "tooManyConflicts" };

const fromKV = (kv: KV | null | undefined): ObjectVersion | null => {
  const obj = kv ? decodeStored(kv) : null;
  return kv && obj ? { obj, rev: kv.modRevision } : null;
};

/**
 * Applies `update` to the object at `key` and writes the result if the object is still the version
 * `update` saw. `update` gets a private copy (resourceVersion set) and returns the object to store, or
 * null for "no change"; it may throw (a Conflict, say). When it throws, or finds nothing to change, on
 * the guess rather than on a version read from etcd, the decision is made again on the current version,
 * since the guess may be stale (as Kubernetes does). `encode` gives the stored value.
 */
export async function guessedUpdate(
  store: EtcdStore,
  key: string,
  guess: ObjectVersion | undefined,
  update: (cur: StoredObject) => StoredObject | null | Promise<StoredObject | null>,
  encode: (obj: StoredObject) => string,
  opts: GuessedUpdateOptions = {},
): Promise<GuessedUpdateResult> {
  let state: ObjectVersion | null = guess ?? null;
  let fresh = false;
  if (!state) {
    state = fromKV(await store.get(key));
    fresh = true;
  }
  const attempts = opts.maxAttempts ?? 10;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (!state) return { kind: "notFound" };
    let next: StoredObject | null;
    try {
      next = await update(structuredClone(state.obj));
    } catch (err) {
      if (fresh) throw err;
      state = fromKV(await store.get(key));
      fresh = true;
      continue;
    }
    if (next === null || opts.dryRun) {
      if (!fresh) {
        state = fromKV(await store.get(key));
        fresh = true;
        continue;
      }
      return { kind: "unchanged", obj: next ?? state.obj, rev: state.rev };
    }
    const res = await store.txn([{ key, modRevision: state.rev }], [{ put: key, value: encode(next) }], key);
    if (res.succeeded) return { kind: "written", obj: next, rev: res.revision };
    // Someone else wrote it (or the guess was stale): the failed transaction read the current version.
    state = fromKV(res.current);
    fresh = true;
  }
  return { kind: "tooManyConflicts" };
}
