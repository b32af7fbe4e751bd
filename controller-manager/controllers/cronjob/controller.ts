// The CronJob controller: creates a Job per scheduled time (decide.ts), tracks active ones, trims
// history, and sleeps until the next scheduled time.
import type { CronJob, Job } from "kubernetes-types/batch/v1";
import { getControllerOf } from "../../../pkg/api/meta.js";
import {
  CronJobs,
  type EventRecorder,
  isAlreadyExists,
  isNotFound,
  Jobs,
  metaNamespaceKey,
  objectOf,
  type SharedInformer,
  splitKey,
  WorkQueue,
} from "../../../pkg/client/index.js";
import type { ReconcileResult } from "../../../pkg/client/workqueue.js";
import type { ControllerContext, ControllerDescriptor } from "../../context.js";
import { equalIgnoringZero } from "../../lib/hash.js";
import { errorMessage } from "../../lib/pod-control.js";
import { runLoop } from "../../lib/run.js";
import { decideCronJob, jobFromTemplate } from "./decide.js";

const COMPONENT = "cronjob-controller";

export class CronJobController {
  readonly queue = new WorkQueue<string>({ name: "cronjob" });
  readonly cronJobs: SharedInformer<CronJob>;
  readonly jobs: SharedInformer<Job>;
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.recorder = ctx.events.newRecorder({ component: COMPONENT });
    this.cronJobs = ctx.factory.informerFor(CronJobs);
    this.jobs = ctx.factory.informerFor(Jobs);
    const enqueue = (c: CronJob) => this.queue.add(metaNamespaceKey(c));
    this.cronJobs.addEventHandler({
      onAdd: enqueue,
      onUpdate: (_o, c) => enqueue(c),
      onDelete: (c) => enqueue(objectOf(c)),
    });
    const onJob = (j: Job) => {
      const r = getControllerOf(j);
      if (r?.kind === "CronJob") this.queue.add(`${j.metadata?.namespace}/${r.name}`);
    };
    this.jobs.addEventHandler({
      onAdd: onJob,
      onUpdate: (_o, j) => onJob(j),
      onDelete: (j) => onJob(objectOf(j)),
    });
  }

  run(): () => Promise<void> {
    return runLoop(this.ctx, COMPONENT, this.queue, [this.cronJobs, this.jobs], (k) => this.sync(k));
  }

  async sync(key: string): Promise<ReconcileResult> {
    const cached = this.cronJobs.store.getByKey(key);
    if (!cached) return;
    const cj = structuredClone(cached);
    const { namespace = "" } = splitKey(key);
    const jobs = this.jobs.store
      .listByNamespace(namespace)
      .filter((j) => getControllerOf(j)?.uid === cj.metadata?.uid);
    const plan = decideCronJob(cj, jobs, this.ctx.now());
    for (const e of plan.events) this.recorder.event(cj, e.type, e.reason, e.message);
    const jobClient = this.ctx.client.resource(Jobs, namespace);
    for (const j of plan.delete) {
      try {
        await jobClient.delete(j.metadata?.name ?? "", { propagationPolicy: "Background" });
        this.recorder.event(cj, "Normal", "SuccessfulDelete", `Deleted job ${j.metadata?.name}`);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    if (plan.createFor !== undefined) {
      const job = jobFromTemplate(cj, plan.createFor);
      try {
        const created = await jobClient.create(job);
        this.recorder.event(cj, "Normal", "SuccessfulCreate", `Created job ${created.metadata?.name}`);
        plan.status.active = [
          ...(plan.status.active ?? []),
          {
            apiVersion: "batch/v1",
            kind: "Job",
            name: created.metadata?.name,
            namespace,
            uid: created.metadata?.uid,
          },
        ];
      } catch (e) {
        if (!isAlreadyExists(e)) {
          this.recorder.event(cj, "Warning", "FailedCreate", `Error creating job: ${errorMessage(e)}`);
          throw e;
        }
      }
    }
    if (!equalIgnoringZero(cj.status, plan.status)) {
      try {
        await this.ctx.client.resource(CronJobs, namespace).updateStatus({ ...cj, status: plan.status });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    if (plan.requeueAfterMs !== undefined) return { requeueAfter: plan.requeueAfterMs };
  }
}

export const cronJobDescriptor: ControllerDescriptor = {
  name: "cronjob",
  init: (ctx) => new CronJobController(ctx).run(),
};
