import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { StoredObject } from "../../pkg/api/types.js";
import type { EtcdStore, KV } from "./etcd-store.js";
import { guessedUpdate, type ObjectVersion } from "./guaranteed-update.js";

const KEY = "/registry/pods/ns/p";
type Reply = { range: KV[] } | { txnOk: number } | { txnFailed: KV | null };

/** A store answering `replies` in order (the two calls guessedUpdate makes); records which calls were made. */
function fakeStore(replies: Reply[]): { store: EtcdStore; calls: string[] } {
  const calls: string[] = [];
  const next = (method: string): Reply => {
    const r = replies.shift();
    if (!r) throw new Error("unexpected call");
    calls.push(method);
    return r;
  };
  const store = {
    async get(): Promise<KV | null> {
      const r = next("Range");
      if (!("range" in r)) throw new Error("expected a Range reply");
      return r.range[0] ?? null;
    },
    async txn() {
      const r = next("Txn");
      if ("txnOk" in r) return { succeeded: true, revision: r.txnOk };
      if ("txnFailed" in r) return { succeeded: false, revision: 100, current: r.txnFailed };
      throw new Error("expected a Txn reply");
    },
    close() {},
  };
  return { store: store as unknown as EtcdStore, calls };
}

const pod = (nodeName: string | undefined, rev: number): ObjectVersion => ({
  obj: {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "ns", resourceVersion: String(rev) },
    spec: nodeName ? { nodeName } : {},
  },
  rev,
});
const stored = (v: ObjectVersion): KV => {
  const { resourceVersion: _rv, ...metadata } = v.obj.metadata;
  return { key: KEY, value: JSON.stringify({ ...v.obj, metadata }), modRevision: v.rev, createRevision: 1 };
};
const encode = (o: StoredObject) => JSON.stringify(o);
/** A binding: sets spec.nodeName, refuses a pod already bound. */
const bind = (cur: StoredObject): StoredObject => {
  const spec = (cur.spec ?? {}) as { nodeName?: string };
  if (spec.nodeName) throw new Error(`already assigned to ${spec.nodeName}`);
  return { ...cur, spec: { ...spec, nodeName: "n1" } };
};

describe("guessedUpdate", () => {
  it("writes in one call when the guess is current", async () => {
    const { store, calls } = fakeStore([{ txnOk: 6 }]);
    const r = await guessedUpdate(store, KEY, pod(undefined, 5), bind, encode);
    assert.equal(r.kind, "written");
    assert.deepEqual(calls, ["Txn"]);
    store.close();
  });

  it("retries with the version the failed transaction read when the guess was stale", async () => {
    const { store, calls } = fakeStore([{ txnFailed: stored(pod(undefined, 7)) }, { txnOk: 8 }]);
    const r = await guessedUpdate(store, KEY, pod(undefined, 5), bind, encode);
    assert.deepEqual(r.kind === "written" && r.rev, 8);
    assert.deepEqual(calls, ["Txn", "Txn"]);
    store.close();
  });

  it("decides again on a version read from etcd when the update refuses the guess", async () => {
    const { store, calls } = fakeStore([{ range: [stored(pod(undefined, 9))] }, { txnOk: 10 }]);
    const r = await guessedUpdate(store, KEY, pod("old-node", 5), bind, encode);
    assert.equal(r.kind, "written");
    assert.deepEqual(calls, ["Range", "Txn"]);
    store.close();
  });

  it("passes the update's refusal on when the version is current", async () => {
    const { store } = fakeStore([{ range: [stored(pod("n2", 9))] }]);
    await assert.rejects(guessedUpdate(store, KEY, pod("n2", 9), bind, encode), /already assigned to n2/);
    store.close();
  });

  it("reads etcd without a guess, and says when the object is gone", async () => {
    const missing = fakeStore([{ range: [] }]);
    assert.deepEqual(await guessedUpdate(missing.store, KEY, undefined, bind, encode), { kind: "notFound" });
    missing.store.close();
    const deleted = fakeStore([{ txnFailed: null }]);
    assert.deepEqual(await guessedUpdate(deleted.store, KEY, pod(undefined, 5), bind, encode), {
      kind: "notFound",
    });
    assert.deepEqual(deleted.calls, ["Txn"]);
    deleted.store.close();
  });

  it("never writes a dry run, and answers it from a current version", async () => {
    const { store, calls } = fakeStore([{ range: [stored(pod(undefined, 9))] }]);
    const r = await guessedUpdate(store, KEY, pod(undefined, 5), bind, encode, { dryRun: true });
    assert.equal(r.kind, "unchanged");
    assert.equal(r.kind === "unchanged" && r.rev, 9);
    assert.deepEqual(calls, ["Range"]);
    store.close();
  });

  it("gives up on a key that keeps changing", async () => {
    const replies: Reply[] = Array.from({ length: 3 }, (_, i) => ({
      txnFailed: stored(pod(undefined, 10 + i)),
    }));
    const { store } = fakeStore(replies);
    const r = await guessedUpdate(store, KEY, pod(undefined, 5), bind, encode, { maxAttempts: 3 });
    assert.deepEqual(r, { kind: "tooManyConflicts" });
    store.close();
  });

  it("never changes the guess it was given", async () => {
    const guess = pod(undefined, 5);
    const before = structuredClone(guess);
    const { store } = fakeStore([{ txnOk: 6 }]);
    await guessedUpdate(
      store,
      KEY,
      guess,
      (cur) => {
        (cur.spec as { nodeName?: string }).nodeName = "n1";
        return cur;
      },
      encode,
    );
    assert.deepEqual(guess, before);
    store.close();
  });
});
