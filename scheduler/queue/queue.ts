// The scheduling queue (internal/queue/scheduling_queue.go): an active heap (higher priority first, then
// older), a back-off heap (by expiry; 1 s doubling to 10 s per attempt), and the unschedulable pods, which
// move back when a cluster event that could help them happens (a node added or changed, a pod deleted...),
// or after 5 minutes at most. Events that arrive while a pod is in flight (popped, not yet back) are kept
// and checked against its rejection when it comes back (upstream's in-flight events), so none is lost.
// Pure state plus timers; no I/O.
import type { PodInfo } from "../framework/nodeinfo.js";
import { KeyedHeap } from "./heap.js";

export interface QueuedPodInfo {
  podInfo: PodInfo;
  /** When it last entered the queue (orders pods of equal priority). */
  timestamp: number;
  attempts: number;
  initialAttemptTimestamp?: number;
  /** Plugins that rejected it in its last attempt; empty = an error, any event may help. */
  unschedulablePlugins: Set<string>;
  /** Plugins whose rejection only waits for another component: their events requeue it without back-off. */
  pendingPlugins?: Set<string>;
  /** Set when it failed with an error rather than a rejection: retried after back-off regardless of events. */
  failedWithError?: boolean;
}

export type ClusterEvent =
  | "NodeAdd"
  | "NodeUnschedulableChange"
  | "NodeAllocatableChange"
  | "NodeLabelChange"
  | "NodeTaintChange"
  | "NodeConditionChange"
  | "AssignedPodAdd"
  | "AssignedPodUpdate"
  | "AssignedPodDelete"
  | "PvcChange"
  | "PvChange"
  | "NamespaceChange"
  | "UnschedulableTimeout";

// Which rejections each event may resolve (each plugin's EventsToRegister).
const EVENT_PLUGINS: Record<ClusterEvent, readonly string[] | "all"> = {
  NodeAdd: "all",
  UnschedulableTimeout: "all",
  NodeUnschedulableChange: ["NodeUnschedulable"],
  NodeAllocatableChange: ["NodeResourcesFit"],
  NodeLabelChange: ["NodeAffinity", "PodTopologySpread", "InterPodAffinity", "VolumeBinding"],
  NodeTaintChange: ["TaintToleration", "PodTopologySpread"],
  NodeConditionChange: ["TaintToleration"],
  AssignedPodAdd: ["InterPodAffinity", "PodTopologySpread"],
  AssignedPodUpdate: ["InterPodAffinity", "PodTopologySpread", "NodeResourcesFit"],
  AssignedPodDelete: [
    "NodeResourcesFit",
    "NodePorts",
    "InterPodAffinity",
    "PodTopologySpread",
    "VolumeBinding",
  ],
  PvcChange: ["VolumeBinding"],
  PvChange: ["VolumeBinding"],
  NamespaceChange: ["InterPodAffinity"],
};

export function eventMayHelp(event: ClusterEvent, plugins: ReadonlySet<string>): boolean {
  const interested = EVENT_PLUGINS[event];
  if (interested === "all" || plugins.size === 0) return true;
  for (const p of interested) if (plugins.has(p)) return true;
  return false;
}

/** Where a rejected pod goes when an event arrives (upstream's queueing strategy). */
export type Requeue = "skip" | "afterBackoff" | "immediately";

/**
 * What an event means for a rejected pod: a pod that failed with an error, or was rejected by no plugin,
 * goes back after its back-off; an event that may resolve a Pending rejection retries it at once; one
 * that may resolve another rejection, after back-off; anything else leaves it where it is.
 */
export function requeueFor(event: ClusterEvent, q: QueuedPodInfo): Requeue {
  const pendingPlugins = q.pendingPlugins ?? NO_PLUGINS;
  if (q.failedWithError || (q.unschedulablePlugins.size === 0 && pendingPlugins.size === 0))
    return "afterBackoff";
  const interested = EVENT_PLUGINS[event];
  if (interested === "all") return pendingPlugins.size > 0 ? "immediately" : "afterBackoff";
  let strategy: Requeue = "skip";
  for (const p of interested) {
    if (pendingPlugins.has(p)) return "immediately";
    if (q.unschedulablePlugins.has(p)) strategy = "afterBackoff";
  }
  return strategy;
}

const NO_PLUGINS: ReadonlySet<string> = new Set();

/** Beyond this many events recorded for in-flight pods, the ones no in-flight pod can still see go. */
const IN_FLIGHT_EVENTS_PRUNE_AT = 4096;

export interface QueueOptions {
  now?: () => number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** podMaxInUnschedulablePodsDuration. */
  maxUnschedulableMs?: number;
}

export function backoffDuration(attempts: number, initialMs: number, maxMs: number): number {
  let d = initialMs;
  for (let i = 1; i < attempts; i++) {
    d *= 2;
    if (d >= maxMs) return maxMs;
  }
  return Math.min(d, maxMs);
}

