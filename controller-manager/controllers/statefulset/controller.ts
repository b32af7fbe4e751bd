// The StatefulSet controller (pkg/controller/statefulset): pods with stable names <set>-<ordinal>,
// hostname and subdomain for the headless service, PVCs from volumeClaimTemplates that outlive the
// pods, ControllerRevisions for the template history, ordered or parallel scaling, rolling update
// with partition, OnDelete. Decisions are in decide.ts.
import type { ControllerRevision, StatefulSet } from "kubernetes-types/apps/v1";
import type { PersistentVolumeClaim, Pod, Volume } from "kubernetes-types/core/v1";
import { labelSelectorAsSelector, matches, type Selector } from "../../../pkg/api/labels.js";
import { getControllerOf, newControllerRef } from "../../../pkg/api/meta.js";
import {
  ControllerRevisions,
  type EventRecorder,
  isAlreadyExists,
  isConflict,
  isNotFound,
  metaNamespaceKey,
  objectOf,
  PersistentVolumeClaims,
  Pods,
  type SharedInformer,
  StatefulSets,
  splitKey,
  WorkQueue,
} from "../../../pkg/client/index.js";
import type { ReconcileResult } from "../../../pkg/client/workqueue.js";
import type { ControllerContext, ControllerDescriptor } from "../../context.js";
import { claimObjects } from "../../lib/claim.js";
import { equalIgnoringZero, semanticEqual } from "../../lib/hash.js";
import { decideRevision, newRevision, revisionsToTruncate, templateOfRevision } from "../../lib/history.js";
import { errorMessage } from "../../lib/pod-control.js";
import { podFromTemplate } from "../../lib/pod-template.js";
import { runLoop } from "../../lib/run.js";
import {
  calculateSetStatus,
  decideSet,
  ordinalOf,
  POD_INDEX_LABEL,
  POD_NAME_LABEL,
  REVISION_LABEL,
  setHistory,
} from "./decide.js";

const GVK = { apiVersion: "apps/v1", kind: "StatefulSet" };
const COMPONENT = "statefulset-controller";
const HASH_LABEL = "controller.kubernetes.io/hash";

/** A delete refused because the name now belongs to another object (the uid precondition). */
function isUidPreconditionFailed(e: unknown): boolean {
  return isConflict(e) && /UID in precondition/i.test((e as Error).message ?? "");
}

function selectorOf(s: StatefulSet): Selector | undefined {
  try {
    return labelSelectorAsSelector(s.spec?.selector);
  } catch {
    return undefined;
  }
}

