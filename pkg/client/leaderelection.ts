// Leader election on a coordination.k8s.io/v1 Lease, as client-go's tools/leaderelection:
// candidates try to acquire the lease every retryPeriod; the holder renews it every retryPeriod and
// steps down if it could not renew for renewDeadline; others take over once the lease has not changed
// for leaseDuration *as observed by their own clock* (no trust in other machines' clocks).
//
// One addition: a standby also watches the lease, so it sees each renewal within milliseconds instead
// of up to retryPeriod later, and tries again exactly when the lease expires. A leader that dies is
// therefore replaced within leaseDuration of its last renewal, which is before its death + leaseDuration.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Lease, LeaseSpec } from "kubernetes-types/coordination/v1";
import type { Logger } from "../util/log.js";
import { describeError, isConflict, isNotFound } from "./errors.js";
import { Leases } from "./gvr.js";
import { sleep } from "./ratelimit.js";
import type { ResourceClient, RestClient } from "./rest.js";

export interface LeaderElectionConfig {
  client: RestClient;
  namespace: string;
  /** Lease name, e.g. "kube-scheduler", "kube-controller-manager". */
  name: string;
  /** Unique per replica; default `<hostname>_<uuid>`. */
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Give the lease up when run()'s signal aborts, so a standby takes over at once. Default true. */
  releaseOnCancel?: boolean;
  /** Called once leading; `signal` aborts when leadership ends. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  onStoppedLeading?(): void;
  /** Called when the observed leader changes (including to ourselves). */
  onNewLeader?(identity: string): void;
  logger?: Logger;
}

