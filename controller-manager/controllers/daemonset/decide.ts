// The DaemonSet controller's decisions, pure (pkg/controller/daemon): which nodes should run a daemon
// pod, the pod each gets (pinned by node affinity on metadata.name, with the automatic
// tolerations), what to create and delete, the rolling update within maxUnavailable, and status.
import type { DaemonSet, DaemonSetStatus } from "kubernetes-types/apps/v1";
import type {
  Node,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  Pod,
  PodSpec,
  Taint,
  Toleration,
} from "kubernetes-types/core/v1";
import { scaledValue } from "../../lib/intstr.js";
import { isPodAvailable, isPodReady, isPodTerminal } from "../../lib/pods.js";

export const HASH_LABEL = "controller-revision-hash";

/** The tolerations every daemon pod gets (util.AddOrUpdateDaemonPodTolerations). */
export function daemonTolerations(spec: PodSpec | undefined): Toleration[] {
  const auto: Toleration[] = [
    { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
    { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" },
    { key: "node.kubernetes.io/disk-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/memory-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/pid-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
  ];
  if (spec?.hostNetwork)
    auto.push({ key: "node.kubernetes.io/network-unavailable", operator: "Exists", effect: "NoSchedule" });
  const out = [...(spec?.tolerations ?? [])];
  for (const t of auto)
    if (!out.some((x) => x.key === t.key && x.effect === t.effect && x.operator === t.operator)) out.push(t);
  return out;
}

function tolerates(tols: readonly Toleration[], taint: Taint): boolean {
  return tols.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === "Exists") return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? "") === (taint.value ?? "");
  });
}

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const vals = r.values ?? [];
  switch (r.operator) {
    case "In":
      return value !== undefined && vals.includes(value);
    case "NotIn":
      return value === undefined || !vals.includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
    case "Gt":
      return value !== undefined && Number(value) > Number(vals[0]);
    case "Lt":
      return value !== undefined && Number(value) < Number(vals[0]);
    default:
      return false;
  }
}

function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  return (
    exprs.every((r) => requirementMatches(r, Object.hasOwn(labels, r.key) ? labels[r.key] : undefined)) &&
    fields.every((r) => r.key === "metadata.name" && requirementMatches(r, node.metadata?.name))
  );
}

/** Whether the daemon pod belongs on this node: node selector, required affinity, taints (NodeShouldRunDaemonPod). */
export function shouldRunOn(ds: DaemonSet, node: Node): boolean {
  const spec = ds.spec?.template?.spec;
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms =
    spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms && terms.length > 0 && !terms.some((t) => termMatches(t, node))) return false;
  const tols = daemonTolerations(spec);
  for (const taint of node.spec?.taints ?? []) {
    if (taint.effect !== "NoSchedule" && taint.effect !== "NoExecute") continue;
    if (!tolerates(tols, taint)) return false;
  }
  return true;
}

/** The template's spec for one node: required affinity replaced by metadata.name In [node] (ReplaceDaemonSetPodNodeNameNodeAffinity). */
export function podSpecForNode(spec: PodSpec | undefined, nodeName: string): PodSpec {
  const s = structuredClone(spec ?? { containers: [] });
  const pin: NodeSelectorTerm = {
    matchFields: [{ key: "metadata.name", operator: "In", values: [nodeName] }],
  };
  s.affinity = {
    ...(s.affinity ?? {}),
    nodeAffinity: {
      ...(s.affinity?.nodeAffinity ?? {}),
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [pin] },
    },
  };
  s.tolerations = daemonTolerations(spec);
  return s;
}

/** The node a daemon pod is for: its nodeName, or the one its affinity pins. */
export function nodeOfPod(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const t of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
    ?.nodeSelectorTerms ?? [])
    for (const f of t.matchFields ?? [])
      if (f.key === "metadata.name" && f.operator === "In" && f.values?.length === 1) return f.values[0];
  return undefined;
}

export interface DaemonPlan {
  createOn: string[];
  delete: Pod[];
  status: DaemonSetStatus;
}

const created = (p: Pod) => Date.parse(p.metadata?.creationTimestamp ?? "") || 0;

export function decideDaemons(
  ds: DaemonSet,
  nodes: readonly Node[],
  pods: readonly Pod[],
  hash: string,
  nowMs: number,
): DaemonPlan {
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const byNode = new Map<string, Pod[]>();
  for (const p of pods) {
    if (p.metadata?.deletionTimestamp) continue;
    const n = nodeOfPod(p);
    if (!n) continue;
    byNode.set(n, [...(byNode.get(n) ?? []), p]);
  }
  const createOn: string[] = [];
  const del: Pod[] = [];
  let desired = 0;
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  const running: Pod[] = [];
  const nodeNames = new Set(nodes.map((n) => n.metadata?.name ?? ""));
  for (const node of nodes) {
    const name = node.metadata?.name ?? "";
    const should = shouldRunOn(ds, node);
    const onNode = (byNode.get(name) ?? []).sort((a, b) => created(a) - created(b));
    if (should) {
      desired++;
      const live = onNode.filter((p) => !isPodTerminal(p));
      // Failed daemon pods are deleted and replaced.
      for (const p of onNode) if (isPodTerminal(p)) del.push(p);
      if (live.length === 0) {
        createOn.push(name);
        continue;
      }
      current++;
      // More than one: keep the oldest.
      del.push(...live.slice(1));
      const p = live[0];
      running.push(p);
      if (isPodReady(p)) ready++;
      if (isPodAvailable(p, minReady, nowMs)) available++;
      if (p.metadata?.labels?.[HASH_LABEL] === hash) updated++;
    } else if (onNode.length > 0) {
      misscheduled++;
      del.push(...onNode);
    }
  }
  // Pods on nodes that no longer exist.
  for (const [n, ps] of byNode) if (!nodeNames.has(n)) del.push(...ps);
  // Rolling update: replace old pods, at most maxUnavailable unavailable at a time.
  const strategy = ds.spec?.updateStrategy;
  if ((strategy?.type ?? "RollingUpdate") === "RollingUpdate") {
    const maxUnavailable = Math.max(
      0,
      scaledValue(strategy?.rollingUpdate?.maxUnavailable ?? 1, desired, true),
    );
    let unavailable = desired - available;
    for (const p of running) {
      if (p.metadata?.labels?.[HASH_LABEL] === hash) continue;
      if (!isPodAvailable(p, minReady, nowMs)) del.push(p);
      else if (unavailable < maxUnavailable) {
        del.push(p);
        unavailable++;
      }
    }
  }
  return {
    createOn,
    delete: del,
    status: {
      observedGeneration: ds.metadata?.generation,
      desiredNumberScheduled: desired,
      currentNumberScheduled: current,
      numberMisscheduled: misscheduled,
      numberReady: ready,
      numberAvailable: available,
      numberUnavailable: desired - available,
      updatedNumberScheduled: updated,
    },
  };
}
