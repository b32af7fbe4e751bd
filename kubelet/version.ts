// The version the kubelet and kube-proxy report on the Node (the apiserver reports the same gitVersion).
export const KUBELET_VERSION = "v1.32.4-tskube";