export interface LeaderElectionRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions: number;
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export function recordFromLease(lease: Lease): LeaderElectionRecord {
  const spec: LeaseSpec = lease.spec ?? {};
  return {
    holderIdentity: spec.holderIdentity ?? "",
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    acquireTime: spec.acquireTime,
    renewTime: spec.renewTime,
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
}

export function leaseSpecFromRecord(r: LeaderElectionRecord): LeaseSpec {
  const spec: LeaseSpec = {
    holderIdentity: r.holderIdentity,
    leaseDurationSeconds: r.leaseDurationSeconds,
    leaseTransitions: r.leaseTransitions,
  };
  if (r.acquireTime) spec.acquireTime = r.acquireTime;
  if (r.renewTime) spec.renewTime = r.renewTime;
  return spec;
}

function sameRecord(a: LeaderElectionRecord | undefined, b: LeaderElectionRecord): boolean {
  return (
    a !== undefined &&
    a.holderIdentity === b.holderIdentity &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    a.acquireTime === b.acquireTime &&
    a.renewTime === b.renewTime &&
    a.leaseTransitions === b.leaseTransitions
  );
}

/**
 * The pure decision of tryAcquireOrRenew: given the current record (undefined = no lease), when we
 * first observed it unchanged, and now, may we write ourselves in, and what do we write?
 */
export function decideAcquire(
  current: LeaderElectionRecord | undefined,
  observedTime: number,
  now: number,
  identity: string,
  leaseDurationSeconds: number,
): { acquire: false; reason: string } | { acquire: true; record: LeaderElectionRecord } {
  const fresh: LeaderElectionRecord = {
    holderIdentity: identity,
    leaseDurationSeconds,
    acquireTime: microTime(now),
    renewTime: microTime(now),
    leaseTransitions: 0,
  };
  if (!current) return { acquire: true, record: fresh };
  const heldByOther = current.holderIdentity !== "" && current.holderIdentity !== identity;
  if (heldByOther && observedTime + current.leaseDurationSeconds * 1000 > now) {
    return { acquire: false, reason: `lease is held by ${current.holderIdentity} and has not yet expired` };
  }
  if (current.holderIdentity === identity) {
    return {
      acquire: true,
      record: { ...fresh, acquireTime: current.acquireTime, leaseTransitions: current.leaseTransitions },
    };
  }
  return { acquire: true, record: { ...fresh, leaseTransitions: current.leaseTransitions + 1 } };
}

export class LeaderElector {
  readonly identity: string;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly leases: ResourceClient<Lease>;
  private readonly logger: Logger | undefined;
  private observed: LeaderElectionRecord | undefined;
  private observedTime = 0;
  private observedLease: Lease | undefined;
  private reportedLeader = "";
  private leading = false;
  private wake: (() => void) | undefined;

  constructor(private readonly config: LeaderElectionConfig) {
    this.identity = config.identity ?? `${hostname()}_${randomUUID()}`;
    // Whole milliseconds: timers and AbortSignal.timeout() reject fractions.
    this.leaseDurationMs = Math.round(config.leaseDurationMs ?? 15_000);
    this.renewDeadlineMs = Math.round(config.renewDeadlineMs ?? 10_000);
    this.retryPeriodMs = Math.round(config.retryPeriodMs ?? 2_000);
    if (this.leaseDurationMs <= this.renewDeadlineMs)
      throw new Error("leaseDuration must be greater than renewDeadline");
    if (this.renewDeadlineMs <= this.retryPeriodMs * 1.2)
      throw new Error("renewDeadline must be greater than retryPeriod*1.2");
    this.leases = config.client.resource(Leases, config.namespace);
    this.logger = config.logger ?? config.client.logger;
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The holder we last observed ("" if none). */
  getLeader(): string {
    return this.observed?.holderIdentity ?? "";
  }

  private observe(lease: Lease, now: number): void {
    const record = recordFromLease(lease);
    this.observedLease = lease;
    if (!sameRecord(this.observed, record)) {
      this.observed = record;
      this.observedTime = now;
      this.wake?.();
    }
    if (record.holderIdentity && record.holderIdentity !== this.reportedLeader) {
      this.reportedLeader = record.holderIdentity;
      try {
        this.config.onNewLeader?.(record.holderIdentity);
      } catch (err) {
        this.logger?.error({ err: describeError(err) }, "onNewLeader failed");
      }
    }
  }

  /** One attempt; true if we hold the lease afterwards. */
  async tryAcquireOrRenew(signal?: AbortSignal): Promise<boolean> {
    const now = Date.now();
    let current: Lease | undefined;
    try {
      current = await this.leases.get(this.config.name, { signal });
    } catch (err) {
      if (!isNotFound(err)) {
        this.logger?.warn({ lease: this.config.name, err: describeError(err) }, "error retrieving lease");
        return false;
      }
    }
    if (current) this.observe(current, now);
    const decision = decideAcquire(
      current ? this.observed : undefined,
      this.observedTime,
      now,
      this.identity,
      Math.max(1, Math.ceil(this.leaseDurationMs / 1000)), // whole seconds on the wire
    );
    if (!decision.acquire) return false;
    try {
      const written = current
        ? await this.leases.update({ ...current, spec: leaseSpecFromRecord(decision.record) }, { signal })
        : await this.leases.create(
            {
              apiVersion: "coordination.k8s.io/v1",
              kind: "Lease",
              metadata: { name: this.config.name, namespace: this.config.namespace },
              spec: leaseSpecFromRecord(decision.record),
            },
            { signal },
          );
      this.observe(written, now);
      return true;
    } catch (err) {
      if (!isConflict(err))
        this.logger?.warn({ lease: this.config.name, err: describeError(err) }, "failed to write lease");
      return false;
    }
  }

  /** Gives the lease up (holder "", duration 1 s) if we hold it. */
  async release(): Promise<boolean> {
    const lease = this.observedLease;
    if (!lease || this.observed?.holderIdentity !== this.identity) return true;
    const now = Date.now();
    try {
      // Bounded: on shutdown with the apiserver gone we give up quickly (the lease then just expires).
      const written = await this.leases.update(
        {
          ...lease,
          spec: leaseSpecFromRecord({
            holderIdentity: "",
            leaseDurationSeconds: 1,
            acquireTime: microTime(now),
            renewTime: microTime(now),
            leaseTransitions: this.observed.leaseTransitions,
          }),
        },
        { signal: AbortSignal.timeout(this.renewDeadlineMs) },
      );
      this.observe(written, now);
      return true;
    } catch (err) {
      this.logger?.warn({ lease: this.config.name, err: describeError(err) }, "failed to release lease");
      return false;
    }
  }

  /** Watches the lease while standing by, so that observedTime tracks renewals closely. */
  private async watchLease(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const rv = this.observedLease?.metadata?.resourceVersion;
        for await (const ev of this.leases.watch({
          fieldSelector: `metadata.name=${this.config.name}`,
          resourceVersion: rv,
          signal,
          timeoutSeconds: 300,
        })) {
          if (ev.type === "ADDED" || ev.type === "MODIFIED") this.observe(ev.object, Date.now());
        }
      } catch {
        // Polling still works without the watch; try the watch again later.
      }
      await sleep(this.retryPeriodMs, signal);
    }
  }

  /** Sleeps for the retry period, or less: until the observed lease expires, or a change wakes us. */
  private async waitForNextAttempt(signal: AbortSignal): Promise<void> {
    let delay = this.retryPeriodMs * (1 + 0.2 * Math.random());
    const o = this.observed;
    if (o?.holderIdentity && o.holderIdentity !== this.identity) {
      const untilExpiry = this.observedTime + o.leaseDurationSeconds * 1000 - Date.now() + 5;
      delay = Math.min(delay, Math.max(untilExpiry, 5));
    } else if (o && o.holderIdentity === "") {
      delay = Math.min(delay, 50);
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, delay);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        // A change of holder or renewal moves the expiry: recompute the wait.
        done();
      };
      signal.addEventListener("abort", done, { once: true });
    });
    this.wake = undefined;
  }

  private async acquire(signal: AbortSignal): Promise<boolean> {
    const watching = new AbortController();
    const stopWatch = () => watching.abort();
    signal.addEventListener("abort", stopWatch, { once: true });
    let watchStarted = false;
    try {
      while (!signal.aborted) {
        if (await this.tryAcquireOrRenew(signal)) {
          this.logger?.info(
            { lease: this.config.name, identity: this.identity },
            "successfully acquired lease",
          );
          return true;
        }
        if (!watchStarted) {
          watchStarted = true;
          void this.watchLease(watching.signal);
        }
        await this.waitForNextAttempt(signal);
      }
      return false;
    } finally {
      signal.removeEventListener("abort", stopWatch);
      watching.abort();
    }
  }

  /** Renews every retryPeriod; returns when a renewal could not be done within renewDeadline, or on abort. */
  private async renew(signal: AbortSignal): Promise<void> {
    let lastRenew = Date.now();
    while (!signal.aborted) {
      await sleep(this.retryPeriodMs, signal);
      if (signal.aborted) return;
      for (;;) {
        const deadline = AbortSignal.timeout(Math.max(1, lastRenew + this.renewDeadlineMs - Date.now()));
        const attempt = AbortSignal.any([signal, deadline]);
        const ok = await this.tryAcquireOrRenew(attempt).catch(() => false);
        if (ok) {
          lastRenew = Date.now();
          break;
        }
        if (signal.aborted) return;
        if (Date.now() - lastRenew >= this.renewDeadlineMs) {
          this.logger?.error(
            { lease: this.config.name, identity: this.identity },
            "failed to renew lease: leadership lost",
          );
          return;
        }
        await sleep(this.retryPeriodMs, signal);
        if (Date.now() - lastRenew >= this.renewDeadlineMs) {
          this.logger?.error(
            { lease: this.config.name, identity: this.identity },
            "failed to renew lease: leadership lost",
          );
          return;
        }
      }
    }
  }

  /** Acquires, leads until leadership is lost or the signal aborts, then (optionally) releases. */
  async run(runSignal: AbortSignal): Promise<void> {
    const signal = AbortSignal.any([runSignal, this.config.client.closedSignal]);
    if (!(await this.acquire(signal))) return;
    this.leading = true;
    const leadership = new AbortController();
    try {
      Promise.resolve()
        .then(() => this.config.onStartedLeading(leadership.signal))
        .catch((err) => this.logger?.error({ err: describeError(err) }, "onStartedLeading failed"));
      await this.renew(signal);
    } finally {
      this.leading = false;
      leadership.abort();
      if (signal.aborted && this.config.releaseOnCancel !== false) await this.release();
      try {
        this.config.onStoppedLeading?.();
      } catch (err) {
        this.logger?.error({ err: describeError(err) }, "onStoppedLeading failed");
      }
    }
  }
}

