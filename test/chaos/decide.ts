// The chaos suite's decisions, pure (no I/O) so that they are unit-tested: is a pod ready, where are the
// ready pods, who leads etcd, how long did writes stop, how many LISTs did the apiserver serve.
import type { Node, Pod } from "kubernetes-types/core/v1";

export function isPodReady(p: Pod): boolean {
  return (
    !p.metadata?.deletionTimestamp &&
    p.status?.phase === "Running" &&
    (p.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True")
  );
}

/** Ready, not-deleting pods per node name. */
export function readyByNode(pods: Pod[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const p of pods) {
    if (!isPodReady(p)) continue;
    const n = p.spec?.nodeName ?? "";
    m.set(n, (m.get(n) ?? 0) + 1);
  }
  return m;
}

export function readyOutside(pods: Pod[], node: string): number {
  let n = 0;
  for (const [k, v] of readyByNode(pods)) if (k !== node) n += v;
  return n;
}

/** The node's Ready condition status: "True", "False", "Unknown" (or "" when there is none). */
export function nodeReadyStatus(node: Node): string {
  return node.status?.conditions?.find((c) => c.type === "Ready")?.status ?? "";
}

/** When each step of a replacement first happened (ms from the fault), sampled every 500 ms until
 *  `stop` aborts: where the time of a recovery goes, for the report. */
export interface ReplacementTimeline {
  firstEvictedMs?: number;
  allEvictedMs?: number;
  replacementsCreatedMs?: number;
  replacementsScheduledMs?: number;
  replacementsRunningMs?: number;
}

export function describeTimeline(t: ReplacementTimeline): string {
  const f = (ms: number | undefined) => (ms === undefined ? "—" : `${(ms / 1000).toFixed(1)}`);
  return `evicted first/all ${f(t.firstEvictedMs)}/${f(t.allEvictedMs)} s, replacements created ${f(t.replacementsCreatedMs)} s, scheduled ${f(t.replacementsScheduledMs)} s, running ${f(t.replacementsRunningMs)} s`;
}

/** apiserver_request_total summed per resource for one verb, from the apiserver's Prometheus text. */
export function requestCounts(metrics: string, verb: string): Map<string, number> {
  const m = new Map<string, number>();
  const re = /^apiserver_request_total\{([^}]*)\}\s+([0-9.e+]+)$/;
  for (const line of metrics.split("\n")) {
    const hit = re.exec(line.trim());
    if (!hit) continue;
    const labels = Object.fromEntries(
      [...(hit[1] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1] ?? "", x[2] ?? ""]),
    );
    if (labels.verb !== verb) continue;
    const r = labels.resource ?? "";
    m.set(r, (m.get(r) ?? 0) + Number(hit[2]));
  }
  return m;
}

/** b - a per key (counters), keeping only positive differences. */
export function counterDelta(a: Map<string, number>, b: Map<string, number>): Map<string, number> {
  const d = new Map<string, number>();
  for (const [k, v] of b) {
    const x = v - (a.get(k) ?? 0);
    if (x > 0) d.set(k, x);
  }
  return d;
}

export const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

// ---- etcd ----

/** One member in `etcdctl endpoint status -w json` (ids kept as strings: they are 64-bit). */
export interface EndpointStatus {
  Endpoint: string;
  Status: { header: { member_id: number | string }; leader: number | string };
}

/** The member whose id is the leader every reachable member reports, by service name. */
export function leaderOf(statuses: EndpointStatus[]): { member: string; id: string } | undefined {
  for (const s of statuses) {
    if (String(s.Status.header.member_id) === String(s.Status.leader) && String(s.Status.leader) !== "0") {
      const member = new URL(s.Endpoint).hostname;
      return { member, id: String(s.Status.leader) };
    }
  }
  return undefined;
}

/** Largest interval between consecutive acknowledgement times (ms), including from `from` to the first. */
export function longestGap(ackTimes: number[], from: number, to: number): number {
  const t = [from, ...ackTimes.filter((x) => x >= from && x <= to).sort((a, b) => a - b), to];
  let gap = 0;
  for (let i = 1; i < t.length; i++) gap = Math.max(gap, (t[i] ?? 0) - (t[i - 1] ?? 0));
  return gap;
}

/** "scheduler-2_<uuid>" -> "scheduler-2": holderIdentity is the hostname, which is the compose service. */
export const serviceOfHolder = (holder: string) => holder.replace(/_[0-9a-f-]{36}$/, "");

/** Where a pod's start time goes, from its own timestamps (second resolution): PodScheduled → first
 *  container started → Ready, as "p50/max" over the given pods. */
export function startLatencies(pods: Pod[]): string {
  const toStart: number[] = [];
  const toReady: number[] = [];
  for (const p of pods) {
    const cond = (t: string) =>
      Date.parse(p.status?.conditions?.find((c) => c.type === t)?.lastTransitionTime ?? "");
    const scheduled = cond("PodScheduled");
    const ready = cond("Ready");
    const started = Math.min(
      ...(p.status?.containerStatuses ?? []).map((c) => Date.parse(c.state?.running?.startedAt ?? "")),
    );
    if (Number.isFinite(scheduled) && Number.isFinite(started)) toStart.push(started - scheduled);
    if (Number.isFinite(started) && Number.isFinite(ready)) toReady.push(ready - started);
  }
  const f = (xs: number[]) => {
    if (xs.length === 0) return "—";
    const s = [...xs].sort((a, b) => a - b);
    return `${((s[Math.floor(s.length / 2)] ?? 0) / 1000).toFixed(0)}/${((s[s.length - 1] ?? 0) / 1000).toFixed(0)} s`;
  };
  return `scheduled→started p50/max ${f(toStart)}, started→ready ${f(toReady)} (${pods.length} pods)`;
}
