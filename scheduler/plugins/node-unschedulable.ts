// NodeUnschedulable: a cordoned node takes only pods that tolerate node.kubernetes.io/unschedulable.
import type { NodeInfo, PodInfo } from "../framework/nodeinfo.js";
import { type CycleState, type FilterPlugin, type Status, unresolvable } from "../framework/types.js";
import { tolerationsTolerateTaint } from "./helpers.js";

export const ERR_REASON_UNSCHEDULABLE = "node(s) were unschedulable";
const UNSCHEDULABLE_TAINT = { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" };

export class NodeUnschedulable implements FilterPlugin {
  readonly name = "NodeUnschedulable";
  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    if (!node.unschedulable) return null;
    if (tolerationsTolerateTaint(pod.pod.spec?.tolerations, UNSCHEDULABLE_TAINT)) return null;
    return unresolvable(ERR_REASON_UNSCHEDULABLE);
  }
}
