// The framework runtime: runs each extension point's plugins in order for one pod, stops a node's
// filtering at its first rejection, and sums the weighted, normalized scores (framework/runtime).
import type { NodeInfo, PodInfo } from "./nodeinfo.js";
import {
  Code,
  type CycleState,
  type FilterPlugin,
  type PostFilterPlugin,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ReservePlugin,
  type ScorePlugin,
  type Snapshot,
  type Status,
} from "./types.js";

export interface WeightedScorePlugin {
  plugin: ScorePlugin;
  weight: number;
}

export interface Profile {
  schedulerName: string;
  preFilter: PreFilterPlugin[];
  filter: FilterPlugin[];
  postFilter: PostFilterPlugin[];
  preScore: PreScorePlugin[];
  score: WeightedScorePlugin[];
  reserve: ReservePlugin[];
}

export interface PreFilterOutcome {
  status: Status | null;
  /** Intersection of the node sets the plugins narrowed to, if any did. */
  nodeNames?: Set<string>;
  narrowedBy: string[];
}

export class Framework {
  private scratch: number[] = [];
  constructor(readonly profile: Profile) {}

  get schedulerName(): string {
    return this.profile.schedulerName;
  }

  runPreFilters(state: CycleState, pod: PodInfo, snapshot: Snapshot): PreFilterOutcome {
    let nodeNames: Set<string> | undefined;
    const narrowedBy: string[] = [];
    for (const p of this.profile.preFilter) {
      let r: ReturnType<PreFilterPlugin["preFilter"]>;
      try {
        r = p.preFilter(state, pod, snapshot);
      } catch (err) {
        return {
          status: { code: Code.Error, reasons: [(err as Error).message], plugin: p.name },
          narrowedBy,
        };
      }
      if (r?.status && r.status.code !== Code.Success && r.status.code !== Code.Skip) {
        return { status: { ...r.status, plugin: p.name }, narrowedBy };
      }
      if (r?.status?.code === Code.Skip) state.skipFilter.add(p.name);
      if (r?.nodeNames) {
        narrowedBy.push(p.name);
        nodeNames = nodeNames
          ? new Set([...nodeNames].filter((n) => r.nodeNames!.has(n)))
          : new Set(r.nodeNames);
      }
    }
    return { status: null, nodeNames, narrowedBy };
  }

  runFilters(state: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    const filters = this.profile.filter;
    for (let i = 0; i < filters.length; i++) {
      const p = filters[i];
      if (state.skipFilter.size > 0 && state.skipFilter.has(p.name)) continue;
      let s: Status | null;
      try {
        s = p.filter(state, pod, node);
      } catch (err) {
        s = { code: Code.Error, reasons: [(err as Error).message] };
      }
      if (s && s.code !== Code.Success) {
        s.plugin = p.name;
        return s;
      }
    }
    return null;
  }

  runPreScores(
    state: CycleState,
    pod: PodInfo,
    nodes: readonly NodeInfo[],
    snapshot: Snapshot,
  ): Status | null {
    for (const p of this.profile.preScore) {
      const s = p.preScore(state, pod, nodes, snapshot);
      if (s && s.code === Code.Skip) state.skipScore.add(p.name);
      else if (s && s.code !== Code.Success) return { ...s, plugin: p.name };
    }
    return null;
  }

  /** Weighted sum of every score plugin's normalized score, per node (same order as nodes). */
  runScores(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): number[] {
    const totals = new Array<number>(nodes.length).fill(0);
    const scores = this.scratch;
    scores.length = nodes.length;
    for (const { plugin, weight } of this.profile.score) {
      if (state.skipScore.has(plugin.name)) continue;
      for (let i = 0; i < nodes.length; i++) scores[i] = plugin.score(state, pod, nodes[i]);
      plugin.normalizeScore?.(state, pod, scores);
      for (let i = 0; i < nodes.length; i++) totals[i] += scores[i] * weight;
    }
    return totals;
  }

  runReserve(state: CycleState, pod: PodInfo, nodeName: string): Status | null {
    for (let i = 0; i < this.profile.reserve.length; i++) {
      const s = this.profile.reserve[i].reserve(state, pod, nodeName);
      if (s && s.code !== Code.Success) {
        for (let j = i; j >= 0; j--) this.profile.reserve[j].unreserve(state, pod, nodeName);
        return s;
      }
    }
    return null;
  }

  runUnreserve(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (let j = this.profile.reserve.length - 1; j >= 0; j--)
      this.profile.reserve[j].unreserve(state, pod, nodeName);
  }
}
