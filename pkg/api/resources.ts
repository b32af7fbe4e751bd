// The catalogue of served resources: one ResourceDefinition per group/version/resource, with the
// names, short names, categories, verbs and subresources that a Kubernetes 1.32 apiserver lists in
// discovery, plus each kind's defaulting, validation and field selectors. Order matters: discovery
// lists groups and versions in this order, and the first version of a group is the preferred one
// (autoscaling/v2 before v1, apps/v1 before the old betas). The old beta versions that tutorials still
// use (extensions/v1beta1, apps/v1beta1 and v1beta2, networking.k8s.io/v1beta1, storage.k8s.io/v1beta1,
// batch/v1beta1) are served at the end, stored as their v1 kind, without short names or categories so
// that `kubectl get deploy` and `kubectl get all` resolve to the current versions only.

import {
  daemonSetFromV1,
  daemonSetToV1,
  eventFromCore,
  eventToCore,
  ingressFromV1,
  ingressToV1,
} from "./conversion.js";
import { defaultsFor, legacyDefaultsFor } from "./defaults/index.js";
import { fieldSelectorsFor } from "./field-selectors.js";
import type { GroupVersionKind, ResourceDefinition, SubresourceDefinition } from "./resource-definition.js";
import type { KubeObject } from "./types.js";
import { validatorFor } from "./validation/index.js";

const ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
const GET_PATCH_UPDATE = ["get", "patch", "update"];
const PROXY_VERBS = ["create", "delete", "get", "patch", "update"];

function gvk(group: string, version: string, kind: string): GroupVersionKind {
  return { group, version, kind };
}

const sub = {
  status: (group: string, version: string, kind: string): SubresourceDefinition => ({
    name: "status",
    kind: gvk(group, version, kind),
    verbs: GET_PATCH_UPDATE,
  }),
  scale: (): SubresourceDefinition => ({
    name: "scale",
    kind: gvk("autoscaling", "v1", "Scale"),
    verbs: GET_PATCH_UPDATE,
  }),
};

function podSubresources(): SubresourceDefinition[] {
  return [
    { name: "attach", kind: gvk("", "v1", "PodAttachOptions"), verbs: ["create", "get"] },
    { name: "binding", kind: gvk("", "v1", "Binding"), verbs: ["create"] },
    { name: "ephemeralcontainers", kind: gvk("", "v1", "Pod"), verbs: GET_PATCH_UPDATE },
    { name: "eviction", kind: gvk("policy", "v1", "Eviction"), verbs: ["create"] },
    { name: "exec", kind: gvk("", "v1", "PodExecOptions"), verbs: ["create", "get"] },
    { name: "log", kind: gvk("", "v1", "Pod"), verbs: ["get"] },
    { name: "portforward", kind: gvk("", "v1", "PodPortForwardOptions"), verbs: ["create", "get"] },
    { name: "proxy", kind: gvk("", "v1", "PodProxyOptions"), verbs: PROXY_VERBS },
    sub.status("", "v1", "Pod"),
  ];
}

interface Entry {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: string[];
  /** Subresource names; "status" and "scale" are built, others given in full. */
  subresources?: (SubresourceDefinition | "status" | "scale")[];
  /** The version objects are stored as, when not this one (same group unless storageGroup). */
  storageVersion?: string;
  storageGroup?: string;
  deprecationWarning?: string;
  convert?: Pick<ResourceDefinition, "toStorage" | "fromStorage">;
}

