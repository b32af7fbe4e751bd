// Defaults of batch/v1 Job and CronJob (k8s.io/kubernetes/pkg/apis/batch/v1/defaults.go, 1.32), and the
// selector the Job strategy generates on create (controller-uid / job-name labels).
import { defaultPodTemplateSpec } from "./core.js";
import { child, clone, defPtr, each, existing, isObj, nonEmpty, type Obj } from "./util.js";

const MAX_INT32 = 2147483647;

export function defaultJob(job: Obj): void {
  const spec = child(job, "spec");
  if (!spec) return;
  if (
    (spec.completions === undefined || spec.completions === null) &&
    (spec.parallelism === undefined || spec.parallelism === null)
  ) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  defPtr(spec, "parallelism", 1);
  defPtr(
    spec,
    "backoffLimit",
    spec.backoffLimitPerIndex !== undefined && spec.backoffLimitPerIndex !== null ? MAX_INT32 : 6,
  );
  const labels = existing(existing(existing(spec, "template"), "metadata"), "labels");
  const meta = child(job, "metadata");
  if (labels && meta && !nonEmpty(meta.labels)) meta.labels = clone(labels);
  defPtr(spec, "completionMode", "NonIndexed");
  defPtr(spec, "suspend", false);
  const pfp = existing(spec, "podFailurePolicy");
  each(pfp, "rules", (rule) => each(rule, "onPodConditions", (c) => defPtr(c, "status", "True")));
  defPtr(spec, "podReplacementPolicy", pfp ? "Failed" : "TerminatingOrFailed");
  generateJobSelector(job);
  defaultPodTemplateSpec(existing(spec, "template"));
}

/**
 * The Job strategy's generateSelector: unless `manualSelector: true`, label the template with the
 * Job's uid and name and select on the uid. Needs metadata.uid (set on create before defaulting).
 */
export function generateJobSelector(job: Obj): void {
  const spec = existing(job, "spec");
  const meta = existing(job, "metadata");
  const uid = meta?.uid;
  const name = meta?.name;
  if (!spec || typeof uid !== "string" || uid === "" || spec.manualSelector === true) return;
  const template = child(spec, "template");
  const tmeta = template && child(template, "metadata");
  const labels = tmeta && child(tmeta, "labels");
  if (!labels) return;
  labels["batch.kubernetes.io/controller-uid"] ??= uid;
  labels["controller-uid"] ??= uid;
  if (typeof name === "string") {
    labels["batch.kubernetes.io/job-name"] ??= name;
    labels["job-name"] ??= name;
  }
  if (
    !isObj(spec.selector) ||
    (!nonEmpty(spec.selector.matchLabels) && !Array.isArray(spec.selector.matchExpressions))
  ) {
    spec.selector = { matchLabels: { "batch.kubernetes.io/controller-uid": uid } };
  }
}

export function defaultCronJob(cj: Obj): void {
  const spec = child(cj, "spec");
  if (!spec) return;
  if (
    spec.concurrencyPolicy === undefined ||
    spec.concurrencyPolicy === null ||
    spec.concurrencyPolicy === ""
  ) {
    spec.concurrencyPolicy = "Allow";
  }
  defPtr(spec, "suspend", false);
  defPtr(spec, "successfulJobsHistoryLimit", 3);
  defPtr(spec, "failedJobsHistoryLimit", 1);
  const jobTemplate = existing(spec, "jobTemplate");
  const jobSpec = existing(jobTemplate, "spec");
  if (jobTemplate) {
    const meta = child(jobTemplate, "metadata");
    if (meta && meta.creationTimestamp === undefined) meta.creationTimestamp = null;
  }
  defaultPodTemplateSpec(existing(jobSpec, "template"));
}
