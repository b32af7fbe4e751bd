// NodePorts: a host port (ip, protocol, port) can be used by one pod per node; 0.0.0.0 conflicts with any IP.
import type { HostPort, NodeInfo, PodInfo } from "../framework/nodeinfo.js";
import { type CycleState, type FilterPlugin, type Status, unschedulable } from "../framework/types.js";

export const ERR_REASON_PORTS = "node(s) didn't have free ports for the requested pod ports";

export function portConflicts(used: ReadonlyMap<string, number>, want: HostPort): boolean {
  if (used.size === 0) return false;
  if (used.has(`${want.ip}/${want.protocol}/${want.port}`)) return true;
  if (want.ip === "0.0.0.0") {
    const suffix = `/${want.protocol}/${want.port}`;
    for (const k of used.keys()) if (k.endsWith(suffix)) return true;
    return false;
  }
  return used.has(`0.0.0.0/${want.protocol}/${want.port}`);
}

export class NodePorts implements FilterPlugin {
  readonly name = "NodePorts";
  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    for (const hp of pod.hostPorts)
      if (portConflicts(node.usedPorts, hp)) return unschedulable(ERR_REASON_PORTS);
    return null;
  }
}