function activeLess(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
  const pa = a.podInfo.priority;
  const pb = b.podInfo.priority;
  return pa > pb || (pa === pb && a.timestamp < b.timestamp);
}

export class SchedulingQueue {
  private readonly now: () => number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxUnschedulableMs: number;
  private readonly active = new KeyedHeap<QueuedPodInfo>((q) => q.podInfo.key, activeLess);
  private readonly backoff = new KeyedHeap<QueuedPodInfo>(
    (q) => q.podInfo.key,
    (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b),
  );
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  /**
   * Popped and not yet done, with the position in inFlightEvents when each was popped: an event that
   * arrives while a pod is being scheduled (or bound) must not be lost if the pod comes back rejected.
   */
  private readonly inFlight = new Map<string, number>();
  /** Events seen while some pod was in flight; inFlightEvents[i] is event number eventsBase + i. */
  private inFlightEvents: { event: ClusterEvent; accepts?: (q: QueuedPodInfo) => boolean }[] = [];
  private eventsBase = 0;
  private backoffTimer?: NodeJS.Timeout;
  private backoffTimerAt = Number.POSITIVE_INFINITY;
  private running = false;
  private waiters: ((q: QueuedPodInfo | undefined) => void)[] = [];
  private closed = false;
  private timers: NodeJS.Timeout[] = [];
  schedulingCycle = 0;

  constructor(opts: QueueOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.maxUnschedulableMs = opts.maxUnschedulableMs ?? 5 * 60_000;
  }

  /** Starts the periodic flushes (back-off every second, leftovers every 30 s). */
  run(): void {
    this.running = true;
    this.armBackoffTimer();
    this.timers.push(setInterval(() => this.flushBackoffCompleted(), 1000).unref());
    this.timers.push(setInterval(() => this.flushUnschedulableLeftover(), 30_000).unref());
  }

  close(): void {
    this.closed = true;
    this.running = false;
    clearTimeout(this.backoffTimer);
    for (const t of this.timers) clearInterval(t);
    for (const w of this.waiters) w(undefined);
    this.waiters = [];
  }

  backoffExpiry(q: QueuedPodInfo): number {
    return q.timestamp + backoffDuration(q.attempts, this.initialBackoffMs, this.maxBackoffMs);
  }

  private isBackingOff(q: QueuedPodInfo): boolean {
    return q.attempts > 0 && this.backoffExpiry(q) > this.now();
  }

  /** A new pending pod. */
  add(pi: PodInfo): void {
    const key = pi.key;
    if (this.active.has(key) || this.backoff.has(key) || this.unschedulable.has(key)) {
      this.update(pi);
      return;
    }
    this.pushActive({ podInfo: pi, timestamp: this.now(), attempts: 0, unschedulablePlugins: new Set() });
  }

  /** The pending pod changed. A changed spec may fix what made it unschedulable, so it gets another try. */
  update(pi: PodInfo): void {
    const key = pi.key;
    const a = this.active.get(key);
    if (a) {
      a.podInfo = pi;
      this.active.push(a);
      return;
    }
    const b = this.backoff.get(key);
    if (b) {
      b.podInfo = pi;
      this.backoff.push(b);
      return;
    }
    const u = this.unschedulable.get(key);
    if (u) {
      const specChanged =
        JSON.stringify(u.podInfo.pod.spec) !== JSON.stringify(pi.pod.spec) ||
        JSON.stringify(u.podInfo.labels) !== JSON.stringify(pi.labels);
      u.podInfo = pi;
      if (specChanged) {
        this.unschedulable.delete(key);
        this.requeue(u, "afterBackoff");
      }
      return;
    }
    if (!this.inFlight.has(key)) this.add(pi);
  }

  delete(key: string): void {
    this.active.delete(key);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
  }

  has(key: string): boolean {
    return (
      this.active.has(key) || this.backoff.has(key) || this.unschedulable.has(key) || this.inFlight.has(key)
    );
  }

  private pushActive(q: QueuedPodInfo): void {
    const w = this.waiters.shift();
    if (w && this.active.size === 0) {
      this.handOut(q);
      w(q);
      return;
    }
    this.active.push(q);
    if (w) {
      const next = this.active.pop()!;
      this.handOut(next);
      w(next);
    }
  }

  private handOut(q: QueuedPodInfo): void {
    q.attempts++;
    q.initialAttemptTimestamp ??= this.now();
    this.schedulingCycle++;
    this.inFlight.set(q.podInfo.key, this.eventsBase + this.inFlightEvents.length);
  }

  /** The pod is no longer in flight; events nobody in flight can still see are dropped. */
  private land(key: string): void {
    if (!this.inFlight.delete(key)) return;
    if (this.inFlight.size === 0) {
      this.eventsBase += this.inFlightEvents.length;
      this.inFlightEvents = [];
    } else if (this.inFlightEvents.length > IN_FLIGHT_EVENTS_PRUNE_AT) {
      let oldest = Number.POSITIVE_INFINITY;
      for (const s of this.inFlight.values()) oldest = Math.min(oldest, s);
      const drop = oldest - this.eventsBase;
      if (drop > 0) {
        this.inFlightEvents = this.inFlightEvents.slice(drop);
        this.eventsBase = oldest;
      }
    }
  }

