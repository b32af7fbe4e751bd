// A stand-in for the PersistentVolume controller (another helper's): every unbound claim gets a fresh
// hostPath PersistentVolume bound to it, as a dynamic provisioner with Immediate binding would do. Enough
// for StatefulSets' volumeClaimTemplates, whose pods the scheduler keeps Pending until their claims bind.
import type { PersistentVolume, PersistentVolumeClaim } from "kubernetes-types/core/v1";
import {
  InformerFactory,
  isAlreadyExists,
  isConflict,
  isNotFound,
  PersistentVolumeClaims,
  PersistentVolumes,
  type RestClient,
} from "../../../../pkg/client/index.js";

export async function startVolumeBinder(client: RestClient): Promise<{ stop(): void }> {
  const ac = new AbortController();
  const factory = new InformerFactory(client, { resyncMs: 0 });
  const claims = factory.informerFor(PersistentVolumeClaims);
  const inflight = new Set<string>();
  const bind = async (pvc: PersistentVolumeClaim) => {
    const uid = pvc.metadata?.uid ?? "";
    if (pvc.status?.phase === "Bound" || pvc.metadata?.deletionTimestamp || inflight.has(uid)) return;
    inflight.add(uid);
    const ns = pvc.metadata?.namespace ?? "default";
    const pvName = `pvc-${uid}`;
    try {
      const pv: PersistentVolume = {
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: {
          name: pvName,
          annotations: { "pv.kubernetes.io/provisioned-by": "tskube.io/test-binder" },
        },
        spec: {
          capacity: { storage: pvc.spec?.resources?.requests?.storage ?? "1Gi" },
          accessModes: pvc.spec?.accessModes ?? ["ReadWriteOnce"],
          persistentVolumeReclaimPolicy: "Delete",
          hostPath: { path: `/tmp/tskube-test-volumes/${pvName}` },
          claimRef: {
            apiVersion: "v1",
            kind: "PersistentVolumeClaim",
            namespace: ns,
            name: pvc.metadata?.name,
            uid,
          },
        },
      };
      await client
        .resource(PersistentVolumes)
        .create(pv)
        .catch((e) => {
          if (!isAlreadyExists(e)) throw e;
        });
      const rc = client.resource(PersistentVolumeClaims, ns);
      const bound = await rc.update({
        ...pvc,
        metadata: {
          ...pvc.metadata,
          annotations: { ...pvc.metadata?.annotations, "pv.kubernetes.io/bind-completed": "yes" },
        },
        spec: { ...pvc.spec, volumeName: pvName },
      });
      await rc.updateStatus({
        ...bound,
        status: { phase: "Bound", accessModes: pv.spec?.accessModes, capacity: pv.spec?.capacity },
      });
    } catch (e) {
      if (!isConflict(e) && !isNotFound(e) && !ac.signal.aborted) console.warn(`volume binder: ${String(e)}`);
    } finally {
      inflight.delete(uid);
    }
  };
  claims.addEventHandler({ onAdd: (c) => void bind(c), onUpdate: (_o, c) => void bind(c) });
  factory.start(ac.signal);
  return { stop: () => ac.abort() };
}
