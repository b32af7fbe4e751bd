// Job and CronJob validation (k8s.io/kubernetes/pkg/apis/batch/validation, 1.32).
import { cronError } from "../cron.js";
import { labelSelectorAsSelector, matches } from "../labels.js";
import { child, type FieldError, type FieldPath, invalid, key, notSupported, required } from "./field.js";
import {
  isObj,
  num,
  type Obj,
  obj,
  str,
  strMap,
  validateImmutable,
  validateLabelSelector,
  validateNonnegative,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from "./meta.js";
import { validatePodTemplateSpec } from "./pod.js";
import { nameIsDNSSubdomain } from "./strings.js";

const SELECTOR_MISMATCH = "`selector` does not match template `labels`";

/** validateJobSpec; `requireSelector` is false for a CronJob's jobTemplate (selectors are generated later). */
export function validateJobSpec(spec: Obj, path: FieldPath, requireSelector: boolean): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of [
    "parallelism",
    "completions",
    "activeDeadlineSeconds",
    "backoffLimit",
    "ttlSecondsAfterFinished",
  ]) {
    errs.push(...validateNonnegative(num(spec, f), child(path, f)));
  }
  const mode = spec.completionMode;
  if (mode !== undefined && mode !== null) {
    if (mode !== "NonIndexed" && mode !== "Indexed") {
      errs.push(notSupported(child(path, "completionMode"), mode, ["NonIndexed", "Indexed"]));
    }
    if (mode === "Indexed" && num(spec, "completions") === undefined) {
      errs.push(required(child(path, "completions"), "when completion mode is Indexed"));
    }
  }
  const prp = spec.podReplacementPolicy;
  if (prp !== undefined && prp !== null && prp !== "TerminatingOrFailed" && prp !== "Failed") {
    errs.push(notSupported(child(path, "podReplacementPolicy"), prp, ["Failed", "TerminatingOrFailed"]));
  }
  const sel = spec.selector;
  const template = obj(spec, "template");
  if (requireSelector) {
    if (!isObj(sel)) errs.push(required(child(path, "selector")));
    else errs.push(...validateLabelSelector(sel, child(path, "selector")));
  } else if (isObj(sel)) {
    errs.push(...validateLabelSelector(sel, child(path, "selector")));
  }
  if (isObj(sel) || requireSelector) {
    try {
      const selector = labelSelectorAsSelector(isObj(sel) ? sel : null);
      const labels = strMap(obj(template, "metadata"), "labels");
      if (!matches(selector, labels)) {
        errs.push(
          invalid(
            child(path, "template", "metadata", "labels"),
            obj(obj(template, "metadata"), "labels") ?? null,
            SELECTOR_MISMATCH,
          ),
        );
      }
    } catch {
      // Invalid selectors were reported above.
    }
  }
  errs.push(...validatePodTemplateSpec(template, child(path, "template")));
  const restart = str(obj(template, "spec"), "restartPolicy");
  if (restart !== "OnFailure" && restart !== "Never") {
    errs.push(
      notSupported(child(path, "template", "spec", "restartPolicy"), restart, ["OnFailure", "Never"]),
    );
  } else if (isObj(spec.podFailurePolicy) && restart !== "Never") {
    errs.push(
      invalid(
        child(path, "template", "spec", "restartPolicy"),
        restart,
        'only "Never" is supported when podFailurePolicy is specified',
      ),
    );
  }
  return errs;
}

/** validateGeneratedSelector: the generated labels must carry the Job's own uid. */
function validateGeneratedSelector(job: Obj): FieldError[] {
  const spec = obj(job, "spec");
  if (!spec || spec.manualSelector === true || !isObj(spec.selector)) return [];
  const uid = str(obj(job, "metadata"), "uid");
  const labels = strMap(obj(obj(spec, "template"), "metadata"), "labels");
  if (!uid || Object.keys(labels).length === 0) return [];
  const errs: FieldError[] = [];
  const labelsPath = "spec.template.metadata.labels";
  for (const k of ["batch.kubernetes.io/controller-uid", "controller-uid"]) {
    if (labels[k] !== undefined && labels[k] !== uid)
      errs.push(invalid(key(labelsPath, k), labels[k], `must be '${uid}'`));
  }
  const selUID = strMap(spec.selector, "matchLabels")["batch.kubernetes.io/controller-uid"];
  if (selUID !== undefined && selUID !== uid) {
    errs.push(
      invalid(
        key("spec.selector.matchLabels", "batch.kubernetes.io/controller-uid"),
        selUID,
        `must be '${uid}'`,
      ),
    );
  }
  return errs;
}

export function validateJob(job: Obj): FieldError[] {
  return [
    ...validateObjectMeta(job.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain }),
    ...validateGeneratedSelector(job),
    ...validateJobSpec(obj(job, "spec") ?? {}, "spec", true),
  ];
}

export function validateJobUpdate(job: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(job.metadata, old.metadata);
  const spec = obj(job, "spec") ?? {};
  const oldSpec = obj(old, "spec") ?? {};
  errs.push(...validateJobSpec(spec, "spec", true));
  errs.push(...validateImmutable(spec.selector, oldSpec.selector, "spec.selector"));
  errs.push(...validateImmutable(spec.completions, oldSpec.completions, "spec.completions"));
  errs.push(...validateImmutable(spec.completionMode, oldSpec.completionMode, "spec.completionMode"));
  // The template may change only while the job is suspended (scheduling directives).
  if (!(oldSpec.suspend === true))
    errs.push(...validateImmutable(spec.template, oldSpec.template, "spec.template"));
  return errs;
}

const CONCURRENCY_POLICIES = ["Allow", "Forbid", "Replace"];

export function validateCronJobSpec(spec: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const schedule = str(spec, "schedule");
  if (!schedule) errs.push(required(child(path, "schedule")));
  else if (/^\s*(CRON_TZ|TZ)=/.test(schedule)) {
    errs.push(
      invalid(
        child(path, "schedule"),
        schedule,
        "cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
      ),
    );
  } else {
    const err = cronError(schedule);
    if (err) errs.push(invalid(child(path, "schedule"), schedule, err));
  }
  const cp = str(spec, "concurrencyPolicy");
  if (!cp) errs.push(required(child(path, "concurrencyPolicy")));
  else if (!CONCURRENCY_POLICIES.includes(cp))
    errs.push(notSupported(child(path, "concurrencyPolicy"), cp, CONCURRENCY_POLICIES));
  for (const f of ["startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"]) {
    errs.push(...validateNonnegative(num(spec, f), child(path, f)));
  }
  const jobTemplate = obj(spec, "jobTemplate") ?? {};
  errs.push(...validateJobSpec(obj(jobTemplate, "spec") ?? {}, child(path, "jobTemplate", "spec"), false));
  return errs;
}

export function validateCronJob(cj: Obj): FieldError[] {
  const errs = validateObjectMeta(cj.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  const name = str(obj(cj, "metadata"), "name");
  if (name.length > 52) errs.push(invalid("metadata.name", name, "must be no more than 52 characters"));
  errs.push(...validateCronJobSpec(obj(cj, "spec") ?? {}, "spec"));
  return errs;
}

export function validateCronJobUpdate(cj: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(cj.metadata, old.metadata);
  errs.push(...validateCronJobSpec(obj(cj, "spec") ?? {}, "spec"));
  return errs;
}
