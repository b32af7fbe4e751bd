// The scheduling queue (internal/queue/scheduling_queue.go): an active heap (higher priority first, then
// older), a back-off heap (by expiry; 1 s doubling to 10 s per attempt), and the unschedulable pods, which
// move back when a cluster event that could help them happens (a node added or changed, a pod deleted...),
// or after 5 minutes at most. Pure state plus timers; no I/O.
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
  /** Popped and not yet done: their events must not be lost (moveRequestCycle). */
  private readonly inFlight = new Set<string>();
  private waiters: ((q: QueuedPodInfo | undefined) => void)[] = [];
  private closed = false;
  private timers: NodeJS.Timeout[] = [];
  schedulingCycle = 0;
  private moveRequestCycle = -1;

  constructor(opts: QueueOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.maxUnschedulableMs = opts.maxUnschedulableMs ?? 5 * 60_000;
  }

  /** Starts the periodic flushes (back-off every second, leftovers every 30 s). */
  run(): void {
    this.timers.push(setInterval(() => this.flushBackoffCompleted(), 1000).unref());
    this.timers.push(setInterval(() => this.flushUnschedulableLeftover(), 30_000).unref());
  }

  close(): void {
    this.closed = true;
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
        if (this.isBackingOff(u)) this.backoff.push(u);
        else this.pushActive(u);
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
    this.inFlight.add(q.podInfo.key);
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
    this.inFlight.delete(key);
  }

  /**
   * A failed attempt goes back: to back-off if it failed with an error or if an event arrived while it was
   * being scheduled (that event may have made it schedulable), otherwise to the unschedulable pods.
   */
  addUnschedulable(q: QueuedPodInfo, podSchedulingCycle: number): void {
    const key = q.podInfo.key;
    this.inFlight.delete(key);
    if (this.active.has(key) || this.backoff.has(key) || this.unschedulable.has(key)) return;
    q.timestamp = this.now();
    if (q.failedWithError || this.moveRequestCycle >= podSchedulingCycle) this.backoff.push(q);
    else this.unschedulable.set(key, q);
  }

  /** A cluster event: unschedulable pods it may help go to active (or back-off while backing off). */
  moveOnEvent(event: ClusterEvent, filter?: (q: QueuedPodInfo) => boolean): void {
    this.moveRequestCycle = this.schedulingCycle;
    if (this.unschedulable.size === 0) return;
    for (const [key, q] of this.unschedulable) {
      if (!eventMayHelp(event, q.unschedulablePlugins)) continue;
      if (filter && !filter(q)) continue;
      this.unschedulable.delete(key);
      if (this.isBackingOff(q)) this.backoff.push(q);
      else this.pushActive(q);
    }
  }

  flushBackoffCompleted(): void {
    const now = this.now();
    for (;;) {
      const q = this.backoff.peek();
      if (!q || this.backoffExpiry(q) > now) return;
      this.backoff.pop();
      this.pushActive(q);
    }
  }

  flushUnschedulableLeftover(): void {
    const now = this.now();
    const stale: QueuedPodInfo[] = [];
    for (const q of this.unschedulable.values())
      if (now - q.timestamp > this.maxUnschedulableMs) stale.push(q);
    for (const q of stale) {
      this.unschedulable.delete(q.podInfo.key);
      if (this.isBackingOff(q)) this.backoff.push(q);
      else this.pushActive(q);
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
