// Workload validation: Deployment, ReplicaSet, DaemonSet, StatefulSet, ReplicationController,
// ControllerRevision (k8s.io/kubernetes/pkg/apis/apps/validation and core's RC validation, 1.32).
import { labelSelectorAsSelector, matches, nothing, type Selector } from "../labels.js";
import {
  child,
  type FieldError,
  type FieldPath,
  forbidden,
  invalid,
  notSupported,
  required,
  struct,
} from "./field.js";
import {
  arr,
  isObj,
  num,
  type Obj,
  obj,
  selectorValue,
  str,
  strMap,
  validateImmutable,
  validateLabelSelector,
  validateNonnegative,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from "./meta.js";
import { validatePodTemplateSpec } from "./pod.js";
import { isValidPercent, nameIsDNSSubdomain } from "./strings.js";

const SELECTOR_MISMATCH = "`selector` does not match template `labels`";

function templateLabels(template: Obj | undefined): Record<string, string> {
  return strMap(obj(template, "metadata"), "labels");
}

/** The template labels as the bad value: a Go map, or null when there are none. */
function labelsValue(template: Obj | undefined): unknown {
  const labels = obj(obj(template, "metadata"), "labels");
  return labels ?? null;
}

function asSelector(sel: unknown): Selector | undefined {
  try {
    return labelSelectorAsSelector(isObj(sel) ? sel : null);
  } catch {
    return undefined;
  }
}

function selectorEmpty(sel: Selector): boolean {
  return !sel.nothing && sel.requirements.length === 0;
}

/** ValidatePodTemplateSpecForReplicaSet (also used by Deployment). */
function validateTemplateForReplicaSet(
  template: Obj | undefined,
  selector: Selector,
  path: FieldPath,
  kind: string,
): FieldError[] {
  if (!template) return [required(path)];
  const errs: FieldError[] = [];
  if (!selectorEmpty(selector) && !matches(selector, templateLabels(template))) {
    errs.push(invalid(child(path, "metadata", "labels"), labelsValue(template), SELECTOR_MISMATCH));
  }
  errs.push(...validatePodTemplateSpec(template, path));
  const spec = obj(template, "spec") ?? {};
  const restart = str(spec, "restartPolicy");
  if (restart !== "Always")
    errs.push(notSupported(child(path, "spec", "restartPolicy"), restart, ["Always"]));
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null) {
    errs.push(
      forbidden(
        child(path, "spec", "activeDeadlineSeconds"),
        `activeDeadlineSeconds in ${kind} is not Supported`,
      ),
    );
  }
  return errs;
}

/** The selector checks shared by Deployment, ReplicaSet and StatefulSet. */
function validateRequiredSelector(
  spec: Obj,
  path: FieldPath,
  what: string,
): { errs: FieldError[]; selector?: Selector } {
  const errs: FieldError[] = [];
  const sel = spec.selector;
  if (!isObj(sel)) {
    errs.push(required(child(path, "selector")));
  } else {
    errs.push(...validateLabelSelector(sel, child(path, "selector")));
    const n = Object.keys(obj(sel, "matchLabels") ?? {}).length + arr(sel, "matchExpressions").length;
    if (n === 0)
      errs.push(
        invalid(child(path, "selector"), selectorValue(sel), `empty selector is invalid for ${what}`),
      );
  }
  const selector = isObj(sel) ? asSelector(sel) : nothing();
  return { errs, selector };
}

function intOrPercentValue(v: unknown): { value: number; percent: boolean } {
  if (typeof v === "number") return { value: v, percent: false };
  if (typeof v === "string" && /^[0-9]+%$/.test(v)) return { value: Number(v.slice(0, -1)), percent: true };
  return { value: 0, percent: false };
}

function validatePositiveIntOrPercent(v: unknown, path: FieldPath): FieldError[] {
  if (typeof v === "string") return isValidPercent(v).map((m) => invalid(path, v, m));
  if (typeof v === "number") return validateNonnegative(v, path);
  return [];
}

