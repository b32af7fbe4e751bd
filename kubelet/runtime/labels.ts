// The labels the kubelet puts on every container it creates, so that a restarted kubelet rebuilds its state
// from the engine alone (as the real kubelet does with dockershim's labels) and `npm stop` can find them.

export const LABEL_POD_UID = "io.kubernetes.pod.uid";
export const LABEL_POD_NAME = "io.kubernetes.pod.name";
export const LABEL_POD_NAMESPACE = "io.kubernetes.pod.namespace";
export const LABEL_CONTAINER_NAME = "io.kubernetes.container.name";
/** "podsandbox" on sandboxes, "container" on app and init containers */
export const LABEL_CONTAINER_TYPE = "io.kubernetes.docker.type";
export const LABEL_RESTART_COUNT = "io.kubernetes.container.restartCount";
export const LABEL_CONTAINER_HASH = "io.kubernetes.container.hash";
export const LABEL_SANDBOX_ATTEMPT = "io.kubernetes.sandbox.attempt";
export const LABEL_SANDBOX_ID = "io.kubernetes.sandbox.id";
export const LABEL_INIT = "io.tskube.container.init";
export const LABEL_POD_IP = "io.tskube.pod.ip";
export const LABEL_TERMINATION_MESSAGE_PATH = "io.kubernetes.container.terminationMessagePath";
export const LABEL_CLUSTER = "io.tskube.cluster";
export const LABEL_NODE = "io.tskube.node";

export const TYPE_SANDBOX = "podsandbox";
export const TYPE_CONTAINER = "container";
/** Name given to the sandbox in LABEL_CONTAINER_NAME (as dockershim's "POD"). */
export const SANDBOX_CONTAINER_NAME = "POD";

export interface PodIdentity {
  uid: string;
  name: string;
  namespace: string;
}

export function podLabels(pod: PodIdentity, cluster: string, node: string): Record<string, string> {
  return {
    [LABEL_POD_UID]: pod.uid,
    [LABEL_POD_NAME]: pod.name,
    [LABEL_POD_NAMESPACE]: pod.namespace,
    [LABEL_CLUSTER]: cluster,
    [LABEL_NODE]: node,
  };
}

/** Docker container names must be unique: k8s_<container>_<pod>_<namespace>_<uid>_<attempt>, as dockershim. */
export function containerName(
  kind: "sandbox" | "container",
  c: string,
  pod: PodIdentity,
  attempt: number,
): string {
  const name = kind === "sandbox" ? SANDBOX_CONTAINER_NAME : c;
  return `k8s_${name}_${pod.name}_${pod.namespace}_${pod.uid}_${attempt}`;
}
