import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GRPCDeadlineExceededError, GRPCInvalidArgumentError, GRPCUnavailableError } from "etcd3";
import {
  callDeadlineMs,
  ETCD_CALL_DEADLINE_MS,
  ETCD_SCAN_DEADLINE_MS,
  EtcdStore,
  isRetryableEtcdError,
  writeGroup,
} from "./etcd-store.js";

type Answer = Error | Record<string, unknown>;

/** A store whose etcd calls answer from `answers` in order (etcd3's own mock hook), counting calls. */
function storeAnswering(answers: Answer[]): { store: EtcdStore; calls: () => number } {
  const store = new EtcdStore(["http://127.0.0.1:1"]);
  let n = 0;
  store.client.mock({
    exec: async <T>(): Promise<T> => {
      const answer = answers[n++];
      if (!answer) throw new Error("no more answers");
      if (answer instanceof Error) throw answer;
      return answer as T;
    },
  });
  return { store, calls: () => n };
}

const kv = (key: string, value: string, rev: number) => ({
  key: Buffer.from(key),
  value: Buffer.from(value),
  mod_revision: String(rev),
  create_revision: String(rev),
});

const failedTxn = (revision: number, current?: ReturnType<typeof kv>) => ({
  header: { revision: String(revision) },
  succeeded: false,
  responses: [{ response_range: { kvs: current ? [current] : [] } }],
});

describe("EtcdStore failover", () => {
  it("retries a read on another member after UNAVAILABLE", async () => {
    const { store, calls } = storeAnswering([
      new GRPCUnavailableError("14 UNAVAILABLE: connection dropped"),
      { header: { revision: "9" }, kvs: [kv("/registry/a", "{}", 4)], more: false },
    ]);
    const got = await store.get("/registry/a");
    assert.equal(got?.modRevision, 4);
    assert.equal(calls(), 2);
    store.close();
  });

  it("does not retry an error that another try cannot fix", async () => {
    const { store, calls } = storeAnswering([new GRPCInvalidArgumentError("3 INVALID_ARGUMENT")]);
    await assert.rejects(store.get("/registry/a"), /INVALID_ARGUMENT/);
    assert.equal(calls(), 1);
    store.close();
  });

  it("counts a create whose first try committed before its connection died as a success", async () => {
    const value = '{"metadata":{"uid":"u-1"}}';
    const { store } = storeAnswering([
      new GRPCDeadlineExceededError("4 DEADLINE_EXCEEDED"),
      failedTxn(12, kv("/registry/cm/a", value, 11)),
    ]);
    const res = await store.txn(
      [{ key: "/registry/cm/a", absent: true }],
      [{ put: "/registry/cm/a", value }],
      "/registry/cm/a",
    );
    assert.deepEqual(res, { succeeded: true, revision: 11 });
    store.close();
  });

  it("keeps the conflict when someone else's value is there after a retry", async () => {
    const { store } = storeAnswering([
      new GRPCUnavailableError("14 UNAVAILABLE"),
      failedTxn(12, kv("/registry/cm/a", '{"metadata":{"uid":"other"}}', 11)),
    ]);
    const res = await store.txn(
      [{ key: "/registry/cm/a", absent: true }],
      [{ put: "/registry/cm/a", value: '{"metadata":{"uid":"u-1"}}' }],
      "/registry/cm/a",
    );
    assert.equal(res.succeeded, false);
    assert.equal(res.current?.modRevision, 11);
    store.close();
  });

  it("keeps the conflict of a first try even when the value is the same (no ambiguity)", async () => {
    const value = '{"spec":1}';
    const { store } = storeAnswering([failedTxn(12, kv("/registry/cm/a", value, 11))]);
    const res = await store.txn(
      [{ key: "/registry/cm/a", modRevision: 3 }],
      [{ put: "/registry/cm/a", value }],
      "/registry/cm/a",
    );
    assert.equal(res.succeeded, false);
    store.close();
  });

  it("classifies errors", () => {
    assert.equal(isRetryableEtcdError(new GRPCUnavailableError("x")), true);
    assert.equal(isRetryableEtcdError(new GRPCInvalidArgumentError("x")), false);
    assert.equal(isRetryableEtcdError("text"), false);
  });

  it("gives range scans a longer deadline than writes and point reads", () => {
    assert.equal(
      callDeadlineMs("range", { key: Buffer.from("/a"), range_end: Buffer.from("/b") }),
      ETCD_SCAN_DEADLINE_MS,
    );
    assert.equal(callDeadlineMs("range", { key: Buffer.from("/a") }), ETCD_CALL_DEADLINE_MS);
    assert.equal(callDeadlineMs("txn", { compare: [] }), ETCD_CALL_DEADLINE_MS);
  });
});

describe("writeGroup", () => {
  it("groups keys by resource under a one-segment prefix", () => {
    const cases: [string, string][] = [
      ["/registry/pods/ns/a", "/registry/pods/"],
      ["/registry/pods/ns/", "/registry/pods/"],
      ["/registry/nodes/n1", "/registry/nodes/"],
      ["/registry/pods/", "/registry/pods/"],
      ["/registry/", "/registry/"],
    ];
    for (const [k, want] of cases) assert.equal(writeGroup(k), want, k);
  });
});