function isNotMoreThan100Percent(v: unknown, path: FieldPath): FieldError[] {
  const { value, percent } = intOrPercentValue(v);
  return percent && value > 100 ? [invalid(path, v, "must not be greater than 100%")] : [];
}

function validateDeploymentStrategy(strategy: Obj | undefined, path: FieldPath): FieldError[] {
  const s = strategy ?? {};
  const errs: FieldError[] = [];
  const ru = obj(s, "rollingUpdate");
  switch (s.type) {
    case "Recreate":
      if (ru)
        errs.push(
          forbidden(child(path, "rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'"),
        );
      break;
    case "RollingUpdate":
      if (!ru) {
        errs.push(required(child(path, "rollingUpdate"), "this should be defaulted and never be nil"));
      } else {
        const rp = child(path, "rollingUpdate");
        errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, child(rp, "maxUnavailable")));
        errs.push(...validatePositiveIntOrPercent(ru.maxSurge, child(rp, "maxSurge")));
        if (intOrPercentValue(ru.maxUnavailable).value === 0 && intOrPercentValue(ru.maxSurge).value === 0) {
          errs.push(
            invalid(child(rp, "maxUnavailable"), ru.maxUnavailable ?? 0, "may not be 0 when `maxSurge` is 0"),
          );
        }
        errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, child(rp, "maxUnavailable")));
      }
      break;
    default:
      errs.push(notSupported(path, struct(s), ["Recreate", "RollingUpdate"]));
  }
  return errs;
}

export function validateDeploymentSpec(spec: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateNonnegative(num(spec, "replicas"), child(path, "replicas")));
  const { errs: selErrs, selector } = validateRequiredSelector(spec, path, "deployment");
  errs.push(...selErrs);
  if (!selector)
    errs.push(invalid(child(path, "selector"), selectorValue(spec.selector), "invalid label selector"));
  else
    errs.push(
      ...validateTemplateForReplicaSet(
        obj(spec, "template"),
        selector,
        child(path, "template"),
        "ReplicaSet",
      ),
    );
  errs.push(...validateDeploymentStrategy(obj(spec, "strategy"), child(path, "strategy")));
  const minReady = num(spec, "minReadySeconds") ?? 0;
  errs.push(...validateNonnegative(minReady, child(path, "minReadySeconds")));
  errs.push(...validateNonnegative(num(spec, "revisionHistoryLimit"), child(path, "revisionHistoryLimit")));
  const pds = num(spec, "progressDeadlineSeconds");
  if (pds !== undefined) {
    errs.push(...validateNonnegative(pds, child(path, "progressDeadlineSeconds")));
    if (pds <= minReady)
      errs.push(invalid(child(path, "progressDeadlineSeconds"), pds, "must be greater than minReadySeconds"));
  }
  return errs;
}

export function validateReplicaSetSpec(spec: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateNonnegative(num(spec, "replicas"), child(path, "replicas")));
  errs.push(...validateNonnegative(num(spec, "minReadySeconds"), child(path, "minReadySeconds")));
  const { errs: selErrs, selector } = validateRequiredSelector(spec, path, "deployment");
  errs.push(...selErrs);
  if (!selector)
    errs.push(invalid(child(path, "selector"), selectorValue(spec.selector), "invalid label selector"));
  else
    errs.push(
      ...validateTemplateForReplicaSet(
        obj(spec, "template"),
        selector,
        child(path, "template"),
        "ReplicaSet",
      ),
    );
  return errs;
}

