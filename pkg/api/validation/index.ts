// Which validation each kind gets: create validation, and update validation (metadata identity,
// immutable fields, and the new object valid). Every validator takes untyped JSON and never throws.
import type { FieldError, KubeObject } from "../types.js";
import {
  validateControllerRevision,
  validateControllerRevisionUpdate,
  validateDaemonSet,
  validateDaemonSetUpdate,
  validateDeployment,
  validateDeploymentUpdate,
  validateReplicaSet,
  validateReplicaSetUpdate,
  validateReplicationController,
  validateStatefulSet,
  validateStatefulSetUpdate,
} from "./apps.js";
import { validateCronJob, validateCronJobUpdate, validateJob, validateJobUpdate } from "./batch.js";
import {
  validateConfigMap,
  validateConfigMapUpdate,
  validateEndpoints,
  validateEvent,
  validateLimitRange,
  validateNamespace,
  validateNamespaceUpdate,
  validateNode,
  validateNodeUpdate,
  validatePodTemplate,
  validatePV,
  validatePVC,
  validatePVCUpdate,
  validatePVUpdate,
  validateResourceQuota,
  validateSecret,
  validateSecretUpdate,
  validateService,
  validateServiceAccount,
  validateServiceUpdate,
} from "./core.js";
import { isObj, type Obj, validateObjectMetaUpdate } from "./meta.js";
import {
  metaOnly,
  validateEndpointSlice,
  validateHPA,
  validateIngress,
  validateIngressClass,
  validateIngressClassUpdate,
  validateLease,
  validateNetworkPolicy,
  validatePDB,
  validatePriorityClass,
  validatePriorityClassUpdate,
  validateRole,
  validateRoleBinding,
  validateRoleBindingUpdate,
  validateStorageClass,
  validateStorageClassUpdate,
} from "./other.js";
import { validatePod, validatePodUpdate } from "./pod.js";

export { ipInCIDR, validateServiceClusterIP, validateServiceNodePorts } from "./core.js";
export { aggregateFieldErrors, fieldErrorString, invalidMessage } from "./field.js";

type Create = (o: Obj) => FieldError[];
type Update = (o: Obj, old: Obj) => FieldError[];

const KINDS: Record<string, { create: Create; update?: Update }> = {
  Pod: { create: validatePod, update: validatePodUpdate },
  PodTemplate: { create: validatePodTemplate },
  Service: { create: validateService, update: validateServiceUpdate },
  ConfigMap: { create: validateConfigMap, update: validateConfigMapUpdate },
  Secret: { create: validateSecret, update: validateSecretUpdate },
  Namespace: { create: validateNamespace, update: validateNamespaceUpdate },
  ServiceAccount: { create: validateServiceAccount },
  Node: { create: validateNode, update: validateNodeUpdate },
  Event: { create: validateEvent },
  Endpoints: { create: validateEndpoints },
  PersistentVolumeClaim: { create: validatePVC, update: validatePVCUpdate },
  PersistentVolume: { create: validatePV, update: validatePVUpdate },
  ResourceQuota: { create: validateResourceQuota },
  LimitRange: { create: validateLimitRange },
  ReplicationController: { create: validateReplicationController },
  Deployment: { create: validateDeployment, update: validateDeploymentUpdate },
  ReplicaSet: { create: validateReplicaSet, update: validateReplicaSetUpdate },
  DaemonSet: { create: validateDaemonSet, update: validateDaemonSetUpdate },
  StatefulSet: { create: validateStatefulSet, update: validateStatefulSetUpdate },
  ControllerRevision: { create: validateControllerRevision, update: validateControllerRevisionUpdate },
  Job: { create: validateJob, update: validateJobUpdate },
  CronJob: { create: validateCronJob, update: validateCronJobUpdate },
  HorizontalPodAutoscaler: { create: validateHPA },
  Ingress: { create: validateIngress },
  IngressClass: { create: validateIngressClass, update: validateIngressClassUpdate },
  NetworkPolicy: { create: validateNetworkPolicy },
  EndpointSlice: { create: validateEndpointSlice },
  PodDisruptionBudget: { create: validatePDB },
  Role: { create: (o) => validateRole(o, true) },
  ClusterRole: { create: (o) => validateRole(o, false) },
  RoleBinding: { create: (o) => validateRoleBinding(o, true), update: validateRoleBindingUpdate },
  ClusterRoleBinding: { create: (o) => validateRoleBinding(o, false), update: validateRoleBindingUpdate },
  StorageClass: { create: validateStorageClass, update: validateStorageClassUpdate },
  PriorityClass: { create: validatePriorityClass, update: validatePriorityClassUpdate },
  Lease: { create: validateLease },
  ComponentStatus: { create: metaOnly(false) },
  Binding: { create: () => [] },
};

/** Generic update: metadata rules plus the new object's own (non-metadata) validation. */
function genericUpdate(create: Create): Update {
  return (o, old) => [
    ...validateObjectMetaUpdate(o.metadata, old.metadata),
    ...create(o).filter((e) => e.field !== "metadata" && !e.field.startsWith("metadata.")),
  ];
}

/** The validate function of a kind (create when `old` is undefined, update otherwise). */
export function validatorFor(
  kind: string,
): ((obj: KubeObject, old?: KubeObject) => FieldError[]) | undefined {
  const v = KINDS[kind];
  if (!v) return undefined;
  const update = v.update ?? genericUpdate(v.create);
  return (obj, old) => {
    if (!isObj(obj)) return [];
    try {
      return old !== undefined && isObj(old) ? update(obj, old) : v.create(obj);
    } catch (e) {
      // A validator must never take the server down; report it as Kubernetes reports internal errors.
      return [{ type: "InternalError", field: "", message: `Internal error: ${(e as Error).message}` }];
    }
  };
}

/** Validate an object by its own kind. */
export function validateObject(obj: KubeObject, old?: KubeObject): FieldError[] {
  return (obj.kind && validatorFor(obj.kind)?.(obj, old)) || [];
}