function build(e: Entry): ResourceDefinition {
  const subresources = (e.subresources ?? []).map((s) =>
    s === "status" ? sub.status(e.group, e.version, e.kind) : s === "scale" ? sub.scale() : s,
  );
  const storage =
    e.storageVersion || e.storageGroup
      ? { group: e.storageGroup ?? e.group, version: e.storageVersion ?? e.version }
      : undefined;
  const legacy = storage !== undefined && e.kind !== "HorizontalPodAutoscaler";
  const defaults = legacy
    ? legacyDefaultsFor(e.group, e.version, e.kind)
    : defaultsFor(e.group, e.version, e.kind);
  const baseValidate = validatorFor(e.kind);
  const toV1 = e.convert?.toStorage;
  // Versions with their own schema are validated in the storage version's shape.
  const validate =
    baseValidate && toV1
      ? (o: KubeObject, old?: KubeObject) => baseValidate(toV1(o), old && toV1(old))
      : baseValidate;
  const fieldSelectors = fieldSelectorsFor(e.group, e.kind);
  const def: ResourceDefinition = {
    group: e.group,
    version: e.version,
    resource: e.resource,
    singular: e.kind.toLowerCase(),
    kind: e.kind,
    namespaced: e.namespaced,
    verbs: e.verbs ?? ALL_VERBS,
    hasStatus: subresources.some((s) => s.name === "status"),
  };
  if (e.shortNames?.length) def.shortNames = e.shortNames;
  if (e.categories?.length) def.categories = e.categories;
  if (subresources.length) def.subresources = subresources;
  if (storage) def.storage = storage;
  if (defaults) def.defaults = defaults;
  if (validate) def.validate = validate;
  if (fieldSelectors) def.fieldSelectors = fieldSelectors;
  if (e.deprecationWarning) def.deprecationWarning = e.deprecationWarning;
  if (e.convert?.toStorage) def.toStorage = e.convert.toStorage;
  if (e.convert?.fromStorage) def.fromStorage = e.convert.fromStorage;
  return def;
}

const ALL = ["all"];

/** Kubernetes' deprecation warning for a removed beta version. */
function deprecated(gv: string, kind: string, since: string, removed: string, replacement: string): string {
  return `${gv} ${kind} is deprecated in v${since}+, unavailable in v${removed}+; use ${replacement} ${kind}`;
}

