// Patch metadata of the built-in kinds: the `patchStrategy` / `patchMergeKey` struct tags of
// k8s.io/api v0.32, as a tree of the fields that lead to them. A field not described here merges as
// a plain map (objects) or is replaced whole (lists and scalars), which is what Go's lookup gives a
// field without tags.

/** The patch metadata of one field: its strategies ("merge", "retainKeys", "replace") and merge key. */
export interface PatchMeta {
  strategies: string[];
  mergeKey: string;
}

/** A struct (named fields) or a map[string]X (values); for a list field, the schema of its elements. */
export interface Schema {
  fields?: Record<string, Field>;
  values?: Schema;
}

export interface Field {
  schema: Schema;
  meta: PatchMeta;
}

/** A type without patch metadata anywhere below it. */
export const OPAQUE: Schema = {};
const NO_META: PatchMeta = { strategies: [], mergeKey: "" };

/** The schema and patch metadata of `key` inside `schema` (LookupPatchMetadataForStruct/ForSlice). */
export function lookup(schema: Schema, key: string): Field {
  const f = schema.fields?.[key];
  if (f) return f;
  if (schema.values) return { schema: schema.values, meta: NO_META };
  return { schema: OPAQUE, meta: NO_META };
}

// ------------------------------------------------------------------ builders

function struct(fields: Record<string, Field | Schema>): Schema {
  const out: Record<string, Field> = {};
  for (const [k, v] of Object.entries(fields))
    out[k] = "meta" in v ? (v as Field) : { schema: v as Schema, meta: NO_META };
  return { fields: out };
}
/** `patchStrategy:"merge" patchMergeKey:"<key>"` on a list of structs. */
const mergeList = (mergeKey: string, elem: Schema = OPAQUE): Field => ({
  schema: elem,
  meta: { strategies: ["merge"], mergeKey },
});
/** `patchStrategy:"merge,retainKeys" patchMergeKey:"<key>"`. */
const mergeRetainList = (mergeKey: string, elem: Schema = OPAQUE): Field => ({
  schema: elem,
  meta: { strategies: ["merge", "retainKeys"], mergeKey },
});
/** `patchStrategy:"merge"` on a list of scalars (finalizers, podCIDRs). */
const mergePrimitives: Field = { schema: OPAQUE, meta: { strategies: ["merge"], mergeKey: "" } };
/** `patchStrategy:"retainKeys"` on a struct. */
const retainKeys = (s: Schema = OPAQUE): Field => ({
  schema: s,
  meta: { strategies: ["retainKeys"], mergeKey: "" },
});
/** `patchStrategy:"replace"` on a struct. */
const replaceStruct = (s: Schema = OPAQUE): Field => ({
  schema: s,
  meta: { strategies: ["replace"], mergeKey: "" },
});

// ------------------------------------------------------------------ shared types

const conditions = mergeList("type");

/** metav1.ObjectMeta: finalizers (merge) and ownerReferences (merge by uid). */
export const objectMeta = struct({
  finalizers: mergePrimitives,
  ownerReferences: mergeList("uid"),
});

/** core/v1 Container and EphemeralContainer (EphemeralContainerCommon is inlined). */
const container = struct({
  ports: mergeList("containerPort"),
  env: mergeList("name"),
  volumeMounts: mergeList("mountPath"),
  volumeDevices: mergeList("devicePath"),
});

/** A volume: the ephemeral volume's claim template carries ObjectMeta. */
const volume = struct({
  ephemeral: struct({ volumeClaimTemplate: struct({ metadata: objectMeta }) }),
});

export const podSpec = struct({
  volumes: mergeRetainList("name", volume),
  initContainers: mergeList("name", container),
  containers: mergeList("name", container),
  ephemeralContainers: mergeList("name", container),
  imagePullSecrets: mergeList("name"),
  hostAliases: mergeList("ip"),
  topologySpreadConstraints: mergeList("topologyKey"),
  schedulingGates: mergeList("name"),
  resourceClaims: mergeRetainList("name"),
});

const containerStatus = struct({
  volumeMounts: mergeList("mountPath"),
  allocatedResourcesStatus: mergeList("name"),
});

const podStatus = struct({
  conditions,
  initContainerStatuses: { schema: containerStatus, meta: { strategies: [], mergeKey: "" } },
  containerStatuses: { schema: containerStatus, meta: { strategies: [], mergeKey: "" } },
  ephemeralContainerStatuses: { schema: containerStatus, meta: { strategies: [], mergeKey: "" } },
  podIPs: mergeList("ip"),
  hostIPs: mergeList("ip"),
  resourceClaimStatuses: mergeRetainList("name"),
});

const podTemplateSpec = struct({ metadata: objectMeta, spec: podSpec });
const statusWithConditions = struct({ conditions });

const webhook = struct({ matchConditions: mergeList("name") });

/** A top-level kind: ObjectMeta plus the given fields. */
function kind(fields: Record<string, Field | Schema> = {}): Schema {
  return struct({ metadata: objectMeta, ...fields });
}

