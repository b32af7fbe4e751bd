// The PersistentVolume binder (kube-controller-manager's `persistentvolume-binder`) with a built-in
// hostPath provisioner for the default StorageClass `standard` (created when missing). Claims are
// bound to the best matching available volume or get a provisioned one under
// /var/lib/tskube/volumes/<pv-name> (the kubelet creates the directory when it mounts it); volumes
// whose claim is gone are Released and reclaimed as their policy says.
import { rm } from "node:fs/promises";
import type { PersistentVolume, PersistentVolumeClaim } from "kubernetes-types/core/v1";
import type { StorageClass } from "kubernetes-types/storage/v1";
import {
  isAlreadyExists,
  isConflict,
  isNotFound,
  metaNamespaceKey,
  objectOf,
  PersistentVolumeClaims,
  PersistentVolumes,
  resourceRef,
  type SharedInformer,
  WorkQueue,
} from "../../../pkg/client/index.js";
import type { ReconcileResult } from "../../../pkg/client/workqueue.js";
import type { ControllerContext } from "../../context.js";
import { runLoop } from "../../lib/run.js";
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_STORAGE_PROVISIONER,
  claimClass,
  claimRefMatches,
  DEFAULT_CLASS_NAME,
  defaultStorageClass,
  findBestMatch,
  findDefaultClass,
  PROVISIONER,
  provisionedVolume,
  reclaimAction,
  VOLUME_ROOT,
  volumePhase,
} from "./decide.js";

export const StorageClasses = resourceRef<StorageClass>(
  "storage.k8s.io/v1",
  "storageclasses",
  "StorageClass",
  false,
);

const CLAIM = "claim:";
const VOLUME = "volume:";
const withKind = <T extends object>(obj: T, kind: string): T => ({ apiVersion: "v1", kind, ...obj });

export class PersistentVolumeController {
  readonly queue = new WorkQueue<string>({ name: "persistentvolume" });
  readonly volumes: SharedInformer<PersistentVolume>;
  readonly claims: SharedInformer<PersistentVolumeClaim>;
  readonly classes: SharedInformer<StorageClass>;
  private readonly recorder;
  private readonly log;
  private classEnsured = false;

  constructor(private readonly ctx: ControllerContext) {
    this.log = ctx.log.child({ controller: "persistentvolume-binder" });
    this.recorder = ctx.events.newRecorder({ component: "persistentvolume-controller" });
    this.volumes = ctx.factory.informerFor(PersistentVolumes);
    this.claims = ctx.factory.informerFor(PersistentVolumeClaims);
    this.classes = ctx.factory.informerFor(StorageClasses);
    const claimChanged = (c: PersistentVolumeClaim) => this.queue.add(CLAIM + metaNamespaceKey(c));
    const volumeChanged = (v: PersistentVolume) => {
      this.queue.add(VOLUME + metaNamespaceKey(v));
      const r = v.spec?.claimRef;
      if (r?.name) this.queue.add(`${CLAIM}${r.namespace}/${r.name}`);
    };
    this.claims.addEventHandler({
      onAdd: claimChanged,
      onUpdate: (_o, c) => claimChanged(c),
      onDelete: (c) => {
        // Its volume is now Released.
        const name = objectOf(c).spec?.volumeName;
        if (name) this.queue.add(VOLUME + name);
        for (const v of this.volumes.store.list())
          if (claimRefMatches(v, objectOf(c))) this.queue.add(VOLUME + metaNamespaceKey(v));
      },
    });
    this.volumes.addEventHandler({
      onAdd: volumeChanged,
      onUpdate: (_o, v) => volumeChanged(v),
      // A volume that goes may free a claim to bind elsewhere... or make it Lost.
      onDelete: (v) => volumeChanged(objectOf(v)),
    });
    this.classes.addEventHandler({
      onAdd: () => this.requeueUnboundClaims(),
      onDelete: () => this.queue.add("class"),
    });
    this.queue.add("class");
  }

  run(): () => Promise<void> {
    return runLoop(
      this.ctx,
      "persistentvolume-binder",
      this.queue,
      [this.volumes, this.claims, this.classes],
      (k) => this.sync(k),
    );
  }

  private requeueUnboundClaims(): void {
    for (const c of this.claims.store.list())
      if (!c.spec?.volumeName) this.queue.add(CLAIM + metaNamespaceKey(c));
  }

  async sync(key: string): Promise<ReconcileResult> {
    if (key === "class") return this.ensureDefaultClass();
    if (key.startsWith(CLAIM)) return this.syncClaim(key.slice(CLAIM.length));
    if (key.startsWith(VOLUME)) return this.syncVolume(key.slice(VOLUME.length));
  }