const entries: Entry[] = [
  // ---- core/v1 ----
  { group: "", version: "v1", resource: "bindings", kind: "Binding", namespaced: true, verbs: ["create"] },
  {
    group: "",
    version: "v1",
    resource: "componentstatuses",
    kind: "ComponentStatus",
    namespaced: false,
    shortNames: ["cs"],
    verbs: ["get", "list"],
    // k8s.io/api core/v1: +k8s:prerelease-lifecycle-gen:deprecated=1.19, no replacement.
    deprecationWarning: "v1 ComponentStatus is deprecated in v1.19+",
  },
  {
    group: "",
    version: "v1",
    resource: "configmaps",
    kind: "ConfigMap",
    namespaced: true,
    shortNames: ["cm"],
  },
  {
    group: "",
    version: "v1",
    resource: "endpoints",
    kind: "Endpoints",
    namespaced: true,
    shortNames: ["ep"],
  },
  { group: "", version: "v1", resource: "events", kind: "Event", namespaced: true, shortNames: ["ev"] },
  {
    group: "",
    version: "v1",
    resource: "limitranges",
    kind: "LimitRange",
    namespaced: true,
    shortNames: ["limits"],
  },
  {
    group: "",
    version: "v1",
    resource: "namespaces",
    kind: "Namespace",
    namespaced: false,
    shortNames: ["ns"],
    verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
    subresources: [{ name: "finalize", kind: gvk("", "v1", "Namespace"), verbs: ["update"] }, "status"],
  },
  {
    group: "",
    version: "v1",
    resource: "nodes",
    kind: "Node",
    namespaced: false,
    shortNames: ["no"],
    subresources: [{ name: "proxy", kind: gvk("", "v1", "NodeProxyOptions"), verbs: PROXY_VERBS }, "status"],
  },
  {
    group: "",
    version: "v1",
    resource: "persistentvolumeclaims",
    kind: "PersistentVolumeClaim",
    namespaced: true,
    shortNames: ["pvc"],
    subresources: ["status"],
  },
  {
    group: "",
    version: "v1",
    resource: "persistentvolumes",
    kind: "PersistentVolume",
    namespaced: false,
    shortNames: ["pv"],
    subresources: ["status"],
  },
  {
    group: "",
    version: "v1",
    resource: "pods",
    kind: "Pod",
    namespaced: true,
    shortNames: ["po"],
    categories: ALL,
    subresources: podSubresources(),
  },
  { group: "", version: "v1", resource: "podtemplates", kind: "PodTemplate", namespaced: true },
  {
    group: "",
    version: "v1",
    resource: "replicationcontrollers",
    kind: "ReplicationController",
    namespaced: true,
    shortNames: ["rc"],
    categories: ALL,
    subresources: ["scale", "status"],
  },
  {
    group: "",
    version: "v1",
    resource: "resourcequotas",
    kind: "ResourceQuota",
    namespaced: true,
    shortNames: ["quota"],
    subresources: ["status"],
  },
  { group: "", version: "v1", resource: "secrets", kind: "Secret", namespaced: true },
  {
    group: "",
    version: "v1",
    resource: "serviceaccounts",
    kind: "ServiceAccount",
    namespaced: true,
    shortNames: ["sa"],
    subresources: [
      { name: "token", kind: gvk("authentication.k8s.io", "v1", "TokenRequest"), verbs: ["create"] },
    ],
  },
  {
    group: "",
    version: "v1",
    resource: "services",
    kind: "Service",
    namespaced: true,
    shortNames: ["svc"],
    categories: ALL,
    subresources: [
      { name: "proxy", kind: gvk("", "v1", "ServiceProxyOptions"), verbs: PROXY_VERBS },
      "status",
    ],
  },
  // ---- apps/v1 ----
  {
    group: "apps",
    version: "v1",
    resource: "controllerrevisions",
    kind: "ControllerRevision",
    namespaced: true,
  },
  {
    group: "apps",
    version: "v1",
    resource: "daemonsets",
    kind: "DaemonSet",
    namespaced: true,
    shortNames: ["ds"],
    categories: ALL,
    subresources: ["status"],
  },
  {
    group: "apps",
    version: "v1",
    resource: "deployments",
    kind: "Deployment",
    namespaced: true,
    shortNames: ["deploy"],
    categories: ALL,
    subresources: ["scale", "status"],
  },
  {
    group: "apps",
    version: "v1",
    resource: "replicasets",
    kind: "ReplicaSet",
    namespaced: true,
    shortNames: ["rs"],
    categories: ALL,
    subresources: ["scale", "status"],
  },
  {
    group: "apps",
    version: "v1",
    resource: "statefulsets",
    kind: "StatefulSet",
    namespaced: true,
    shortNames: ["sts"],
    categories: ALL,
    subresources: ["scale", "status"],
  },
  // ---- autoscaling: v2 first, so that it is the preferred version ----
  {
    group: "autoscaling",
    version: "v2",
    resource: "horizontalpodautoscalers",
    kind: "HorizontalPodAutoscaler",
    namespaced: true,
    shortNames: ["hpa"],
    categories: ALL,
    subresources: ["status"],
  },
  {
    group: "autoscaling",
    version: "v1",
    resource: "horizontalpodautoscalers",
    kind: "HorizontalPodAutoscaler",
    namespaced: true,
    shortNames: ["hpa"],
    categories: ALL,
    subresources: ["status"],
    storageVersion: "v2",
  },
  // ---- batch/v1 ----
  {
    group: "batch",
    version: "v1",
    resource: "cronjobs",
    kind: "CronJob",
    namespaced: true,
    shortNames: ["cj"],
    categories: ALL,
    subresources: ["status"],
  },
  {
    group: "batch",
    version: "v1",
    resource: "jobs",
    kind: "Job",
    namespaced: true,
    categories: ALL,
    subresources: ["status"],
  },
  // ---- policy/v1 ----
  {
    group: "policy",
    version: "v1",
    resource: "poddisruptionbudgets",
    kind: "PodDisruptionBudget",
    namespaced: true,
    shortNames: ["pdb"],
    subresources: ["status"],
  },
  // ---- networking.k8s.io/v1 ----
  {
    group: "networking.k8s.io",
    version: "v1",
    resource: "ingressclasses",
    kind: "IngressClass",
    namespaced: false,
  },
  {
    group: "networking.k8s.io",
    version: "v1",
    resource: "ingresses",
    kind: "Ingress",
    namespaced: true,
    shortNames: ["ing"],
    subresources: ["status"],
  },
  {
    group: "networking.k8s.io",
    version: "v1",
    resource: "networkpolicies",
    kind: "NetworkPolicy",
    namespaced: true,
    shortNames: ["netpol"],
  },
  // ---- discovery, coordination, rbac, storage, events, scheduling ----
  {
    group: "discovery.k8s.io",
    version: "v1",
    resource: "endpointslices",
    kind: "EndpointSlice",
    namespaced: true,
  },
  { group: "coordination.k8s.io", version: "v1", resource: "leases", kind: "Lease", namespaced: true },
  {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    resource: "clusterrolebindings",
    kind: "ClusterRoleBinding",
    namespaced: false,
  },
  {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    resource: "clusterroles",
    kind: "ClusterRole",
    namespaced: false,
  },
  {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    resource: "rolebindings",
    kind: "RoleBinding",
    namespaced: true,
  },
  { group: "rbac.authorization.k8s.io", version: "v1", resource: "roles", kind: "Role", namespaced: true },
  {
    group: "storage.k8s.io",
    version: "v1",
    resource: "storageclasses",
    kind: "StorageClass",
    namespaced: false,
    shortNames: ["sc"],
  },
  {
    group: "events.k8s.io",
    version: "v1",
    resource: "events",
    kind: "Event",
    namespaced: true,
    shortNames: ["ev"],
    // Stored as core/v1 Events, as kube-apiserver does: both APIs list the same objects.
    storageGroup: "",
    storageVersion: "v1",
    convert: { toStorage: eventToCore, fromStorage: eventFromCore },
  },
  {
    group: "scheduling.k8s.io",
    version: "v1",
    resource: "priorityclasses",
    kind: "PriorityClass",
    namespaced: false,
    shortNames: ["pc"],
  },
  // ---- old beta versions still used by tutorials, stored as v1 ----
  ...legacyApps(),
  ...legacyExtensions(),
  {
    group: "networking.k8s.io",
    version: "v1beta1",
    resource: "ingresses",
    kind: "Ingress",
    namespaced: true,
    subresources: ["status"],
    storageVersion: "v1",
    deprecationWarning: deprecated(
      "networking.k8s.io/v1beta1",
      "Ingress",
      "1.19",
      "1.22",
      "networking.k8s.io/v1",
    ),
    convert: { toStorage: ingressToV1, fromStorage: (o) => ingressFromV1(o, "networking.k8s.io/v1beta1") },
  },
  {
    group: "networking.k8s.io",
    version: "v1beta1",
    resource: "ingressclasses",
    kind: "IngressClass",
    namespaced: false,
    storageVersion: "v1",
    deprecationWarning: deprecated(
      "networking.k8s.io/v1beta1",
      "IngressClass",
      "1.19",
      "1.22",
      "networking.k8s.io/v1",
    ),
  },
  {
    group: "storage.k8s.io",
    version: "v1beta1",
    resource: "storageclasses",
    kind: "StorageClass",
    namespaced: false,
    storageVersion: "v1",
    deprecationWarning: deprecated(
      "storage.k8s.io/v1beta1",
      "StorageClass",
      "1.19",
      "1.22",
      "storage.k8s.io/v1",
    ),
  },
  {
    group: "batch",
    version: "v1beta1",
    resource: "cronjobs",
    kind: "CronJob",
    namespaced: true,
    subresources: ["status"],
    storageVersion: "v1",
    deprecationWarning: deprecated("batch/v1beta1", "CronJob", "1.21", "1.25", "batch/v1"),
  },
  // ---- access reviews: created and answered, never stored (apiserver/handlers/authorization.ts) ----
  {
    group: "authentication.k8s.io",
    version: "v1",
    resource: "selfsubjectreviews",
    kind: "SelfSubjectReview",
    namespaced: false,
    verbs: ["create"],
  },
  {
    group: "authorization.k8s.io",
    version: "v1",
    resource: "localsubjectaccessreviews",
    kind: "LocalSubjectAccessReview",
    namespaced: true,
    verbs: ["create"],
  },
  {
    group: "authorization.k8s.io",
    version: "v1",
    resource: "selfsubjectaccessreviews",
    kind: "SelfSubjectAccessReview",
    namespaced: false,
    verbs: ["create"],
  },
  {
    group: "authorization.k8s.io",
    version: "v1",
    resource: "selfsubjectrulesreviews",
    kind: "SelfSubjectRulesReview",
    namespaced: false,
    verbs: ["create"],
  },
  {
    group: "authorization.k8s.io",
    version: "v1",
    resource: "subjectaccessreviews",
    kind: "SubjectAccessReview",
    namespaced: false,
    verbs: ["create"],
  },
];

