// The default profile: Kubernetes' default plugins in their order, with the default score weights
// (TaintToleration 3, NodeAffinity 2, PodTopologySpread 2, InterPodAffinity 2, NodeResourcesFit 1,
// NodeResourcesBalancedAllocation 1, ImageLocality 1).
import type { Profile } from "../framework/runtime.js";
import { DefaultPreemption } from "./default-preemption.js";
import { ImageLocality } from "./image-locality.js";
import { InterPodAffinity } from "./inter-pod-affinity.js";
import { NodeAffinity } from "./node-affinity.js";
import { NodeName } from "./node-name.js";
import { NodePorts } from "./node-ports.js";
import { NodeResourcesBalancedAllocation, NodeResourcesFit } from "./node-resources.js";
import { NodeUnschedulable } from "./node-unschedulable.js";
import { PodTopologySpread } from "./pod-topology-spread.js";
import { TaintToleration } from "./taint-toleration.js";
import { VolumeBinding } from "./volume-binding.js";

export const DEFAULT_SCHEDULER_NAME = "default-scheduler";

export function defaultProfile(schedulerName = DEFAULT_SCHEDULER_NAME): Profile {
  const nodeUnschedulable = new NodeUnschedulable();
  const nodeName = new NodeName();
  const taints = new TaintToleration();
  const nodeAffinity = new NodeAffinity();
  const ports = new NodePorts();
  const fit = new NodeResourcesFit();
  const volumes = new VolumeBinding();
  const spread = new PodTopologySpread();
  const interPod = new InterPodAffinity();
  const balanced = new NodeResourcesBalancedAllocation();
  const images = new ImageLocality();
  return {
    schedulerName,
    preFilter: [nodeAffinity, volumes, spread, interPod],
    filter: [nodeUnschedulable, nodeName, taints, nodeAffinity, ports, fit, volumes, spread, interPod],
    postFilter: [new DefaultPreemption()],
    preScore: [interPod, spread, images],
    score: [
      { plugin: taints, weight: 3 },
      { plugin: nodeAffinity, weight: 2 },
      { plugin: fit, weight: 1 },
      { plugin: spread, weight: 2 },
      { plugin: interPod, weight: 2 },
      { plugin: balanced, weight: 1 },
      { plugin: images, weight: 1 },
    ],
    reserve: [],
  };
}
