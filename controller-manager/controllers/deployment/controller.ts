// The Deployment controller (pkg/controller/deployment): owns ReplicaSets, one per pod template,
// named <deployment>-<pod-template-hash>; rolls from old to new by RollingUpdate or Recreate; keeps
// revisions, replica annotations, status and the Available/Progressing/ReplicaFailure conditions.
// The arithmetic is in util.ts; this file reads the caches and writes.
import type { Deployment, DeploymentStatus, ReplicaSet } from "kubernetes-types/apps/v1";
import type { Pod } from "kubernetes-types/core/v1";
import { isEverything, labelSelectorAsSelector, matches, type Selector } from "../../../pkg/api/labels.js";
import {
  getCondition,
  getControllerOf,
  newControllerRef,
  setWorkloadCondition as setCondition,
} from "../../../pkg/api/meta.js";
import {
  type DeletedFinalStateUnknown,
  Deployments,
  type EventRecorder,
  isAlreadyExists,
  isNotFound,
  metaNamespaceKey,
  objectOf,
  Pods,
  ReplicaSets,
  type SharedInformer,
  splitKey,
  WorkQueue,
} from "../../../pkg/client/index.js";
import type { ReconcileResult } from "../../../pkg/client/workqueue.js";
import type { ControllerContext } from "../../context.js";
import { claimObjects } from "../../lib/claim.js";
import { computeHash } from "../../lib/hash.js";
import { errorMessage } from "../../lib/pod-control.js";
import { isPodTerminal } from "../../lib/pods.js";
import { runLoop } from "../../lib/run.js";
import {
  activeReplicaSets,
  cleanupUnhealthyPlan,
  deploymentComplete,
  equalIgnoreHash,
  findActiveOrLatest,
  isRollingUpdate,
  isSaturated,
  isScalingEvent,
  maxRevision,
  newCondition,
  newReplicaSetAnnotations,
  newRSNewReplicas,
  oldScaleDownBudget,
  POD_TEMPLATE_HASH,
  pausedConditions,
  progressDeadlineSeconds,
  proportionalScalePlan,
  REVISION,
  Reasons,
  replicaSetsToCleanUp,
  replicasAnnotations,
  replicasOf,
  rolloutStatus,
  scaleDownOldPlan,
  statusEqual,
  calculateStatus as summarize,
} from "./util.js";

const GVK = { apiVersion: "apps/v1", kind: "Deployment" };
const COMPONENT = "deployment-controller";

function selectorOf(d: Deployment): Selector | undefined {
  try {
    return labelSelectorAsSelector(d.spec?.selector);
  } catch {
    return undefined;
  }
}

/** One sync's working state: the Deployment as last written, and its ReplicaSets as last written. */
interface SyncState {
  d: Deployment;
  rsList: ReplicaSet[];
  result?: ReconcileResult;
}

