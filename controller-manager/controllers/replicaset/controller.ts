// The ReplicaSet controller, which also runs ReplicationControllers (as Kubernetes does): keeps
// spec.replicas active pods matching the selector, adopting orphans and releasing pods that no
// longer match, with expectations so that a stale cache never creates or deletes twice.
import type { ReplicaSet } from "kubernetes-types/apps/v1";
import type { Pod, ReplicationController } from "kubernetes-types/core/v1";
import { labelSelectorAsSelector, matches, type Selector, selectorFromSet } from "../../../pkg/api/labels.js";
import { getControllerOf, newControllerRef } from "../../../pkg/api/meta.js";
import {
  type DeletedFinalStateUnknown,
  isNotFound,
  metaNamespaceKey,
  objectOf,
  Pods,
  ReplicaSets,
  ReplicationControllers,
  type ResourceRef,
  type SharedInformer,
  splitKey,
  UIDTrackingControllerExpectations,
  WorkQueue,
} from "../../../pkg/client/index.js";
import type { ReconcileResult } from "../../../pkg/client/workqueue.js";
import type { ControllerContext } from "../../context.js";
import type { GroupVersionKind } from "../../lib/claim.js";
import { claimObjects } from "../../lib/claim.js";
import { errorMessage, isNamespaceTerminating, PodControl, slowStartBatch } from "../../lib/pod-control.js";
import { isPodActive, podKey } from "../../lib/pods.js";
import { runLoop } from "../../lib/run.js";
import {
  calculateStatus,
  decideReplicas,
  nextAvailableAfter,
  type ReplicaStatus,
  statusChanged,
} from "./decide.js";

type Owner = ReplicaSet | ReplicationController;

/** What differs between ReplicaSets and ReplicationControllers. */
export interface ReplicaKind<T extends Owner> {
  ref: ResourceRef<T>;
  gvk: GroupVersionKind;
  component: string;
  selectorOf(obj: T): Selector;
}

export const replicaSetKind: ReplicaKind<ReplicaSet> = {
  ref: ReplicaSets,
  gvk: { apiVersion: "apps/v1", kind: "ReplicaSet" },
  component: "replicaset-controller",
  selectorOf: (rs) => labelSelectorAsSelector(rs.spec?.selector),
};

export const replicationControllerKind: ReplicaKind<ReplicationController> = {
  ref: ReplicationControllers,
  gvk: { apiVersion: "v1", kind: "ReplicationController" },
  component: "replication-controller",
  // An RC without a selector selects its template's labels (the apiserver defaults it so).
  selectorOf: (rc) => selectorFromSet(rc.spec?.selector ?? rc.spec?.template?.metadata?.labels ?? {}),
};

function safeSelector<T extends Owner>(kind: ReplicaKind<T>, obj: T): Selector | undefined {
  try {
    return kind.selectorOf(obj);
  } catch {
    return undefined;
  }
}

