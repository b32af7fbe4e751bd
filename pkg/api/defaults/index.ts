// Which defaulting function each served kind gets. Defaults mutate the object in place and only fill
// what is unset, so applying them twice changes nothing.
import type { KubeObject } from "../types.js";
import {
  defaultDaemonSet,
  defaultDeployment,
  defaultReplicaSet,
  defaultStatefulSet,
  legacyAppsDefaults,
} from "./apps.js";
import { defaultCronJob, defaultJob } from "./batch.js";
import {
  defaultEndpoints,
  defaultLimitRange,
  defaultNamespace,
  defaultNode,
  defaultPod,
  defaultPodTemplate,
  defaultPV,
  defaultPVC,
  defaultReplicationController,
  defaultResourceQuota,
  defaultSecret,
  defaultService,
} from "./core.js";
import {
  defaultEndpointSlice,
  defaultHPAv1,
  defaultHPAv2,
  defaultIngressV1beta1,
  defaultNetworkPolicy,
  defaultPriorityClass,
  defaultRoleBinding,
  defaultStorageClass,
} from "./other.js";
import type { Obj } from "./util.js";

export { generateJobSelector } from "./batch.js";
export { defaultPodSpec, defaultPodTemplateSpec, defaultPullPolicy, imageTag } from "./core.js";

const BY_KIND: Record<string, (o: Obj) => void> = {
  Pod: defaultPod,
  PodTemplate: defaultPodTemplate,
  Service: defaultService,
  Namespace: defaultNamespace,
  PersistentVolumeClaim: defaultPVC,
  PersistentVolume: defaultPV,
  Secret: defaultSecret,
  Endpoints: defaultEndpoints,
  ReplicationController: defaultReplicationController,
  Node: defaultNode,
  LimitRange: defaultLimitRange,
  ResourceQuota: defaultResourceQuota,
  Deployment: defaultDeployment,
  ReplicaSet: defaultReplicaSet,
  DaemonSet: defaultDaemonSet,
  StatefulSet: defaultStatefulSet,
  Job: defaultJob,
  CronJob: defaultCronJob,
  NetworkPolicy: defaultNetworkPolicy,
  EndpointSlice: defaultEndpointSlice,
  RoleBinding: defaultRoleBinding,
  ClusterRoleBinding: defaultRoleBinding,
  StorageClass: defaultStorageClass,
  PriorityClass: defaultPriorityClass,
};

function guard(fn: (o: Obj) => void): (obj: KubeObject) => void {
  return (obj) => {
    if (typeof obj === "object" && obj !== null && !Array.isArray(obj)) fn(obj as Obj);
  };
}

/** The defaults of a kind as served in group/version, or undefined when it has none. */
export function defaultsFor(
  _group: string,
  version: string,
  kind: string,
): ((obj: KubeObject) => void) | undefined {
  if (kind === "HorizontalPodAutoscaler") return guard(version === "v1" ? defaultHPAv1 : defaultHPAv2);
  if (kind === "Ingress" && version === "v1beta1") return guard(defaultIngressV1beta1);
  const fn = BY_KIND[kind];
  return fn ? guard(fn) : undefined;
}

/** An old beta version's defaults: its own differences first, then the v1 kind's defaults. */
export function legacyDefaultsFor(
  group: string,
  version: string,
  kind: string,
): ((obj: KubeObject) => void) | undefined {
  const legacy = legacyAppsDefaults(group, version, kind);
  const v1 = defaultsFor(group, version, kind);
  if (!legacy) return v1;
  return guard((o) => {
    legacy(o);
    v1?.(o);
  });
}

/** Apply a kind's defaults (by the object's own apiVersion and kind). */
export function applyDefaults(obj: KubeObject): void {
  if (!obj.apiVersion || !obj.kind) return;
  const slash = obj.apiVersion.indexOf("/");
  const group = slash < 0 ? "" : obj.apiVersion.slice(0, slash);
  const version = slash < 0 ? obj.apiVersion : obj.apiVersion.slice(slash + 1);
  const legacy = legacyAppsDefaults(group, version, obj.kind);
  (legacy ? legacyDefaultsFor(group, version, obj.kind) : defaultsFor(group, version, obj.kind))?.(obj);
}
