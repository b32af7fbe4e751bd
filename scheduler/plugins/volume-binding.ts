// VolumeBinding (the part that needs no provisioner): every PVC the pod uses must exist and, when bound,
// its PersistentVolume's required node affinity must match the node. Unbound claims with Immediate
// binding keep the pod pending; WaitForFirstConsumer claims are left to the PV controller.

import type { NodeSelector } from "kubernetes-types/core/v1";
import type { NodeInfo, PodInfo } from "../framework/nodeinfo.js";
import {
  type CycleState,
  type FilterPlugin,
  type PreFilterPlugin,
  type PreFilterResult,
  type Snapshot,
  type Status,
  unresolvable,
} from "../framework/types.js";
import { nodeSelectorMatches } from "./helpers.js";

export const ERR_REASON_NODE_CONFLICT = "node(s) had volume node affinity conflict";
export const ERR_REASON_UNBOUND_IMMEDIATE = "pod has unbound immediate PersistentVolumeClaims";

export class VolumeBinding implements PreFilterPlugin, FilterPlugin {
  readonly name = "VolumeBinding";

  preFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): PreFilterResult | null {
    const claims = (pod.pod.spec?.volumes ?? [])
      .filter((v) => v.persistentVolumeClaim)
      .map((v) => v.persistentVolumeClaim!.claimName);
    if (claims.length === 0 || !snapshot.volumes) {
      state.skipFilter.add(this.name);
      return null;
    }
    const affinities: NodeSelector[] = [];
    for (const name of claims) {
      const pvc = snapshot.volumes.claim(pod.namespace, name);
      if (!pvc) return { status: unresolvable(`persistentvolumeclaim "${name}" not found`) };
      if (pvc.metadata?.deletionTimestamp) {
        return { status: unresolvable(`persistentvolumeclaim "${name}" is being deleted`) };
      }
      const pvName = pvc.spec?.volumeName;
      if (!pvName) {
        // Without the StorageClass we cannot tell WaitForFirstConsumer; an unbound claim whose class is
        // unset or Immediate waits for the PV controller.
        if (pvc.metadata?.annotations?.["volume.kubernetes.io/selected-node"] === undefined) {
          return { status: unresolvable(ERR_REASON_UNBOUND_IMMEDIATE) };
        }
        continue;
      }
      const pv = snapshot.volumes.volume(pvName);
      const req = pv?.spec?.nodeAffinity?.required;
      if (req) affinities.push(req);
    }
    if (affinities.length === 0) state.skipFilter.add(this.name);
    else state.write(this.name, affinities);
    return null;
  }

  filter(state: CycleState, _pod: PodInfo, node: NodeInfo): Status | null {
    const affinities = state.read<NodeSelector[]>(this.name);
    if (!affinities) return null;
    for (const a of affinities)
      if (!nodeSelectorMatches(a, node)) return unresolvable(ERR_REASON_NODE_CONFLICT);
    return null;
  }
}