function validateDaemonSetUpdateStrategy(strategy: Obj | undefined, path: FieldPath): FieldError[] {
  const s = strategy ?? {};
  const errs: FieldError[] = [];
  switch (s.type) {
    case "OnDelete":
      break;
    case "RollingUpdate": {
      const ru = obj(s, "rollingUpdate");
      if (!ru) return [required(child(path, "rollingUpdate"))];
      const rp = child(path, "rollingUpdate");
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, child(rp, "maxUnavailable")));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, child(rp, "maxSurge")));
      errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, child(rp, "maxUnavailable")));
      errs.push(...isNotMoreThan100Percent(ru.maxSurge, child(rp, "maxSurge")));
      const hasUnavailable = intOrPercentValue(ru.maxUnavailable).value !== 0;
      const hasSurge = intOrPercentValue(ru.maxSurge).value !== 0;
      if (hasUnavailable && hasSurge) {
        errs.push(
          invalid(child(rp, "maxSurge"), ru.maxSurge, "may not be set when maxUnavailable is non-zero"),
        );
      } else if (!hasUnavailable && !hasSurge) {
        errs.push(required(child(rp, "maxUnavailable"), "cannot be 0 when maxSurge is 0"));
      }
      break;
    }
    default:
      errs.push(notSupported(path, struct(s), ["RollingUpdate", "OnDelete"]));
  }
  return errs;
}

export function validateDaemonSetSpec(spec: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const sel = spec.selector;
  if (!isObj(sel)) errs.push(required(child(path, "selector")));
  errs.push(...validateLabelSelector(sel, child(path, "selector")));
  const selector = isObj(sel) ? asSelector(sel) : nothing();
  const template = obj(spec, "template");
  if (selector && !matches(selector, templateLabels(template))) {
    errs.push(
      invalid(child(path, "template", "metadata", "labels"), labelsValue(template), SELECTOR_MISMATCH),
    );
  }
  if (
    isObj(sel) &&
    Object.keys(obj(sel, "matchLabels") ?? {}).length + arr(sel, "matchExpressions").length === 0
  ) {
    errs.push(
      invalid(child(path, "selector"), selectorValue(sel), "empty selector is invalid for daemonset"),
    );
  }
  errs.push(...validatePodTemplateSpec(template, child(path, "template")));
  const tspec = obj(template, "spec") ?? {};
  const restart = str(tspec, "restartPolicy");
  if (restart !== "Always")
    errs.push(notSupported(child(path, "template", "spec", "restartPolicy"), restart, ["Always"]));
  if (tspec.activeDeadlineSeconds !== undefined && tspec.activeDeadlineSeconds !== null) {
    errs.push(
      invalid(
        child(path, "template", "spec", "activeDeadlineSeconds"),
        tspec.activeDeadlineSeconds,
        "activeDeadlineSeconds in DaemonSet is not Supported",
      ),
    );
  }
  errs.push(...validateNonnegative(num(spec, "minReadySeconds"), child(path, "minReadySeconds")));
  errs.push(...validateNonnegative(num(spec, "templateGeneration"), child(path, "templateGeneration")));
  errs.push(...validateDaemonSetUpdateStrategy(obj(spec, "updateStrategy"), child(path, "updateStrategy")));
  errs.push(...validateNonnegative(num(spec, "revisionHistoryLimit"), child(path, "revisionHistoryLimit")));
  return errs;
}