export class DeploymentController {
  readonly queue = new WorkQueue<string>({ name: "deployment" });
  readonly deployments: SharedInformer<Deployment>;
  readonly replicaSets: SharedInformer<ReplicaSet>;
  readonly pods: SharedInformer<Pod>;
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.recorder = ctx.events.newRecorder({ component: COMPONENT });
    this.deployments = ctx.factory.informerFor(Deployments);
    this.replicaSets = ctx.factory.informerFor(ReplicaSets);
    this.pods = ctx.factory.informerFor(Pods);
    this.deployments.addEventHandler({
      onAdd: (d) => this.enqueue(d),
      onUpdate: (_o, d) => this.enqueue(d),
      onDelete: (d) => this.enqueue(objectOf(d)),
    });
    this.replicaSets.addEventHandler({
      onAdd: (rs) => this.onReplicaSet(rs),
      onUpdate: (old, cur) => {
        if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
        const oldRef = getControllerOf(old);
        if (oldRef && oldRef.uid !== getControllerOf(cur)?.uid) this.onReplicaSet(old);
        this.onReplicaSet(cur);
      },
      onDelete: (rs) => this.onReplicaSet(objectOf(rs)),
    });
    // A Recreate rollout waits for the old pods to be gone.
    this.pods.addEventHandler({ onDelete: (p) => this.onPodDeleted(p) });
  }

  run(): () => Promise<void> {
    return runLoop(this.ctx, COMPONENT, this.queue, [this.deployments, this.replicaSets, this.pods], (k) =>
      this.sync(k),
    );
  }

  private enqueue(d: Deployment): void {
    this.queue.add(metaNamespaceKey(d));
  }

  private resolve(
    ns: string | undefined,
    ref: { kind?: string; name?: string; uid?: string } | undefined,
  ): Deployment | undefined {
    if (ref?.kind !== "Deployment") return undefined;
    const d = this.deployments.store.getByKey(`${ns}/${ref.name}`);
    return d?.metadata?.uid === ref.uid ? d : undefined;
  }

  private onReplicaSet(rs: ReplicaSet): void {
    const ref = getControllerOf(rs);
    if (ref) {
      const d = this.resolve(rs.metadata?.namespace, ref);
      if (d) this.enqueue(d);
      return;
    }
    for (const d of this.deployments.store.listByNamespace(rs.metadata?.namespace ?? "")) {
      const sel = selectorOf(d);
      if (sel && !isEverything(sel) && matches(sel, rs.metadata?.labels)) this.enqueue(d);
    }
  }

  private onPodDeleted(p: Pod | DeletedFinalStateUnknown<Pod>): void {
    const pod = objectOf(p);
    const rsRef = getControllerOf(pod);
    if (rsRef?.kind !== "ReplicaSet") return;
    const rs = this.replicaSets.store.getByKey(`${pod.metadata?.namespace}/${rsRef.name}`);
    if (!rs) return;
    const d = this.resolve(rs.metadata?.namespace, getControllerOf(rs));
    if (d && d.spec?.strategy?.type === "Recreate") this.enqueue(d);
  }

  async sync(key: string): Promise<ReconcileResult> {
    const cached = this.deployments.store.getByKey(key);
    if (!cached) return;
    const { namespace = "" } = splitKey(key);
    const d = structuredClone(cached);
    const sel = selectorOf(d);
    if (!sel) return;
    if (isEverything(sel)) {
      this.recorder.event(
        d,
        "Warning",
        "SelectingAll",
        "This deployment is selecting all pods. A non-empty selector is required.",
      );
      if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) {
        await this.writeStatus(d, { ...(d.status ?? {}), observedGeneration: d.metadata?.generation });
      }
      return;
    }
    const rsList = await claimObjects<ReplicaSet>({
      owner: d,
      ownerKind: GVK,
      matches: (rs) => matches(sel, rs.metadata?.labels),
      objs: this.replicaSets.store.listByNamespace(namespace),
      client: this.ctx.client.resource(ReplicaSets, namespace),
      getFreshOwner: () => this.ctx.client.resource(Deployments, namespace).get(d.metadata?.name ?? ""),
    });
    const st: SyncState = { d, rsList: rsList.map((rs) => structuredClone(rs)) };

    if (d.metadata?.deletionTimestamp) {
      await this.syncStatusOnly(st);
      return st.result;
    }
    await this.checkPausedConditions(st);
    if (st.d.spec?.paused) {
      await this.syncScaleOnly(st);
      return st.result;
    }
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(st, false);
    if (isScalingEvent(st.d, [...oldRSs, newRS])) {
      await this.syncScaleOnly(st);
      return st.result;
    }
    if (st.d.spec?.strategy?.type === "Recreate") await this.rolloutRecreate(st);
    else await this.rolloutRolling(st);
    return st.result;
  }

  // ---- ReplicaSets: find, create, revise ----

  /** The new ReplicaSet: template equal to the Deployment's, or (defaulting may differ) named by its hash. */
  private findNew(d: Deployment, rsList: readonly ReplicaSet[]): ReplicaSet | undefined {
    const sorted = [...rsList].sort(
      (a, b) =>
        (Date.parse(a.metadata?.creationTimestamp ?? "") || 0) -
        (Date.parse(b.metadata?.creationTimestamp ?? "") || 0),
    );
    const exact = sorted.find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
    if (exact) return exact;
    const hash = computeHash(d.spec?.template, d.status?.collisionCount);
    return sorted.find(
      (rs) =>
        rs.metadata?.labels?.[POD_TEMPLATE_HASH] === hash &&
        rs.metadata?.name === `${d.metadata?.name}-${hash}`,
    );
  }

  private async getAllReplicaSetsAndSyncRevision(
    st: SyncState,
    createIfNotExisted: boolean,
  ): Promise<{ newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] }> {
    const existing = this.findNew(st.d, st.rsList);
    const oldRSs = st.rsList.filter((rs) => rs !== existing);
    const newRevision = maxRevision(oldRSs) + 1;
    if (existing) {
      const ann = newReplicaSetAnnotations(st.d, existing, newRevision, true);
      const minReady = st.d.spec?.minReadySeconds ?? 0;
      let rs = existing;
      if (ann || (existing.spec?.minReadySeconds ?? 0) !== minReady) {
        const next = structuredClone(existing);
        if (ann) next.metadata = { ...next.metadata, annotations: ann };
        next.spec = { ...next.spec!, minReadySeconds: minReady };
        rs = await this.ctx.client.resource(ReplicaSets, next.metadata?.namespace).update(next);
        this.replace(st, existing, rs);
      }
      await this.setDeploymentRevision(st, rs.metadata?.annotations?.[REVISION] ?? String(newRevision));
      if (
        progressDeadlineSeconds(st.d) !== undefined &&
        !getCondition(st.d.status?.conditions, "Progressing")
      ) {
        const c = newCondition(
          "Progressing",
          "True",
          Reasons.FoundNewRS,
          `Found new replica set "${rs.metadata?.name}"`,
          this.ctx.now(),
        );
        await this.writeStatus(st.d, {
          ...(st.d.status ?? {}),
          conditions: setCondition(st.d.status?.conditions, c),
        });
      }
      return { newRS: rs, oldRSs };
    }
    if (!createIfNotExisted) return { newRS: undefined, oldRSs };
    return { newRS: await this.createNewReplicaSet(st, oldRSs, newRevision), oldRSs };
  }

  private async createNewReplicaSet(
    st: SyncState,
    oldRSs: ReplicaSet[],
    newRevision: number,
  ): Promise<ReplicaSet> {
    const d = st.d;
    const ns = d.metadata?.namespace ?? "";
    const hash = computeHash(d.spec?.template, d.status?.collisionCount);
    const template = structuredClone(d.spec?.template ?? {});
    template.metadata = {
      ...template.metadata,
      labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash },
    };
    const selector = structuredClone(d.spec!.selector);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash };
    const rs: ReplicaSet = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name: `${d.metadata?.name}-${hash}`,
        namespace: ns,
        ownerReferences: [newControllerRef(d, GVK.apiVersion, GVK.kind)],
        labels: { ...(template.metadata.labels ?? {}) },
      },
      spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
    };
    rs.spec!.replicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
    const ann = newReplicaSetAnnotations(d, rs, newRevision, false);
    if (ann) rs.metadata!.annotations = ann;
    let created: ReplicaSet;
    try {
      created = await this.ctx.client.resource(ReplicaSets, ns).create(rs);
    } catch (e) {
      if (isAlreadyExists(e)) {
        const found = await this.ctx.client.resource(ReplicaSets, ns).get(rs.metadata!.name!);
        if (
          getControllerOf(found)?.uid === d.metadata?.uid &&
          equalIgnoreHash(found.spec?.template, d.spec?.template)
        ) {
          st.rsList.push(found);
          return found;
        }
        // A hash collision: salt the hash and try again on the next sync.
        await this.writeStatus(d, {
          ...(d.status ?? {}),
          collisionCount: (d.status?.collisionCount ?? 0) + 1,
        });
        throw new Error(`hash collision for ReplicaSet ${rs.metadata?.name}; collisionCount raised`);
      }
      const msg = `Failed to create new replica set "${rs.metadata?.name}": ${errorMessage(e)}`;
      if (progressDeadlineSeconds(d) !== undefined) {
        const c = newCondition("Progressing", "False", Reasons.FailedRSCreate, msg, this.ctx.now());
        await this.writeStatus(d, {
          ...(d.status ?? {}),
          conditions: setCondition(d.status?.conditions, c),
        }).catch(() => undefined);
      }
      this.recorder.event(d, "Warning", Reasons.FailedRSCreate, msg);
      throw e;
    }
    st.rsList.push(created);
    const replicas = created.spec?.replicas ?? 0;
    if (replicas > 0)
      this.recorder.event(
        d,
        "Normal",
        "ScalingReplicaSet",
        `Scaled up replica set ${created.metadata?.name} to ${replicas}`,
      );
    await this.setDeploymentRevision(st, String(newRevision));
    if (progressDeadlineSeconds(st.d) !== undefined) {
      const c = newCondition(
        "Progressing",
        "True",
        Reasons.NewRSCreated,
        `Created new replica set "${created.metadata?.name}"`,
        this.ctx.now(),
      );
      await this.writeStatus(st.d, {
        ...(st.d.status ?? {}),
        conditions: setCondition(st.d.status?.conditions, c),
      });
    }
    return created;
  }

  private replace(st: SyncState, old: ReplicaSet, next: ReplicaSet): void {
    const i = st.rsList.findIndex((r) => r.metadata?.uid === old.metadata?.uid);
    if (i >= 0) st.rsList[i] = next;
  }

  private current(st: SyncState, rs: ReplicaSet | undefined): ReplicaSet | undefined {
    if (!rs) return undefined;
    return st.rsList.find((r) => r.metadata?.uid === rs.metadata?.uid) ?? rs;
  }

  /** The Deployment's revision annotation follows its new ReplicaSet (a metadata patch: no new generation). */
  private async setDeploymentRevision(st: SyncState, revision: string): Promise<void> {
    if (st.d.metadata?.annotations?.[REVISION] === revision) return;
    const updated = await this.ctx.client
      .resource(Deployments, st.d.metadata?.namespace)
      .patch(st.d.metadata?.name ?? "", { metadata: { annotations: { [REVISION]: revision } } });
    st.d = { ...updated, status: st.d.status };
  }

  private async writeStatus(d: Deployment, status: DeploymentStatus): Promise<Deployment> {
    const updated = await this.ctx.client
      .resource(Deployments, d.metadata?.namespace)
      .updateStatus({ ...d, status });
    d.status = updated.status;
    d.metadata = { ...d.metadata, resourceVersion: updated.metadata?.resourceVersion };
    return updated;
  }

  // ---- scaling ----

  /** Scales one ReplicaSet and records ScalingReplicaSet (scaleReplicaSet); also refreshes its replica annotations. */
  private async scaleReplicaSet(
    st: SyncState,
    rs: ReplicaSet,
    newScale: number,
  ): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    const cur = this.current(st, rs)!;
    const oldScale = cur.spec?.replicas ?? 0;
    const sizeChanges = oldScale !== newScale;
    const ann = replicasAnnotations(st.d, cur);
    if (!sizeChanges && !ann) return { scaled: false, rs: cur };
    const next = structuredClone(cur);
    next.spec = { ...next.spec!, replicas: newScale };
    if (ann) next.metadata = { ...next.metadata, annotations: ann };
    const updated = await this.ctx.client.resource(ReplicaSets, next.metadata?.namespace).update(next);
    this.replace(st, cur, updated);
    if (sizeChanges) {
      const op = oldScale < newScale ? "up" : "down";
      this.recorder.event(
        st.d,
        "Normal",
        "ScalingReplicaSet",
        `Scaled ${op} replica set ${updated.metadata?.name} to ${newScale} from ${oldScale}`,
      );
    }
    return { scaled: sizeChanges, rs: updated };
  }

  private async scaleIfDifferent(st: SyncState, rs: ReplicaSet, newScale: number): Promise<boolean> {
    if ((this.current(st, rs)?.spec?.replicas ?? 0) === newScale) return false;
    return (await this.scaleReplicaSet(st, rs, newScale)).scaled;
  }

  /** Resizes for a change of spec.replicas (DeploymentController.scale). */
  private async scale(st: SyncState, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
    const d = st.d;
    const one = findActiveOrLatest(newRS, oldRSs);
    if (one) {
      if ((one.spec?.replicas ?? 0) !== replicasOf(d)) await this.scaleReplicaSet(st, one, replicasOf(d));
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const old of activeReplicaSets(oldRSs)) await this.scaleIfDifferent(st, old, 0);
      return;
    }
    if (isRollingUpdate(d)) {
      const active = activeReplicaSets([...oldRSs, newRS]);
      const plan = proportionalScalePlan(d, active);
      for (const rs of active)
        await this.scaleReplicaSet(st, rs, plan.get(rs.metadata?.name ?? "") ?? rs.spec?.replicas ?? 0);
    }
  }

  private async syncScaleOnly(st: SyncState): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(st, false);
    await this.scale(st, newRS, oldRSs);
    if (st.d.spec?.paused) await this.cleanup(st, this.olds(st, newRS));
    await this.syncDeploymentStatus(st, newRS);
  }

  private async syncStatusOnly(st: SyncState): Promise<void> {
    const { newRS } = await this.getAllReplicaSetsAndSyncRevision(st, false);
    await this.syncDeploymentStatus(st, newRS);
  }

  private olds(st: SyncState, newRS: ReplicaSet | undefined): ReplicaSet[] {
    return st.rsList.filter((r) => r.metadata?.uid !== newRS?.metadata?.uid);
  }

  private async syncDeploymentStatus(st: SyncState, newRS: ReplicaSet | undefined): Promise<void> {
    const cur = this.current(st, newRS);
    const status = summarize(st.rsList, cur, st.d, this.ctx.now());
    if (!statusEqual(st.d.status, status)) await this.writeStatus(st.d, status);
  }

  private async checkPausedConditions(st: SyncState): Promise<void> {
    const conds = pausedConditions(st.d, this.ctx.now());
    if (conds) await this.writeStatus(st.d, { ...(st.d.status ?? {}), conditions: conds });
  }

  private async cleanup(st: SyncState, oldRSs: ReplicaSet[]): Promise<void> {
    for (const rs of replicaSetsToCleanUp(st.d, oldRSs)) {
      try {
        await this.ctx.client.resource(ReplicaSets, rs.metadata?.namespace).delete(rs.metadata?.name ?? "");
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  // ---- rollouts ----

  private async rolloutRolling(st: SyncState): Promise<void> {
    const { newRS } = await this.getAllReplicaSetsAndSyncRevision(st, true);
    // Scale up the new ReplicaSet within maxSurge (reconcileNewReplicaSet).
    const nrs = this.current(st, newRS)!;
    const target = replicasOf(st.d);
    if ((nrs.spec?.replicas ?? 0) !== target) {
      const size = (nrs.spec?.replicas ?? 0) > target ? target : newRSNewReplicas(st.d, st.rsList, nrs);
      if (await this.scaleIfDifferent(st, nrs, size)) return this.syncRolloutStatus(st, newRS);
    }
    // Scale down old ReplicaSets within maxUnavailable (reconcileOldReplicaSets).
    if (await this.reconcileOldReplicaSets(st, newRS)) return this.syncRolloutStatus(st, newRS);
    const status = summarize(st.rsList, this.current(st, newRS), st.d, this.ctx.now());
    if (deploymentComplete(st.d, status)) await this.cleanup(st, this.olds(st, newRS));
    return this.syncRolloutStatus(st, newRS);
  }

  private async reconcileOldReplicaSets(st: SyncState, newRS: ReplicaSet | undefined): Promise<boolean> {
    const olds = this.olds(st, newRS);
    if (olds.reduce((n, r) => n + (r.spec?.replicas ?? 0), 0) === 0) return false;
    const budget = oldScaleDownBudget(st.d, st.rsList, this.current(st, newRS));
    if (budget <= 0) return false;
    let changed = false;
    for (const [name, size] of cleanupUnhealthyPlan(olds, budget)) {
      const rs = st.rsList.find((r) => r.metadata?.name === name);
      if (rs && (await this.scaleIfDifferent(st, rs, size))) changed = true;
    }
    for (const [name, size] of scaleDownOldPlan(st.d, st.rsList, this.olds(st, newRS))) {
      const rs = st.rsList.find((r) => r.metadata?.name === name);
      if (rs && (await this.scaleIfDifferent(st, rs, size))) changed = true;
    }
    return changed;
  }

  private async rolloutRecreate(st: SyncState): Promise<void> {
    let { newRS } = await this.getAllReplicaSetsAndSyncRevision(st, false);
    let scaledDown = false;
    for (const old of activeReplicaSets(this.olds(st, newRS)))
      if (await this.scaleIfDifferent(st, old, 0)) scaledDown = true;
    if (scaledDown) return this.syncRolloutStatus(st, newRS);
    if (this.oldPodsRunning(st, newRS)) return this.syncRolloutStatus(st, newRS);
    if (!newRS) newRS = (await this.getAllReplicaSetsAndSyncRevision(st, true)).newRS;
    await this.scaleIfDifferent(st, this.current(st, newRS)!, replicasOf(st.d));
    const status = summarize(st.rsList, this.current(st, newRS), st.d, this.ctx.now());
    if (deploymentComplete(st.d, status)) await this.cleanup(st, this.olds(st, newRS));
    return this.syncRolloutStatus(st, newRS);
  }

  private oldPodsRunning(st: SyncState, newRS: ReplicaSet | undefined): boolean {
    const olds = this.olds(st, newRS);
    if (olds.some((rs) => (rs.status?.replicas ?? 0) > 0)) return true;
    const oldUids = new Set(olds.map((r) => r.metadata?.uid));
    return this.pods.store
      .listByNamespace(st.d.metadata?.namespace ?? "")
      .some((p) => oldUids.has(getControllerOf(p)?.uid) && !isPodTerminal(p));
  }

  private async syncRolloutStatus(st: SyncState, newRS: ReplicaSet | undefined): Promise<void> {
    const { status, recheckAfterMs } = rolloutStatus(
      st.rsList,
      this.current(st, newRS),
      st.d,
      this.ctx.now(),
    );
    if (!statusEqual(st.d.status, status)) await this.writeStatus(st.d, status);
    if (recheckAfterMs !== undefined) st.result = { requeueAfter: recheckAfterMs };
  }
}

export const deploymentDescriptor = {
  name: "deployment",
  init: (ctx: ControllerContext) => new DeploymentController(ctx).run(),
};
