// Typed handles for API resources: which group/version/resource a request goes to, and (as a phantom
// type parameter) which TypeScript type comes back. Paths follow Kubernetes' REST layout:
// core group under /api/v1, every other group under /apis/<group>/<version>.
import type {
  ControllerRevision,
  DaemonSet,
  Deployment,
  ReplicaSet,
  StatefulSet,
} from "kubernetes-types/apps/v1";
import type { HorizontalPodAutoscaler } from "kubernetes-types/autoscaling/v2";
import type { CronJob, Job } from "kubernetes-types/batch/v1";
import type { Lease } from "kubernetes-types/coordination/v1";
import type {
  ConfigMap,
  Endpoints as EndpointsObject,
  Event,
  LimitRange,
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  ReplicationController,
  ResourceQuota,
  Secret,
  Service,
  ServiceAccount,
} from "kubernetes-types/core/v1";
import type { EndpointSlice } from "kubernetes-types/discovery/v1";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1";
import type { ApiObject } from "./types.js";

export type { ApiObject };

export interface ResourceRef<T extends ApiObject = ApiObject> {
  /** "" for the core group. */
  group: string;
  version: string;
  /** Plural, lower case: "pods". */
  resource: string;
  kind: string;
  namespaced: boolean;
  /** Never set: carries T so that a ResourceClient<T> infers its object type from the handle. */
  readonly __type?: T;
}

/** A handle from an apiVersion ("apps/v1" or "v1") and a plural resource name. */
export function resourceRef<T extends ApiObject = ApiObject>(
  apiVersion: string,
  resource: string,
  kind: string,
  namespaced: boolean,
): ResourceRef<T> {
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  return { group, version, resource, kind, namespaced };
}

export function apiVersionOf(ref: Pick<ResourceRef, "group" | "version">): string {
  return ref.group === "" ? ref.version : `${ref.group}/${ref.version}`;
}

/** "/api/v1" or "/apis/apps/v1". */
export function groupVersionPath(ref: Pick<ResourceRef, "group" | "version">): string {
  return ref.group === "" ? `/api/${ref.version}` : `/apis/${ref.group}/${ref.version}`;
}

export interface ResourceLocation {
  namespace?: string;
  name?: string;
  subresource?: string;
}

/**
 * The URL path of a collection, an object or an object's subresource. A namespaced resource without a
 * namespace addresses all namespaces (lists and watches only).
 */
export function resourcePath(ref: ResourceRef, at: ResourceLocation = {}): string {
  let path = groupVersionPath(ref);
  if (ref.namespaced && at.namespace) path += `/namespaces/${encodeURIComponent(at.namespace)}`;
  path += `/${ref.resource}`;
  if (at.name !== undefined) {
    if (at.name === "") throw new Error(`resource name may not be empty (${ref.resource})`);
    path += `/${encodeURIComponent(at.name)}`;
    if (at.subresource) path += `/${at.subresource}`;
  }
  return path;
}

/** "pods", "deployments.apps": how Kubernetes names a resource in messages (`deployments.apps "x" not found`). */
export function qualifiedResource(ref: Pick<ResourceRef, "group" | "resource">): string {
  return ref.group === "" ? ref.resource : `${ref.resource}.${ref.group}`;
}

// Built-in kinds the components use. The catalogue of everything served lives in pkg/api/resources.ts;
// these exist to give each handle its TypeScript type.
export const Pods = resourceRef<Pod>("v1", "pods", "Pod", true);
export const Nodes = resourceRef<Node>("v1", "nodes", "Node", false);
export const Services = resourceRef<Service>("v1", "services", "Service", true);
export const Endpoints = resourceRef<EndpointsObject>("v1", "endpoints", "Endpoints", true);
export const Namespaces = resourceRef<Namespace>("v1", "namespaces", "Namespace", false);
export const ConfigMaps = resourceRef<ConfigMap>("v1", "configmaps", "ConfigMap", true);
export const Secrets = resourceRef<Secret>("v1", "secrets", "Secret", true);
export const ServiceAccounts = resourceRef<ServiceAccount>("v1", "serviceaccounts", "ServiceAccount", true);
export const Events = resourceRef<Event>("v1", "events", "Event", true);
export const ReplicationControllers = resourceRef<ReplicationController>(
  "v1",
  "replicationcontrollers",
  "ReplicationController",
  true,
);
export const PersistentVolumes = resourceRef<PersistentVolume>(
  "v1",
  "persistentvolumes",
  "PersistentVolume",
  false,
);
export const PersistentVolumeClaims = resourceRef<PersistentVolumeClaim>(
  "v1",
  "persistentvolumeclaims",
  "PersistentVolumeClaim",
  true,
);
export const ResourceQuotas = resourceRef<ResourceQuota>("v1", "resourcequotas", "ResourceQuota", true);
export const LimitRanges = resourceRef<LimitRange>("v1", "limitranges", "LimitRange", true);
export const Leases = resourceRef<Lease>("coordination.k8s.io/v1", "leases", "Lease", true);
export const EndpointSlices = resourceRef<EndpointSlice>(
  "discovery.k8s.io/v1",
  "endpointslices",
  "EndpointSlice",
  true,
);
export const Deployments = resourceRef<Deployment>("apps/v1", "deployments", "Deployment", true);
export const ReplicaSets = resourceRef<ReplicaSet>("apps/v1", "replicasets", "ReplicaSet", true);
export const StatefulSets = resourceRef<StatefulSet>("apps/v1", "statefulsets", "StatefulSet", true);
export const DaemonSets = resourceRef<DaemonSet>("apps/v1", "daemonsets", "DaemonSet", true);
export const ControllerRevisions = resourceRef<ControllerRevision>(
  "apps/v1",
  "controllerrevisions",
  "ControllerRevision",
  true,
);
export const Jobs = resourceRef<Job>("batch/v1", "jobs", "Job", true);
export const CronJobs = resourceRef<CronJob>("batch/v1", "cronjobs", "CronJob", true);
export const HorizontalPodAutoscalers = resourceRef<HorizontalPodAutoscaler>(
  "autoscaling/v2",
  "horizontalpodautoscalers",
  "HorizontalPodAutoscaler",
  true,
);
export const PodDisruptionBudgets = resourceRef<PodDisruptionBudget>(
  "policy/v1",
  "poddisruptionbudgets",
  "PodDisruptionBudget",
  true,
);
