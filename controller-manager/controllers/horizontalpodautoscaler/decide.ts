// Pure parts of the horizontal pod autoscaler (pkg/controller/podautoscaler): replicas from resource
// utilization (replica_calculator.go's GetResourceReplicas with tolerance, missing and not-yet-ready
// pods), the scale-up limit, min/max clamping and the scale-down stabilization window.
import type { Pod } from "kubernetes-types/core/v1";
import { tryParseQuantity } from "../../../pkg/api/quantity.js";

export const TOLERANCE = 0.1;
export const DEFAULT_DOWNSCALE_STABILIZATION_S = 300;
/** Pods younger than this, or that became ready less than this ago, may show start-up CPU (upstream 5 min / 30 s). */
export const CPU_INITIALIZATION_PERIOD_MS = 5 * 60_000;
export const INITIAL_READINESS_DELAY_MS = 30_000;

/** cpu in millicores, memory in bytes. */
export function quantityValue(resource: string, q: string | number | undefined): number | undefined {
  if (q === undefined) return undefined;
  const v = tryParseQuantity(q);
  if (!v) return undefined;
  return resource === "cpu" ? v.milliValue() : v.asApproximateFloat64();
}

/** Sum of the containers' requests for a resource; undefined if a container has none (upstream: an error). */
export function podRequest(pod: Pod, resource: string): { value?: number; missingIn?: string } {
  let sum = 0;
  for (const c of pod.spec?.containers ?? []) {
    const r = quantityValue(resource, c.resources?.requests?.[resource]);
    if (r === undefined) return { missingIn: c.name };
    sum += r;
  }
  return { value: sum };
}

export interface PodSample {
  name: string;
  /** Counts as unready for this resource (not Ready, or cpu still initializing). */
  unready: boolean;
  /** Deleted or failed: left out entirely. */
  ignored: boolean;
  request: number;
  /** undefined: no metrics for it. */
  usage?: number;
}

function podReadyCondition(pod: Pod) {
  return pod.status?.conditions?.find((c) => c.type === "Ready");
}

/** groupPods: which pods are ignored, which unready (cpu only, as upstream), as of now. */
export function classifyPod(
  pod: Pod,
  resource: string,
  hasMetric: boolean,
  nowMs: number,
): { ignored: boolean; unready: boolean } {
  if (
    pod.metadata?.deletionTimestamp ||
    pod.status?.phase === "Failed" ||
    pod.status?.phase === "Succeeded"
  ) {
    return { ignored: true, unready: false };
  }
  if (pod.status?.phase === "Pending") return { ignored: false, unready: true };
  if (!hasMetric || resource !== "cpu") return { ignored: false, unready: false };
  const ready = podReadyCondition(pod);
  const start = pod.status?.startTime ? Date.parse(pod.status.startTime) : Number.NaN;
  if (!ready || Number.isNaN(start)) return { ignored: false, unready: true };
  const transition = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : start;
  if (start + CPU_INITIALIZATION_PERIOD_MS > nowMs) {
    // Still initializing: unready unless it has been ready for a while (metric taken after readiness).
    return { ignored: false, unready: ready.status !== "True" };
  }
  return {
    ignored: false,
    unready: ready.status === "False" && start + INITIAL_READINESS_DELAY_MS > transition,
  };
}

export interface ResourceReplicas {
  replicas: number;
  /** Average utilization (% of request) over pods with metrics. */
  utilization: number;
  /** Average usage (millicores or bytes) over pods with metrics. */
  averageValue: number;
}

/**
 * GetResourceReplicas: the desired replica count for a utilization target (percent of request).
 * Throws when no pod has metrics. Missing pods count as 100 % when scaling down and 0 % when scaling
 * up, unready pods as 0 % when scaling up; a result within tolerance, or one that flips direction
 * once they are counted, keeps the current count.
 */
