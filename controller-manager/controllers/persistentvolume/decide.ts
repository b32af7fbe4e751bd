// Pure decisions of the PersistentVolume binder (pkg/controller/volume/persistentvolume) and of the
// hostPath provisioner behind the default StorageClass: which volume a claim gets, what a volume's
// phase is, and the volume provisioned for a claim.
import type { PersistentVolume, PersistentVolumeClaim } from "kubernetes-types/core/v1";
import type { StorageClass } from "kubernetes-types/storage/v1";
import { labelSelectorAsSelector, matches } from "../../../pkg/api/labels.js";
import { tryParseQuantity } from "../../../pkg/api/quantity.js";

export const PROVISIONER = "tskube.io/hostpath";
export const DEFAULT_CLASS_NAME = "standard";
export const VOLUME_ROOT = "/var/lib/tskube/volumes";
export const IS_DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class";
export const ANN_BIND_COMPLETED = "pv.kubernetes.io/bind-completed";
export const ANN_BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller";
export const ANN_PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";
export const ANN_STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner";
export const ANN_BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner";

export function defaultStorageClass(): StorageClass {
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: DEFAULT_CLASS_NAME, annotations: { [IS_DEFAULT_CLASS]: "true" } },
    provisioner: PROVISIONER,
    reclaimPolicy: "Delete",
    volumeBindingMode: "Immediate",
  };
}

/** The default class (GetDefaultClass: of several, the newest). */
export function findDefaultClass(classes: readonly StorageClass[]): StorageClass | undefined {
  const defaults = classes.filter((c) => c.metadata?.annotations?.[IS_DEFAULT_CLASS] === "true");
  defaults.sort((a, b) =>
    (b.metadata?.creationTimestamp ?? "").localeCompare(a.metadata?.creationTimestamp ?? ""),
  );
  return defaults[0];
}

/** The claim's class: its own, or the default one when it names none (retroactive default class). */
export function claimClass(claim: PersistentVolumeClaim, defaultClass: string | undefined): string {
  const c = claim.spec?.storageClassName;
  if (c === undefined || c === null) return defaultClass ?? "";
  return c;
}

function bytes(q: string | undefined): number {
  return q ? (tryParseQuantity(q)?.asApproximateFloat64() ?? 0) : 0;
}

export function requestedBytes(claim: PersistentVolumeClaim): number {
  return bytes(claim.spec?.resources?.requests?.storage);
}

export function capacityBytes(pv: PersistentVolume): number {
  return bytes(pv.spec?.capacity?.storage);
}

/** The claim a volume's claimRef points at, by namespace/name and (when set) uid. */
export function claimRefMatches(pv: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const r = pv.spec?.claimRef;
  if (!r || r.name !== claim.metadata?.name || r.namespace !== claim.metadata?.namespace) return false;
  return !r.uid || r.uid === claim.metadata?.uid;
}

/**
 * findBestMatchForClaim: a volume pre-bound to the claim, else the smallest available volume of the
 * claim's class with enough capacity, every requested access mode, the same volume mode and labels
 * matching the claim's selector.
 */
export function findBestMatch(
  claim: PersistentVolumeClaim,
  volumes: readonly PersistentVolume[],
  className: string,
): PersistentVolume | undefined {
  const want = requestedBytes(claim);
  const modes = claim.spec?.accessModes ?? [];
  const mode = claim.spec?.volumeMode ?? "Filesystem";
  let selector: ReturnType<typeof labelSelectorAsSelector> | undefined;
  try {
    selector = claim.spec?.selector ? labelSelectorAsSelector(claim.spec.selector) : undefined;
  } catch {
    return undefined;
  }
  let best: PersistentVolume | undefined;
  for (const pv of volumes) {
    if (pv.metadata?.deletionTimestamp) continue;
    const preBound = claimRefMatches(pv, claim);
    if (pv.spec?.claimRef && !preBound) continue;
    if ((pv.spec?.storageClassName ?? "") !== className) continue;
    if ((pv.spec?.volumeMode ?? "Filesystem") !== mode) continue;
    if (capacityBytes(pv) < want) continue;
    const pvModes = pv.spec?.accessModes ?? [];
    if (!modes.every((m) => pvModes.includes(m))) continue;
    if (selector && !matches(selector, pv.metadata?.labels)) continue;
    if (preBound) return pv;
    if (!best || capacityBytes(pv) < capacityBytes(best)) best = pv;
  }
  return best;
}

export type VolumePhase = "Available" | "Bound" | "Released" | "Failed" | "Pending";

/**
 * syncVolume: Available without a claimRef (or pre-bound to a claim not yet there), Bound while its
 * claim points back, Released once the claim it was bound to is gone.
 */
export function volumePhase(pv: PersistentVolume, claim: PersistentVolumeClaim | undefined): VolumePhase {
  const ref = pv.spec?.claimRef;
  if (!ref) return "Available";
  if (!claim || (ref.uid && ref.uid !== claim.metadata?.uid)) {
    // A claimRef without uid is a user's pre-binding to a claim that may still come.
    return ref.uid ? "Released" : "Available";
  }
  if (claim.spec?.volumeName === pv.metadata?.name) return "Bound";
  return pv.status?.phase === "Bound" ? "Bound" : "Available";
}

export type ReclaimAction = "none" | "delete" | "fail";

/** What to do with a Released volume (reclaimVolume). Only volumes we provisioned can be deleted. */
export function reclaimAction(pv: PersistentVolume): ReclaimAction {
  const policy = pv.spec?.persistentVolumeReclaimPolicy ?? "Retain";
  if (policy === "Retain") return "none";
  if (policy === "Delete")
    return pv.metadata?.annotations?.[ANN_PROVISIONED_BY] === PROVISIONER ? "delete" : "fail";
  return "fail";
}

/** The name a provisioned volume gets (as external provisioners name them). */
export function provisionedName(claim: PersistentVolumeClaim): string {
  return `pvc-${claim.metadata?.uid}`;
}

/** The hostPath volume provisioned for a claim, pre-bound to it. */
export function provisionedVolume(claim: PersistentVolumeClaim, sc: StorageClass): PersistentVolume {
  const name = provisionedName(claim);
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name, annotations: { [ANN_PROVISIONED_BY]: PROVISIONER } },
    spec: {
      capacity: { storage: claim.spec?.resources?.requests?.storage ?? "1Gi" },
      accessModes: claim.spec?.accessModes?.length ? claim.spec.accessModes : ["ReadWriteOnce"],
      persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? "Delete",
      storageClassName: sc.metadata?.name,
      volumeMode: claim.spec?.volumeMode ?? "Filesystem",
      hostPath: { path: `${VOLUME_ROOT}/${name}`, type: "DirectoryOrCreate" },
      claimRef: {
        kind: "PersistentVolumeClaim",
        apiVersion: "v1",
        namespace: claim.metadata?.namespace,
        name: claim.metadata?.name,
        uid: claim.metadata?.uid,
      },
      ...(sc.mountOptions ? { mountOptions: sc.mountOptions } : {}),
    },
  };
}
