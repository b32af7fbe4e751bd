// NodeName: a pod that names its node (spec.nodeName set by hand but not yet bound) fits only there.
import type { NodeInfo, PodInfo } from "../framework/nodeinfo.js";
import { type CycleState, type FilterPlugin, type Status, unresolvable } from "../framework/types.js";

export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";

export class NodeName implements FilterPlugin {
  readonly name = "NodeName";
  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    const want = pod.pod.spec?.nodeName;
    if (!want || want === node.name) return null;
    return unresolvable(ERR_REASON_NODE_NAME);
  }
}