export function resourceReplicas(
  current: number,
  targetUtilization: number,
  samples: readonly PodSample[],
  tolerance = TOLERANCE,
): ResourceReplicas {
  const live = samples.filter((s) => !s.ignored);
  const withMetrics = live.filter((s) => s.usage !== undefined && !s.unready);
  const missing = live.filter((s) => s.usage === undefined);
  const unready = live.filter((s) => s.usage !== undefined && s.unready);
  const metricPods = live.filter((s) => s.usage !== undefined);
  if (metricPods.length === 0) throw new Error("no metrics returned from resource metrics API");
  const util = (set: readonly { request: number; usage: number }[]) => {
    const req = set.reduce((a, s) => a + s.request, 0);
    const use = set.reduce((a, s) => a + s.usage, 0);
    return req > 0 ? (use * 100) / req : 0;
  };
  const ready = withMetrics.map((s) => ({ request: s.request, usage: s.usage ?? 0 }));
  const all = metricPods.map((s) => ({ request: s.request, usage: s.usage ?? 0 }));
  const utilization = Math.round(util(all));
  const averageValue = all.reduce((a, s) => a + s.usage, 0) / all.length;
  if (ready.length === 0) return { replicas: current, utilization, averageValue };
  const usageRatio = util(ready) / targetUtilization;
  const readyCount = ready.length;
  if (missing.length === 0 && unready.length === 0) {
    if (Math.abs(1 - usageRatio) <= tolerance) return { replicas: current, utilization, averageValue };
    return { replicas: Math.ceil(usageRatio * readyCount), utilization, averageValue };
  }
  const counted = [...ready];
  if (usageRatio < 1) {
    for (const s of missing) counted.push({ request: s.request, usage: s.request });
  } else {
    for (const s of missing) counted.push({ request: s.request, usage: 0 });
    for (const s of unready) counted.push({ request: s.request, usage: 0 });
  }
  const newRatio = util(counted) / targetUtilization;
  if (
    Math.abs(1 - newRatio) <= tolerance ||
    (usageRatio < 1 && newRatio > 1) ||
    (usageRatio > 1 && newRatio < 1)
  ) {
    return { replicas: current, utilization, averageValue };
  }
  const replicas = Math.ceil(newRatio * counted.length);
  if ((newRatio < 1 && replicas > current) || (newRatio > 1 && replicas < current))
    return { replicas: current, utilization, averageValue };
  return { replicas, utilization, averageValue };
}

/** Same for an averageValue target (usage per pod, in millicores or bytes). */
export function averageValueReplicas(
  current: number,
  target: number,
  samples: readonly PodSample[],
  tolerance = TOLERANCE,
): number {
  const live = samples.filter((s) => !s.ignored && s.usage !== undefined);
  if (live.length === 0) throw new Error("no metrics returned from resource metrics API");
  const total = live.reduce((a, s) => a + (s.usage ?? 0), 0);
  const ratio = total / (target * current || 1);
  if (Math.abs(1 - ratio) <= tolerance) return current;
  return Math.ceil(total / target);
}

export interface Recommendation {
  atMs: number;
  replicas: number;
}

/**
 * stabilizeRecommendation: scale down only to the highest recommendation of the last window, scale
 * up only to the lowest of the up-window (0 s by default: at once). Returns the stabilized count and
 * the history to keep.
 */
export function stabilize(
  history: readonly Recommendation[],
  nowMs: number,
  recommended: number,
  current: number,
  downWindowS = DEFAULT_DOWNSCALE_STABILIZATION_S,
  upWindowS = 0,
): { replicas: number; history: Recommendation[] } {
  const keep = Math.max(downWindowS, upWindowS) * 1000;
  const next = [...history.filter((r) => r.atMs > nowMs - keep), { atMs: nowMs, replicas: recommended }];
  let upLimit = recommended;
  let downLimit = recommended;
  for (const r of next) {
    if (r.atMs > nowMs - downWindowS * 1000) downLimit = Math.max(downLimit, r.replicas);
    if (r.atMs > nowMs - upWindowS * 1000) upLimit = Math.min(upLimit, r.replicas);
  }
  let replicas = current;
  if (replicas < upLimit) replicas = upLimit;
  if (replicas > downLimit) replicas = downLimit;
  return { replicas, history: next };
}

export type LimitReason = "DesiredWithinRange" | "TooFewReplicas" | "TooManyReplicas" | "ScaleUpLimit";

/** Min/max and the default scale-up policy (at most double, or +4, per sync). */
export function limitReplicas(
  desired: number,
  current: number,
  min: number,
  max: number,
): { replicas: number; reason: LimitReason } {
  const scaleUpLimit = Math.max(2 * current, current + 4);
  if (desired > scaleUpLimit && scaleUpLimit < max) return { replicas: scaleUpLimit, reason: "ScaleUpLimit" };
  if (desired > max) return { replicas: max, reason: "TooManyReplicas" };
  if (desired < min) return { replicas: min, reason: "TooFewReplicas" };
  return { replicas: desired, reason: "DesiredWithinRange" };
}

export const LIMIT_MESSAGES: Record<LimitReason, string> = {
  DesiredWithinRange: "the desired count is within the acceptable range",
  TooFewReplicas: "the desired replica count is less than the minimum replica count",
  TooManyReplicas: "the desired replica count is more than the maximum replica count",
  ScaleUpLimit: "the desired replica count is increasing faster than the maximum scale rate",
};
