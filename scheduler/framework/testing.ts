// Builders of plain Node and Pod objects for the scheduler's unit tests.
import type { Container, Node, Pod, Taint } from "kubernetes-types/core/v1";
import { NodeInfo, newPodInfo, type PodInfo } from "./nodeinfo.js";
import type { Snapshot } from "./types.js";

export function makeNode(
  name: string,
  o: {
    cpu?: string;
    memory?: string;
    pods?: string;
    labels?: Record<string, string>;
    taints?: Taint[];
    unschedulable?: boolean;
  } = {},
): Node {
  return {
    metadata: { name, labels: { "kubernetes.io/hostname": name, ...(o.labels ?? {}) } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: { allocatable: { cpu: o.cpu ?? "2", memory: o.memory ?? "4Gi", pods: o.pods ?? "110" } },
  };
}

export function makePod(
  name: string,
  o: {
    cpu?: string;
    memory?: string;
    labels?: Record<string, string>;
    spec?: Partial<Pod["spec"]>;
    namespace?: string;
    priority?: number;
  } = {},
): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  const c: Container = { name: "c", image: "nginx:1.7.9", resources: { requests } };
  return {
    metadata: { name, namespace: o.namespace ?? "default", uid: `uid-${name}`, labels: o.labels ?? {} },
    spec: {
      containers: [c],
      ...(o.priority !== undefined ? { priority: o.priority } : {}),
      ...(o.spec ?? {}),
    },
  };
}

export function nodeInfo(node: Node, ...pods: Pod[]): NodeInfo {
  const ni = new NodeInfo(node);
  for (const p of pods) ni.addPod(newPodInfo({ ...p, spec: { ...p.spec!, nodeName: node.metadata!.name } }));
  return ni;
}

export function pi(pod: Pod): PodInfo {
  return newPodInfo(pod);
}

export function snapshotOf(nodes: NodeInfo[]): Snapshot {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  return {
    nodes,
    get: (n) => byName.get(n),
    namespaceLabels: () => undefined,
    imageNumNodes: (img) => nodes.filter((n) => n.images.has(img)).length,
  };
}
