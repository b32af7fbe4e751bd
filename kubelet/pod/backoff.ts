// Crash-loop back-off, as client-go's flowcontrol.Backoff used by the kubelet: 10 s doubling to 5 min per
// (pod, container), forgotten when the container ran longer than twice the maximum since the last restart
// (Kubernetes' "reset after 10 minutes running"). Pure: every call takes the time.

export interface BackoffEntry {
  backoffMs: number;
  /** when the back-off was last advanced */
  lastUpdate: number;
}

export class CrashLoopBackoff {
  readonly entries = new Map<string, BackoffEntry>();
  constructor(
    readonly initialMs = 10_000,
    readonly maxMs = 300_000,
  ) {}

  private expired(eventTime: number, entry: BackoffEntry): boolean {
    return eventTime - entry.lastUpdate > this.maxMs * 2;
  }

  /** True while a container that stopped at eventTime must still wait before its restart. */
  isInBackOffSince(key: string, eventTime: number, now: number): boolean {
    const entry = this.entries.get(key);
    if (!entry || this.expired(eventTime, entry)) return false;
    return now - eventTime < entry.backoffMs;
  }

  /** When the wait for a container that stopped at eventTime ends (eventTime when there is none). */
  backOffUntil(key: string, eventTime: number): number {
    const entry = this.entries.get(key);
    if (!entry || this.expired(eventTime, entry)) return eventTime;
    return eventTime + entry.backoffMs;
  }

  /** True while the last failure (at lastUpdate) is younger than the back-off (image pulls). */
  isInBackOffSinceUpdate(key: string, now: number): boolean {
    const entry = this.entries.get(key);
    if (!entry || now - entry.lastUpdate > this.maxMs * 2) return false;
    return now - entry.lastUpdate < entry.backoffMs;
  }

  /** How long until the back-off since the last failure ends (0 when there is none). */
  remainingSinceUpdate(key: string, now: number): number {
    const entry = this.entries.get(key);
    if (!entry) return 0;
    return Math.max(0, entry.lastUpdate + entry.backoffMs - now);
  }

  current(key: string): number | undefined {
    return this.entries.get(key)?.backoffMs;
  }

  /** Advances the back-off: called when a restart goes ahead. */
  next(key: string, eventTime: number, now: number): void {
    const entry = this.entries.get(key);
    if (!entry || this.expired(eventTime, entry)) {
      this.entries.set(key, { backoffMs: this.initialMs, lastUpdate: now });
    } else {
      entry.backoffMs = Math.min(entry.backoffMs * 2, this.maxMs);
      entry.lastUpdate = now;
    }
  }

  /** Drops entries of pods that are gone (key prefix = pod uid). */
  forgetPod(uid: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(`${uid}/`)) this.entries.delete(k);
  }

  /** Garbage-collects entries not touched for 2 * max. */
  gc(now: number): void {
    for (const [k, e] of this.entries) if (now - e.lastUpdate > this.maxMs * 2) this.entries.delete(k);
  }
}

export function backoffKey(podUid: string, containerName: string, hash: string): string {
  return `${podUid}/${containerName}/${hash}`;
}

/** The duration as Go's time.Duration.String() prints it in kubelet messages ("10s", "1m20s", "5m0s"). */
export function goDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return `${m}m${s % 60}s`;
}
