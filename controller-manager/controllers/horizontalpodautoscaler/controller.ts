// The horizontal pod autoscaler (kube-controller-manager's `horizontalpodautoscaling`): every
// --horizontal-pod-autoscaler-sync-period (15 s) each HPA (autoscaling/v2; v1 objects are stored as
// v2) reads its target's scale subresource, the pods' usage from metrics.k8s.io/v1beta1 PodMetrics,
// computes the desired replicas from cpu/memory Resource metrics, stabilizes and limits it, writes the
// scale subresource and its status with upstream's conditions and events.
import type {
  HorizontalPodAutoscaler,
  HorizontalPodAutoscalerCondition,
  MetricStatus,
} from "kubernetes-types/autoscaling/v2";
import type { Pod } from "kubernetes-types/core/v1";
import { matches, parseSelector } from "../../../pkg/api/labels.js";
import { findByGVK, parseApiVersion, resources } from "../../../pkg/api/resources.js";
import {
  ApiError,
  HorizontalPodAutoscalers,
  isNotFound,
  metaNamespaceKey,
  Pods,
  type SharedInformer,
  WorkQueue,
} from "../../../pkg/client/index.js";
import type { ReconcileResult } from "../../../pkg/client/workqueue.js";
import type { ControllerContext, ControllerManagerOptions } from "../../context.js";
import { runLoop } from "../../lib/run.js";
import { refOf } from "../garbagecollector/discovery.js";
import { metaTime } from "../nodelifecycle/decide.js";
import {
  averageValueReplicas,
  classifyPod,
  LIMIT_MESSAGES,
  limitReplicas,
  type PodSample,
  podRequest,
  quantityValue,
  type Recommendation,
  resourceReplicas,
  stabilize,
} from "./decide.js";

interface Scale {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

interface PodMetrics {
  metadata?: { name?: string };
  containers?: { name: string; usage?: Record<string, string> }[];
}

export function hpaSyncPeriodMs(opts: ControllerManagerOptions): number {
  return (
    (opts as ControllerManagerOptions & { horizontalPodAutoscalerSyncPeriodMs?: number })
      .horizontalPodAutoscalerSyncPeriodMs ?? 15_000
  );
}

/** A metric computation's outcome, as upstream's computeReplicasForMetric. */
interface MetricResult {
  replicas: number;
  status: MetricStatus;
  description: string;
}

function describeError(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.code === 404) return "the server could not find the requested resource (get pods.metrics.k8s.io)";
    return e.message;
  }
  return e instanceof Error ? e.message : String(e);
}

export class HorizontalPodAutoscalerController {
  readonly queue = new WorkQueue<string>({ name: "horizontalpodautoscaler" });
  readonly hpas: SharedInformer<HorizontalPodAutoscaler>;
  readonly pods: SharedInformer<Pod>;
  private readonly recommendations = new Map<string, Recommendation[]>();
  private readonly recorder;
  private readonly periodMs: number;

  constructor(private readonly ctx: ControllerContext) {
    this.periodMs = hpaSyncPeriodMs(ctx.options);
    this.recorder = ctx.events.newRecorder({ component: "horizontal-pod-autoscaler" });
    this.hpas = ctx.factory.informerFor(HorizontalPodAutoscalers);
    this.pods = ctx.factory.informerFor(Pods);
    this.hpas.addEventHandler({
      onAdd: (h) => this.queue.add(metaNamespaceKey(h)),
      onUpdate: (o, h) =>
        o.metadata?.generation !== h.metadata?.generation && this.queue.add(metaNamespaceKey(h)),
      onDelete: (h) => this.recommendations.delete(metaNamespaceKey(h as HorizontalPodAutoscaler)),
    });
  }

  run(): () => Promise<void> {
    return runLoop(this.ctx, "horizontal-pod-autoscaler", this.queue, [this.hpas, this.pods], (k) =>
      this.sync(k),
    );
  }

  private scaleClient(hpa: HorizontalPodAutoscaler) {
    const target = hpa.spec?.scaleTargetRef;
    const { group, version } = parseApiVersion(target?.apiVersion ?? "");
    const def =
      findByGVK(group, version, target?.kind ?? "") ??
      resources.find((r) => r.group === group && r.kind === target?.kind);
    if (!def) return undefined;
    return {
      rc: this.ctx.client.resource(refOf(def), hpa.metadata?.namespace),
      resource: def.resource,
      group,
    };
  }

