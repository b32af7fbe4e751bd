// Object-metadata helpers every component needs (k8s.io/client-go/tools/cache keys,
// k8s.io/apimachinery/pkg/apis/meta/v1 owner references and conditions). Pure.
import type { ObjectMeta, OwnerReference } from "kubernetes-types/meta/v1.js";

/**
 * Any object with metadata: KubeObject, and also the typed objects of kubernetes-types (Pod,
 * ReplicaSet...), which have no index signature and so are not KubeObjects.
 */
export interface ObjectWithMeta {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/** The cache key of an object: `namespace/name`, or `name` for cluster-scoped objects. */
export function objectKey(obj: ObjectWithMeta): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? "";
  return ns ? `${ns}/${name}` : name;
}

export function keyOf(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** Split a key made by objectKey (cache.SplitMetaNamespaceKey). */
export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf("/");
  return slash < 0
    ? { namespace: "", name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** The owner reference marked controller: true, if any (metav1.GetControllerOf). */
export function getControllerOf(obj: ObjectWithMeta): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** Whether `owner` (by uid) is the controller of obj (metav1.IsControlledBy). */
export function isControlledBy(obj: ObjectWithMeta, owner: ObjectWithMeta): boolean {
  const ref = getControllerOf(obj);
  return ref !== undefined && owner.metadata?.uid !== undefined && ref.uid === owner.metadata.uid;
}

/** A controller owner reference to `owner` (metav1.NewControllerRef). */
export function newControllerRef(owner: ObjectWithMeta, apiVersion?: string, kind?: string): OwnerReference {
  return {
    apiVersion: apiVersion ?? owner.apiVersion ?? "",
    kind: kind ?? owner.kind ?? "",
    name: owner.metadata?.name ?? "",
    uid: owner.metadata?.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Whether obj is being deleted (deletionTimestamp set). */
export function isBeingDeleted(obj: ObjectWithMeta): boolean {
  return Boolean(obj.metadata?.deletionTimestamp);
}

export function hasFinalizer(obj: ObjectWithMeta, finalizer: string): boolean {
  return obj.metadata?.finalizers?.includes(finalizer) ?? false;
}

/** The shape every Kubernetes condition has (pod, node, deployment, job conditions...). */
export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  lastProbeTime?: string | null;
  lastHeartbeatTime?: string;
  observedGeneration?: number;
}

export function getCondition<C extends Condition>(
  conditions: readonly C[] | undefined,
  type: string,
): C | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return getCondition(conditions, type)?.status === "True";
}

/** Kubernetes' timestamp format: RFC 3339 with seconds, no fraction (`2024-01-02T03:04:05Z`). */
export function formatTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * A copy of conditions with `cond` set (meta.SetStatusCondition): lastTransitionTime changes only when
 * the status does; other fields are updated in place. Returns the same array when nothing changed, so
 * that callers can skip a no-op status write.
 */
export function setCondition<C extends Condition>(
  conditions: readonly C[] | undefined,
  cond: C,
  now: Date,
): C[] {
  const list = conditions ? [...conditions] : [];
  const i = list.findIndex((c) => c.type === cond.type);
  if (i < 0) {
    list.push({ ...cond, lastTransitionTime: cond.lastTransitionTime ?? formatTime(now) });
    return list;
  }
  const old = list[i];
  const transition = old.status !== cond.status;
  const next: C = {
    ...old,
    ...cond,
    lastTransitionTime: transition ? (cond.lastTransitionTime ?? formatTime(now)) : old.lastTransitionTime,
  };
  if (JSON.stringify(next) === JSON.stringify(old)) return conditions as C[];
  list[i] = next;
  return list;
}

export function removeCondition<C extends Condition>(
  conditions: readonly C[] | undefined,
  type: string,
): C[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

/**
 * conditions with `cond` set the way the workload controllers set theirs (SetDeploymentCondition,
 * SetReplicaSetCondition...), which differs from setCondition: same status and reason leaves the old
 * condition untouched (message and times included); same status, other reason keeps its
 * lastTransitionTime; the condition moves to the end. Returns the same array when nothing changed.
 */
export function setWorkloadCondition<C extends Condition>(
  conditions: readonly C[] | undefined,
  cond: C,
): C[] {
  const list = conditions ? [...conditions] : [];
  const cur = list.find((c) => c.type === cond.type);
  if (cur && cur.status === cond.status && cur.reason === cond.reason) return conditions as C[];
  const next = { ...cond };
  if (cur && cur.status === cond.status && cur.lastTransitionTime)
    next.lastTransitionTime = cur.lastTransitionTime;
  return [...list.filter((c) => c.type !== cond.type), next];
}

/** ownerReferences with this controller reference added, replacing any other reference to the same owner. */
export function withControllerRef(
  refs: readonly OwnerReference[] | undefined,
  ref: OwnerReference,
): OwnerReference[] {
  return [...(refs ?? []).filter((r) => r.uid !== ref.uid), ref];
}

/** ownerReferences without the ones pointing at uid. */
export function withoutOwner(refs: readonly OwnerReference[] | undefined, uid: string): OwnerReference[] {
  return (refs ?? []).filter((r) => r.uid !== uid);
}
