// NodeInfo and PodInfo: what the scheduler knows about a node and a pod, parsed once so that the hot path
// (Filter/Score over hundreds of nodes per pod) compares plain numbers and never re-parses quantities.
// After pkg/scheduler/framework/types.go and component-helpers/resource (PodRequests).
import type {
  Container,
  Node,
  NodeSelectorRequirement,
  Pod,
  PodAffinityTerm,
  ResourceRequirements,
  Taint,
} from "kubernetes-types/core/v1";
import type { LabelSelector } from "kubernetes-types/meta/v1";
import { labelSelectorAsSelector, matches, nothing, type Selector } from "../../pkg/api/labels.js";
import { tryParseQuantity } from "../../pkg/api/quantity.js";

/** Requests or allocatable in the units the scheduler compares: milli-cpu and bytes. */
export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Extended and hugepages resources by name. */
  scalar: Map<string, number> | undefined;
}

export function emptyResource(): Resource {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, scalar: undefined };
}

export function cloneResource(r: Resource): Resource {
  return { ...r, scalar: r.scalar ? new Map(r.scalar) : undefined };
}

// Used for scoring pods that set no request (pkg/scheduler/util/pod_resources.go).
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

const IGNORED_RESOURCES = new Set(["pods"]);

function isScalarResource(name: string): boolean {
  return name.startsWith("hugepages-") || name.includes("/");
}

/** Parses a ResourceList into a Resource; malformed quantities count as 0 and are reported through onBad. */
export function resourceFromList(
  list: Record<string, unknown> | undefined,
  onBad?: (name: string) => void,
): Resource {
  const r = emptyResource();
  if (!list) return r;
  for (const name of Object.keys(list)) {
    const q = tryParseQuantity(list[name]);
    if (!q) {
      onBad?.(name);
      continue;
    }
    addNamed(r, name, name === "cpu" ? q.milliValue() : q.value());
  }
  return r;
}

function addNamed(r: Resource, name: string, v: number): void {
  if (name === "cpu") r.milliCPU += v;
  else if (name === "memory") r.memory += v;
  else if (name === "ephemeral-storage") r.ephemeralStorage += v;
  else if (isScalarResource(name) && !IGNORED_RESOURCES.has(name)) {
    r.scalar ??= new Map();
    r.scalar.set(name, (r.scalar.get(name) ?? 0) + v);
  }
}

function addResource(into: Resource, r: Resource, sign = 1): void {
  into.milliCPU += sign * r.milliCPU;
  into.memory += sign * r.memory;
  into.ephemeralStorage += sign * r.ephemeralStorage;
  if (r.scalar) {
    into.scalar ??= new Map();
    for (const [k, v] of r.scalar) into.scalar.set(k, (into.scalar.get(k) ?? 0) + sign * v);
  }
}

function maxResource(a: Resource, b: Resource): Resource {
  const out: Resource = {
    milliCPU: Math.max(a.milliCPU, b.milliCPU),
    memory: Math.max(a.memory, b.memory),
    ephemeralStorage: Math.max(a.ephemeralStorage, b.ephemeralStorage),
    scalar: undefined,
  };
  if (a.scalar || b.scalar) {
    out.scalar = new Map(a.scalar);
    for (const [k, v] of b.scalar ?? []) out.scalar.set(k, Math.max(out.scalar.get(k) ?? 0, v));
  }
  return out;
}