export class ReplicaSetController<T extends Owner> {
  readonly queue: WorkQueue<string>;
  readonly owners: SharedInformer<T>;
  readonly pods: SharedInformer<Pod>;
  readonly expectations: UIDTrackingControllerExpectations;
  private readonly podControl: PodControl;
  private readonly log;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly kind: ReplicaKind<T>,
  ) {
    this.log = ctx.log.child({ controller: kind.component });
    this.queue = new WorkQueue<string>({ name: kind.ref.resource });
    this.expectations = new UIDTrackingControllerExpectations(ctx.now);
    this.podControl = new PodControl(ctx.client, ctx.events.newRecorder({ component: kind.component }));
    this.owners = ctx.factory.informerFor(kind.ref);
    this.pods = ctx.factory.informerFor(Pods);
    this.owners.addEventHandler({
      onAdd: (o) => this.enqueue(o),
      onUpdate: (_old, cur) => this.enqueue(cur),
      onDelete: (o) => {
        const key = metaNamespaceKey(objectOf(o));
        this.expectations.deleteExpectations(key);
        this.queue.add(key);
      },
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.addPod(p),
      onUpdate: (old, cur) => this.updatePod(old, cur),
      onDelete: (p) => this.deletePod(p),
    });
  }

  run(): () => Promise<void> {
    return runLoop(this.ctx, this.kind.component, this.queue, [this.owners, this.pods], (k) => this.sync(k));
  }

  private enqueue(o: T): void {
    this.queue.add(metaNamespaceKey(o));
  }

  /** The owner a pod's controllerRef names, if it is of our kind and the uid matches. */
  private resolveControllerRef(pod: Pod): T | undefined {
    const ref = getControllerOf(pod);
    if (!ref || ref.kind !== this.kind.gvk.kind) return undefined;
    const owner = this.owners.store.getByKey(`${pod.metadata?.namespace}/${ref.name}`);
    return owner && owner.metadata?.uid === ref.uid ? owner : undefined;
  }

  /** Owners in the pod's namespace whose selector matches it (for orphans). */
  private ownersMatching(pod: Pod): T[] {
    const ns = pod.metadata?.namespace ?? "";
    return this.owners.store.listByNamespace(ns).filter((o) => {
      const sel = safeSelector(this.kind, o);
      return sel !== undefined && matches(sel, pod.metadata?.labels);
    });
  }

  private addPod(pod: Pod): void {
    if (pod.metadata?.deletionTimestamp) {
      this.deletePod(pod);
      return;
    }
    if (getControllerOf(pod)) {
      const owner = this.resolveControllerRef(pod);
      if (!owner) return;
      const key = metaNamespaceKey(owner);
      this.expectations.creationObserved(key);
      this.queue.add(key);
      return;
    }
    for (const o of this.ownersMatching(pod)) this.enqueue(o);
  }

  private updatePod(old: Pod, cur: Pod): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const labelsChanged =
      JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
    if (cur.metadata?.deletionTimestamp) {
      // Graceful deletion: the pod stops counting now, not when the kubelet is done with it.
      this.deletePod(cur);
      if (labelsChanged) this.deletePod(old);
      return;
    }
    const oldRef = getControllerOf(old);
    const curRef = getControllerOf(cur);
    const refChanged = oldRef?.uid !== curRef?.uid;
    if (refChanged && oldRef) {
      const o = this.resolveControllerRef(old);
      if (o) this.enqueue(o);
    }
    if (curRef) {
      const o = this.resolveControllerRef(cur);
      if (o) this.enqueue(o);
      return;
    }
    if (labelsChanged || refChanged) for (const o of this.ownersMatching(cur)) this.enqueue(o);
  }

  private deletePod(p: Pod | DeletedFinalStateUnknown<Pod>): void {
    const pod = objectOf(p);
    const owner = this.resolveControllerRef(pod);
    if (!owner) return;
    const key = metaNamespaceKey(owner);
    this.expectations.deletionObservedOf(key, podKey(pod));
    this.queue.add(key);
  }

  async sync(key: string): Promise<ReconcileResult> {
    const cached = this.owners.store.getByKey(key);
    if (!cached) {
      this.expectations.deleteExpectations(key);
      return;
    }
    const owner = cached;
    const { namespace = "" } = splitKey(key);
    const needsSync = this.expectations.satisfiedExpectations(key);
    const selector = safeSelector(this.kind, owner);
    if (!selector) {
      this.log.warn({ key }, "invalid selector; not syncing");
      return;
    }
    const active = this.pods.store.listByNamespace(namespace).filter(isPodActive);
    const podsClient = this.ctx.client.resource(Pods, namespace);
    const owned = await claimObjects<Pod>({
      owner,
      ownerKind: this.kind.gvk,
      matches: (p) => matches(selector, p.metadata?.labels),
      objs: active,
      client: podsClient,
      getFreshOwner: () => this.ctx.client.resource(this.kind.ref, namespace).get(owner.metadata?.name ?? ""),
    });
    let manageError: { message: string; creating: boolean; err: unknown } | undefined;
    if (needsSync && !owner.metadata?.deletionTimestamp)
      manageError = await this.manageReplicas(owned, active, owner, key);
    const now = this.ctx.now();
    const spec = owner.spec ?? {};
    const newStatus = calculateStatus(
      {
        generation: owner.metadata?.generation,
        templateLabels: spec.template?.metadata?.labels,
        minReadySeconds: spec.minReadySeconds ?? 0,
        previous: owner.status as ReplicaStatus | undefined,
        pods: owned,
        manageError,
      },
      now,
    );
    if (statusChanged(owner.status as ReplicaStatus | undefined, newStatus)) {
      const updated = { ...structuredClone(owner), status: newStatus } as T;
      try {
        await this.ctx.client.resource(this.kind.ref, namespace).updateStatus(updated);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    if (manageError) throw manageError.err;
    const after = nextAvailableAfter(owned, spec.minReadySeconds ?? 0, now);
    if (after !== undefined) return { requeueAfter: after + 50 };
  }

  private async manageReplicas(
    owned: Pod[],
    relatedPods: Pod[],
    owner: T,
    key: string,
  ): Promise<{ message: string; creating: boolean; err: unknown } | undefined> {
    const namespace = owner.metadata?.namespace ?? "";
    const desired = owner.spec?.replicas ?? 1;
    const action = decideReplicas(desired, owned, relatedPods, this.ctx.now());
    if (action.kind === "create") {
      this.expectations.expectCreations(key, action.count);
      const ref = newControllerRef(owner, this.kind.gvk.apiVersion, this.kind.gvk.kind);
      const res = await slowStartBatch(action.count, 1, async () => {
        try {
          await this.podControl.createPod(namespace, owner.spec?.template, owner, ref);
        } catch (e) {
          if (isNamespaceTerminating(e)) return;
          throw e;
        }
      });
      // Creations that failed or were skipped will never be observed.
      for (let i = res.successes; i < action.count; i++) this.expectations.creationObserved(key);
      if (res.error !== undefined)
        return { message: errorMessage(res.error), creating: true, err: res.error };
      return undefined;
    }
    if (action.kind === "delete") {
      this.expectations.expectDeletionsOf(key, action.pods.map(podKey));
      let firstError: unknown;
      await Promise.all(
        action.pods.map(async (pod) => {
          try {
            await this.podControl.deletePod(namespace, pod.metadata?.name ?? "", owner);
          } catch (e) {
            this.expectations.deletionObservedOf(key, podKey(pod));
            if (!isNotFound(e) && firstError === undefined) firstError = e;
          }
        }),
      );
      if (firstError !== undefined)
        return { message: errorMessage(firstError), creating: false, err: firstError };
    }
    return undefined;
  }
}
