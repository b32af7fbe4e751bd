// Defaults of apps/v1 workloads (k8s.io/kubernetes/pkg/apis/apps/v1/defaults.go, 1.32), and those of
// the old beta versions (extensions/v1beta1, apps/v1beta1, apps/v1beta2) that tutorials still use,
// which differ: a missing selector comes from the template labels, and some strategies differ.
import { defaultPodTemplateSpec, defaultPVC } from "./core.js";
import { child, clone, defPtr, defStr, each, existing, nonEmpty, type Obj } from "./util.js";

const MAX_INT32 = 2147483647;

export function defaultDeployment(d: Obj): void {
  const spec = child(d, "spec");
  if (!spec) return;
  defPtr(spec, "replicas", 1);
  const strategy = child(spec, "strategy");
  if (strategy) {
    defStr(strategy, "type", "RollingUpdate");
    if (strategy.type === "RollingUpdate") {
      const ru = child(strategy, "rollingUpdate");
      if (ru) {
        defPtr(ru, "maxUnavailable", "25%");
        defPtr(ru, "maxSurge", "25%");
      }
    }
  }
  defPtr(spec, "revisionHistoryLimit", 10);
  defPtr(spec, "progressDeadlineSeconds", 600);
  defaultPodTemplateSpec(existing(spec, "template"));
}

export function defaultReplicaSet(rs: Obj): void {
  const spec = child(rs, "spec");
  if (!spec) return;
  defPtr(spec, "replicas", 1);
  defaultPodTemplateSpec(existing(spec, "template"));
}

export function defaultDaemonSet(ds: Obj): void {
  const spec = child(ds, "spec");
  if (!spec) return;
  const strategy = child(spec, "updateStrategy");
  if (strategy) {
    defStr(strategy, "type", "RollingUpdate");
    if (strategy.type === "RollingUpdate") {
      const ru = child(strategy, "rollingUpdate");
      if (ru) {
        defPtr(ru, "maxUnavailable", 1);
        defPtr(ru, "maxSurge", 0);
      }
    }
  }
  defPtr(spec, "revisionHistoryLimit", 10);
  defaultPodTemplateSpec(existing(spec, "template"));
}

export function defaultStatefulSet(sts: Obj): void {
  const spec = child(sts, "spec");
  if (!spec) return;
  defStr(spec, "podManagementPolicy", "OrderedReady");
  const strategy = child(spec, "updateStrategy");
  if (strategy) {
    if (strategy.type === undefined || strategy.type === null || strategy.type === "") {
      strategy.type = "RollingUpdate";
      defPtr(strategy, "rollingUpdate", {});
    }
    const ru = existing(strategy, "rollingUpdate");
    if (strategy.type === "RollingUpdate" && ru) defPtr(ru, "partition", 0);
  }
  const retention = child(spec, "persistentVolumeClaimRetentionPolicy");
  if (retention) {
    defStr(retention, "whenDeleted", "Retain");
    defStr(retention, "whenScaled", "Retain");
  }
  defPtr(spec, "replicas", 1);
  defPtr(spec, "revisionHistoryLimit", 10);
  defaultPodTemplateSpec(existing(spec, "template"));
  each(spec, "volumeClaimTemplates", (pvc) => {
    // The v1 conversion writes apiVersion/kind into each embedded claim.
    defStr(pvc, "apiVersion", "v1");
    defStr(pvc, "kind", "PersistentVolumeClaim");
    const meta = child(pvc, "metadata");
    if (meta && meta.creationTimestamp === undefined) meta.creationTimestamp = null;
    defaultPVC(pvc);
  });
}

/** Old-beta defaulting: selector and object labels from the template labels when absent. */
function selectorFromTemplate(obj: Obj): void {
  const spec = existing(obj, "spec");
  const labels = existing(existing(existing(spec, "template"), "metadata"), "labels");
  if (!spec || !labels || Object.keys(labels).length === 0) return;
  if (spec.selector === undefined || spec.selector === null) spec.selector = { matchLabels: clone(labels) };
  const meta = child(obj, "metadata");
  if (meta && !nonEmpty(meta.labels)) meta.labels = clone(labels);
}

/** extensions/v1beta1 Deployment: rolling update 1/1, unlimited history and progress deadline. */
function extensionsDeployment(d: Obj): void {
  selectorFromTemplate(d);
  const spec = child(d, "spec");
  if (!spec) return;
  const strategy = child(spec, "strategy");
  if (strategy) {
    defStr(strategy, "type", "RollingUpdate");
    if (strategy.type === "RollingUpdate") {
      const ru = child(strategy, "rollingUpdate");
      if (ru) {
        defPtr(ru, "maxUnavailable", 1);
        defPtr(ru, "maxSurge", 1);
      }
    }
  }
  defPtr(spec, "progressDeadlineSeconds", MAX_INT32);
  defPtr(spec, "revisionHistoryLimit", MAX_INT32);
}

/** extensions/v1beta1 DaemonSet: OnDelete updates unless asked otherwise. */
function extensionsDaemonSet(ds: Obj): void {
  selectorFromTemplate(ds);
  const spec = child(ds, "spec");
  if (!spec) return;
  const strategy = child(spec, "updateStrategy");
  if (strategy) defStr(strategy, "type", "OnDelete");
  // templateGeneration is not a default: the DaemonSet strategy sets it (1 on create, +1 per template change).
}

/** apps/v1beta1 Deployment: history limit 2. */
function appsV1beta1Deployment(d: Obj): void {
  selectorFromTemplate(d);
  const spec = child(d, "spec");
  if (spec) defPtr(spec, "revisionHistoryLimit", 2);
}

/** apps/v1beta1 StatefulSet: OnDelete updates. */
function appsV1beta1StatefulSet(sts: Obj): void {
  selectorFromTemplate(sts);
  const spec = child(sts, "spec");
  if (!spec) return;
  const strategy = child(spec, "updateStrategy");
  if (strategy) defStr(strategy, "type", "OnDelete");
}

/** The version-specific part of an old beta version's defaults, applied before the v1 defaults. */
export function legacyAppsDefaults(
  group: string,
  version: string,
  kind: string,
): ((o: Obj) => void) | undefined {
  if (group === "extensions" && version === "v1beta1") {
    if (kind === "Deployment") return extensionsDeployment;
    if (kind === "DaemonSet") return extensionsDaemonSet;
    if (kind === "ReplicaSet") return selectorFromTemplate;
  }
  if (group === "apps" && version === "v1beta1") {
    if (kind === "Deployment") return appsV1beta1Deployment;
    if (kind === "StatefulSet") return appsV1beta1StatefulSet;
  }
  return undefined;
}
