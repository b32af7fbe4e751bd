// Container garbage collection (upstream kuberuntime_gc.go with the kubelet's defaults: MinAge 0,
// MaxPerPodContainer 1, MaxContainers -1). A container that restarts leaves its exited predecessor behind on
// the engine; without collection a crash-looping pod (or a node restarted twenty times) piles up exited
// containers, their logs and writable layers for ever. Per pod and container name, the newest exited ones
// are kept (the newest gives `lastState` and `kubectl logs --previous`), the older ones are removed.
// Containers of pods that no longer exist are removed by the pod sync itself (removeOrphan). Pure.
import type { ContainerStatus, PodRuntimeStatus } from "./types.js";

export interface ContainerGCPolicy {
  /** Exited containers kept per (pod, container name) (upstream --maximum-dead-containers-per-container). */
  maxPerPodContainer: number;
  /** How long a container must have been exited before it may go (upstream --minimum-container-ttl-duration). */
  minAgeMs: number;
}

export const DEFAULT_CONTAINER_GC_POLICY: ContainerGCPolicy = { maxPerPodContainer: 1, minAgeMs: 0 };

/** The ids of the exited containers to remove, oldest beyond the policy's limit per (pod, container name). */
export function containersToCollect(
  pods: Iterable<PodRuntimeStatus>,
  now: number,
  policy: ContainerGCPolicy = DEFAULT_CONTAINER_GC_POLICY,
): string[] {
  const out: string[] = [];
  for (const pod of pods) {
    const exitedByName = new Map<string, ContainerStatus[]>();
    for (const c of pod.containers) {
      if (c.state !== "exited") continue;
      const list = exitedByName.get(c.name);
      if (list) list.push(c);
      else exitedByName.set(c.name, [c]);
    }
    for (const list of exitedByName.values()) {
      list.sort((a, b) => b.createdAt - a.createdAt);
      for (const c of list.slice(Math.max(0, policy.maxPerPodContainer))) {
        if (now - (c.finishedAt ?? c.createdAt) >= policy.minAgeMs) out.push(c.id);
      }
    }
  }
  return out;
}
