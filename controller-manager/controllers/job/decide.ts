// The Job controller's decisions, pure (pkg/controller/job): how many pods to start (or which
// indexes, for Indexed jobs), when the job has succeeded or failed (backoffLimit,
// activeDeadlineSeconds), the pod failure back-off, and status.
import type { Job, JobCondition, JobStatus } from "kubernetes-types/batch/v1";
import type { Pod } from "kubernetes-types/core/v1";
import { formatTime } from "../../../pkg/api/meta.js";
import { isPodReady } from "../../lib/pods.js";

export const COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";
const BACKOFF_BASE_MS = 10_000;
const BACKOFF_MAX_MS = 360_000;

export const isIndexed = (job: Job): boolean => job.spec?.completionMode === "Indexed";
export const indexOf = (p: Pod): number | undefined => {
  const v = p.metadata?.annotations?.[COMPLETION_INDEX] ?? p.metadata?.labels?.[COMPLETION_INDEX];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
};

export function isJobFinished(job: Job): boolean {
  return (job.status?.conditions ?? []).some(
    (c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True",
  );
}

/** "0-2,4": the compressed list of completed indexes. */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

export interface JobPlan {
  /** Pods to create: an index each for Indexed jobs, undefined otherwise. */
  create: (number | undefined)[];
  delete: Pod[];
  status: JobStatus;
  /** Finished in this sync: the condition type and the event to record. */
  finished?: { type: "Complete" | "Failed"; reason: string; message: string };
  /** Look again after this long (back-off, deadline). */
  recheckAfterMs?: number;
}

function cond(type: string, reason: string, message: string, nowMs: number): JobCondition {
  const t = formatTime(new Date(nowMs));
  return { type, status: "True", reason, message, lastProbeTime: t, lastTransitionTime: t };
}

const finishedAt = (p: Pod): number => {
  let t = 0;
  for (const s of p.status?.containerStatuses ?? [])
    t = Math.max(t, Date.parse(s.state?.terminated?.finishedAt ?? "") || 0);
  return t || Date.parse(p.metadata?.creationTimestamp ?? "") || 0;
};

export function decideJob(job: Job, pods: readonly Pod[], nowMs: number): JobPlan {
  const spec = job.spec ?? { template: {} };
  const parallelism = spec.parallelism ?? 1;
  const completions = spec.completions ?? undefined;
  const backoffLimit = spec.backoffLimit ?? 6;
  const active = pods.filter(
    (p) => !p.metadata?.deletionTimestamp && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed",
  );
  const succeededPods = pods.filter((p) => p.status?.phase === "Succeeded");
  const failedPods = pods.filter((p) => p.status?.phase === "Failed");
  const succeeded = Math.max(job.status?.succeeded ?? 0, succeededPods.length);
  const failed = Math.max(job.status?.failed ?? 0, failedPods.length);
  const startTime = job.status?.startTime ?? formatTime(new Date(nowMs));
  const status: JobStatus = {
    ...(job.status ?? {}),
    startTime,
    active: active.length,
    succeeded,
    failed,
    ready: active.filter(isPodReady).length,
    conditions: [...(job.status?.conditions ?? [])],
  };
  const done = new Set<number>();
  if (isIndexed(job)) {
    for (const p of succeededPods) {
      const i = indexOf(p);
      if (i !== undefined && i < (completions ?? 0)) done.add(i);
    }
    status.completedIndexes = formatIndexes(done);
    status.succeeded = done.size;
  }
  const plan: JobPlan = { create: [], delete: [], status };
  if (isJobFinished(job)) {
    plan.status = job.status ?? {};
    return plan;
  }
  const fail = (reason: string, message: string): JobPlan => {
    plan.delete = active;
    status.conditions = [
      ...(status.conditions ?? []),
      cond("FailureTarget", reason, message, nowMs),
      cond("Failed", reason, message, nowMs),
    ];
    plan.finished = { type: "Failed", reason, message };
    status.active = 0;
    return plan;
  };
  if (failed > backoffLimit)
    return fail("BackoffLimitExceeded", "Job has reached the specified backoff limit");
  const deadline = spec.activeDeadlineSeconds;
  if (deadline !== undefined && deadline !== null) {
    const left = Date.parse(startTime) + deadline * 1000 - nowMs;
    if (left <= 0) return fail("DeadlineExceeded", "Job was active longer than specified deadline");
    plan.recheckAfterMs = left;
  }
  const complete = isIndexed(job)
    ? done.size >= (completions ?? 0)
    : completions === undefined
      ? succeeded > 0 && active.length === 0
      : succeeded >= completions;
  if (complete) {
    const msg = "Reached expected number of succeeded pods";
    status.conditions = [
      ...(status.conditions ?? []),
      cond("SuccessCriteriaMet", "CompletionsReached", msg, nowMs),
      cond("Complete", "CompletionsReached", msg, nowMs),
    ];
    status.completionTime = formatTime(new Date(nowMs));
    plan.delete = active;
    status.active = 0;
    plan.finished = { type: "Complete", reason: "Completed", message: "Job completed" };
    return plan;
  }
  if (spec.suspend) {
    plan.delete = active;
    return plan;
  }
  // Pod failure back-off: 10 s doubling per failure, up to 6 min, from the last failure.
  if (failedPods.length > 0) {
    const wait = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (failedPods.length - 1));
    const last = Math.max(...failedPods.map(finishedAt));
    const left = last + wait - nowMs;
    if (left > 0) {
      plan.recheckAfterMs = Math.min(plan.recheckAfterMs ?? left, left);
      return plan;
    }
  }
  if (isIndexed(job)) {
    const running = new Set(active.map(indexOf));
    for (let i = 0; i < (completions ?? 0) && active.length + plan.create.length < parallelism; i++) {
      if (!done.has(i) && !running.has(i)) plan.create.push(i);
    }
    return plan;
  }
  const want =
    completions === undefined
      ? succeeded > 0
        ? 0
        : parallelism
      : Math.min(parallelism, completions - succeeded);
  for (let n = active.length; n < want; n++) plan.create.push(undefined);
  if (active.length > want) plan.delete = active.slice(want);
  return plan;
}