function legacyApps(): Entry[] {
  const out: Entry[] = [];
  const kinds: [string, string, string[], string[]][] = [
    ["controllerrevisions", "ControllerRevision", [], ["v1beta1", "v1beta2"]],
    ["daemonsets", "DaemonSet", ["status"], ["v1beta2"]],
    ["deployments", "Deployment", ["scale", "status"], ["v1beta1", "v1beta2"]],
    ["replicasets", "ReplicaSet", ["scale", "status"], ["v1beta2"]],
    ["statefulsets", "StatefulSet", ["scale", "status"], ["v1beta1", "v1beta2"]],
  ];
  for (const version of ["v1beta1", "v1beta2"]) {
    for (const [resource, kind, subs, versions] of kinds) {
      if (!versions.includes(version)) continue;
      out.push({
        group: "apps",
        version,
        resource,
        kind,
        namespaced: true,
        subresources: subs as Entry["subresources"],
        storageVersion: "v1",
        deprecationWarning: deprecated(
          `apps/${version}`,
          kind,
          version === "v1beta1" ? "1.9" : "1.9",
          "1.16",
          "apps/v1",
        ),
      });
    }
  }
  return out;
}

function legacyExtensions(): Entry[] {
  const kinds: [string, string, string[]][] = [
    ["daemonsets", "DaemonSet", ["status"]],
    ["deployments", "Deployment", ["scale", "status"]],
    ["replicasets", "ReplicaSet", ["scale", "status"]],
  ];
  const out: Entry[] = kinds.map(([resource, kind, subs]) => ({
    group: "extensions",
    version: "v1beta1",
    resource,
    kind,
    namespaced: true,
    subresources: subs as Entry["subresources"],
    storageGroup: "apps",
    storageVersion: "v1",
    deprecationWarning: deprecated("extensions/v1beta1", kind, "1.8", "1.16", "apps/v1"),
    ...(kind === "DaemonSet"
      ? {
          convert: {
            toStorage: daemonSetToV1,
            fromStorage: (o: KubeObject) => daemonSetFromV1(o, "extensions/v1beta1"),
          },
        }
      : {}),
  }));
  out.push({
    group: "extensions",
    version: "v1beta1",
    resource: "ingresses",
    kind: "Ingress",
    namespaced: true,
    subresources: ["status"],
    storageGroup: "networking.k8s.io",
    storageVersion: "v1",
    deprecationWarning: deprecated("extensions/v1beta1", "Ingress", "1.14", "1.22", "networking.k8s.io/v1"),
    convert: {
      toStorage: ingressToV1,
      fromStorage: (o: KubeObject) => ingressFromV1(o, "extensions/v1beta1"),
    },
  });
  return out;
}

