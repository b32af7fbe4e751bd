// Exponential backoff with jitter for reconnect loops (watch resume, leader election, event writes),
// like apimachinery's wait.Backoff / client-go's backoff manager: initial, doubling, capped, and
// reset once things have gone well for a while.

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
  /** Extra random fraction added to each delay: 0.5 ⇒ delay * [1, 1.5). */
  jitter?: number;
  /** A success this long after the last failure resets the delay to initialMs. */
  resetAfterMs?: number;
}

export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly resetAfterMs: number;
  private current: number;
  private lastFailure = Number.NEGATIVE_INFINITY;

  constructor(
    opts: BackoffOptions = {},
    private readonly random: () => number = Math.random,
    private readonly now: () => number = Date.now,
  ) {
    this.initialMs = opts.initialMs ?? 1000;
    this.maxMs = opts.maxMs ?? 30_000;
    this.factor = opts.factor ?? 2;
    this.jitter = opts.jitter ?? 0.2;
    this.resetAfterMs = opts.resetAfterMs ?? 2 * this.maxMs;
    this.current = this.initialMs;
  }

  /** The delay before the next attempt; each call grows the following one. */
  next(): number {
    const now = this.now();
    if (now - this.lastFailure > this.resetAfterMs) this.current = this.initialMs;
    this.lastFailure = now;
    const base = this.current;
    this.current = Math.min(this.maxMs, this.current * this.factor);
    return Math.min(this.maxMs, base) * (1 + this.jitter * this.random());
  }

  reset(): void {
    this.current = this.initialMs;
    this.lastFailure = Number.NEGATIVE_INFINITY;
  }
}
