// Pure decisions of the garbage collector (pkg/controller/garbagecollector): what to do with an
// object given the state of its owners (attemptToDeleteItem), and with an owner being deleted in the
// foreground or with orphaning (processDeletingDependentsItem, orphanDependents).
import type { ObjectMeta, OwnerReference } from "kubernetes-types/meta/v1";

export const FOREGROUND_FINALIZER = "foregroundDeletion";
export const ORPHAN_FINALIZER = "orphan";

/**
 * solid: exists and is not deleting its dependents; dangling: gone (or another object under that
 * name); waiting: being deleted in the foreground, so it waits for its dependents.
 */
export type OwnerState = "solid" | "dangling" | "waiting";

export interface ClassifiedOwner {
  ref: OwnerReference;
  state: OwnerState;
}

export type DeletionPolicy = "Foreground" | "Background" | "Orphan";

export type DependentAction =
  | { kind: "none" }
  | { kind: "removeOwnerRefs"; uids: string[] }
  | { kind: "delete"; policy: DeletionPolicy };

export function hasFinalizer(meta: ObjectMeta | undefined, f: string): boolean {
  return (meta?.finalizers ?? []).includes(f);
}

/** The state of an owner as seen in the graph (undefined = not there, after a live check). */
export function ownerState(owner: ObjectMeta | undefined, ref: OwnerReference): OwnerState {
  if (!owner || owner.uid !== ref.uid) return "dangling";
  if (owner.deletionTimestamp && hasFinalizer(owner, FOREGROUND_FINALIZER)) return "waiting";
  return "solid";
}

/**
 * attemptToDeleteItem: an object with ownerReferences. Any solid owner keeps it (references to
 * dangling or waiting owners are removed); with none left it is deleted, in the foreground when an
 * owner waits for it and it has dependents of its own, else as its own finalizers say (background).
 */
export function decideDependent(
  meta: ObjectMeta | undefined,
  owners: readonly ClassifiedOwner[],
  hasDependents: boolean,
): DependentAction {
  if (owners.length === 0 || meta?.deletionTimestamp) return { kind: "none" };
  const solid = owners.filter((o) => o.state === "solid");
  const waiting = owners.filter((o) => o.state === "waiting");
  if (solid.length > 0) {
    const stale = owners.filter((o) => o.state !== "solid").map((o) => o.ref.uid);
    return stale.length ? { kind: "removeOwnerRefs", uids: stale } : { kind: "none" };
  }
  if (waiting.length > 0 && hasDependents) return { kind: "delete", policy: "Foreground" };
  if (hasFinalizer(meta, ORPHAN_FINALIZER)) return { kind: "delete", policy: "Orphan" };
  if (hasFinalizer(meta, FOREGROUND_FINALIZER)) return { kind: "delete", policy: "Foreground" };
  return { kind: "delete", policy: "Background" };
}

export interface DependentInfo {
  uid: string;
  /** The dependent's reference to the owner in question. */
  ref: OwnerReference;
  deleting: boolean;
}

export type OwnerAction =
  | { kind: "none" }
  /** Orphan: take the owner out of these dependents' ownerReferences, then drop the finalizer. */
  | { kind: "orphan"; dependents: string[] }
  /** Foreground: dependents to delete (those not already going); the finalizer stays while any block. */
  | { kind: "deleteDependents"; dependents: string[] }
  | { kind: "removeFinalizer"; finalizer: string };

/** An owner being deleted with the orphan or foregroundDeletion finalizer. Orphaning comes first, as upstream. */
export function decideOwner(meta: ObjectMeta | undefined, dependents: readonly DependentInfo[]): OwnerAction {
  if (!meta?.deletionTimestamp) return { kind: "none" };
  if (hasFinalizer(meta, ORPHAN_FINALIZER)) {
    if (dependents.length > 0) return { kind: "orphan", dependents: dependents.map((d) => d.uid) };
    return { kind: "removeFinalizer", finalizer: ORPHAN_FINALIZER };
  }
  if (hasFinalizer(meta, FOREGROUND_FINALIZER)) {
    const toDelete = dependents.filter((d) => !d.deleting).map((d) => d.uid);
    if (toDelete.length > 0) return { kind: "deleteDependents", dependents: toDelete };
    if (dependents.some((d) => d.ref.blockOwnerDeletion === true)) return { kind: "none" };
    return { kind: "removeFinalizer", finalizer: FOREGROUND_FINALIZER };
  }
  return { kind: "none" };
}
