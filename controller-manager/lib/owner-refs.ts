// Owner references, as Kubernetes' metav1.GetControllerOf / NewControllerRef: which object controls
// another, and the reference a controller puts on what it creates.
import type { ObjectMeta, OwnerReference } from "kubernetes-types/meta/v1";

export interface OwnerLike {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/** The kind a controller stamps into the ownerReferences of what it creates. */
export interface GroupVersionKind {
  apiVersion: string;
  kind: string;
}

/** The one ownerReference with controller: true, if any. */
export function getControllerOf(obj: OwnerLike): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

export function isControlledBy(obj: OwnerLike, owner: OwnerLike): boolean {
  const ref = getControllerOf(obj);
  return ref !== undefined && ref.uid === owner.metadata?.uid;
}

/** A controllerRef with blockOwnerDeletion, as NewControllerRef. */
export function newControllerRef(owner: OwnerLike, gvk: GroupVersionKind): OwnerReference {
  return {
    apiVersion: gvk.apiVersion,
    kind: gvk.kind,
    name: owner.metadata?.name ?? "",
    uid: owner.metadata?.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** ownerReferences with this controllerRef added (or the owner's existing one replaced). */
export function withControllerRef(
  refs: readonly OwnerReference[] | undefined,
  ref: OwnerReference,
): OwnerReference[] {
  return [...(refs ?? []).filter((r) => r.uid !== ref.uid), ref];
}

/** ownerReferences without the one pointing at uid. */
export function withoutOwner(refs: readonly OwnerReference[] | undefined, uid: string): OwnerReference[] {
  return (refs ?? []).filter((r) => r.uid !== uid);
}
