// Object semantics common to every resource, as Kubernetes' generic registry and the kinds'
// strategies apply them (PrepareForCreate / PrepareForUpdate, generation, status, names). Pure.
import { randomBytes, randomUUID } from "node:crypto";
import { DEPRECATED_TEMPLATE_GENERATION } from "../../pkg/api/conversion.js";
import type { ResourceDefinition } from "../../pkg/api/resource-definition.js";
import type { FieldError, KubeObject, StoredObject } from "../../pkg/api/types.js";
import { generateJobSelector } from "../standins/defaults.js";

/** Kinds whose metadata.generation counts spec changes (the others have no generation in 1.32). */
const GENERATION_KINDS = new Set([
  "Deployment",
  "ReplicaSet",
  "StatefulSet",
  "DaemonSet",
  "ReplicationController",
  "Job",
  "CronJob",
  "HorizontalPodAutoscaler",
  "PodDisruptionBudget",
  "Ingress",
  "NetworkPolicy",
  "ControllerRevision",
]);

/** Kinds whose status is kept from the request on create (the kubelet registers its Node with status). */
const KEEP_STATUS_ON_CREATE = new Set(["Node", "ComponentStatus"]);

/** ObjectMeta without kubernetes-types' readonly markers: the server owns these fields. */
export type MutableMeta = { -readonly [K in keyof StoredObject["metadata"]]: StoredObject["metadata"][K] } & {
  selfLink?: string;
};

export function metaOf(obj: StoredObject): MutableMeta {
  return obj.metadata as MutableMeta;
}

const NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
const MAX_GENERATE_NAME = 63 - 5;

/** `generateName` + 5 random characters from Kubernetes' alphabet (names.SimpleNameGenerator). */
export function generateName(base: string, random: (n: number) => Uint8Array = randomBytes): string {
  const b = base.length > MAX_GENERATE_NAME ? base.slice(0, MAX_GENERATE_NAME) : base;
  const bytes = random(5);
  let s = "";
  for (const x of bytes) s += NAME_ALPHABET[x % NAME_ALPHABET.length];
  return b + s;
}

export function usesGeneration(kind: string): boolean {
  return GENERATION_KINDS.has(kind);
}

/** The part of an object that counts as spec for generation: everything but metadata and status. */
export function specOf(obj: KubeObject): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return JSON.stringify(rest);
}

export interface CreateContext {
  now: Date;
  uid?: () => string;
}

/** Sets server-owned metadata on a new object. Name must already be set or generated. */
export function prepareForCreate(def: ResourceDefinition, obj: StoredObject, ctx: CreateContext): void {
  const m = metaOf(obj);
  m.uid = (ctx.uid ?? randomUUID)();
  m.creationTimestamp = ctx.now.toISOString().replace(/\.\d{3}Z$/, "Z");
  delete m.resourceVersion;
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  delete m.selfLink;
  if (usesGeneration(def.kind)) m.generation = 1;
  else delete m.generation;
  if (def.hasStatus && !KEEP_STATUS_ON_CREATE.has(def.kind)) {
    obj.status = initialStatus(def.kind, obj);
  }
  if (isDaemonSet(def)) {
    const gen = templateGenerationOf(obj);
    setTemplateGeneration(obj, gen !== undefined && gen >= 1 ? gen : 1);
  }
  if (obj.status === undefined && def.kind === "Namespace") obj.status = { phase: "Active" };
  // The Job strategy's PrepareForCreate: the selector and the controller-uid / job-name labels need
  // the uid, which only exists from here on (defaulting ran before it).
  if (def.kind === "Job" && def.group === "batch") {
    generateJobSelector(obj as Record<string, unknown>);
    // Kubernetes defaults again when it reads the Job back from etcd: a Job created without labels
    // then shows its template's, generated ones included.
    const labels = (obj.spec as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined)
      ?.template?.metadata?.labels;
    if (labels && Object.keys(m.labels ?? {}).length === 0) m.labels = { ...labels };
  }
}

function initialStatus(kind: string, obj: KubeObject): Record<string, unknown> {
  switch (kind) {
    case "Pod":
      return { phase: "Pending", qosClass: qosClass(obj) };
    case "Namespace":
      return { phase: "Active" };
    case "PersistentVolume":
    case "PersistentVolumeClaim":
      return { phase: "Pending" };
    case "Service":
      return { loadBalancer: {} };
    default:
      return {};
  }
}

type Resources = { requests?: Record<string, unknown>; limits?: Record<string, unknown> };