export class StatefulSetController {
  readonly queue = new WorkQueue<string>({ name: "statefulset" });
  readonly sets: SharedInformer<StatefulSet>;
  readonly pods: SharedInformer<Pod>;
  readonly revisions: SharedInformer<ControllerRevision>;
  readonly pvcs: SharedInformer<PersistentVolumeClaim>;
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.recorder = ctx.events.newRecorder({ component: COMPONENT });
    this.sets = ctx.factory.informerFor(StatefulSets);
    this.pods = ctx.factory.informerFor(Pods);
    this.revisions = ctx.factory.informerFor(ControllerRevisions);
    this.pvcs = ctx.factory.informerFor(PersistentVolumeClaims);
    const enqueueSet = (s: StatefulSet) => this.queue.add(metaNamespaceKey(s));
    this.sets.addEventHandler({
      onAdd: enqueueSet,
      onUpdate: (_o, s) => enqueueSet(s),
      onDelete: (s) => enqueueSet(objectOf(s)),
    });
    const onPod = (p: Pod) => {
      const ref = getControllerOf(p);
      if (ref) {
        if (ref.kind === "StatefulSet") this.queue.add(`${p.metadata?.namespace}/${ref.name}`);
        return;
      }
      for (const s of this.sets.store.listByNamespace(p.metadata?.namespace ?? "")) {
        const sel = selectorOf(s);
        if (sel && matches(sel, p.metadata?.labels)) enqueueSet(s);
      }
    };
    this.pods.addEventHandler({
      onAdd: onPod,
      onUpdate: (old, cur) => {
        if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
        onPod(old);
        onPod(cur);
      },
      onDelete: (p) => onPod(objectOf(p)),
    });
  }

  run(): () => Promise<void> {
    return runLoop(this.ctx, COMPONENT, this.queue, [this.sets, this.pods, this.revisions, this.pvcs], (k) =>
      this.sync(k),
    );
  }

  async sync(key: string): Promise<ReconcileResult> {
    const cached = this.sets.store.getByKey(key);
    if (!cached) return;
    const set = structuredClone(cached);
    const { namespace = "", name } = splitKey(key);
    const sel = selectorOf(set);
    if (!sel) return;
    const revisions = await this.claimRevisions(set, sel);
    const claimed = await claimObjects<Pod>({
      owner: set,
      ownerKind: GVK,
      // A pod is a member if the selector matches and its name is one of the set's.
      matches: (p) => matches(sel, p.metadata?.labels) && ordinalOf(name, p.metadata?.name ?? "") >= 0,
      objs: this.pods.store.listByNamespace(namespace),
      client: this.ctx.client.resource(Pods, namespace),
      getFreshOwner: () => this.ctx.client.resource(StatefulSets, namespace).get(name),
    });
    if (set.metadata?.deletionTimestamp) return;
    const { current, update, collisionCount } = await this.syncRevisions(set, revisions);
    const pods = new Map<number, Pod>();
    for (const p of claimed) pods.set(ordinalOf(name, p.metadata?.name ?? ""), p);
    const input = {
      set,
      pods,
      currentRevision: current.metadata?.name ?? "",
      updateRevision: update.metadata?.name ?? "",
      nowMs: this.ctx.now(),
    };
    const actions = decideSet(input);
    let firstError: unknown;
    await Promise.all(
      actions.map(async (a) => {
        try {
          if (a.kind === "create") {
            const rev = a.revision === "current" ? current : update;
            const pod = await this.createPod(set, a.ordinal, rev);
            pods.set(a.ordinal, pod);
          } else {
            await this.deletePod(set, a.pod, a.why);
            pods.delete(ordinalOf(name, a.pod.metadata?.name ?? ""));
          }
        } catch (e) {
          firstError ??= e;
        }
      }),
    );
    const status = calculateSetStatus(input, collisionCount);
    await this.writeStatus(set, status);
    if (firstError !== undefined) throw firstError;
    await this.truncateHistory(set, revisions, [current, update], claimed);
  }

  private async writeStatus(set: StatefulSet, status: StatefulSet["status"]): Promise<void> {
    if (equalIgnoringZero(set.status, status)) return;
    try {
      await this.ctx.client.resource(StatefulSets, set.metadata?.namespace).updateStatus({ ...set, status });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /**
   * The set's history, adopting the orphaned revisions its selector matches (adoptOrphanRevisions):
   * after `delete --cascade=orphan`, a re-created set continues the old history instead of starting
   * a new one beside it. Adopted revisions come back from the patch, fresh for a re-numbering.
   */
  private async claimRevisions(set: StatefulSet, sel: Selector): Promise<ControllerRevision[]> {
    const ns = set.metadata?.namespace ?? "";
    const { history, orphans } = setHistory(set, sel, this.revisions.store.listByNamespace(ns));
    if (orphans.length === 0 || set.metadata?.deletionTimestamp) return history;
    const claimed = await claimObjects<ControllerRevision>({
      owner: set,
      ownerKind: GVK,
      matches: () => true,
      objs: history,
      client: this.ctx.client.resource(ControllerRevisions, ns),
      getFreshOwner: () => this.ctx.client.resource(StatefulSets, ns).get(set.metadata?.name ?? ""),
    });
    return claimed.sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
  }

  /** The current and update ControllerRevisions, creating or re-numbering the update one (getStatefulSetRevisions). */
  private async syncRevisions(
    set: StatefulSet,
    revisions: ControllerRevision[],
  ): Promise<{ current: ControllerRevision; update: ControllerRevision; collisionCount: number }> {
    const ns = set.metadata?.namespace ?? "";
    const client = this.ctx.client.resource(ControllerRevisions, ns);
    const collisionCount = set.status?.collisionCount ?? 0;
    const plan = decideRevision(set.spec?.template, revisions);
    let update = plan.existing;
    if (update && plan.renumberTo !== undefined) {
      update = await client.update({ ...structuredClone(update), revision: plan.renumberTo });
      const i = revisions.findIndex((r) => r.metadata?.name === update?.metadata?.name);
      if (i >= 0) revisions[i] = update;
    }
    if (!update) {
      const rev = newRevision(
        set,
        newControllerRef(set, GVK.apiVersion, GVK.kind),
        plan.createAs ?? 1,
        collisionCount,
        HASH_LABEL,
      );
      try {
        update = await client.create(rev);
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
        const existing = await client.get(rev.metadata?.name ?? "");
        if (!semanticEqual(templateOfRevision(existing), set.spec?.template)) {
          await this.writeStatus(set, {
            ...(set.status ?? { replicas: 0 }),
            collisionCount: collisionCount + 1,
          });
          throw new Error(`controller revision ${rev.metadata?.name} collides; collisionCount raised`);
        }
        update = existing;
      }
    }
    const current = revisions.find((r) => r.metadata?.name === set.status?.currentRevision) ?? update;
    return { current, update, collisionCount };
  }

  private async createPod(set: StatefulSet, ordinal: number, revision: ControllerRevision): Promise<Pod> {
    const ns = set.metadata?.namespace ?? "";
    const setName = set.metadata?.name ?? "";
    const podName = `${setName}-${ordinal}`;
    const template = templateOfRevision(revision) ?? set.spec?.template;
    const pod = podFromTemplate(template, ns, newControllerRef(set, GVK.apiVersion, GVK.kind), {
      name: podName,
    });
    pod.metadata!.labels = {
      ...(pod.metadata?.labels ?? {}),
      [POD_NAME_LABEL]: podName,
      [POD_INDEX_LABEL]: String(ordinal),
      [REVISION_LABEL]: revision.metadata?.name ?? "",
    };
    pod.spec = { ...pod.spec!, hostname: podName };
    if (set.spec?.serviceName) pod.spec.subdomain = set.spec.serviceName;
    // Claims first: the pod's volumes name them.
    const volumes: Volume[] = [...(pod.spec.volumes ?? [])];
    for (const t of set.spec?.volumeClaimTemplates ?? []) {
      const claimName = `${t.metadata?.name}-${podName}`;
      await this.ensureClaim(set, t, claimName, podName);
      const v: Volume = { name: t.metadata?.name ?? "", persistentVolumeClaim: { claimName } };
      const i = volumes.findIndex((x) => x.name === v.name);
      if (i >= 0) volumes[i] = v;
      else volumes.push(v);
    }
    if (volumes.length > 0) pod.spec.volumes = volumes;
    try {
      const created = await this.ctx.client.resource(Pods, ns).create(pod);
      this.recorder.event(
        set,
        "Normal",
        "SuccessfulCreate",
        `create Pod ${podName} in StatefulSet ${setName} successful`,
      );
      return created;
    } catch (e) {
      if (isAlreadyExists(e)) return (await this.ctx.client.resource(Pods, ns).get(podName)) as Pod;
      this.recorder.event(
        set,
        "Warning",
        "FailedCreate",
        `create Pod ${podName} in StatefulSet ${setName} failed error: ${errorMessage(e)}`,
      );
      throw e;
    }
  }

  private async ensureClaim(
    set: StatefulSet,
    t: PersistentVolumeClaim,
    claimName: string,
    podName: string,
  ): Promise<void> {
    const ns = set.metadata?.namespace ?? "";
    if (this.pvcs.store.getByKey(`${ns}/${claimName}`)) return;
    const claim: PersistentVolumeClaim = {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: {
        name: claimName,
        namespace: ns,
        labels: { ...(set.spec?.selector?.matchLabels ?? {}), ...(t.metadata?.labels ?? {}) },
        ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
      },
      spec: structuredClone(t.spec ?? {}),
    };
    const setName = set.metadata?.name ?? "";
    try {
      await this.ctx.client.resource(PersistentVolumeClaims, ns).create(claim);
      this.recorder.event(
        set,
        "Normal",
        "SuccessfulCreate",
        `create Claim ${claimName} Pod ${podName} in StatefulSet ${setName} success`,
      );
    } catch (e) {
      if (isAlreadyExists(e)) return;
      this.recorder.event(
        set,
        "Warning",
        "FailedCreate",
        `create Claim ${claimName} for Pod ${podName} in StatefulSet ${setName} failed error: ${errorMessage(e)}`,
      );
      throw e;
    }
  }

  private async deletePod(set: StatefulSet, pod: Pod, why: string): Promise<void> {
    const podName = pod.metadata?.name ?? "";
    const setName = set.metadata?.name ?? "";
    try {
      // The uid precondition: a decision taken on a cached pod never deletes the pod that has since taken
      // its name (a StatefulSet pod is re-created under the same name within a second).
      await this.ctx.client
        .resource(Pods, pod.metadata?.namespace)
        .delete(podName, { preconditions: { uid: pod.metadata?.uid } });
      this.ctx.log.info(
        { statefulset: `${pod.metadata?.namespace}/${setName}`, pod: podName, uid: pod.metadata?.uid, why },
        "deleted pod",
      );
      this.recorder.event(
        set,
        "Normal",
        "SuccessfulDelete",
        `delete Pod ${podName} in StatefulSet ${setName} successful`,
      );
    } catch (e) {
      if (isNotFound(e) || isUidPreconditionFailed(e)) return;
      this.recorder.event(
        set,
        "Warning",
        "FailedDelete",
        `delete Pod ${podName} in StatefulSet ${setName} failed error: ${errorMessage(e)}`,
      );
      throw e;
    }
  }

  /** Deletes the oldest revisions beyond revisionHistoryLimit that no pod uses (truncateHistory). */
  private async truncateHistory(
    set: StatefulSet,
    revisions: ControllerRevision[],
    live: ControllerRevision[],
    pods: Pod[],
  ): Promise<void> {
    const inUse = new Set([
      ...live.map((r) => r.metadata?.name),
      ...pods.map((p) => p.metadata?.labels?.[REVISION_LABEL]),
    ]);
    for (const r of revisionsToTruncate(revisions, inUse, set.spec?.revisionHistoryLimit ?? 10)) {
      try {
        await this.ctx.client
          .resource(ControllerRevisions, r.metadata?.namespace)
          .delete(r.metadata?.name ?? "");
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }
}

export const statefulSetDescriptor: ControllerDescriptor = {
  name: "statefulset",
  init: (ctx) => new StatefulSetController(ctx).run(),
};
