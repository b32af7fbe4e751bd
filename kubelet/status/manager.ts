// The status manager: writes a pod's status to the apiserver only when it differs from what is there (or
// was last sent), as a merge patch of pods/status that removes the fields the kubelet no longer reports.
import type { Pod, PodStatus } from "kubernetes-types/core/v1";
import { isNotFound, Pods, type RestClient } from "../../pkg/client/index.js";
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
      if (isNotFound(e)) return;
      this.log.warn(
        { pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, err: (e as Error).message },
        "Failed to update status for pod",
      );
      throw e;
    }
  }

  forget(uid: string): void {
    this.sent.delete(uid);
    this.statuses.delete(uid);
  }
}
