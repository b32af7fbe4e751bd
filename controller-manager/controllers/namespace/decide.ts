// Pure parts of namespace deletion (pkg/controller/namespace/deletion): the five deletion conditions
// upstream keeps on a Terminating namespace, with its reasons and messages, and the finalizer step.
import type { NamespaceCondition } from "kubernetes-types/core/v1";

export const KUBERNETES_FINALIZER = "kubernetes";

/** What one pass over the namespace's content found. */
export interface DeletionResult {
  discoveryError?: string;
  /** Resources whose deletion failed, with the error. */
  deleteErrors: string[];
  /** "pods." / "deployments.apps" → how many objects are left. */
  remaining: Map<string, number>;
  /** finalizer → in how many remaining objects. */
  finalizers: Map<string, number>;
}

interface CondSpec {
  type: string;
  okReason: string;
  okMessage: string;
  failReason: string;
  failMessage(r: DeletionResult): string | undefined;
}

const CONDITIONS: CondSpec[] = [
  {
    type: "NamespaceDeletionDiscoveryFailure",
    okReason: "ResourcesDiscovered",
    okMessage: "All resources successfully discovered",
    failReason: "DiscoveryFailed",
    failMessage: (r) =>
      r.discoveryError ? `Discovery failed for some groups: ${r.discoveryError}` : undefined,
  },
  {
    type: "NamespaceDeletionGroupVersionParsingFailure",
    okReason: "ParsedGroupVersions",
    okMessage: "All legacy kube types successfully parsed",
    failReason: "GroupVersionParsingFailed",
    failMessage: () => undefined,
  },
  {
    type: "NamespaceDeletionContentFailure",
    okReason: "ContentDeleted",
    okMessage: "All content successfully deleted, may be waiting on finalization",
    failReason: "ContentDeletionFailed",
    failMessage: (r) =>
      r.deleteErrors.length
        ? `Failed to delete all resource types, ${r.deleteErrors.length} remaining: ${r.deleteErrors.join(", ")}`
        : undefined,
  },
  {
    type: "NamespaceContentRemaining",
    okReason: "ContentRemoved",
    okMessage: "All content successfully removed",
    failReason: "SomeResourcesRemain",
    failMessage: (r) =>
      r.remaining.size
        ? `Some resources are remaining: ${[...r.remaining]
            .map(([res, n]) => `${res} has ${n} resource instances`)
            .sort()
            .join(", ")}`
        : undefined,
  },
  {
    type: "NamespaceFinalizersRemaining",
    okReason: "ContentHasNoFinalizers",
    okMessage: "All content-preserving finalizers finished",
    failReason: "SomeFinalizersRemain",
    failMessage: (r) =>
      r.finalizers.size
        ? `Some content in the namespace has finalizers remaining: ${[...r.finalizers]
            .map(([f, n]) => `${f} in ${n} resource instances`)
            .sort()
            .join(", ")}`
        : undefined,
  },
];

/**
 * The namespace's conditions after a pass (updateNamespaceStatusFunc + conditionUpdater): each of the
 * five set True with its failure or False with its ok reason; a condition whose status, reason and
 * message are unchanged keeps its transition time. Other conditions are kept.
 */
export function deletionConditions(
  current: readonly NamespaceCondition[] | undefined,
  r: DeletionResult,
  now: string,
): NamespaceCondition[] {
  const byType = new Map((current ?? []).map((c) => [c.type, c]));
  const ours = new Set(CONDITIONS.map((c) => c.type));
  const out: NamespaceCondition[] = (current ?? []).filter((c) => !ours.has(c.type));
  for (const spec of CONDITIONS) {
    const fail = spec.failMessage(r);
    const next: NamespaceCondition = fail
      ? { type: spec.type, status: "True", reason: spec.failReason, message: fail, lastTransitionTime: now }
      : {
          type: spec.type,
          status: "False",
          reason: spec.okReason,
          message: spec.okMessage,
          lastTransitionTime: now,
        };
    const cur = byType.get(spec.type);
    if (cur && cur.status === next.status && cur.reason === next.reason && cur.message === next.message)
      out.push(cur);
    else out.push(next);
  }
  return out;
}

export function conditionsEqual(
  a: readonly NamespaceCondition[] | undefined,
  b: readonly NamespaceCondition[],
): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b);
}

/** "pods." for the core group, "deployments.apps" otherwise (a GroupResource's String). */
export function groupResource(group: string, resource: string): string {
  return `${resource}.${group}`;
}

/** Whether the pass left nothing behind, so the `kubernetes` finalizer may go. */
export function contentGone(r: DeletionResult): boolean {
  return !r.discoveryError && r.deleteErrors.length === 0 && r.remaining.size === 0;
}
