// The controllers' work queue, with client-go's util/workqueue semantics:
// - a key waiting in the queue is there once however often it is added (dirty set);
// - a key being processed is never handed to a second worker; added meanwhile, it is queued again
//   when the first worker calls done() (processing set);
// - addAfter / addRateLimited delay a key (per-item exponential backoff, max'ed with an overall bucket);
// - forget() ends a key's backoff once it was processed successfully.
import type { Logger } from "../util/log.js";
import { describeError } from "./errors.js";
import { type Clock, TokenBucket } from "./ratelimit.js";

export interface RateLimiter<K> {
  /** How long (ms) to wait before handing the item out again; counts a failure. */
  when(item: K): number;
  forget(item: K): void;
  numRequeues(item: K): number;
}

/** baseMs * 2^failures, capped at maxMs (client-go: 5 ms doubling to 1000 s). */
export class ItemExponentialFailureRateLimiter<K> implements RateLimiter<K> {
  private readonly failures = new Map<K, number>();

  constructor(
    private readonly baseMs = 5,
    private readonly maxMs = 1_000_000,
  ) {}

  when(item: K): number {
    const exp = this.failures.get(item) ?? 0;
    this.failures.set(item, exp + 1);
    const backoff = this.baseMs * 2 ** exp;
    return Number.isFinite(backoff) ? Math.min(backoff, this.maxMs) : this.maxMs;
  }

  forget(item: K): void {
    this.failures.delete(item);
  }

  numRequeues(item: K): number {
    return this.failures.get(item) ?? 0;
  }
}

/** One token bucket for all items (client-go: 10 qps, burst 100): bounds the overall retry rate. */
export class BucketRateLimiter<K> implements RateLimiter<K> {
  private readonly bucket: TokenBucket;

  constructor(qps = 10, burst = 100, now?: Clock) {
    this.bucket = new TokenBucket(qps, burst, now);
  }

  when(_item: K): number {
    return this.bucket.reserve();
  }

  forget(_item: K): void {}

  numRequeues(_item: K): number {
    return 0;
  }
}

/** The longest delay of several limiters. */
export class MaxOfRateLimiter<K> implements RateLimiter<K> {
  private readonly limiters: RateLimiter<K>[];

  constructor(...limiters: RateLimiter<K>[]) {
    this.limiters = limiters;
  }

  when(item: K): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.when(item));
    return max;
  }

  forget(item: K): void {
    for (const l of this.limiters) l.forget(item);
  }

  numRequeues(item: K): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.numRequeues(item));
    return max;
  }
}

/** workqueue.DefaultControllerRateLimiter: per-item 5 ms → 1000 s, overall 10 qps burst 100. */
export function defaultControllerRateLimiter<K>(): RateLimiter<K> {
  return new MaxOfRateLimiter<K>(
    new ItemExponentialFailureRateLimiter<K>(5, 1_000_000),
    new BucketRateLimiter<K>(10, 100),
  );
}

export interface WorkQueueOptions<K> {
  name?: string;
  rateLimiter?: RateLimiter<K>;
}

export class WorkQueue<K = string> {
  readonly name: string;
  private readonly rateLimiter: RateLimiter<K>;
  /** Keys waiting, in order. */
  private queue: K[] = [];
  private head = 0;
  /** Keys that need processing (waiting, or added again while processing). */
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  /** Workers blocked in get(). */
  private readonly waiters: Array<(item: K | undefined) => void> = [];
  /** Delayed keys: the earliest time each is due, and its timer. */
  private readonly waiting = new Map<K, { due: number; timer: NodeJS.Timeout }>();
  private shutdown = false;
  private drainWaiters: Array<() => void> = [];

  constructor(opts: WorkQueueOptions<K> = {}) {
    this.name = opts.name ?? "";
    this.rateLimiter = opts.rateLimiter ?? defaultControllerRateLimiter<K>();
  }

