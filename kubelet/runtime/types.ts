// What the kubelet knows about a pod from the container engine (kubecontainer.PodStatus): its sandboxes
// and containers, newest first, rebuilt from the labels the kubelet put on them. Pure data, no Docker types.

export type ContainerState = "created" | "running" | "exited" | "unknown";

export interface SandboxStatus {
  id: string;
  ready: boolean;
  /** ms since the epoch */
  createdAt: number;
  attempt: number;
  /** the pod IP given to this sandbox (empty for hostNetwork pods) */
  ip: string;
  /** the sandbox's pid as seen from the node, when running */
  pid?: number;
}

export interface ContainerStatus {
  id: string;
  name: string;
  state: ContainerState;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  /** "OOMKilled", "Completed", "Error", "ContainerCannotRun" for exited containers */
  reason?: string;
  message?: string;
  image: string;
  imageRef: string;
  restartCount: number;
  /** hash of the container spec the container was created from (detects spec changes) */
  hash: string;
  isInit: boolean;
}

export interface PodRuntimeStatus {
  uid: string;
  name: string;
  namespace: string;
  sandboxes: SandboxStatus[];
  containers: ContainerStatus[];
}

/** The newest container of a given name, as kubecontainer.PodStatus.FindContainerStatusByName. */
export function findContainerStatus(
  status: PodRuntimeStatus | undefined,
  name: string,
): ContainerStatus | undefined {
  return status?.containers.find((c) => c.name === name);
}

/** Every container of a name, newest first. */
export function containerHistory(status: PodRuntimeStatus | undefined, name: string): ContainerStatus[] {
  return status?.containers.filter((c) => c.name === name) ?? [];
}