/** spec.template + status.conditions, the shape shared by the workload controllers. */
function workload(specFields: Record<string, Field | Schema> = {}): Schema {
  return kind({ spec: struct({ template: podTemplateSpec, ...specFields }), status: statusWithConditions });
}

const jobSpec = struct({ template: podTemplateSpec });

const deployment = kind({
  spec: struct({ template: podTemplateSpec, strategy: retainKeys() }),
  status: statusWithConditions,
});

// ------------------------------------------------------------------ kinds

/** Patch schemas by "group/Kind" (core group: "/Pod"); versions of a kind share one schema. */
const kinds: Record<string, Schema> = {
  "/Pod": kind({ spec: podSpec, status: podStatus }),
  "/PodTemplate": kind({ template: podTemplateSpec }),
  "/ReplicationController": workload(),
  "/Service": kind({
    spec: struct({ ports: mergeList("port") }),
    status: struct({ conditions }),
  }),
  "/Endpoints": kind(),
  "/Node": kind({
    spec: struct({ podCIDRs: mergePrimitives }),
    status: struct({ conditions, addresses: mergeList("type") }),
  }),
  "/Namespace": kind({ status: statusWithConditions }),
  "/Event": kind(),
  "/ConfigMap": kind(),
  "/Secret": kind(),
  "/ServiceAccount": kind({ secrets: mergeList("name") }),
  "/PersistentVolume": kind(),
  "/PersistentVolumeClaim": kind({ status: statusWithConditions }),
  "/ResourceQuota": kind(),
  "/LimitRange": kind(),
  "/ComponentStatus": kind({ conditions }),
  "/Binding": kind(),
  "apps/Deployment": deployment,
  "apps/ReplicaSet": workload(),
  "apps/StatefulSet": workload({
    volumeClaimTemplates: struct({ metadata: objectMeta, status: statusWithConditions }),
  }),
  "apps/DaemonSet": workload(),
  // extensions/v1beta1 (k8s.io/api/extensions/v1beta1, still compiled into kubectl 1.32): the same
  // tags as apps/v1 for the workloads it served until 1.16, and none on Ingress and NetworkPolicy.
  "extensions/Deployment": deployment,
  "extensions/ReplicaSet": workload(),
  "extensions/DaemonSet": workload(),
  "extensions/Ingress": kind(),
  "extensions/NetworkPolicy": kind(),
  "apps/ControllerRevision": kind(),
  "batch/Job": kind({ spec: jobSpec, status: statusWithConditions }),
  "batch/CronJob": kind({ spec: struct({ jobTemplate: struct({ metadata: objectMeta, spec: jobSpec }) }) }),
  "autoscaling/HorizontalPodAutoscaler": kind({ status: statusWithConditions }),
  "autoscaling/Scale": kind(),
  "policy/PodDisruptionBudget": kind({
    spec: struct({ selector: replaceStruct() }),
    status: statusWithConditions,
  }),
  "policy/Eviction": kind(),
  "networking.k8s.io/Ingress": kind(),
  "networking.k8s.io/IngressClass": kind(),
  "networking.k8s.io/NetworkPolicy": kind(),
  "discovery.k8s.io/EndpointSlice": kind(),
  "events.k8s.io/Event": kind(),
  "rbac.authorization.k8s.io/Role": kind(),
  "rbac.authorization.k8s.io/ClusterRole": kind(),
  "rbac.authorization.k8s.io/RoleBinding": kind(),
  "rbac.authorization.k8s.io/ClusterRoleBinding": kind(),
  "storage.k8s.io/StorageClass": kind(),
  "storage.k8s.io/VolumeAttachment": kind(),
  "storage.k8s.io/CSIDriver": kind(),
  "storage.k8s.io/CSINode": kind({ spec: struct({ drivers: mergeList("name") }) }),
  "storage.k8s.io/CSIStorageCapacity": kind(),
  "coordination.k8s.io/Lease": kind(),
  "scheduling.k8s.io/PriorityClass": kind(),
  "node.k8s.io/RuntimeClass": kind(),
  "certificates.k8s.io/CertificateSigningRequest": kind(),
  "admissionregistration.k8s.io/MutatingWebhookConfiguration": kind({ webhooks: mergeList("name", webhook) }),
  "admissionregistration.k8s.io/ValidatingWebhookConfiguration": kind({
    webhooks: mergeList("name", webhook),
  }),
  "admissionregistration.k8s.io/ValidatingAdmissionPolicy": kind({
    spec: struct({ matchConditions: mergeList("name"), variables: mergeList("name") }),
  }),
  "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding": kind(),
  "apiextensions.k8s.io/CustomResourceDefinition": kind(),
  "apiregistration.k8s.io/APIService": kind({ status: statusWithConditions }),
  "flowcontrol.apiserver.k8s.io/FlowSchema": kind({ status: statusWithConditions }),
  "flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration": kind({ status: statusWithConditions }),
};

/** The patch schema of a built-in kind, or undefined for kinds without Go types (custom resources). */
export function schemaFor(group: string, kindName: string): Schema | undefined {
  return kinds[`${group}/${kindName}`];
}
