// The Job controller (pkg/controller/job) and the TTL-after-finished controller's one job: run pods
// to completion (decide.ts), then delete the finished Job after ttlSecondsAfterFinished.
import type { Job } from "kubernetes-types/batch/v1";
import type { Pod, PodTemplateSpec } from "kubernetes-types/core/v1";
import { labelSelectorAsSelector, matches } from "../../../pkg/api/labels.js";
import { getControllerOf, newControllerRef } from "../../../pkg/api/meta.js";
import {
  ControllerExpectations,
  type EventRecorder,
  isNotFound,
  Jobs,
  metaNamespaceKey,
  objectOf,
  Pods,
  type SharedInformer,
  splitKey,
  WorkQueue,
} from "../../../pkg/client/index.js";
import type { ReconcileResult } from "../../../pkg/client/workqueue.js";
import type { ControllerContext, ControllerDescriptor } from "../../context.js";
import { claimObjects } from "../../lib/claim.js";
import { equalIgnoringZero } from "../../lib/hash.js";
import { PodControl, podNameOr } from "../../lib/pod-control.js";
import { runLoop } from "../../lib/run.js";
import { COMPLETION_INDEX, decideJob, isJobFinished } from "./decide.js";

const GVK = { apiVersion: "batch/v1", kind: "Job" };
const COMPONENT = "job-controller";