  async sync(key: string): Promise<ReconcileResult> {
    const cached = this.hpas.store.getByKey(key);
    if (!cached) {
      this.recommendations.delete(key);
      return;
    }
    const hpa = structuredClone(cached);
    const now = this.ctx.now();
    const ns = hpa.metadata?.namespace ?? "";
    const target = hpa.spec?.scaleTargetRef;
    const conditions: HorizontalPodAutoscalerCondition[] = [];
    const setCond = (type: string, status: string, reason: string, message: string) =>
      conditions.push({ type, status, reason, message, lastTransitionTime: metaTime(now) });
    const sc = this.scaleClient(hpa);
    let scale: Scale | undefined;
    try {
      scale = sc ? await sc.rc.getSubresource<Scale>(target?.name ?? "", "scale") : undefined;
      if (!scale)
        throw new Error(
          `no matches for kind "${target?.kind}" in group "${parseApiVersion(target?.apiVersion ?? "").group}"`,
        );
    } catch (e) {
      const msg = `the HPA controller was unable to get the target's current scale: ${describeError(e)}`;
      this.recorder.event(this.ref(hpa), "Warning", "FailedGetScale", describeError(e));
      setCond("AbleToScale", "False", "FailedGetScale", msg);
      await this.writeStatus(cached, {
        desiredReplicas: 0,
        ...hpa.status,
        conditions: this.merge(hpa, conditions),
      });
      return { requeueAfter: this.periodMs };
    }
    const current = scale.spec?.replicas ?? 0;
    const min = hpa.spec?.minReplicas ?? 1;
    const max = hpa.spec?.maxReplicas ?? min;
    let desired = current;
    let rescaleReason = "";
    let metricStatuses: MetricStatus[] = hpa.status?.currentMetrics ?? [];
    let limitReason: keyof typeof LIMIT_MESSAGES = "DesiredWithinRange";
    if (current === 0 && min !== 0) {
      setCond(
        "ScalingActive",
        "False",
        "ScalingDisabled",
        "scaling is disabled since the replica count of the target is zero",
      );
    } else if (current > max) {
      desired = max;
      rescaleReason = "Current number of replicas above Spec.MaxReplicas";
    } else if (current < min) {
      desired = min;
      rescaleReason = "Current number of replicas below Spec.MinReplicas";
    } else {
      const computed = await this.computeReplicas(hpa, scale, current, now);
      if ("error" in computed) {
        this.recorder.event(this.ref(hpa), "Warning", computed.reason, computed.error);
        setCond(
          "AbleToScale",
          "True",
          "SucceededGetScale",
          "the HPA controller was able to get the target's current scale",
        );
        setCond(
          "ScalingActive",
          "False",
          computed.reason,
          `the HPA was unable to compute the replica count: ${computed.error}`,
        );
        await this.writeStatus(cached, {
          ...hpa.status,
          currentReplicas: scale.status?.replicas ?? current,
          desiredReplicas: hpa.status?.desiredReplicas ?? current,
          currentMetrics: undefined,
          conditions: this.merge(hpa, conditions),
        });
        return { requeueAfter: this.periodMs };
      }
      metricStatuses = computed.statuses;
      setCond(
        "ScalingActive",
        "True",
        "ValidMetricFound",
        `the HPA was able to successfully calculate a replica count from ${computed.description}`,
      );
      const behavior = hpa.spec?.behavior;
      const st = stabilize(
        this.recommendations.get(key) ?? [],
        now,
        computed.replicas,
        current,
        behavior?.scaleDown?.stabilizationWindowSeconds ?? 300,
        behavior?.scaleUp?.stabilizationWindowSeconds ?? 0,
      );
      this.recommendations.set(key, st.history);
      const limited = limitReplicas(st.replicas, current, min, max);
      desired = limited.replicas;
      limitReason = limited.reason;
      rescaleReason =
        computed.replicas > current ? `${computed.description} above target` : "All metrics below target";
    }
    const limitStatus = limitReason === "DesiredWithinRange" ? "False" : "True";
    setCond("ScalingLimited", limitStatus, limitReason, LIMIT_MESSAGES[limitReason]);
    let lastScaleTime = hpa.status?.lastScaleTime;
    if (desired !== current && sc) {
      try {
        await sc.rc.updateSubresource(target?.name ?? "", "scale", {
          apiVersion: "autoscaling/v1",
          kind: "Scale",
          metadata: { name: target?.name, namespace: ns, resourceVersion: scale.metadata?.resourceVersion },
          spec: { replicas: desired },
        });
      } catch (e) {
        this.recorder.event(
          this.ref(hpa),
          "Warning",
          "FailedRescale",
          `New size: ${desired}; reason: ${rescaleReason}; error: ${describeError(e)}`,
        );
        setCond(
          "AbleToScale",
          "False",
          "FailedUpdateScale",
          `the HPA controller was unable to update the target scale: ${describeError(e)}`,
        );
        await this.writeStatus(cached, {
          desiredReplicas: 0,
          ...hpa.status,
          conditions: this.merge(hpa, conditions),
        });
        throw e;
      }
      this.recorder.event(
        this.ref(hpa),
        "Normal",
        "SuccessfulRescale",
        `New size: ${desired}; reason: ${rescaleReason}`,
      );
      setCond(
        "AbleToScale",
        "True",
        "SucceededRescale",
        `the HPA controller was able to update the target scale to ${desired}`,
      );
      lastScaleTime = metaTime(now);
    } else {
      setCond("AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size");
    }
    await this.writeStatus(cached, {
      ...hpa.status,
      observedGeneration: hpa.metadata?.generation,
      currentReplicas: scale.status?.replicas ?? current,
      desiredReplicas: desired,
      currentMetrics: metricStatuses.length ? metricStatuses : undefined,
      lastScaleTime,
      conditions: this.merge(hpa, conditions),
    });
    return { requeueAfter: this.periodMs };
  }

