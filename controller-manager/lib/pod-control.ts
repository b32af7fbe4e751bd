// Creating and deleting pods on behalf of a controller, with the events Kubernetes records
// (controller.RealPodControl): SuccessfulCreate "Created pod: x", FailedCreate "Error creating: ...",
// SuccessfulDelete "Deleted pod: x", FailedDelete "Error deleting: ...".
import type { Pod, PodTemplateSpec } from "kubernetes-types/core/v1";
import type { OwnerReference } from "kubernetes-types/meta/v1";
import {
  ApiError,
  type ApiObject,
  type EventRecorder,
  isNotFound,
  Pods,
  type RestClient,
} from "../../pkg/client/index.js";
import { podFromTemplate, podNamePrefix } from "./pod-template.js";

export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.status?.message ?? e.message;
  return e instanceof Error ? e.message : String(e);
}

/** A create refused because the namespace is being deleted: not the controller's failure. */
export function isNamespaceTerminating(e: unknown): boolean {
  return (
    e instanceof ApiError &&
    (e.status?.details?.causes ?? []).some((c) => c.reason === "NamespaceTerminating")
  );
}

export class PodControl {
  constructor(
    private readonly client: RestClient,
    private readonly recorder: EventRecorder,
  ) {}

  async createPod(
    namespace: string,
    template: PodTemplateSpec | undefined,
    owner: ApiObject,
    controllerRef: OwnerReference,
    name?: { name?: string; generateName?: string },
  ): Promise<Pod> {
    const pod = podFromTemplate(
      template,
      namespace,
      controllerRef,
      name ?? { generateName: podNamePrefix(owner.metadata?.name ?? "") },
    );
    if (Object.keys(pod.metadata?.labels ?? {}).length === 0)
      throw new Error("unable to create pods, no labels");
    try {
      const created = await this.client.resource(Pods, namespace).create(pod);
      this.recorder.event(owner, "Normal", "SuccessfulCreate", `Created pod: ${created.metadata?.name}`);
      return created;
    } catch (e) {
      if (!isNamespaceTerminating(e))
        this.recorder.event(owner, "Warning", "FailedCreate", `Error creating: ${errorMessage(e)}`);
      throw e;
    }
  }

  /** Deletes a pod; NotFound is rethrown (callers treat it as done) without an event. */
  async deletePod(namespace: string, name: string, owner: ApiObject): Promise<void> {
    try {
      await this.client.resource(Pods, namespace).delete(name);
    } catch (e) {
      if (isNotFound(e)) throw e;
      this.recorder.event(owner, "Warning", "FailedDelete", `Error deleting: ${errorMessage(e)}`);
      throw e;
    }
    this.recorder.event(owner, "Normal", "SuccessfulDelete", `Deleted pod: ${name}`);
  }
}

/**
 * controller.slowStartBatch: runs fn count times in batches of 1, 2, 4, ... and stops at the first
 * batch with an error, so that a create that will fail (quota, admission) fails once, not 500 times.
 */
export async function slowStartBatch(
  count: number,
  initialBatchSize: number,
  fn: () => Promise<unknown>,
): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    successes += batch - failed.length;
    if (failed.length > 0) return { successes, error: failed[0].reason };
    remaining -= batch;
  }
  return { successes };
}

export function podNameOr(pod: Pod): string {
  return pod.metadata?.name ?? "";
}
