// The apiserver's only door to etcd (through `etcd3`). Keys and values are strings; values are the
// objects' JSON without metadata.resourceVersion, which is the key's mod revision (filled in on read).
// Every write is a transaction so that creates and optimistic-concurrency updates are atomic, and
// several keys (a Service and the ClusterIP bitmap) can change together.
import { noop } from "cockatiel";
import {
  Etcd3,
  type IKeyValue,
  type IOptions,
  type IWatchResponse,
  isRecoverableError,
  type Watcher,
} from "etcd3";

export interface KV {
  key: string;
  value: string;
  modRevision: number;
  createRevision: number;
}

export type Compare = { key: string; absent: true } | { key: string; modRevision: number };

export type Op = { put: string; value: string } | { del: string };

export interface TxnResult {
  succeeded: boolean;
  revision: number;
}

export interface WatchBatch {
  /** Events in revision order; `prev` is the value before (deletes carry only prev). */
  events: { type: "put" | "delete"; kv: KV; prev?: KV }[];
  /** For a progress notification (no events): every event up to this revision has been delivered. */
  progressRevision?: number;
}

export class CompactedError extends Error {
  constructor(readonly compactRevision: number) {
    super(`required revision has been compacted (compact revision ${compactRevision})`);
  }
}

function toKV(kv: IKeyValue): KV {
  return {
    key: kv.key.toString(),
    value: kv.value.toString(),
    modRevision: Number(kv.mod_revision),
    createRevision: Number(kv.create_revision),
  };
}

export function isCompactedError(err: unknown): boolean {
  return err instanceof Error && /compacted/.test(err.message);
}

/**
 * How long one unary call may take before it is abandoned and retried on another member. A write or a
 * point read is small: 3 s is long for a healthy cluster and bounds the stall when a member dies under a
 * call (a killed container sends no reset: only the deadline or the keepalive ends the call). A range
 * scan may carry thousands of objects (the watch cache's initial list) and gets longer.
 */
export const ETCD_CALL_DEADLINE_MS = 3000;
export const ETCD_SCAN_DEADLINE_MS = 15_000;

/** The deadline of one unary etcd call (etcd3's call context: service, method, params). */
export function callDeadlineMs(method: string, params: unknown): number {
  const scan =
    method === "range" &&
    typeof params === "object" &&
    params !== null &&
    "range_end" in params &&
    (params as { range_end?: unknown }).range_end !== undefined;
  return scan ? ETCD_SCAN_DEADLINE_MS : ETCD_CALL_DEADLINE_MS;
}
/** Attempts per operation: with three members picked at random, five attempts all landing on one dead
 * member is (1/3)^5 < 0.5%, and a member that failed is skipped by its circuit breaker meanwhile. */
export const ETCD_ATTEMPTS = 5;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Whether `err` leaves the outcome of a call unknown or means its member is unusable, so that the call
 * should be tried again on another member (UNAVAILABLE, DEADLINE_EXCEEDED, a broken circuit, ...).
 */
export function isRetryableEtcdError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return (
    isRecoverableError(err) ||
    err.name === "BrokenCircuitError" ||
    /circuit|UNAVAILABLE|DEADLINE/i.test(err.message)
  );
}

/**
 * The group a key or key prefix belongs to for `lastWriteRevisionUnder`: everything up to its third "/"
 * (`/registry/limitranges/`). Coarser than one resource when the registry prefix has several segments,
 * which only makes the answer more cautious. Pure.
 */
export function writeGroup(keyOrPrefix: string): string {
  let slashes = 0;
  for (let i = 0; i < keyOrPrefix.length; i++) {
    if (keyOrPrefix.charCodeAt(i) === 47 && ++slashes === 3) return keyOrPrefix.slice(0, i + 1);
  }
  return keyOrPrefix;
}

