// The scheduling framework's vocabulary, after pkg/scheduler/framework/interface.go and types.go: status
// codes, plugin interfaces (one narrow interface per extension point) and the FitError message that
// becomes the FailedScheduling event. Plugins are pure: plain objects in, a Status or a score out.
import type { NodeInfo, PodInfo } from "./nodeinfo.js";

export enum Code {
  Success = 0,
  Error = 1,
  /** The node does not fit now, but preemption might make it fit. */
  Unschedulable = 2,
  /** The node does not fit, and preempting pods on it would not help. */
  UnschedulableAndUnresolvable = 3,
  /** PreFilter: this plugin has nothing to check for this pod; skip its Filter. */
  Skip = 4,
}

export interface Status {
  readonly code: Code;
  readonly reasons: readonly string[];
  /** The plugin that produced it (set by the framework). */
  plugin?: string;
}

export function unschedulable(...reasons: string[]): Status {
  return { code: Code.Unschedulable, reasons };
}
export function unresolvable(...reasons: string[]): Status {
  return { code: Code.UnschedulableAndUnresolvable, reasons };
}
export function errorStatus(message: string): Status {
  return { code: Code.Error, reasons: [message] };
}
export const SKIP: Status = Object.freeze({ code: Code.Skip, reasons: [] });

export function isRejection(s: Status | null | undefined): boolean {
  return !!s && (s.code === Code.Unschedulable || s.code === Code.UnschedulableAndUnresolvable);
}

/** Per-cycle scratch space that PreFilter/PreScore write and Filter/Score read, keyed by plugin name. */
export class CycleState {
  private readonly data = new Map<string, unknown>();
  /** Plugins whose PreFilter returned Skip. */
  readonly skipFilter = new Set<string>();
  readonly skipScore = new Set<string>();
  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }
  clone(): CycleState {
    const c = new CycleState();
    for (const [k, v] of this.data) c.data.set(k, v);
    for (const s of this.skipFilter) c.skipFilter.add(s);
    for (const s of this.skipScore) c.skipScore.add(s);
    return c;
  }
}

/** What the plugins may read about the cluster during a cycle. */
export interface Snapshot {
  /** Every node, in a stable order. */
  readonly nodes: readonly NodeInfo[];
  get(nodeName: string): NodeInfo | undefined;
  /** Namespace labels, for affinity terms with a namespaceSelector. */
  namespaceLabels(namespace: string): Readonly<Record<string, string>> | undefined;
  /** How many nodes hold an image, for ImageLocality. */
  imageNumNodes(image: string): number;
  /** Bound PersistentVolume node affinity lookups for VolumeBinding. */
  volumes?: VolumeLister;
}

export interface VolumeLister {
  /** The PVC, or undefined if absent. */
  claim(
    namespace: string,
    name: string,
  ): import("kubernetes-types/core/v1").PersistentVolumeClaim | undefined;
  volume(name: string): import("kubernetes-types/core/v1").PersistentVolume | undefined;
}

export interface Plugin {
  readonly name: string;
}

export interface PreFilterResult {
  status?: Status;
  /** When set, only these nodes can possibly fit (e.g. a DaemonSet pod's matchFields on metadata.name). */
  nodeNames?: ReadonlySet<string>;
}

export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): PreFilterResult | null;
}
export interface FilterPlugin extends Plugin {
  /** null = the node fits. Must not allocate for the common case: it runs for many nodes per pod. */
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status | null;
}
export interface PostFilterPlugin extends Plugin {
  postFilter(
    state: CycleState,
    pod: PodInfo,
    filtered: ReadonlyMap<string, Status>,
    ctx: PostFilterContext,
  ): PostFilterResult;
}
export interface PostFilterResult {
  status: Status;
  nominatedNodeName?: string;
  /** Pods to delete so that the preemptor fits on nominatedNodeName. */
  victims?: PodInfo[];
}
export interface PostFilterContext {
  snapshot: Snapshot;
  /** Runs PreFilter (on a modified snapshot) and every Filter for one node: used to simulate preemption. */
  runFiltersOn(state: CycleState, pod: PodInfo, node: NodeInfo, snapshot: Snapshot): Status | null;
  runPreFilters(state: CycleState, pod: PodInfo, snapshot: Snapshot): Status | null;
}
export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], snapshot: Snapshot): Status | null;
}
export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  /** Rescales scores in place to 0..MAX_NODE_SCORE. */
  normalizeScore?(state: CycleState, pod: PodInfo, scores: number[]): void;
}
export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: PodInfo, nodeName: string): Status | null;
  unreserve(state: CycleState, pod: PodInfo, nodeName: string): void;
}
export interface BindPlugin extends Plugin {
  bind(pod: PodInfo, nodeName: string): Promise<void>;
}

export const MAX_NODE_SCORE = 100;

/** "0/X nodes are available: <PreFilter msg>. <Filter histogram>. <PostFilter msg>." (FitError.Error). */
export interface Diagnosis {
  /** Per node that was evaluated and rejected. */
  nodeToStatus: Map<string, Status>;
  /** For nodes absent from nodeToStatus (PreFilter narrowed the set, or it failed for all). */
  absentNodesStatus?: Status;
  preFilterMsg?: string;
  postFilterMsg?: string;
  unschedulablePlugins: Set<string>;
}

export const NO_NODE_AVAILABLE_MSG = "no nodes available to schedule pods";

export function fitErrorMessage(numAllNodes: number, d: Diagnosis): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (d.preFilterMsg) {
    msg += ` ${d.preFilterMsg}.`;
  } else {
    const reasons = new Map<string, number>();
    for (const st of d.nodeToStatus.values()) {
      for (const r of st.reasons) reasons.set(r, (reasons.get(r) ?? 0) + 1);
    }
    const absent = numAllNodes - d.nodeToStatus.size;
    if (absent > 0 && d.absentNodesStatus) {
      for (const r of d.absentNodesStatus.reasons) reasons.set(r, (reasons.get(r) ?? 0) + absent);
    }
    // Go sorts the "<count> <reason>" strings byte-wise.
    const parts = [...reasons].map(([r, n]) => `${n} ${r}`).sort(byteCompare);
    if (parts.length > 0) msg += ` ${parts.join(", ")}.`;
  }
  // The nested FitError of preemption already ends with a period; recent Kubernetes prints one.
  if (d.postFilterMsg) msg += ` ${d.postFilterMsg.replace(/\.$/, "")}.`;
  return msg;
}

export function byteCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function newDiagnosis(): Diagnosis {
  return { nodeToStatus: new Map(), unschedulablePlugins: new Set() };
}