/** Pod QoS class (pkg/apis/core/helper/qos): Guaranteed, Burstable or BestEffort. */
export function qosClass(pod: KubeObject): "Guaranteed" | "Burstable" | "BestEffort" {
  const spec = (pod.spec ?? {}) as {
    containers?: { resources?: Resources }[];
    initContainers?: { resources?: Resources }[];
  };
  const containers = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    const rk = Object.keys(req).filter((k) => k === "cpu" || k === "memory");
    const lk = Object.keys(lim).filter((k) => k === "cpu" || k === "memory");
    if (rk.length || lk.length) any = true;
    if (!lim.cpu || !lim.memory) guaranteed = false;
    for (const k of rk) if (lim[k] !== undefined && String(lim[k]) !== String(req[k])) guaranteed = false;
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

/**
 * An update of the main resource: server-owned metadata comes from the old object, status is kept
 * for kinds with a status subresource, and generation moves with the spec.
 */
export function prepareForUpdate(def: ResourceDefinition, next: StoredObject, old: StoredObject): void {
  const m = metaOf(next);
  const o = old.metadata;
  m.uid = o.uid;
  m.creationTimestamp = o.creationTimestamp;
  m.name = o.name;
  if (o.namespace) m.namespace = o.namespace;
  if (o.deletionTimestamp) m.deletionTimestamp = o.deletionTimestamp;
  else delete m.deletionTimestamp;
  if (o.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds;
  else delete m.deletionGracePeriodSeconds;
  delete m.selfLink;
  if (def.hasStatus) {
    if (old.status === undefined) delete next.status;
    else next.status = old.status;
  }
  if (def.kind === "Service" && def.group === "") dropTypeDependentFields(next, old);
  let oldSpec = old;
  if (isDaemonSet(def)) {
    // Not settable by an update; a template change moves it on (daemonSetStrategy.PrepareForUpdate).
    oldSpec = withoutLegacyTemplateGeneration(old);
    const oldGen = templateGenerationOf(old) ?? 0;
    const nextNoLegacy = withoutLegacyTemplateGeneration(next);
    const templateChanged =
      JSON.stringify((nextNoLegacy.spec as { template?: unknown } | undefined)?.template) !==
      JSON.stringify((oldSpec.spec as { template?: unknown } | undefined)?.template);
    setTemplateGeneration(next, templateChanged ? oldGen + 1 : oldGen);
  }
  if (usesGeneration(def.kind)) {
    const gen = o.generation ?? 1;
    m.generation = specOf(next) !== specOf(oldSpec) ? gen + 1 : gen;
  } else if (o.generation !== undefined) m.generation = o.generation;
  else delete m.generation;
}

// ---------------------------------------------------------------- Service type changes

type SvcPort = { nodePort?: number };
type SvcSpec = {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  ports?: SvcPort[];
  healthCheckNodePort?: number;
  allocateLoadBalancerNodePorts?: boolean;
  externalTrafficPolicy?: string;
  loadBalancerClass?: string;
};

const svcSpec = (o: KubeObject): SvcSpec => (o.spec ?? {}) as SvcSpec;
const needsClusterIP = (s: SvcSpec) => s.type !== "ExternalName";
const needsNodePort = (s: SvcSpec) => s.type === "NodePort" || s.type === "LoadBalancer";
const needsHCNodePort = (s: SvcSpec) => s.type === "LoadBalancer" && s.externalTrafficPolicy === "Local";
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function nodePortSet(s: SvcSpec): string {
  const ports = (s.ports ?? []).map((p) => p.nodePort ?? 0).filter((p) => p !== 0);
  return JSON.stringify([...new Set(ports)].sort((a, b) => a - b));
}

/**
 * The Service strategy's dropTypeDependentFields (pkg/registry/core/service/strategy.go): on an update
 * to a type that no longer needs a field, a value the user did not change (so possibly allocated or
 * defaulted for the old type) is wiped, before validation and before the allocators release it.
 */
export function dropTypeDependentFields(next: KubeObject, old: KubeObject): void {
  const n = svcSpec(next);
  const o = svcSpec(old);
  if (next.spec === undefined) return;
  if (needsClusterIP(o) && !needsClusterIP(n)) {
    if (same(o.clusterIP, n.clusterIP) && same(o.clusterIPs, n.clusterIPs)) {
      delete n.clusterIP;
      delete n.clusterIPs;
    }
    if (same(o.ipFamilies, n.ipFamilies)) delete n.ipFamilies;
    if (same(o.ipFamilyPolicy, n.ipFamilyPolicy)) delete n.ipFamilyPolicy;
  }
  if (needsNodePort(o) && !needsNodePort(n) && nodePortSet(o) === nodePortSet(n)) {
    for (const p of n.ports ?? []) delete p.nodePort;
  }
  if (needsHCNodePort(o) && !needsHCNodePort(n) && o.healthCheckNodePort === n.healthCheckNodePort) {
    delete n.healthCheckNodePort;
  }
  if (o.type === "LoadBalancer" && n.type !== "LoadBalancer") {
    if (
      n.allocateLoadBalancerNodePorts !== undefined &&
      o.allocateLoadBalancerNodePorts === n.allocateLoadBalancerNodePorts
    ) {
      delete n.allocateLoadBalancerNodePorts;
    }
    if (o.loadBalancerClass !== undefined && o.loadBalancerClass === n.loadBalancerClass) {
      delete n.loadBalancerClass;
    }
  }
  if (needsNodePort(o) && !needsNodePort(n) && o.externalTrafficPolicy === n.externalTrafficPolicy) {
    delete n.externalTrafficPolicy;
  }
  // The load balancer's status goes with the type (Kubernetes does not make users wait for it).
  if (n.type !== "LoadBalancer" && next.status !== undefined) {
    next.status = { ...(next.status as Record<string, unknown>), loadBalancer: {} };
  }
}

// ---------------------------------------------------------------- DaemonSet templateGeneration

function isDaemonSet(def: ResourceDefinition): boolean {
  return def.kind === "DaemonSet" && (def.group === "apps" || def.group === "extensions");
}

/**
 * The DaemonSet's templateGeneration in its apps/v1 storage form: the annotation, or the
 * `spec.templateGeneration` that objects written by older tskube versions carry.
 */
export function templateGenerationOf(obj: KubeObject): number | undefined {
  const v = obj.metadata?.annotations?.[DEPRECATED_TEMPLATE_GENERATION];
  if (typeof v === "string" && /^-?\d+$/.test(v)) return Number(v);
  const legacy = (obj.spec as { templateGeneration?: unknown } | undefined)?.templateGeneration;
  return typeof legacy === "number" && Number.isInteger(legacy) ? legacy : undefined;
}

function withoutLegacyTemplateGeneration<T extends KubeObject>(obj: T): T {
  const spec = obj.spec as Record<string, unknown> | undefined;
  if (!spec || !("templateGeneration" in spec)) return obj;
  const { templateGeneration: _t, ...rest } = spec;
  return { ...obj, spec: rest };
}

/** Writes the annotation Kubernetes' apps/v1 conversion always writes, and drops a legacy spec field. */
function setTemplateGeneration(obj: StoredObject, gen: number): void {
  const m = metaOf(obj);
  m.annotations = { ...(m.annotations ?? {}), [DEPRECATED_TEMPLATE_GENERATION]: String(gen) };
  const spec = obj.spec as Record<string, unknown> | undefined;
  if (spec && "templateGeneration" in spec) delete spec.templateGeneration;
}

/** An update through the status subresource: only status changes (and nothing else of the object). */
export function prepareForStatusUpdate(next: StoredObject, old: StoredObject): StoredObject {
  const out: StoredObject = { ...old, metadata: { ...old.metadata } };
  if (next.status === undefined) delete out.status;
  else out.status = next.status;
  return out;
}

/** Name checks needed before a name becomes part of an etcd key (path segment rules). */
export function validatePathSegmentName(name: string): FieldError[] {
  if (name === "." || name === "..")
    return [
      {
        type: "FieldValueInvalid",
        field: "metadata.name",
        message: `Invalid value: "${name}": may not be '${name}'`,
      },
    ];
  for (const bad of ["/", "%"]) {
    if (name.includes(bad))
      return [
        {
          type: "FieldValueInvalid",
          field: "metadata.name",
          message: `Invalid value: "${name}": may not contain '${bad}'`,
        },
      ];
  }
  return [];
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Fallback name validation (DNS-1123 subdomain), used when the catalogue has no validator. */
export function validateSubdomainName(name: string): FieldError[] {
  if (name.length > 253)
    return [
      {
        type: "FieldValueInvalid",
        field: "metadata.name",
        message: `Invalid value: "${name}": must be no more than 253 characters`,
      },
    ];
  if (!DNS1123_SUBDOMAIN.test(name))
    return [
      {
        type: "FieldValueInvalid",
        field: "metadata.name",
        message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      },
    ];
  return [];
}
