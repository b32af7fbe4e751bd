// The status manager: writes a pod's status to the apiserver only when it differs from what is there (or
// was last sent), as a merge patch of pods/status that removes the fields the kubelet no longer reports.
import type { Pod, PodStatus } from "kubernetes-types/core/v1";
import { isConflict, isNotFound, Pods, type RestClient } from "../../pkg/client/index.js";
import type { Logger } from "../../pkg/util/log.js";
import { stableStringify } from "../pod/hash.js";

/** The merge patch turning `old` into `next` at the top level of status (absent keys become null). */
export function statusPatch(old: PodStatus | undefined, next: PodStatus): Record<string, unknown> {
  const patch: Record<string, unknown> = { ...next };
  for (const k of Object.keys(old ?? {})) {
    if (!(k in next)) patch[k] = null;
  }
  return patch;
}

/**
 * A write about a pod was refused because its name now belongs to another pod (a StatefulSet pod
 * recreated under the same name): the uid precondition failed, so the pod this kubelet knew is gone.
 */
export function isOtherPodWithSameName(e: unknown): boolean {
  return isConflict(e) && /UID in precondition/i.test((e as Error).message ?? "");
}

export class StatusManager {
  private sent = new Map<string, string>();
  /** the latest status per pod uid (what the kubelet server's /pods shows) */
  readonly statuses = new Map<string, PodStatus>();

  constructor(
    private client: RestClient | undefined,
    private log: Logger,
  ) {}

  async setPodStatus(pod: Pod, status: PodStatus, mirrored: boolean): Promise<void> {
    const uid = pod.metadata?.uid ?? "";
    this.statuses.set(uid, status);
    if (!this.client || !mirrored) return;
    const next = stableStringify(status);
    if (this.sent.get(uid) === next || stableStringify(pod.status ?? {}) === next) {
      this.sent.set(uid, next);
      return;
    }
    try {
      await this.client
        .resource(Pods, pod.metadata?.namespace)
        .patch(
          pod.metadata?.name ?? "",
          { metadata: { uid }, status: statusPatch(pod.status, status) },
          "merge",
          {
            subresource: "status",
          },
        );
      this.sent.set(uid, next);
    } catch (e) {
      // Gone, or its name taken by a new pod (uid precondition): nothing of this pod is left to update.
      if (isNotFound(e) || isOtherPodWithSameName(e)) return;
      this.log.warn(
        { pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, err: (e as Error).message },
        "Failed to update status for pod",
      );
      throw e;
    }
  }

  /** The status last written for a pod (stableStringify'd), or known to be there already. */
  lastSent(uid: string): string | undefined {
    return this.sent.get(uid);
  }

  forget(uid: string): void {
    this.sent.delete(uid);
    this.statuses.delete(uid);
  }
}