  /** The default StorageClass `standard`, created once if the cluster has no class of that name. */
  private async ensureDefaultClass(): Promise<ReconcileResult> {
    if (this.classes.store.getByKey(DEFAULT_CLASS_NAME)) return;
    if (this.classEnsured && findDefaultClass(this.classes.store.list())) return;
    try {
      await this.ctx.client.resource(StorageClasses).create(defaultStorageClass());
      this.log.info({ storageClass: DEFAULT_CLASS_NAME }, "created the default StorageClass");
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
    this.classEnsured = true;
  }

  private async updateClaimStatus(
    claim: PersistentVolumeClaim,
    status: PersistentVolumeClaim["status"],
  ): Promise<void> {
    if (JSON.stringify(claim.status ?? {}) === JSON.stringify(status ?? {})) return;
    await this.ctx.client
      .resource(PersistentVolumeClaims, claim.metadata?.namespace)
      .updateStatus({ ...structuredClone(claim), status });
  }

  private async syncClaim(key: string): Promise<ReconcileResult> {
    const claim = this.claims.store.getByKey(key);
    if (!claim || claim.metadata?.deletionTimestamp) return;
    const volumeName = claim.spec?.volumeName;
    if (volumeName) {
      const pv = this.volumes.store.getByKey(volumeName);
      if (!pv) {
        if (claim.status?.phase === "Bound") {
          this.recorder.event(
            withKind(claim, "PersistentVolumeClaim"),
            "Warning",
            "ClaimLost",
            "Bound claim has lost its PersistentVolume. Data on the volume is lost!",
          );
          await this.updateClaimStatus(claim, { ...claim.status, phase: "Lost" });
        }
        return;
      }
      if (pv.spec?.claimRef && !claimRefMatches(pv, claim)) {
        if (claim.status?.phase === "Bound") {
          this.recorder.event(
            withKind(claim, "PersistentVolumeClaim"),
            "Warning",
            "ClaimMisbound",
            "Two claims are bound to the same volume, this one is bound incorrectly",
          );
          await this.updateClaimStatus(claim, { ...claim.status, phase: "Lost" });
        }
        return;
      }
      await this.bind(claim, pv);
      return;
    }
    const classes = this.classes.store.list();
    const defaultClass = findDefaultClass(classes)?.metadata?.name;
    const className = claimClass(claim, defaultClass);
    const match = findBestMatch(claim, this.volumes.store.list(), className);
    if (match) {
      await this.bind(claim, match);
      return;
    }
    const sc = className ? this.classes.store.getByKey(className) : undefined;
    if (sc?.provisioner === PROVISIONER) {
      await this.provision(claim, sc);
      return;
    }
    await this.updateClaimStatus(claim, { ...claim.status, phase: "Pending" });
    if (!className) {
      this.recorder.event(
        withKind(claim, "PersistentVolumeClaim"),
        "Normal",
        "FailedBinding",
        "no persistent volumes available for this claim and no storage class is set",
      );
    } else if (sc?.provisioner) {
      this.recorder.event(
        withKind(claim, "PersistentVolumeClaim"),
        "Normal",
        "ExternalProvisioning",
        `Waiting for a volume to be created either by the external provisioner '${sc.provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
      );
    } else if (!sc) {
      this.recorder.event(
        withKind(claim, "PersistentVolumeClaim"),
        "Warning",
        "ProvisioningFailed",
        `storageclass.storage.k8s.io "${className}" not found`,
      );
    }
  }

  /** bind(): volume first (its resourceVersion guards against two claims taking it), then claim, then statuses. */
  private async bind(claim: PersistentVolumeClaim, pv: PersistentVolume): Promise<void> {
    const pvName = pv.metadata?.name ?? "";
    const pvs = this.ctx.client.resource(PersistentVolumes);
    let volume = pv;
    if (!pv.spec?.claimRef?.uid || !claimRefMatches(pv, claim)) {
      const next = structuredClone(pv);
      next.spec = {
        ...next.spec,
        claimRef: {
          kind: "PersistentVolumeClaim",
          apiVersion: "v1",
          namespace: claim.metadata?.namespace,
          name: claim.metadata?.name,
          uid: claim.metadata?.uid,
          resourceVersion: claim.metadata?.resourceVersion,
        },
      };
      next.metadata = {
        ...next.metadata,
        annotations: { ...next.metadata?.annotations, [ANN_BOUND_BY_CONTROLLER]: "yes" },
      };
      volume = await pvs.update(next);
    }
    if (volume.status?.phase !== "Bound")
      volume = await pvs.updateStatus({ ...volume, status: { ...volume.status, phase: "Bound" } });
    let bound = claim;
    if (claim.spec?.volumeName !== pvName || claim.metadata?.annotations?.[ANN_BIND_COMPLETED] !== "yes") {
      const next = structuredClone(claim);
      next.spec = { ...next.spec, volumeName: pvName };
      const ann: Record<string, string> = { ...next.metadata?.annotations, [ANN_BIND_COMPLETED]: "yes" };
      if (claim.spec?.volumeName !== pvName) ann[ANN_BOUND_BY_CONTROLLER] = "yes";
      next.metadata = { ...next.metadata, annotations: ann };
      bound = await this.ctx.client.resource(PersistentVolumeClaims, claim.metadata?.namespace).update(next);
    }
    await this.updateClaimStatus(bound, {
      ...bound.status,
      phase: "Bound",
      accessModes: volume.spec?.accessModes,
      capacity: volume.spec?.capacity,
    });
  }

  private async provision(claim: PersistentVolumeClaim, sc: StorageClass): Promise<void> {
    const ann = claim.metadata?.annotations ?? {};
    if (ann[ANN_STORAGE_PROVISIONER] !== PROVISIONER) {
      const next = structuredClone(claim);
      next.metadata = {
        ...next.metadata,
        annotations: {
          ...ann,
          [ANN_STORAGE_PROVISIONER]: PROVISIONER,
          [ANN_BETA_STORAGE_PROVISIONER]: PROVISIONER,
        },
      };
      await this.ctx.client.resource(PersistentVolumeClaims, claim.metadata?.namespace).update(next);
      return; // the update brings the claim back here
    }
    const pv = provisionedVolume(claim, sc);
    this.recorder.event(
      withKind(claim, "PersistentVolumeClaim"),
      "Normal",
      "Provisioning",
      `External provisioner is provisioning volume for claim "${claim.metadata?.namespace}/${claim.metadata?.name}"`,
    );
    try {
      await this.ctx.client.resource(PersistentVolumes).create(pv);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      return;
    }
    this.recorder.event(
      withKind(claim, "PersistentVolumeClaim"),
      "Normal",
      "ProvisioningSucceeded",
      `Successfully provisioned volume ${pv.metadata?.name}`,
    );
    this.log.info({ claim: metaNamespaceKey(claim), volume: pv.metadata?.name }, "provisioned volume");
  }

  private async syncVolume(name: string): Promise<ReconcileResult> {
    const pv = this.volumes.store.getByKey(name);
    if (!pv || pv.metadata?.deletionTimestamp) return;
    const ref = pv.spec?.claimRef;
    let claim = ref?.name ? this.claims.store.getByKey(`${ref.namespace}/${ref.name}`) : undefined;
    let phase = volumePhase(pv, claim);
    if (phase === "Released" && pv.status?.phase !== "Released" && ref?.name) {
      // The cache may lag a claim just created: ask before releasing.
      claim = await this.ctx.client
        .resource(PersistentVolumeClaims, ref.namespace)
        .get(ref.name)
        .catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
      phase = volumePhase(pv, claim);
    }
    if (phase === "Released" && pv.status?.phase === "Failed") return;
    if (pv.status?.phase !== phase) {
      await this.ctx.client
        .resource(PersistentVolumes)
        .updateStatus({ ...structuredClone(pv), status: { ...pv.status, phase } });
      return; // the update brings the volume back here
    }
    if (phase !== "Released") return;
    const action = reclaimAction(pv);
    if (action === "delete") {
      const path = pv.spec?.hostPath?.path;
      // Where the volume root is mounted here too, the data goes with the volume.
      if (path?.startsWith(`${VOLUME_ROOT}/`))
        await rm(path, { recursive: true, force: true }).catch(() => undefined);
      try {
        await this.ctx.client
          .resource(PersistentVolumes)
          .delete(name, { preconditions: { uid: pv.metadata?.uid } });
        this.log.info({ volume: name }, "deleted released volume");
      } catch (e) {
        if (!isNotFound(e) && !isConflict(e)) throw e;
      }
    } else if (action === "fail") {
      const policy = pv.spec?.persistentVolumeReclaimPolicy;
      const message =
        policy === "Delete"
          ? 'error getting deleter volume plugin for volume "' +
            name +
            '": no deletable volume plugin matched'
          : "No recycler plugin found for the volume!";
      this.recorder.event(
        withKind(pv, "PersistentVolume"),
        "Warning",
        policy === "Delete" ? "VolumeFailedDelete" : "VolumeFailedRecycle",
        message,
      );
      await this.ctx.client
        .resource(PersistentVolumes)
        .updateStatus({ ...structuredClone(pv), status: { ...pv.status, phase: "Failed", message } });
    }
  }
}
