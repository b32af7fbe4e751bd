// The Node object the kubelet registers and keeps up to date (kubelet_node_status.go and nodestatus/setters.go),
// as pure functions of what the node knows about itself.
import type { Node, NodeCondition, NodeStatus, Taint } from "kubernetes-types/core/v1";

export interface NodeFacts {
  name: string;
  ip: string;
  hostname: string;
  cpuMilli: number;
  memoryBytes: number;
  maxPods: number;
  ephemeralStorageBytes?: number;
  kernelVersion: string;
  osImage: string;
  architecture: string;
  containerRuntimeVersion: string;
  kubeletVersion: string;
  machineID: string;
  systemUUID: string;
  bootID: string;
  podCIDR?: string;
  labels: Record<string, string>;
  taints: Taint[];
  images?: Array<{ names: string[]; sizeBytes: number }>;
}

export interface Pressure {
  memory: boolean;
  disk: boolean;
  pid: boolean;
  /** why the node is not ready, or undefined when it is */
  notReady?: string;
}

/** "v1.2" memory as Kubernetes prints byte quantities: Ki when exact. */
export function memoryQuantity(bytes: number): string {
  if (bytes % 1024 === 0) return `${bytes / 1024}Ki`;
  return String(bytes);
}

export function cpuQuantity(milli: number): string {
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** The node's labels at registration: the well-known ones plus --node-labels. */
export function nodeLabels(
  facts: Pick<NodeFacts, "name" | "architecture" | "labels">,
): Record<string, string> {
  return {
    "beta.kubernetes.io/arch": facts.architecture,
    "beta.kubernetes.io/os": "linux",
    "kubernetes.io/arch": facts.architecture,
    "kubernetes.io/hostname": facts.name,
    "kubernetes.io/os": "linux",
    ...facts.labels,
  };
}

function cond(
  type: string,
  status: boolean,
  reason: string,
  message: string,
  old: NodeCondition[] | undefined,
  now: string,
): NodeCondition {
  const s = status ? "True" : "False";
  const prev = old?.find((c) => c.type === type);
  return {
    type,
    status: s,
    lastHeartbeatTime: now,
    lastTransitionTime: prev && prev.status === s && prev.lastTransitionTime ? prev.lastTransitionTime : now,
    reason,
    message,
  };
}

export function nodeConditions(p: Pressure, old: NodeCondition[] | undefined, now: string): NodeCondition[] {
  return [
    cond(
      "MemoryPressure",
      p.memory,
      p.memory ? "KubeletHasInsufficientMemory" : "KubeletHasSufficientMemory",
      p.memory ? "kubelet has insufficient memory available" : "kubelet has sufficient memory available",
      old,
      now,
    ),
    cond(
      "DiskPressure",
      p.disk,
      p.disk ? "KubeletHasDiskPressure" : "KubeletHasNoDiskPressure",
      p.disk ? "kubelet has disk pressure" : "kubelet has no disk pressure",
      old,
      now,
    ),
    cond(
      "PIDPressure",
      p.pid,
      p.pid ? "KubeletHasInsufficientPID" : "KubeletHasSufficientPID",
      p.pid ? "kubelet has insufficient PID available" : "kubelet has sufficient PID available",
      old,
      now,
    ),
    cond(
      "Ready",
      p.notReady === undefined,
      p.notReady === undefined ? "KubeletReady" : "KubeletNotReady",
      p.notReady ?? "kubelet is posting ready status",
      old,
      now,
    ),
  ];
}

export function nodeStatus(
  facts: NodeFacts,
  p: Pressure,
  old: NodeStatus | undefined,
  now: string,
): NodeStatus {
  const resources: Record<string, string> = {
    cpu: cpuQuantity(facts.cpuMilli),
    memory: memoryQuantity(facts.memoryBytes),
    pods: String(facts.maxPods),
    "hugepages-1Gi": "0",
    "hugepages-2Mi": "0",
  };
  if (facts.ephemeralStorageBytes)
    resources["ephemeral-storage"] = memoryQuantity(facts.ephemeralStorageBytes);
  return {
    capacity: resources,
    allocatable: { ...resources },
    conditions: nodeConditions(p, old?.conditions, now),
    addresses: [
      { type: "InternalIP", address: facts.ip },
      { type: "Hostname", address: facts.hostname },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: facts.machineID,
      systemUUID: facts.systemUUID,
      bootID: facts.bootID,
      kernelVersion: facts.kernelVersion,
      osImage: facts.osImage,
      containerRuntimeVersion: facts.containerRuntimeVersion,
      kubeletVersion: facts.kubeletVersion,
      kubeProxyVersion: facts.kubeletVersion,
      operatingSystem: "linux",
      architecture: facts.architecture,
    },
    ...(facts.images ? { images: facts.images } : {}),
  };
}

export function initialNode(facts: NodeFacts, p: Pressure, now: string): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: facts.name,
      labels: nodeLabels(facts),
      annotations: { "volumes.kubernetes.io/controller-managed-attach-detach": "true" },
    },
    spec: {
      ...(facts.taints.length ? { taints: facts.taints } : {}),
    },
    status: nodeStatus(facts, p, undefined, now),
  };
}

/** --register-with-taints "k=v:Effect,k2:Effect" */
export function parseTaints(s: string | undefined): Taint[] {
  if (!s) return [];
  return s
    .split(",")
    .filter(Boolean)
    .map((t) => {
      const [kv, effect] = t.split(":");
      const [key, value] = kv.split("=");
      if (!key || !effect || !["NoSchedule", "PreferNoSchedule", "NoExecute"].includes(effect)) {
        throw new Error(`invalid taint spec: ${t}`);
      }
      return { key, ...(value !== undefined ? { value } : {}), effect } as Taint;
    });
}

/** --node-labels "a=b,c=d" */
export function parseLabels(s: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of (s ?? "").split(",").filter(Boolean)) {
    const i = kv.indexOf("=");
    out[i < 0 ? kv : kv.slice(0, i)] = i < 0 ? "" : kv.slice(i + 1);
  }
  return out;
}

/** Whether a status differs from the last reported one in anything but heartbeat times. */
export function nodeStatusChanged(a: NodeStatus | undefined, b: NodeStatus): boolean {
  const strip = (s: NodeStatus | undefined) =>
    JSON.stringify({ ...s, conditions: s?.conditions?.map(({ lastHeartbeatTime: _h, ...c }) => c) });
  return strip(a) !== strip(b);
}
