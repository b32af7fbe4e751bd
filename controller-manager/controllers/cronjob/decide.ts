// The CronJob controller's decisions, pure (pkg/controller/cronjob, the v2 controller): whether a
// run is due, concurrencyPolicy, startingDeadlineSeconds, suspend, history limits, status.
import type { CronJob, CronJobStatus, Job } from "kubernetes-types/batch/v1";
import type { ObjectReference } from "kubernetes-types/core/v1";
import { type CronSchedule, nextActivation, parseCron } from "../../../pkg/api/cron.js";
import { formatTime } from "../../../pkg/api/meta.js";

export const SCHEDULED_TIMESTAMP = "batch.kubernetes.io/cronjob-scheduled-timestamp";

/**
 * The latest scheduled time in (earliestMs, nowMs], and how many earlier ones were missed
 * (getMostRecentScheduleTime). Counting stops past 1,000 misses: the controller only warns beyond 100.
 */
export function mostRecentScheduleTime(
  s: CronSchedule,
  earliestMs: number,
  nowMs: number,
): { time?: number; missed: number } {
  let t = nextActivation(s, new Date(earliestMs))?.getTime();
  let last: number | undefined;
  let missed = 0;
  while (t !== undefined && t <= nowMs) {
    if (last !== undefined) missed++;
    last = t;
    if (missed > 1000) break;
    t = nextActivation(s, new Date(t))?.getTime();
  }
  return { time: last, missed };
}

export function jobFinished(job: Job): "Complete" | "Failed" | undefined {
  for (const c of job.status?.conditions ?? [])
    if ((c.type === "Complete" || c.type === "Failed") && c.status === "True") return c.type;
  return undefined;
}

/** The Job name for a scheduled time: <cronjob>-<unix minutes> (getJobName). */
export const jobNameFor = (cj: CronJob, scheduledMs: number): string =>
  `${cj.metadata?.name}-${Math.floor(scheduledMs / 60_000)}`;

export interface CronEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

export interface CronPlan {
  /** Create the Job for this scheduled time. */
  createFor?: number;
  /** Jobs to delete (Replace policy, history limits). */
  delete: Job[];
  status: CronJobStatus;
  events: CronEvent[];
  requeueAfterMs?: number;
}

const ref = (j: Job): ObjectReference => ({
  apiVersion: "batch/v1",
  kind: "Job",
  name: j.metadata?.name,
  namespace: j.metadata?.namespace,
  uid: j.metadata?.uid,
});

const started = (j: Job): number =>
  Date.parse(j.status?.startTime ?? j.metadata?.creationTimestamp ?? "") || 0;

export function decideCronJob(cj: CronJob, jobs: readonly Job[], nowMs: number): CronPlan {
  const plan: CronPlan = { delete: [], status: { ...(cj.status ?? {}) }, events: [] };
  const running = jobs.filter((j) => !jobFinished(j) && !j.metadata?.deletionTimestamp);
  const knownActive = new Set((cj.status?.active ?? []).map((r) => r.uid));
  for (const j of jobs) {
    const fin = jobFinished(j);
    if (fin && knownActive.has(j.metadata?.uid)) {
      plan.events.push({
        type: "Normal",
        reason: "SawCompletedJob",
        message: `Saw completed job: ${j.metadata?.name}, condition: ${fin}`,
      });
      if (fin === "Complete") {
        const done = j.status?.completionTime;
        if (
          done &&
          (!plan.status.lastSuccessfulTime || Date.parse(done) > Date.parse(plan.status.lastSuccessfulTime))
        )
          plan.status.lastSuccessfulTime = done;
      }
    }
  }
  plan.status.active = running.map(ref);
  if (plan.status.active.length === 0) delete plan.status.active;
  // History limits: the oldest finished jobs beyond the limits go.
  const trim = (list: Job[], limit: number) => {
    const sorted = [...list].sort((a, b) => started(a) - started(b));
    plan.delete.push(...sorted.slice(0, Math.max(0, sorted.length - limit)));
  };
  trim(
    jobs.filter((j) => jobFinished(j) === "Complete"),
    cj.spec?.successfulJobsHistoryLimit ?? 3,
  );
  trim(
    jobs.filter((j) => jobFinished(j) === "Failed"),
    cj.spec?.failedJobsHistoryLimit ?? 1,
  );
  if (cj.metadata?.deletionTimestamp || cj.spec?.suspend) return plan;
  let schedule: CronSchedule;
  try {
    schedule = parseCron(cj.spec?.schedule ?? "");
  } catch (e) {
    plan.events.push({
      type: "Warning",
      reason: "UnparseableSchedule",
      message: `unparseable schedule: "${cj.spec?.schedule}" : ${(e as Error).message}`,
    });
    return plan;
  }
  const earliest = Date.parse(cj.status?.lastScheduleTime ?? cj.metadata?.creationTimestamp ?? "") || nowMs;
  const deadline = cj.spec?.startingDeadlineSeconds;
  const from =
    deadline !== undefined && deadline !== null ? Math.max(earliest, nowMs - deadline * 1000) : earliest;
  const { time, missed } = mostRecentScheduleTime(schedule, from, nowMs);
  const next = nextActivation(schedule, new Date(nowMs))?.getTime();
  if (next !== undefined) plan.requeueAfterMs = next - nowMs + 100;
  if (missed > 100)
    plan.events.push({
      type: "Warning",
      reason: "TooManyMissedTimes",
      message:
        "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew",
    });
  if (time === undefined) return plan;
  const name = jobNameFor(cj, time);
  if (jobs.some((j) => j.metadata?.name === name)) return plan;
  const policy = cj.spec?.concurrencyPolicy ?? "Allow";
  if (policy === "Forbid" && running.length > 0) {
    plan.events.push({
      type: "Normal",
      reason: "JobAlreadyActive",
      message: "Not starting job because prior execution is running and concurrency policy is Forbid",
    });
    return plan;
  }
  if (policy === "Replace") plan.delete.push(...running);
  plan.createFor = time;
  plan.status.lastScheduleTime = formatTime(new Date(time));
  return plan;
}

/** The Job a CronJob runs at a scheduled time (getJobFromTemplate2). */
export function jobFromTemplate(cj: CronJob, scheduledMs: number): Job {
  const t = structuredClone(cj.spec?.jobTemplate ?? {});
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: jobNameFor(cj, scheduledMs),
      namespace: cj.metadata?.namespace,
      labels: { ...(t.metadata?.labels ?? {}) },
      annotations: {
        ...(t.metadata?.annotations ?? {}),
        [SCHEDULED_TIMESTAMP]: formatTime(new Date(scheduledMs)),
      },
      ownerReferences: [
        {
          apiVersion: "batch/v1",
          kind: "CronJob",
          name: cj.metadata?.name ?? "",
          uid: cj.metadata?.uid ?? "",
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: t.spec ?? { template: {} },
  };
}