  add(item: K): void {
    if (this.shutdown) return;
    if (this.dirty.has(item)) return;
    this.dirty.add(item);
    if (this.processing.has(item)) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      this.dirty.delete(item);
      this.processing.add(item);
      waiter(item);
      return;
    }
    this.queue.push(item);
  }

  /** Adds the key after ms; if it is already waiting to be added, the earlier time wins. */
  addAfter(item: K, ms: number): void {
    if (this.shutdown) return;
    if (!(ms > 0)) {
      this.add(item);
      return;
    }
    const due = Date.now() + ms;
    const existing = this.waiting.get(item);
    if (existing) {
      if (existing.due <= due) return;
      clearTimeout(existing.timer);
    }
    const timer = setTimeout(() => {
      this.waiting.delete(item);
      this.add(item);
    }, ms);
    this.waiting.set(item, { due, timer });
  }

  /** Adds the key after its rate limiter's delay (a failure: its backoff grows). */
  addRateLimited(item: K): void {
    this.addAfter(item, this.rateLimiter.when(item));
  }

  /** The key was processed successfully: its backoff starts again from the beginning. */
  forget(item: K): void {
    this.rateLimiter.forget(item);
  }

  numRequeues(item: K): number {
    return this.rateLimiter.numRequeues(item);
  }

  /** The next key, waiting if there is none; undefined once the queue is shut down. Call done(key) after. */
  get(): Promise<K | undefined> {
    if (this.head < this.queue.length) {
      const item = this.queue[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      this.dirty.delete(item);
      this.processing.add(item);
      return Promise.resolve(item);
    }
    if (this.shutdown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(item: K): void {
    this.processing.delete(item);
    if (this.dirty.has(item)) {
      if (this.shutdown) {
        // Draining: the key still counts as work to do and is handed out to a remaining worker.
        this.queue.push(item);
      } else {
        const waiter = this.waiters.shift();
        if (waiter) {
          this.dirty.delete(item);
          this.processing.add(item);
          waiter(item);
        } else this.queue.push(item);
      }
    }
    if (this.processing.size === 0 && this.drainWaiters.length > 0) {
      for (const w of this.drainWaiters.splice(0)) w();
    }
  }

  /** Keys waiting to be handed out (not counting delayed or in-process ones). */
  len(): number {
    return this.queue.length - this.head;
  }

  /** Stops the queue: get() answers undefined once the queue is empty; new adds are ignored. */
  shutDown(): void {
    if (this.shutdown) return;
    this.shutdown = true;
    for (const { timer } of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  /** shutDown, then wait until every key handed out has been done(). */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  shuttingDown(): boolean {
    return this.shutdown;
  }
}

// biome-ignore lint/suspicious/noConfusingVoidType: reconcile functions that return nothing are the common case
export type ReconcileResult = void | { requeueAfter?: number };

export interface RunWorkersOptions {
  logger?: Logger;
  /** Aborting shuts the queue down; runWorkers resolves when the workers have finished. */
  signal?: AbortSignal;
  /** Give up on a key (forget it, log) after this many failures in a row. Default: never. */
  maxRetries?: number;
}

/**
 * Runs `workers` concurrent loops of get → reconcile → done. Success forgets the key (and re-adds it
 * after requeueAfter if asked); failure logs and re-adds it with backoff. Resolves after shutDown.
 */
export async function runWorkers<K>(
  queue: WorkQueue<K>,
  workers: number,
  reconcile: (key: K) => Promise<ReconcileResult> | ReconcileResult,
  opts: RunWorkersOptions = {},
): Promise<void> {
  const { logger, signal, maxRetries } = opts;
  const onAbort = () => queue.shutDown();
  if (signal?.aborted) queue.shutDown();
  signal?.addEventListener("abort", onAbort, { once: true });
  const worker = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        const result = await reconcile(key);
        queue.forget(key);
        if (result && result.requeueAfter !== undefined) queue.addAfter(key, result.requeueAfter);
      } catch (err) {
        const retries = queue.numRequeues(key);
        if (maxRetries !== undefined && retries >= maxRetries) {
          logger?.error(
            { queue: queue.name, key, err: describeError(err), retries },
            "dropping key after too many retries",
          );
          queue.forget(key);
        } else {
          logger?.warn(
            { queue: queue.name, key, err: describeError(err), retries },
            "reconcile failed, requeued",
          );
          queue.addRateLimited(key);
        }
      } finally {
        queue.done(key);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, workers) }, worker));
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}