export class EtcdStore {
  readonly client: Etcd3;
  /** The revision of the newest write this store committed: caches compare their progress with it. */
  lastWriteRevision = 0;
  /** The same per writeGroup (a resource, for the default registry prefix). */
  private readonly lastWriteByGroup = new Map<string, number>();

  constructor(endpoints: string[], options: Partial<IOptions> = {}) {
    this.client = new Etcd3({
      hosts: endpoints,
      dialTimeout: 3000,
      // Every unary call has a deadline: a member that vanished without closing its connections (a
      // stopped container) would otherwise hold a call for minutes. Streams (watches) have none; the
      // keepalive below detects their dead connections.
      defaultCallOptions: (ctx) =>
        ctx.isStream
          ? {}
          : { deadline: Date.now() + callDeadlineMs(ctx.method, "params" in ctx ? ctx.params : undefined) },
      // Retries are ours (see `attempt`): the client's own would replay a transaction whose first try may
      // have committed, and answer its author with a Conflict for its own write.
      faultHandling: { global: noop },
      grpcOptions: {
        // A page of thousands of objects is far above grpc's 4 MiB default receive limit; without this the
        // watch cache could never load a large resource again after a restart (RESOURCE_EXHAUSTED forever).
        "grpc.max_receive_message_length": -1,
        // Find a dead member within ~3 s, also on idle watch streams (etcd is started with
        // --grpc-keepalive-min-time=1s so that it accepts pings this often).
        "grpc.keepalive_time_ms": 2000,
        "grpc.keepalive_timeout_ms": 1000,
        "grpc.keepalive_permit_without_calls": 1,
        ...(options.grpcOptions ?? {}),
      },
      ...options,
    });
  }

  /**
   * Runs `call` until it succeeds, retrying retryable errors with a short back-off; each try picks a
   * member at random, so a dead member costs one deadline at most before a live one answers. Returns
   * whether an earlier try failed in a way that leaves its effect unknown.
   */
  private async attempt<T>(call: () => Promise<T>): Promise<{ value: T; ambiguous: boolean }> {
    let ambiguous = false;
    for (let i = 1; ; i++) {
      try {
        return { value: await call(), ambiguous };
      } catch (err) {
        if (i >= ETCD_ATTEMPTS || !isRetryableEtcdError(err)) throw err;
        ambiguous = true;
        await sleep(Math.min(50 * 2 ** i, 800));
      }
    }
  }

  close(): void {
    this.client.close();
  }

  /** The store's current revision (a read that goes through raft's read index: linearizable). */
  async currentRevision(): Promise<number> {
    const { value: res } = await this.attempt(() => this.client.get("/registry/\u0000revision-probe").exec());
    return Number(res.header.revision);
  }

  async get(key: string): Promise<KV | null> {
    const { value: res } = await this.attempt(() => this.client.get(key).exec());
    const kv = res.kvs[0];
    return kv ? toKV(kv) : null;
  }

  /** Keys under `prefix` in key order, from `startKey` (inclusive), at `revision` (0 = latest). */
  async list(
    prefix: string,
    opts: { revision?: number; limit?: number; startKey?: string } = {},
  ): Promise<{ kvs: KV[]; revision: number; more: boolean }> {
    const b = this.client.getAll().prefix(prefix);
    if (opts.startKey) {
      // Range from startKey to the end of the prefix.
      const end = Buffer.from(prefix);
      end[end.length - 1]! += 1;
      b.inRange({ start: opts.startKey, end });
    }
    if (opts.revision) b.revision(opts.revision);
    if (opts.limit) b.limit(opts.limit);
    b.sort("Key", "Ascend");
    const { value: res } = await this.attempt(() => b.exec());
    return { kvs: res.kvs.map(toKV), revision: Number(res.header.revision), more: res.more };
  }

  /** The revision of the newest write this store committed under `prefix`'s writeGroup (0: none). */
  lastWriteRevisionUnder(prefix: string): number {
    return this.lastWriteByGroup.get(writeGroup(prefix)) ?? 0;
  }