function containerRequests(c: Container, nonZero: boolean): Resource {
  const req = (c.resources as ResourceRequirements | undefined)?.requests;
  const r = resourceFromList(req);
  if (nonZero) {
    // Only the request matters here: an absent cpu/memory request scores as the default.
    if (!req || !("cpu" in req)) r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
    if (!req || !("memory" in req)) r.memory = DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

/**
 * Effective pod requests: max(sum of app containers + sidecars, every init container + the sidecars started
 * before it) + overhead. nonZero substitutes the scoring defaults for absent cpu/memory requests.
 */
export function podRequests(pod: Pod, nonZero = false): Resource {
  const spec = pod.spec;
  const sum = emptyResource();
  for (const c of spec?.containers ?? []) addResource(sum, containerRequests(c, nonZero));
  let initMax = emptyResource();
  const sidecars = emptyResource();
  for (const c of spec?.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    if (c.restartPolicy === "Always") {
      addResource(sum, r);
      addResource(sidecars, r);
      initMax = maxResource(initMax, sidecars);
    } else {
      const withSidecars = cloneResource(sidecars);
      addResource(withSidecars, r);
      initMax = maxResource(initMax, withSidecars);
    }
  }
  const total = maxResource(sum, initMax);
  if (spec?.overhead) addResource(total, resourceFromList(spec.overhead));
  return total;
}

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/** A pod (anti-)affinity term with its selectors compiled. */
export interface AffinityTerm {
  namespaces: ReadonlySet<string>;
  /** Namespaces whose labels match this selector also count (nothing when unset). */
  namespaceSelector: Selector;
  selector: Selector;
  topologyKey: string;
  weight: number;
}

export interface PodInfo {
  readonly pod: Pod;
  readonly key: string;
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly priority: number;
  readonly requests: Resource;
  readonly nonZeroRequests: Resource;
  readonly hostPorts: readonly HostPort[];
  readonly requiredAffinity: readonly AffinityTerm[];
  readonly requiredAntiAffinity: readonly AffinityTerm[];
  readonly preferredAffinity: readonly AffinityTerm[];
  readonly preferredAntiAffinity: readonly AffinityTerm[];
  /** Set when the pod's affinity could not be compiled (the apiserver should have refused it). */
  readonly parseError?: string;
}

function compileTerm(term: PodAffinityTerm, podNamespace: string, weight: number): AffinityTerm {
  const namespaces = new Set(term.namespaces ?? []);
  const nsSel: LabelSelector | undefined = term.namespaceSelector;
  // No namespaces and no namespaceSelector means "the pod's own namespace".
  if (namespaces.size === 0 && nsSel == null) namespaces.add(podNamespace);
  const selector = labelSelectorAsSelector(term.labelSelector);
  return {
    namespaces,
    namespaceSelector: nsSel == null ? nothing() : labelSelectorAsSelector(nsSel),
    selector,
    topologyKey: term.topologyKey,
    weight,
  };
}

/** priority: the resolved priority when spec.priority is unset (the Priority admission plugin's job). */
export function newPodInfo(pod: Pod, priority?: number): PodInfo {
  const meta = pod.metadata ?? {};
  const namespace = meta.namespace ?? "default";
  const name = meta.name ?? "";
  const hostPorts: HostPort[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.hostPort && p.hostPort > 0) {
        hostPorts.push({ ip: p.hostIP || "0.0.0.0", protocol: p.protocol || "TCP", port: p.hostPort });
      }
    }
  }
  const aff = pod.spec?.affinity;
  const requiredAffinity: AffinityTerm[] = [];
  const requiredAntiAffinity: AffinityTerm[] = [];
  const preferredAffinity: AffinityTerm[] = [];
  const preferredAntiAffinity: AffinityTerm[] = [];
  let parseError: string | undefined;
  try {
    for (const t of aff?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
      requiredAffinity.push(compileTerm(t, namespace, 1));
    }
    for (const t of aff?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
      requiredAntiAffinity.push(compileTerm(t, namespace, 1));
    }
    for (const w of aff?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
      preferredAffinity.push(compileTerm(w.podAffinityTerm, namespace, w.weight));
    }
    for (const w of aff?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
      preferredAntiAffinity.push(compileTerm(w.podAffinityTerm, namespace, w.weight));
    }
  } catch (err) {
    parseError = (err as Error).message;
  }
  return {
    pod,
    key: `${namespace}/${name}`,
    uid: meta.uid ?? `${namespace}/${name}`,
    namespace,
    name,
    labels: meta.labels ?? {},
    priority: pod.spec?.priority ?? priority ?? 0,
    requests: podRequests(pod),
    nonZeroRequests: podRequests(pod, true),
    hostPorts,
    requiredAffinity,
    requiredAntiAffinity,
    preferredAffinity,
    preferredAntiAffinity,
    parseError,
  };
}

/** Does the term select `other` (a pod), given the namespace labels of other's namespace? */
export function termMatches(
  term: AffinityTerm,
  other: PodInfo,
  nsLabels: Readonly<Record<string, string>> | undefined,
): boolean {
  if (!term.namespaces.has(other.namespace) && !matches(term.namespaceSelector, nsLabels)) return false;
  return matches(term.selector, other.labels);
}

/** The image names and sizes a node reports, for ImageLocality. */
export interface ImageState {
  size: number;
  /** How many nodes have it (filled by the cache). */
  numNodes: number;
}

export class NodeInfo {
  node: Node;
  readonly name: string;
  labels: Readonly<Record<string, string>>;
  allocatable: Resource;
  allowedPodNumber: number;
  /** Taints from spec.taints plus those implied by node conditions. */
  taints: readonly Taint[];
  unschedulable: boolean;
  images: Map<string, number>;
  /** Problems found while parsing the node (malformed quantities): logged, never fatal. */
  problems: string[] = [];

  readonly pods = new Map<string, PodInfo>();
  readonly requested: Resource = emptyResource();
  readonly nonZeroRequested: Resource = emptyResource();
  /** "ip/protocol/port" in use. */
  readonly usedPorts = new Map<string, number>();
  podsWithAffinity = 0;
  podsWithRequiredAntiAffinity = 0;
  /** Bumped on every change, for caches keyed by node state. */
  generation = 0;

  constructor(node: Node) {
    this.node = node;
    this.name = node.metadata?.name ?? "";
    this.labels = {};
    this.allocatable = emptyResource();
    this.allowedPodNumber = 0;
    this.taints = [];
    this.unschedulable = false;
    this.images = new Map();
    this.setNode(node);
  }

