// pods/eviction honouring PodDisruptionBudgets (pkg/registry/core/pod/storage/eviction.go): a pod whose
// budget allows no disruption is refused with 429 TooManyRequests and the budget's figures, which
// `kubectl drain` prints and retries; an allowed eviction takes one disruption from the budget's status
// (compare-and-swap on its revision, recording the pod in disruptedPods) before the pod is deleted.
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1";
import type { StoredObject } from "../../pkg/api/types.js";
import { labelSelectorMatches } from "../standins/selectors.js";
import { type ApiError, failure } from "./status.js";

/** Pods that need no budget: not running yet, finished, or already being deleted. */
export function canIgnorePDB(pod: StoredObject): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return (
    phase === "Succeeded" || phase === "Failed" || phase === "Pending" || !!pod.metadata.deletionTimestamp
  );
}

function tooMany(cause: string): ApiError {
  const err = failure(
    429,
    "TooManyRequests",
    "Cannot evict pod as it would violate the pod's disruption budget.",
  );
  err.status.details = { causes: [{ reason: "DisruptionBudget", message: cause }] };
  return err;
}

export type EvictionDecision =
  | { kind: "delete" }
  | { kind: "refuse"; error: ApiError }
  | { kind: "take"; pdb: PodDisruptionBudget };

function scaled(v: number | string | undefined, total: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "number") return v;
  const m = /^(\d+)%$/.exec(v);
  return m ? Math.ceil((Number(m[1]) * total) / 100) : undefined;
}

function ready(p: StoredObject): boolean {
  const conds =
    (p.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
  return conds.some((c) => c.type === "Ready" && c.status === "True");
}

/**
 * A budget's status computed from the pods it selects, as the disruption controller would (expected
 * pods = the selected live pods; the controller uses their owners' scale). Used when no controller has
 * observed the budget's generation, so that evictions are decided on figures rather than refused forever.
 */
export function computeBudgetStatus(
  pdb: PodDisruptionBudget,
  namespacePods: StoredObject[],
): NonNullable<PodDisruptionBudget["status"]> {
  const pods = namespacePods.filter(
    (p) =>
      labelSelectorMatches(pdb.spec?.selector, p.metadata.labels) &&
      !p.metadata.deletionTimestamp &&
      !canIgnorePDB(p),
  );
  const expected = pods.length;
  const healthy = pods.filter(ready).length;
  const minAvailable = scaled(pdb.spec?.minAvailable, expected);
  const maxUnavailable = scaled(pdb.spec?.maxUnavailable, expected);
  const desired =
    minAvailable ?? (maxUnavailable !== undefined ? Math.max(0, expected - maxUnavailable) : expected);
  return {
    ...(pdb.status ?? {}),
    observedGeneration: pdb.metadata?.generation ?? 0,
    expectedPods: expected,
    currentHealthy: healthy,
    desiredHealthy: desired,
    disruptionsAllowed: Math.max(0, healthy - desired),
  };
}

/** What evicting `pod` means given its namespace's budgets; `now` stamps disruptedPods. */
export function decideEviction(pod: StoredObject, pdbs: PodDisruptionBudget[], now: Date): EvictionDecision {
  if (canIgnorePDB(pod)) return { kind: "delete" };
  const matching = pdbs.filter((p) => labelSelectorMatches(p.spec?.selector, pod.metadata.labels));
  if (matching.length === 0) return { kind: "delete" };
  if (matching.length > 1) {
    return {
      kind: "refuse",
      error: failure(
        500,
        "InternalError",
        "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
      ),
    };
  }
  const pdb = structuredClone(matching[0] as PodDisruptionBudget);
  const name = pdb.metadata?.name ?? "";
  const st = pdb.status;
  if (!st || (st.observedGeneration ?? 0) < (pdb.metadata?.generation ?? 0)) {
    return {
      kind: "refuse",
      error: tooMany(`The disruption budget ${name} is still being processed by the server.`),
    };
  }
  if (st.disruptionsAllowed < 0) {
    return { kind: "refuse", error: failure(403, "Forbidden", "pdb disruptions allowed is negative") };
  }
  if (Object.keys(st.disruptedPods ?? {}).length > 2000) {
    return {
      kind: "refuse",
      error: failure(
        403,
        "Forbidden",
        "DisruptedPods map too big - too many evictions not confirmed by PDB controller",
      ),
    };
  }
  if (st.disruptionsAllowed === 0) {
    return {
      kind: "refuse",
      error: tooMany(
        `The disruption budget ${name} needs ${st.desiredHealthy} healthy pods and has ${st.currentHealthy} currently`,
      ),
    };
  }
  st.disruptionsAllowed -= 1;
  st.disruptedPods = {
    ...(st.disruptedPods ?? {}),
    [pod.metadata.name]: now.toISOString().replace(/\.\d{3}Z$/, "Z"),
  };
  return { kind: "take", pdb };
}