/** Convenience: `await runLeaderElection(cfg, signal)`. */
export function runLeaderElection(config: LeaderElectionConfig, signal: AbortSignal): Promise<void> {
  return new LeaderElector(config).run(signal);
}

export interface LeaderElectedOptions {
  client: RestClient;
  /** Lease name in kube-system, e.g. "kube-scheduler". */
  name: string;
  /** --leader-elect: when false, `work` simply runs. */
  enabled: boolean;
  leaseDurationMs?: number;
  logger: Logger;
  /** Aborts on shutdown (the Lease is then released for a standby). */
  signal: AbortSignal;
  /** The component's work; its signal aborts when leadership ends. */
  work(signal: AbortSignal): Promise<void>;
}

/**
 * How kube components run: the work only while leading the component's Lease (or always, without
 * election). Returns "lost" when leadership was lost while not shutting down: the caller exits, as
 * kube-scheduler and kube-controller-manager do, so that a restart starts with clean caches.
 */
export async function runLeaderElected(opts: LeaderElectedOptions): Promise<"stopped" | "lost"> {
  if (!opts.enabled) {
    await opts.work(opts.signal);
    return "stopped";
  }
  const identity = `${hostname()}_${randomUUID()}`;
  await new LeaderElector({
    client: opts.client,
    namespace: "kube-system",
    name: opts.name,
    identity,
    leaseDurationMs: opts.leaseDurationMs,
    // Keep client-go's proportions (15 s / 10 s / 2 s) for shorter leases too.
    // Whole milliseconds: timers and AbortSignal.timeout() reject fractions.
    renewDeadlineMs: opts.leaseDurationMs
      ? Math.floor(Math.min(10_000, (opts.leaseDurationMs * 2) / 3))
      : undefined,
    retryPeriodMs: opts.leaseDurationMs ? Math.floor(Math.min(2_000, opts.leaseDurationMs / 7.5)) : undefined,
    logger: opts.logger,
    onStartedLeading: (signal) => opts.work(signal),
    onNewLeader: (id) => opts.logger.info({ leader: id, self: id === identity }, "new leader"),
  }).run(opts.signal);
  if (opts.signal.aborted) return "stopped";
  opts.logger.error("leaderelection lost");
  return "lost";
}