/** Every served resource, in discovery order. */
export const resources: ResourceDefinition[] = entries.map(build);

// ---- lookups ----

const byGVR = new Map(resources.map((r) => [`${r.group}/${r.version}/${r.resource}`, r]));

/** The resource served at group/version/resource. */
export function findResource(
  group: string,
  version: string,
  resource: string,
): ResourceDefinition | undefined {
  return byGVR.get(`${group}/${version}/${resource}`);
}

/** The resource of a kind in a group/version (`apps`, `v1`, `Deployment`). */
export function findByGVK(group: string, version: string, kind: string): ResourceDefinition | undefined {
  return resources.find((r) => r.group === group && r.version === version && r.kind === kind);
}

/** Split `apps/v1` into group and version (`v1` is the core group). */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf("/");
  return slash < 0
    ? { group: "", version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** The resource for an object's apiVersion and kind. */
export function findForObject(obj: KubeObject): ResourceDefinition | undefined {
  if (!obj.apiVersion || !obj.kind) return undefined;
  const { group, version } = parseApiVersion(obj.apiVersion);
  return findByGVK(group, version, obj.kind);
}

/** Groups in discovery order, each with its versions, preferred first. */
export function groupVersions(): { group: string; versions: string[] }[] {
  const out: { group: string; versions: string[] }[] = [];
  for (const r of resources) {
    let g = out.find((x) => x.group === r.group);
    if (!g) {
      g = { group: r.group, versions: [] };
      out.push(g);
    }
    if (!g.versions.includes(r.version)) g.versions.push(r.version);
  }
  return out;
}

export function preferredVersion(group: string): string | undefined {
  return groupVersions().find((g) => g.group === group)?.versions[0];
}

/** Resources in their group's preferred version only (what `kubectl api-resources` lists). */
export function preferredResources(): ResourceDefinition[] {
  const preferred = new Map(groupVersions().map((g) => [g.group, g.versions[0]]));
  return resources.filter((r) => preferred.get(r.group) === r.version);
}

/** The preferred-version resource with this short name (`deploy`, `po`, `hpa`). */
export function findByShortName(shortName: string): ResourceDefinition | undefined {
  return preferredResources().find((r) => r.shortNames?.includes(shortName));
}

/**
 * Resolve a name as kubectl does for `kubectl get <name>`: plural, singular, short name or kind,
 * optionally qualified by group (`deployments.apps`, `deploy.apps`), preferring the first group in
 * discovery order and its preferred version.
 */
export function resolveResource(name: string): ResourceDefinition | undefined {
  const lower = name.toLowerCase();
  const dot = lower.indexOf(".");
  const base = dot < 0 ? lower : lower.slice(0, dot);
  const group = dot < 0 ? undefined : lower.slice(dot + 1);
  const candidates = preferredResources().filter((r) => group === undefined || r.group === group);
  const matchers: ((r: ResourceDefinition) => boolean)[] = [
    (r) => r.resource === base,
    (r) => r.singular === base,
    (r) => r.shortNames?.includes(base) ?? false,
    (r) => r.kind.toLowerCase() === base,
  ];
  for (const m of matchers) {
    const found = candidates.find(m);
    if (found) return found;
  }
  return undefined;
}

/** Every resource (preferred versions) in a category, as `kubectl get all` expands it. */
export function resourcesInCategory(category: string): ResourceDefinition[] {
  return preferredResources().filter((r) => r.categories?.includes(category));
}

/** The subresource of a resource (`scale`, `status`, `eviction`). */
export function findSubresource(def: ResourceDefinition, name: string): SubresourceDefinition | undefined {
  return def.subresources?.find((s) => s.name === name);
}

/** `deployments.apps`, `pods` (the group-qualified resource used in error messages). */
export function qualifiedResource(def: Pick<ResourceDefinition, "group" | "resource">): string {
  return def.group ? `${def.resource}.${def.group}` : def.resource;
}

/** `Deployment.apps`, `Pod` (the qualified kind used in Invalid messages). */
export function qualifiedKind(def: Pick<ResourceDefinition, "group" | "kind">): string {
  return def.group ? `${def.kind}.${def.group}` : def.kind;
}