export class JobController {
  readonly queue = new WorkQueue<string>({ name: "job" });
  readonly jobs: SharedInformer<Job>;
  readonly pods: SharedInformer<Pod>;
  readonly expectations: ControllerExpectations;
  private readonly podControl: PodControl;
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.expectations = new ControllerExpectations(ctx.now);
    this.recorder = ctx.events.newRecorder({ component: COMPONENT });
    this.podControl = new PodControl(ctx.client, this.recorder);
    this.jobs = ctx.factory.informerFor(Jobs);
    this.pods = ctx.factory.informerFor(Pods);
    const enqueue = (j: Job) => this.queue.add(metaNamespaceKey(j));
    this.jobs.addEventHandler({
      onAdd: enqueue,
      onUpdate: (_o, j) => enqueue(j),
      onDelete: (j) => enqueue(objectOf(j)),
    });
    const onPod = (p: Pod, observe?: "add" | "del") => {
      const ref = getControllerOf(p);
      if (ref?.kind !== "Job") return;
      const key = `${p.metadata?.namespace}/${ref.name}`;
      if (observe === "add") this.expectations.creationObserved(key);
      if (observe === "del") this.expectations.deletionObserved(key);
      this.queue.add(key);
    };
    this.pods.addEventHandler({
      onAdd: (p) => onPod(p, "add"),
      onUpdate: (o, p) => {
        if (o.metadata?.resourceVersion === p.metadata?.resourceVersion) return;
        onPod(p, !o.metadata?.deletionTimestamp && p.metadata?.deletionTimestamp ? "del" : undefined);
      },
      onDelete: (p) => {
        const pod = objectOf(p);
        onPod(pod, pod.metadata?.deletionTimestamp ? undefined : "del");
      },
    });
  }

  run(): () => Promise<void> {
    return runLoop(this.ctx, COMPONENT, this.queue, [this.jobs, this.pods], (k) => this.sync(k));
  }

  async sync(key: string): Promise<ReconcileResult> {
    const cached = this.jobs.store.getByKey(key);
    if (!cached) {
      this.expectations.deleteExpectations(key);
      return;
    }
    const job = structuredClone(cached);
    const { namespace = "", name } = splitKey(key);
    if (isJobFinished(job)) return this.ttlAfterFinished(job);
    let selector: ReturnType<typeof labelSelectorAsSelector> | undefined;
    try {
      selector = job.spec?.selector ? labelSelectorAsSelector(job.spec.selector) : undefined;
    } catch {
      return;
    }
    const uid = job.metadata?.uid;
    const pods = await claimObjects<Pod>({
      owner: job,
      ownerKind: GVK,
      // Without a generated selector, the job's pods are those it created.
      matches: (p) => (selector ? matches(selector, p.metadata?.labels) : getControllerOf(p)?.uid === uid),
      objs: this.pods.store.listByNamespace(namespace),
      client: this.ctx.client.resource(Pods, namespace),
      getFreshOwner: () => this.ctx.client.resource(Jobs, namespace).get(name),
    });
    const plan = decideJob(job, pods, this.ctx.now());
    let firstError: unknown;
    if (this.expectations.satisfiedExpectations(key) && !job.metadata?.deletionTimestamp) {
      this.expectations.setExpectations(key, plan.create.length, plan.delete.length);
      const ref = newControllerRef(job, GVK.apiVersion, GVK.kind);
      await Promise.all([
        ...plan.create.map(async (index) => {
          try {
            await this.podControl.createPod(namespace, this.templateFor(job, index), job, ref, {
              generateName: index === undefined ? `${name}-` : `${name}-${index}-`,
            });
          } catch (e) {
            this.expectations.creationObserved(key);
            firstError ??= e;
          }
        }),
        ...plan.delete.map(async (p) => {
          try {
            await this.podControl.deletePod(namespace, podNameOr(p), job);
          } catch (e) {
            this.expectations.deletionObserved(key);
            if (!isNotFound(e)) firstError ??= e;
          }
        }),
      ]);
    }
    if (!equalIgnoringZero(job.status, plan.status)) {
      try {
        await this.ctx.client.resource(Jobs, namespace).updateStatus({ ...job, status: plan.status });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      if (plan.finished) {
        const type = plan.finished.type === "Complete" ? "Normal" : "Warning";
        this.recorder.event(job, type, plan.finished.reason, plan.finished.message);
      }
    }
    if (firstError !== undefined) throw firstError;
    if (plan.recheckAfterMs !== undefined) return { requeueAfter: plan.recheckAfterMs + 100 };
  }

  private templateFor(job: Job, index: number | undefined): PodTemplateSpec {
    const t = structuredClone(job.spec?.template ?? {});
    t.metadata = {
      ...t.metadata,
      labels: {
        ...(t.metadata?.labels ?? {}),
        "batch.kubernetes.io/job-name": job.metadata?.name ?? "",
        "job-name": job.metadata?.name ?? "",
      },
    };
    if (index !== undefined) {
      t.metadata.annotations = { ...(t.metadata.annotations ?? {}), [COMPLETION_INDEX]: String(index) };
      t.metadata.labels = { ...t.metadata.labels, [COMPLETION_INDEX]: String(index) };
      t.spec = t.spec ?? { containers: [] };
      t.spec.hostname = `${job.metadata?.name}-${index}`;
      for (const c of t.spec.containers ?? [])
        c.env = [...(c.env ?? []), { name: "JOB_COMPLETION_INDEX", value: String(index) }];
    }
    return t;
  }

  /** ttlSecondsAfterFinished: delete the finished Job (and, in the foreground, its pods) once the TTL has passed. */
  private async ttlAfterFinished(job: Job): Promise<ReconcileResult> {
    const ttl = job.spec?.ttlSecondsAfterFinished;
    if (ttl === undefined || ttl === null || job.metadata?.deletionTimestamp) return;
    const finished = (job.status?.conditions ?? []).find(
      (c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True",
    );
    const at = Date.parse(job.status?.completionTime ?? finished?.lastTransitionTime ?? "");
    if (Number.isNaN(at)) return;
    const left = at + ttl * 1000 - this.ctx.now();
    if (left > 0) return { requeueAfter: left + 100 };
    try {
      await this.ctx.client.resource(Jobs, job.metadata?.namespace).delete(job.metadata?.name ?? "", {
        propagationPolicy: "Foreground",
        preconditions: { uid: job.metadata?.uid },
      });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

export const jobDescriptor: ControllerDescriptor = {
  name: "job",
  init: (ctx) => new JobController(ctx).run(),
};