  private noteWrite(ops: Op[], revision: number): void {
    if (revision > this.lastWriteRevision) this.lastWriteRevision = revision;
    for (const op of ops) {
      const group = writeGroup("put" in op ? op.put : op.del);
      if ((this.lastWriteByGroup.get(group) ?? 0) < revision) this.lastWriteByGroup.set(group, revision);
    }
  }

  async txn(compares: Compare[], ops: Op[], elseGet?: string): Promise<TxnResult & { current?: KV | null }> {
    const first = compares[0];
    if (!first) throw new Error("txn needs at least one compare");
    let cb =
      "absent" in first
        ? this.client.if(first.key, "Create", "==", 0)
        : this.client.if(first.key, "Mod", "==", first.modRevision);
    for (const c of compares.slice(1)) {
      cb = "absent" in c ? cb.and(c.key, "Create", "==", 0) : cb.and(c.key, "Mod", "==", c.modRevision);
    }
    cb = cb.then(
      ...ops.map((op) =>
        "put" in op ? this.client.put(op.put).value(op.value) : this.client.delete().key(op.del),
      ),
    );
    if (elseGet) cb = cb.else(this.client.get(elseGet));
    const { value: res, ambiguous } = await this.attempt(() => cb.commit());
    const out: TxnResult & { current?: KV | null } = {
      succeeded: res.succeeded,
      revision: Number(res.header.revision),
    };
    if (!res.succeeded && elseGet) {
      const kv = res.responses[0]?.response_range?.kvs[0];
      out.current = kv ? toKV(kv) : null;
    }
    const result =
      !res.succeeded && ambiguous
        ? await this.resolveAmbiguousTxn(first.key, ops, out, elseGet === first.key)
        : out;
    if (result.succeeded) this.noteWrite(ops, result.revision);
    return result;
  }

  /**
   * A retried transaction failed its compare: either someone else changed the key, or our own earlier
   * try committed before its connection died. The key holding exactly the value we wrote (values carry
   * the object's uid and content) tells the second case, which is our success.
   */
  private async resolveAmbiguousTxn(
    key: string,
    ops: Op[],
    failed: TxnResult & { current?: KV | null },
    failedHoldsKey: boolean,
  ): Promise<TxnResult & { current?: KV | null }> {
    const ours = ops.find((op): op is { put: string; value: string } => "put" in op && op.put === key);
    const current = failedHoldsKey && failed.current !== undefined ? failed.current : await this.get(key);
    if (ours && current && current.value === ours.value) {
      return { succeeded: true, revision: current.modRevision };
    }
    if (!ours && ops.some((op) => "del" in op && op.del === key) && current === null) {
      return { succeeded: true, revision: failed.revision };
    }
    return failed;
  }

  /**
   * Watches every key under `prefix` from `fromRevision` (inclusive). The etcd3 client resumes after
   * reconnects by itself; a compaction of the start revision cancels the watch and calls `onError`.
   */
  async watch(
    prefix: string,
    fromRevision: number,
    onBatch: (batch: WatchBatch) => void,
    onError: (err: Error) => void,
  ): Promise<Watcher> {
    const w = await this.client
      .watch()
      .prefix(prefix)
      .withPreviousKV()
      .startRevision(String(fromRevision))
      .create();
    w.on("data", (res: IWatchResponse) => {
      if (Number(res.compact_revision) > 0) {
        onError(new CompactedError(Number(res.compact_revision)));
        return;
      }
      if (res.events.length === 0) {
        if (!res.created) onBatch({ events: [], progressRevision: Number(res.header.revision) });
        return;
      }
      onBatch({
        events: res.events.map((ev) => ({
          type: ev.type === "Delete" ? "delete" : "put",
          kv: toKV(ev.kv),
          prev: ev.prev_kv ? toKV(ev.prev_kv) : undefined,
        })),
      });
    });
    w.on("error", (err: Error) => onError(err));
    return w;
  }
}
