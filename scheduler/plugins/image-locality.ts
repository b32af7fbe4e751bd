// ImageLocality: prefer nodes that already hold the pod's images, scaled by how widely each image is spread
// (pkg/scheduler/framework/plugins/imagelocality). Default weight 1.
import type { NodeInfo, PodInfo } from "../framework/nodeinfo.js";
import { normalizedImageName } from "../framework/nodeinfo.js";
import {
  type CycleState,
  MAX_NODE_SCORE,
  type PreScorePlugin,
  type ScorePlugin,
  type Snapshot,
  type Status,
} from "../framework/types.js";

const MB = 1024 * 1024;
const MIN_THRESHOLD = 23 * MB;
const MAX_CONTAINER_THRESHOLD = 1000 * MB;

export function imageLocalityPriority(sumScores: number, numContainers: number): number {
  const maxThreshold = MAX_CONTAINER_THRESHOLD * numContainers;
  const s = Math.min(Math.max(sumScores, MIN_THRESHOLD), maxThreshold);
  return Math.trunc((MAX_NODE_SCORE * (s - MIN_THRESHOLD)) / (maxThreshold - MIN_THRESHOLD));
}

interface ImageLocalityState {
  images: string[];
  total: number;
  snapshot: Snapshot;
}

export class ImageLocality implements PreScorePlugin, ScorePlugin {
  readonly name = "ImageLocality";

  preScore(state: CycleState, pod: PodInfo, _nodes: readonly NodeInfo[], snapshot: Snapshot): Status | null {
    const spec = pod.pod.spec;
    const images = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]
      .map((c) => (c.image ? normalizedImageName(c.image) : ""))
      .filter((i) => i !== "");
    state.write(this.name, { images, total: snapshot.nodes.length, snapshot } satisfies ImageLocalityState);
    return null;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const s = state.read<ImageLocalityState>(this.name);
    if (!s || s.images.length === 0 || node.images.size === 0) return 0;
    let sum = 0;
    for (const img of s.images) {
      const size = node.images.get(img);
      if (size !== undefined)
        sum += Math.trunc((size * s.snapshot.imageNumNodes(img)) / Math.max(1, s.total));
    }
    return imageLocalityPriority(sum, s.images.length);
  }
}