  setNode(node: Node): void {
    this.node = node;
    this.problems = [];
    const labels = node.metadata?.labels;
    this.labels = labels && typeof labels === "object" ? labels : {};
    const status = node.status ?? {};
    // Kubernetes reads only allocatable; a node that reports only capacity (a bare simulated node) would
    // otherwise fit nothing, so fall back to capacity when allocatable is absent altogether.
    const list = status.allocatable ?? status.capacity;
    this.allocatable = resourceFromList(list, (name) => this.problems.push(`malformed allocatable ${name}`));
    const pods = tryParseQuantity(list?.pods);
    this.allowedPodNumber = pods ? pods.value() : 0;
    this.taints = effectiveTaints(node);
    this.unschedulable = node.spec?.unschedulable === true;
    this.images = new Map();
    for (const img of status.images ?? []) {
      for (const n of img.names ?? []) this.images.set(normalizedImageName(n), img.sizeBytes ?? 0);
    }
    this.generation++;
  }

  addPod(pi: PodInfo): void {
    if (this.pods.has(pi.key)) this.removePod(pi.key);
    this.pods.set(pi.key, pi);
    this.account(pi, 1);
  }

  removePod(key: string): PodInfo | undefined {
    const pi = this.pods.get(key);
    if (!pi) return undefined;
    this.pods.delete(key);
    this.account(pi, -1);
    return pi;
  }

  private account(pi: PodInfo, sign: 1 | -1): void {
    addResource(this.requested, pi.requests, sign);
    addResource(this.nonZeroRequested, pi.nonZeroRequests, sign);
    for (const hp of pi.hostPorts) {
      const k = `${hp.ip}/${hp.protocol}/${hp.port}`;
      const n = (this.usedPorts.get(k) ?? 0) + sign;
      if (n > 0) this.usedPorts.set(k, n);
      else this.usedPorts.delete(k);
    }
    if (
      pi.requiredAffinity.length +
        pi.preferredAffinity.length +
        pi.requiredAntiAffinity.length +
        pi.preferredAntiAffinity.length >
      0
    ) {
      this.podsWithAffinity += sign;
    }
    if (pi.requiredAntiAffinity.length > 0) this.podsWithRequiredAntiAffinity += sign;
    this.generation++;
  }

  /** A copy whose pods can be removed without touching this one (preemption dry runs). */
  clone(): NodeInfo {
    const c = new NodeInfo(this.node);
    for (const pi of this.pods.values()) c.addPod(pi);
    return c;
  }
}

/** Docker-style name normalisation: "nginx" and "nginx:latest" are the same image. */
export function normalizedImageName(name: string): string {
  const lastSlash = name.lastIndexOf("/");
  if (name.includes("@") || name.lastIndexOf(":") > lastSlash) return name;
  return `${name}:latest`;
}

// Node conditions as the node lifecycle controller reflects them in taints (TaintNodesByCondition). The
// scheduler derives them too, so that a node's condition counts even before the controller has acted.
const CONDITION_TAINTS: Record<string, { status: string; key: string }[]> = {
  Ready: [
    { status: "False", key: "node.kubernetes.io/not-ready" },
    { status: "Unknown", key: "node.kubernetes.io/unreachable" },
  ],
  MemoryPressure: [{ status: "True", key: "node.kubernetes.io/memory-pressure" }],
  DiskPressure: [{ status: "True", key: "node.kubernetes.io/disk-pressure" }],
  PIDPressure: [{ status: "True", key: "node.kubernetes.io/pid-pressure" }],
  NetworkUnavailable: [{ status: "True", key: "node.kubernetes.io/network-unavailable" }],
};

export function effectiveTaints(node: Node): Taint[] {
  const spec = Array.isArray(node.spec?.taints) ? node.spec.taints : [];
  const taints = spec.filter((t) => t && typeof t.key === "string");
  for (const c of Array.isArray(node.status?.conditions) ? node.status.conditions : []) {
    for (const rule of CONDITION_TAINTS[c.type] ?? []) {
      if (c.status !== rule.status) continue;
      if (!taints.some((t) => t.key === rule.key && t.effect === "NoSchedule")) {
        taints.push({ key: rule.key, effect: "NoSchedule" });
      }
    }
  }
  return taints;
}

/** Node selector requirement (In, NotIn, Exists, DoesNotExist, Gt, Lt) against a label or field set. */
export function nodeSelectorRequirementMatches(
  r: NodeSelectorRequirement,
  set: Readonly<Record<string, string>>,
): boolean {
  const has = Object.hasOwn(set, r.key);
  const v = has ? set[r.key] : "";
  const values = r.values ?? [];
  switch (r.operator) {
    case "In":
      return has && values.includes(v);
    case "NotIn":
      return !has || !values.includes(v);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    case "Gt":
    case "Lt": {
      if (!has || values.length !== 1 || !/^-?[0-9]+$/.test(v) || !/^-?[0-9]+$/.test(values[0])) return false;
      const a = Number(v);
      const b = Number(values[0]);
      return r.operator === "Gt" ? a > b : a < b;
    }
    default:
      return false;
  }
}
