// ControllerRevisions, as StatefulSets and DaemonSets keep their template history
// (pkg/controller/history and the daemon controller's constructHistory): one revision per distinct pod
// template, named <owner>-<hash>, holding a strategic-merge patch that replaces the template (what
// `kubectl rollout undo` applies), numbered so that the live template always has the highest number.
// Pure; the controllers do the writes.
import type { ControllerRevision } from "kubernetes-types/apps/v1";
import type { PodTemplateSpec } from "kubernetes-types/core/v1";
import type { OwnerReference } from "kubernetes-types/meta/v1";
import { getControllerOf } from "../../pkg/api/meta.js";
import { computeHash, semanticEqual } from "./hash.js";

/** The pod template a revision records. */
export function templateOfRevision(r: ControllerRevision): PodTemplateSpec | undefined {
  const data = r.data as { spec?: { template?: PodTemplateSpec & { $patch?: string } } } | undefined;
  const t = structuredClone(data?.spec?.template);
  if (t) delete t.$patch;
  return t;
}

export interface RevisionOwner {
  metadata?: { name?: string; namespace?: string; uid?: string; annotations?: Record<string, string> };
  spec?: { template?: PodTemplateSpec };
}

/**
 * A new revision of the owner's current template (NewControllerRevision), labelled `hashLabel: hash`.
 * `withAnnotations`: copy the owner's annotations (the DaemonSet controller does, so that
 * `kubectl rollout history ds` shows kubernetes.io/change-cause).
 */
export function newRevision(
  owner: RevisionOwner,
  controllerRef: OwnerReference,
  revision: number,
  collisionCount: number | undefined,
  hashLabel: string,
  withAnnotations = false,
): ControllerRevision {
  const hash = computeHash(owner.spec?.template, collisionCount);
  return {
    apiVersion: "apps/v1",
    kind: "ControllerRevision",
    metadata: {
      name: `${owner.metadata?.name}-${hash}`,
      namespace: owner.metadata?.namespace,
      labels: { ...(owner.spec?.template?.metadata?.labels ?? {}), [hashLabel]: hash },
      ...(withAnnotations && owner.metadata?.annotations
        ? { annotations: { ...owner.metadata.annotations } }
        : {}),
      ownerReferences: [controllerRef],
    },
    data: { spec: { template: { ...structuredClone(owner.spec?.template ?? {}), $patch: "replace" } } },
    revision,
  };
}

/** The owner's revisions (controlled by it), oldest number first. */
export function ownedRevisions(
  owner: RevisionOwner,
  all: readonly ControllerRevision[],
): ControllerRevision[] {
  return all
    .filter((r) => getControllerOf(r)?.uid === owner.metadata?.uid)
    .sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
}

export const maxRevision = (revisions: readonly ControllerRevision[]): number =>
  revisions.reduce((m, r) => Math.max(m, r.revision ?? 0), 0);

/** The revision recording exactly this template, if any. */
export function findRevisionOf(
  template: PodTemplateSpec | undefined,
  revisions: readonly ControllerRevision[],
): ControllerRevision | undefined {
  return revisions.find((r) => semanticEqual(templateOfRevision(r), template));
}

/**
 * What to do so that the live template has a revision with the highest number: nothing, re-number an
 * existing one (a rollback to an old template), or create one.
 */
export function decideRevision(
  template: PodTemplateSpec | undefined,
  revisions: readonly ControllerRevision[],
): { existing?: ControllerRevision; renumberTo?: number; createAs?: number } {
  const max = maxRevision(revisions);
  const existing = findRevisionOf(template, revisions);
  if (!existing) return { createAs: max + 1 };
  if ((existing.revision ?? 0) < max) return { existing, renumberTo: max + 1 };
  return { existing };
}

/** Old revisions to delete: beyond `limit`, oldest first, never one in use (truncateHistory). */
export function revisionsToTruncate(
  revisions: readonly ControllerRevision[],
  inUse: ReadonlySet<string | undefined>,
  limit: number,
): ControllerRevision[] {
  const history = [...revisions]
    .sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0))
    .filter((r) => !inUse.has(r.metadata?.name));
  return history.slice(0, Math.max(0, history.length - limit));
}
