// The one list of controllers this process can run, and --controllers selection. Another controller
// is added by writing controllers/<name>/ with a descriptor and adding it to `allControllers`.
import type { ControllerDescriptor } from "./context.js";
import { clusterRoleAggregationDescriptor } from "./controllers/clusterroleaggregation/index.js";
import { cronJobDescriptor } from "./controllers/cronjob/index.js";
import { daemonSetDescriptor } from "./controllers/daemonset/index.js";
import { deploymentDescriptor } from "./controllers/deployment/controller.js";
import { endpointSliceDescriptor, endpointsDescriptor } from "./controllers/endpoints/index.js";
import { garbageCollectorDescriptor } from "./controllers/garbagecollector/index.js";
import { horizontalPodAutoscalerDescriptor } from "./controllers/horizontalpodautoscaler/index.js";
import { jobDescriptor } from "./controllers/job/index.js";
import { namespaceDescriptor } from "./controllers/namespace/index.js";
import { nodeIpamDescriptor } from "./controllers/nodeipam/controller.js";
import { nodeLifecycleDescriptor, taintEvictionDescriptor } from "./controllers/nodelifecycle/index.js";
import { persistentVolumeBinderDescriptor } from "./controllers/persistentvolume/index.js";
import { podGCDescriptor } from "./controllers/podgc/index.js";
import { replicaSetDescriptor, replicationControllerDescriptor } from "./controllers/replicaset/index.js";
import { resourceQuotaDescriptor } from "./controllers/resourcequota/index.js";
import {
  rootCACertPublisherDescriptor,
  serviceAccountDescriptor,
  serviceAccountTokenDescriptor,
} from "./controllers/serviceaccount/index.js";
import { statefulSetDescriptor } from "./controllers/statefulset/index.js";

export const allControllers: ControllerDescriptor[] = [
  replicaSetDescriptor,
  replicationControllerDescriptor,
  deploymentDescriptor,
  statefulSetDescriptor,
  daemonSetDescriptor,
  jobDescriptor,
  cronJobDescriptor,
  endpointsDescriptor,
  endpointSliceDescriptor,
  nodeIpamDescriptor,
  nodeLifecycleDescriptor,
  taintEvictionDescriptor,
  garbageCollectorDescriptor,
  namespaceDescriptor,
  serviceAccountDescriptor,
  serviceAccountTokenDescriptor,
  rootCACertPublisherDescriptor,
  podGCDescriptor,
  persistentVolumeBinderDescriptor,
  horizontalPodAutoscalerDescriptor,
  resourceQuotaDescriptor,
  clusterRoleAggregationDescriptor,
];

/**
 * kube-controller-manager's --controllers: `*` enables those on by default, `foo` enables foo,
 * `-foo` disables foo. Returns the selected descriptors in registry order; unknown names are errors.
 */
export function selectControllers(
  spec: readonly string[],
  all: readonly ControllerDescriptor[] = allControllers,
): ControllerDescriptor[] {
  const known = new Set(all.map((c) => c.name));
  const items = spec
    .flatMap((s) => s.split(","))
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of items) {
    const name = item.startsWith("-") ? item.slice(1) : item;
    if (name !== "*" && !known.has(name))
      throw new Error(`"${name}" is not in the list of known controllers`);
  }
  const star = items.includes("*");
  return all.filter((c) => {
    if (items.includes(`-${c.name}`)) return false;
    if (items.includes(c.name)) return true;
    return star && !c.disabledByDefault;
  });
}