  private ref(hpa: HorizontalPodAutoscaler): HorizontalPodAutoscaler {
    return { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", ...hpa };
  }

  /** New conditions over the old ones, keeping the transition time of those whose status did not change. */
  private merge(
    hpa: HorizontalPodAutoscaler,
    conds: HorizontalPodAutoscalerCondition[],
  ): HorizontalPodAutoscalerCondition[] {
    const old = hpa.status?.conditions ?? [];
    const byType = new Map<string, HorizontalPodAutoscalerCondition>();
    for (const c of old) byType.set(c.type, c);
    for (const c of conds) {
      const prev = byType.get(c.type);
      byType.set(
        c.type,
        prev && prev.status === c.status ? { ...c, lastTransitionTime: prev.lastTransitionTime } : c,
      );
    }
    const order = ["AbleToScale", "ScalingActive", "ScalingLimited"];
    return [...byType.values()].sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
  }

  private async writeStatus(
    cached: HorizontalPodAutoscaler,
    status: HorizontalPodAutoscaler["status"],
  ): Promise<void> {
    if (JSON.stringify(cached.status ?? {}) === JSON.stringify(status ?? {})) return;
    try {
      await this.ctx.client
        .resource(HorizontalPodAutoscalers, cached.metadata?.namespace)
        .updateStatus({ ...structuredClone(cached), status: status ?? { desiredReplicas: 0 } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** computeReplicasForMetrics: the largest proposal over the Resource metrics, or why there is none. */
  private async computeReplicas(
    hpa: HorizontalPodAutoscaler,
    scale: Scale,
    current: number,
    now: number,
  ): Promise<
    { replicas: number; statuses: MetricStatus[]; description: string } | { error: string; reason: string }
  > {
    const metrics = hpa.spec?.metrics?.length
      ? hpa.spec.metrics
      : [
          {
            type: "Resource",
            resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } },
          },
        ];
    const ns = hpa.metadata?.namespace ?? "";
    let selector: ReturnType<typeof parseSelector>;
    try {
      if (!scale.status?.selector) throw new Error("selector is required");
      selector = parseSelector(scale.status.selector);
    } catch (e) {
      return { reason: "SelectorRequired", error: `selector is required: ${describeError(e)}` };
    }
    const pods = this.pods.store.listByNamespace(ns).filter((p) => matches(selector, p.metadata?.labels));
    let podMetrics: Map<string, PodMetrics>;
    try {
      const list = await this.ctx.client.request<{ items?: PodMetrics[] }>({
        method: "GET",
        path: `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(ns)}/pods`,
        query: { labelSelector: scale.status.selector },
      });
      podMetrics = new Map((list.items ?? []).map((m) => [m.metadata?.name ?? "", m]));
    } catch (e) {
      const resource = metrics.find((m) => m.type === "Resource")?.resource?.name ?? "cpu";
      return {
        reason: "FailedGetResourceMetric",
        error: `failed to get ${resource} utilization: unable to get metrics for resource ${resource}: unable to fetch metrics from resource metrics API: ${describeError(e)}`,
      };
    }
    let best: MetricResult | undefined;
    const statuses: MetricStatus[] = [];
    let invalid = 0;
    let firstError = "";
    for (const m of metrics) {
      if (m.type !== "Resource" && m.type !== "ContainerResource") {
        invalid++;
        firstError ||= `the HPA controller does not support ${m.type} metrics here`;
        continue;
      }
      const res = m.type === "Resource" ? m.resource?.name : m.containerResource?.name;
      const tgt = m.type === "Resource" ? m.resource?.target : m.containerResource?.target;
      if (!res || !tgt) continue;
      try {
        const r = this.computeResource(res, tgt, pods, podMetrics, current, now);
        statuses.push(r.status);
        if (!best || r.replicas > best.replicas) best = r;
      } catch (e) {
        invalid++;
        firstError ||= `failed to get ${res} utilization: ${describeError(e)}`;
      }
    }
    if (!best) {
      return {
        reason: "FailedGetResourceMetric",
        error:
          invalid === 1
            ? firstError
            : `invalid metrics (${invalid} invalid out of ${metrics.length}), first error is: ${firstError}`,
      };
    }
    return { replicas: best.replicas, statuses, description: best.description };
  }

  private computeResource(
    resource: string,
    target: { type: string; averageUtilization?: number; averageValue?: string | number },
    pods: readonly Pod[],
    podMetrics: Map<string, PodMetrics>,
    current: number,
    now: number,
  ): MetricResult {
    const samples: PodSample[] = [];
    for (const pod of pods) {
      const name = pod.metadata?.name ?? "";
      const pm = podMetrics.get(name);
      let usage: number | undefined;
      if (pm) {
        usage = 0;
        for (const c of pm.containers ?? []) usage += quantityValue(resource, c.usage?.[resource]) ?? 0;
      }
      const cls = classifyPod(pod, resource, usage !== undefined, now);
      const req = podRequest(pod, resource);
      if (target.type === "Utilization" && req.value === undefined && !cls.ignored) {
        throw new Error(`missing request for ${resource} in container ${req.missingIn} of Pod ${name}`);
      }
      samples.push({ name, ...cls, request: req.value ?? 0, usage });
    }
    if (target.type === "Utilization") {
      const r = resourceReplicas(current, target.averageUtilization ?? 80, samples);
      const averageValue =
        resource === "cpu" ? `${Math.round(r.averageValue)}m` : String(Math.round(r.averageValue));
      return {
        replicas: r.replicas,
        description: `${resource} resource utilization (percentage of request)`,
        status: {
          type: "Resource",
          resource: { name: resource, current: { averageUtilization: r.utilization, averageValue } },
        },
      };
    }
    const want = quantityValue(resource, target.averageValue) ?? 0;
    if (want <= 0) throw new Error(`invalid target value for ${resource}`);
    const replicas = averageValueReplicas(current, want, samples);
    const live = samples.filter((s) => !s.ignored && s.usage !== undefined);
    const avg = live.reduce((a, s) => a + (s.usage ?? 0), 0) / Math.max(1, live.length);
    return {
      replicas,
      description: `${resource} resource`,
      status: {
        type: "Resource",
        resource: {
          name: resource,
          current: { averageValue: resource === "cpu" ? `${Math.round(avg)}m` : String(Math.round(avg)) },
        },
      },
    };
  }
}