  /** The strongest requeue that the events since `since` call for. */
  private requeueForEventsSince(q: QueuedPodInfo, since: number): Requeue {
    let strategy: Requeue = "skip";
    for (let i = Math.max(0, since - this.eventsBase); i < this.inFlightEvents.length; i++) {
      const { event, accepts } = this.inFlightEvents[i];
      if (accepts && !accepts(q)) continue;
      const r = requeueFor(event, q);
      if (r === "immediately") return r;
      if (r === "afterBackoff") strategy = r;
    }
    return strategy;
  }

  /** Sends a rejected pod to active or back-off, as the strategy says. */
  private requeue(q: QueuedPodInfo, strategy: "afterBackoff" | "immediately"): void {
    if (strategy === "afterBackoff" && this.isBackingOff(q)) {
      this.backoff.push(q);
      this.armBackoffTimer();
    } else this.pushActive(q);
  }

  /** Flushes the back-off queue when its head expires, not only on the next 1 s tick. */
  private armBackoffTimer(): void {
    if (!this.running) return;
    const head = this.backoff.peek();
    if (!head) return;
    const at = this.backoffExpiry(head);
    if (at >= this.backoffTimerAt) return;
    clearTimeout(this.backoffTimer);
    this.backoffTimerAt = at;
    this.backoffTimer = setTimeout(
      () => {
        this.backoffTimerAt = Number.POSITIVE_INFINITY;
        this.flushBackoffCompleted();
      },
      Math.max(0, at - this.now()),
    ).unref();
  }

  /** The next pod to schedule; waits while the active queue is empty; undefined once closed. */
  pop(): Promise<QueuedPodInfo | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    const q = this.active.pop();
    if (q) {
      this.handOut(q);
      return Promise.resolve(q);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Synchronous pop for callers that loop while work is ready. */
  tryPop(): QueuedPodInfo | undefined {
    const q = this.active.pop();
    if (q) this.handOut(q);
    return q;
  }

  /** The attempt is over (bound, or requeued below). */
  done(key: string): void {
    this.land(key);
  }

  /**
   * A failed attempt goes back. Failed with an error: to back-off. Rejected: the events that arrived while
   * it was in flight decide, as if they came now (one may have made it schedulable after its cycle looked);
   * with none that may help, to the unschedulable pods.
   */
  addUnschedulable(q: QueuedPodInfo): void {
    const key = q.podInfo.key;
    const since = this.inFlight.get(key);
    const strategy =
      q.failedWithError || (q.unschedulablePlugins.size === 0 && (q.pendingPlugins?.size ?? 0) === 0)
        ? "afterBackoff"
        : since === undefined
          ? "skip"
          : this.requeueForEventsSince(q, since);
    this.land(key);
    if (this.active.has(key) || this.backoff.has(key) || this.unschedulable.has(key)) return;
    q.timestamp = this.now();
    if (strategy === "skip") this.unschedulable.set(key, q);
    else this.requeue(q, strategy);
  }

  /**
   * A cluster event: unschedulable pods it may help go to active (or back-off while backing off; at once
   * when it may end a Pending rejection). `accepts` narrows it to the pods it concerns (a claim's pods).
   */
  moveOnEvent(event: ClusterEvent, accepts?: (q: QueuedPodInfo) => boolean): void {
    if (this.inFlight.size > 0) this.inFlightEvents.push({ event, accepts });
    if (this.unschedulable.size === 0) return;
    for (const [key, q] of this.unschedulable) {
      const strategy = requeueFor(event, q);
      if (strategy === "skip") continue;
      if (accepts && !accepts(q)) continue;
      this.unschedulable.delete(key);
      this.requeue(q, strategy);
    }
  }

  flushBackoffCompleted(): void {
    const now = this.now();
    for (;;) {
      const q = this.backoff.peek();
      if (!q || this.backoffExpiry(q) > now) break;
      this.backoff.pop();
      this.pushActive(q);
    }
    this.armBackoffTimer();
  }

  flushUnschedulableLeftover(): void {
    const now = this.now();
    const stale: QueuedPodInfo[] = [];
    for (const q of this.unschedulable.values())
      if (now - q.timestamp > this.maxUnschedulableMs) stale.push(q);
    for (const q of stale) {
      this.unschedulable.delete(q.podInfo.key);
      this.requeue(q, "afterBackoff");
    }
  }

  /** Sizes, for metrics and tests. */
  counts(): { active: number; backoff: number; unschedulable: number; inFlight: number } {
    return {
      active: this.active.size,
      backoff: this.backoff.size,
      unschedulable: this.unschedulable.size,
      inFlight: this.inFlight.size,
    };
  }
}
