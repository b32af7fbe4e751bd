// The apiserver's only door to etcd (through `etcd3`). Keys and values are strings; values are the
// objects' JSON without metadata.resourceVersion, which is the key's mod revision (filled in on read).
// Every write is a transaction so that creates and optimistic-concurrency updates are atomic, and
// several keys (a Service and the ClusterIP bitmap) can change together.
import { Etcd3, type IKeyValue, type IOptions, type IWatchResponse, type Watcher } from "etcd3";

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

export class EtcdStore {
  readonly client: Etcd3;

  constructor(endpoints: string[], options: Partial<IOptions> = {}) {
    this.client = new Etcd3({
      hosts: endpoints,
      dialTimeout: 3000,
      // A page of thousands of objects is far above grpc's 4 MiB default receive limit; without this the
      // watch cache could never load a large resource again after a restart (RESOURCE_EXHAUSTED forever).
      grpcOptions: { "grpc.max_receive_message_length": -1, ...(options.grpcOptions ?? {}) },
      ...options,
    });
  }

  close(): void {
    this.client.close();
  }

  /** The store's current revision (a read that goes through raft's read index: linearizable). */
  async currentRevision(): Promise<number> {
    const res = await this.client.get("/registry/\u0000revision-probe").exec();
    return Number(res.header.revision);
  }

  async get(key: string): Promise<KV | null> {
    const res = await this.client.get(key).exec();
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
    const res = await b.sort("Key", "Ascend").exec();
    return { kvs: res.kvs.map(toKV), revision: Number(res.header.revision), more: res.more };
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
    const res = await cb.commit();
    const out: TxnResult & { current?: KV | null } = {
      succeeded: res.succeeded,
      revision: Number(res.header.revision),
    };
    if (!res.succeeded && elseGet) {
      const kv = res.responses[0]?.response_range?.kvs[0];
      out.current = kv ? toKV(kv) : null;
    }
    return out;
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