export function validateStatefulSetSpec(spec: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const pmp = str(spec, "podManagementPolicy");
  if (!pmp) errs.push(required(child(path, "podManagementPolicy")));
  else if (pmp !== "OrderedReady" && pmp !== "Parallel") {
    errs.push(invalid(child(path, "podManagementPolicy"), pmp, "must be 'OrderedReady' or 'Parallel'"));
  }
  const strategy = obj(spec, "updateStrategy") ?? {};
  const ru = obj(strategy, "rollingUpdate");
  switch (str(strategy, "type")) {
    case "":
      errs.push(required(child(path, "updateStrategy")));
      break;
    case "OnDelete":
      if (ru) {
        errs.push(
          invalid(
            child(path, "updateStrategy", "rollingUpdate"),
            struct(ru),
            "only allowed for updateStrategy 'RollingUpdate'",
          ),
        );
      }
      break;
    case "RollingUpdate":
      if (ru)
        errs.push(
          ...validateNonnegative(
            num(ru, "partition"),
            child(path, "updateStrategy", "rollingUpdate", "partition"),
          ),
        );
      break;
    default:
      errs.push(
        invalid(child(path, "updateStrategy"), struct(strategy), "must be 'RollingUpdate' or 'OnDelete'"),
      );
  }
  errs.push(...validateNonnegative(num(spec, "revisionHistoryLimit"), child(path, "revisionHistoryLimit")));
  errs.push(...validateNonnegative(num(spec, "replicas"), child(path, "replicas")));
  errs.push(...validateNonnegative(num(spec, "minReadySeconds"), child(path, "minReadySeconds")));
  const ordinals = obj(spec, "ordinals");
  if (ordinals) errs.push(...validateNonnegative(num(ordinals, "start"), child(path, "ordinals", "start")));
  const { errs: selErrs, selector } = validateRequiredSelector(spec, path, "statefulset");
  errs.push(...selErrs);
  const template = obj(spec, "template");
  if (!selector) {
    errs.push(invalid(child(path, "selector"), selectorValue(spec.selector), ""));
  } else {
    const tp = child(path, "template");
    if (!template) errs.push(required(tp));
    else {
      if (!selectorEmpty(selector) && !matches(selector, templateLabels(template))) {
        errs.push(invalid(child(tp, "metadata", "labels"), labelsValue(template), SELECTOR_MISMATCH));
      }
      errs.push(
        ...validatePodTemplateSpec(withClaimVolumes(template, arr(spec, "volumeClaimTemplates")), tp),
      );
    }
  }
  const tspec = obj(template, "spec") ?? {};
  const restart = str(tspec, "restartPolicy");
  if (restart !== "Always")
    errs.push(notSupported(child(path, "template", "spec", "restartPolicy"), restart, ["Always"]));
  if (tspec.activeDeadlineSeconds !== undefined && tspec.activeDeadlineSeconds !== null) {
    errs.push(
      forbidden(
        child(path, "template", "spec", "activeDeadlineSeconds"),
        "activeDeadlineSeconds in StatefulSet is not Supported",
      ),
    );
  }
  const retention = obj(spec, "persistentVolumeClaimRetentionPolicy");
  if (retention) {
    for (const f of ["whenDeleted", "whenScaled"]) {
      const v = str(retention, f);
      if (v !== "Retain" && v !== "Delete") {
        errs.push(
          notSupported(child(path, "persistentVolumeClaimRetentionPolicy", f), v, ["Retain", "Delete"]),
        );
      }
    }
  }
  return errs;
}

/** A template whose volumes include the StatefulSet's claim templates, so that mounts of them resolve. */
function withClaimVolumes(template: Obj, claims: unknown[]): Obj {
  const names = claims
    .filter(isObj)
    .map((c) => str(obj(c, "metadata"), "name"))
    .filter((n) => n !== "");
  if (names.length === 0) return template;
  const spec = obj(template, "spec") ?? {};
  const volumes = [
    ...arr(spec, "volumes"),
    ...names.map((n) => ({ name: n, persistentVolumeClaim: { claimName: n } })),
  ];
  return { ...template, spec: { ...spec, volumes } };
}

/** The meta + spec validation of a namespaced workload. */
function workload(specFn: (spec: Obj, path: FieldPath) => FieldError[]) {
  return (o: Obj): FieldError[] => [
    ...validateObjectMeta(o.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain }),
    ...specFn(obj(o, "spec") ?? {}, "spec"),
  ];
}

export const validateDeployment = workload(validateDeploymentSpec);
export const validateReplicaSet = workload(validateReplicaSetSpec);
export const validateDaemonSet = workload(validateDaemonSetSpec);
export const validateStatefulSet = workload(validateStatefulSetSpec);

/** Updates: metadata rules, the new spec valid, selector immutable (apps/v1). */
function workloadUpdate(specFn: (spec: Obj, path: FieldPath) => FieldError[]) {
  return (o: Obj, old: Obj): FieldError[] => {
    const errs = validateObjectMetaUpdate(o.metadata, old.metadata);
    const spec = obj(o, "spec") ?? {};
    errs.push(...specFn(spec, "spec"));
    const oldSel = obj(old, "spec")?.selector;
    if (oldSel !== undefined) {
      const e = validateImmutable(spec.selector, oldSel, "spec.selector");
      if (e.length > 0)
        errs.push(invalid("spec.selector", selectorValue(spec.selector), "field is immutable"));
    }
    return errs;
  };
}

export const validateDeploymentUpdate = workloadUpdate(validateDeploymentSpec);
export const validateReplicaSetUpdate = workloadUpdate(validateReplicaSetSpec);
export const validateDaemonSetUpdate = workloadUpdate(validateDaemonSetSpec);

const STS_MUTABLE = [
  "replicas",
  "ordinals",
  "template",
  "updateStrategy",
  "revisionHistoryLimit",
  "persistentVolumeClaimRetentionPolicy",
  "minReadySeconds",
];

export function validateStatefulSetUpdate(o: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(o.metadata, old.metadata);
  const spec = obj(o, "spec") ?? {};
  const oldSpec = obj(old, "spec") ?? {};
  errs.push(...validateStatefulSetSpec(spec, "spec"));
  const strip = (s: Obj) => Object.fromEntries(Object.entries(s).filter(([k]) => !STS_MUTABLE.includes(k)));
  if (validateImmutable(strip(spec), strip(oldSpec), "spec").length > 0) {
    errs.push(
      forbidden(
        "spec",
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    );
  }
  return errs;
}

/** ReplicationController (core/v1): selector is a plain map and must match the template labels. */
export function validateReplicationController(o: Obj): FieldError[] {
  const errs = validateObjectMeta(o.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  const spec = obj(o, "spec") ?? {};
  const path = "spec";
  errs.push(...validateNonnegative(num(spec, "replicas"), child(path, "replicas")));
  errs.push(...validateNonnegative(num(spec, "minReadySeconds"), child(path, "minReadySeconds")));
  const selector = strMap(spec, "selector");
  if (Object.keys(selector).length === 0) errs.push(required(child(path, "selector")));
  else errs.push(...validateLabelsMap(selector, child(path, "selector")));
  const template = obj(spec, "template");
  const tp = child(path, "template");
  if (!template) errs.push(required(tp));
  else {
    const labels = templateLabels(template);
    const sel = Object.keys(selector).length > 0 ? selector : undefined;
    if (sel && !Object.entries(sel).every(([k, v]) => labels[k] === v)) {
      errs.push(
        invalid(
          child(tp, "metadata", "labels"),
          labelsValue(template),
          "`selector` does not match template `labels`",
        ),
      );
    }
    errs.push(...validatePodTemplateSpec(template, tp));
    const restart = str(obj(template, "spec"), "restartPolicy");
    if (restart !== "Always")
      errs.push(notSupported(child(tp, "spec", "restartPolicy"), restart, ["Always"]));
  }
  return errs;
}

function validateLabelsMap(labels: Record<string, string>, path: FieldPath): FieldError[] {
  return validateLabelSelector({ matchLabels: labels }, path).map((e) => ({ ...e, field: path }));
}

export function validateControllerRevision(o: Obj): FieldError[] {
  const errs = validateObjectMeta(o.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  errs.push(...validateNonnegative(num(o, "revision"), "revision"));
  return errs;
}

export function validateControllerRevisionUpdate(o: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(o.metadata, old.metadata);
  errs.push(...validateImmutable(o.data, old.data, "data"));
  return errs;
}
