// The DaemonSet controller (pkg/controller/daemon): one pod per eligible node, pinned to it by node
// affinity; rolling update by the template hash in controller-revision-hash. Decisions in decide.ts.
import type { ControllerRevision, DaemonSet } from "kubernetes-types/apps/v1";
import type { Node, Pod } from "kubernetes-types/core/v1";
import { labelSelectorAsSelector, matches, type Selector } from "../../../pkg/api/labels.js";
import { getControllerOf, newControllerRef } from "../../../pkg/api/meta.js";
import {
  ControllerExpectations,
  ControllerRevisions,
  DaemonSets,
  isAlreadyExists,
  isNotFound,
  metaNamespaceKey,
  Nodes,
  objectOf,
  Pods,
  type SharedInformer,
  splitKey,
  WorkQueue,
} from "../../../pkg/client/index.js";
import type { ReconcileResult } from "../../../pkg/client/workqueue.js";
import type { ControllerContext, ControllerDescriptor } from "../../context.js";
import { claimObjects } from "../../lib/claim.js";
import { computeHash, equalIgnoringZero, semanticEqual } from "../../lib/hash.js";
import {
  decideRevision,
  newRevision,
  ownedRevisions,
  revisionsToTruncate,
  templateOfRevision,
} from "../../lib/history.js";
import { PodControl, podNameOr } from "../../lib/pod-control.js";
import { runLoop } from "../../lib/run.js";
import { decideDaemons, HASH_LABEL, podSpecForNode } from "./decide.js";

const GVK = { apiVersion: "apps/v1", kind: "DaemonSet" };
const COMPONENT = "daemonset-controller";

function selectorOf(ds: DaemonSet): Selector | undefined {
  try {
    return labelSelectorAsSelector(ds.spec?.selector);
  } catch {
    return undefined;
  }
}

export class DaemonSetController {
  readonly queue = new WorkQueue<string>({ name: "daemonset" });
  readonly sets: SharedInformer<DaemonSet>;
  readonly pods: SharedInformer<Pod>;
  readonly nodes: SharedInformer<Node>;
  readonly revisions: SharedInformer<ControllerRevision>;
  readonly expectations: ControllerExpectations;
  private readonly podControl: PodControl;

  constructor(private readonly ctx: ControllerContext) {
    this.expectations = new ControllerExpectations(ctx.now);
    this.podControl = new PodControl(ctx.client, ctx.events.newRecorder({ component: COMPONENT }));
    this.sets = ctx.factory.informerFor(DaemonSets);
    this.pods = ctx.factory.informerFor(Pods);
    this.nodes = ctx.factory.informerFor(Nodes);
    this.revisions = ctx.factory.informerFor(ControllerRevisions);
    const enqueue = (ds: DaemonSet) => this.queue.add(metaNamespaceKey(ds));
    const all = () => {
      for (const ds of this.sets.store.list()) enqueue(ds);
    };
    this.sets.addEventHandler({
      onAdd: enqueue,
      onUpdate: (_o, d) => enqueue(d),
      onDelete: (d) => enqueue(objectOf(d)),
    });
    this.nodes.addEventHandler({
      onAdd: all,
      onUpdate: (o, n) => {
        if (
          JSON.stringify(o.metadata?.labels) !== JSON.stringify(n.metadata?.labels) ||
          JSON.stringify(o.spec) !== JSON.stringify(n.spec)
        )
          all();
      },
      onDelete: all,
    });
    const onPod = (p: Pod, observe?: "add" | "del") => {
      const ref = getControllerOf(p);
      if (ref?.kind !== "DaemonSet") return;
      const key = `${p.metadata?.namespace}/${ref.name}`;
      if (observe === "add") this.expectations.creationObserved(key);
      if (observe === "del") this.expectations.deletionObserved(key);
      this.queue.add(key);
    };
    this.pods.addEventHandler({
      onAdd: (p) => onPod(p, "add"),
      onUpdate: (o, p) => {
        if (o.metadata?.resourceVersion === p.metadata?.resourceVersion) return;
        onPod(p, !o.metadata?.deletionTimestamp && p.metadata?.deletionTimestamp ? "del" : undefined);
      },
      onDelete: (p) => {
        const pod = objectOf(p);
        onPod(pod, pod.metadata?.deletionTimestamp ? undefined : "del");
      },
    });
  }

  run(): () => Promise<void> {
    return runLoop(this.ctx, COMPONENT, this.queue, [this.sets, this.pods, this.nodes, this.revisions], (k) =>
      this.sync(k),
    );
  }

  async sync(key: string): Promise<ReconcileResult> {
    const cached = this.sets.store.getByKey(key);
    if (!cached) {
      this.expectations.deleteExpectations(key);
      return;
    }
    const ds = structuredClone(cached);
    const { namespace = "", name } = splitKey(key);
    const sel = selectorOf(ds);
    if (!sel) return;
    const pods = await claimObjects<Pod>({
      owner: ds,
      ownerKind: GVK,
      matches: (p) => matches(sel, p.metadata?.labels),
      objs: this.pods.store.listByNamespace(namespace),
      client: this.ctx.client.resource(Pods, namespace),
      getFreshOwner: () => this.ctx.client.resource(DaemonSets, namespace).get(name),
    });
    const hash = computeHash(ds.spec?.template, ds.status?.collisionCount);
    if (!ds.metadata?.deletionTimestamp) await this.syncHistory(ds, pods);
    const now = this.ctx.now();
    const plan = decideDaemons(ds, this.nodes.store.list(), pods, hash, now);
    let firstError: unknown;
    if (this.expectations.satisfiedExpectations(key) && !ds.metadata?.deletionTimestamp) {
      this.expectations.setExpectations(key, plan.createOn.length, plan.delete.length);
      const ref = newControllerRef(ds, GVK.apiVersion, GVK.kind);
      await Promise.all([
        ...plan.createOn.map(async (nodeName) => {
          const template = structuredClone(ds.spec?.template ?? {});
          template.metadata = {
            ...template.metadata,
            labels: {
              ...(template.metadata?.labels ?? {}),
              [HASH_LABEL]: hash,
              "pod-template-generation": String(ds.metadata?.generation ?? 1),
            },
          };
          template.spec = podSpecForNode(template.spec, nodeName);
          try {
            await this.podControl.createPod(namespace, template, ds, ref);
          } catch (e) {
            this.expectations.creationObserved(key);
            firstError ??= e;
          }
        }),
        ...plan.delete.map(async (p) => {
          try {
            await this.podControl.deletePod(namespace, podNameOr(p), ds);
          } catch (e) {
            this.expectations.deletionObserved(key);
            if (!isNotFound(e)) firstError ??= e;
          }
        }),
      ]);
    }
    const status = {
      ...plan.status,
      ...(ds.status?.collisionCount ? { collisionCount: ds.status.collisionCount } : {}),
    };
    if (!equalIgnoringZero(ds.status, status)) {
      try {
        await this.ctx.client.resource(DaemonSets, namespace).updateStatus({ ...ds, status });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    if (firstError !== undefined) throw firstError;
    const minReady = ds.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && (plan.status.numberReady ?? 0) > (plan.status.numberAvailable ?? 0))
      return { requeueAfter: minReady * 1000 };
  }

  /**
   * The template history `kubectl rollout history/undo ds` reads (constructHistory + cleanupHistory):
   * the live template's ControllerRevision carries the highest number; old ones beyond
   * revisionHistoryLimit that no pod runs are deleted.
   */
  private async syncHistory(ds: DaemonSet, pods: Pod[]): Promise<void> {
    const ns = ds.metadata?.namespace ?? "";
    const client = this.ctx.client.resource(ControllerRevisions, ns);
    // Orphaned revisions the selector matches are adopted (constructHistory's controlledHistories):
    // a DaemonSet re-created after `delete --cascade=orphan` keeps its history and its pods' hash
    // instead of colliding with its own old revision and rolling every daemon.
    const sel = selectorOf(ds);
    const owned = ownedRevisions(ds, this.revisions.store.listByNamespace(ns));
    const orphans = this.revisions.store
      .listByNamespace(ns)
      .filter((r) => !getControllerOf(r) && sel !== undefined && matches(sel, r.metadata?.labels));
    const adopted =
      orphans.length > 0
        ? await claimObjects<ControllerRevision>({
            owner: ds,
            ownerKind: GVK,
            matches: () => true,
            objs: orphans,
            client,
            getFreshOwner: () => this.ctx.client.resource(DaemonSets, ns).get(ds.metadata?.name ?? ""),
          })
        : [];
    const revisions = [...owned, ...adopted].sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
    const plan = decideRevision(ds.spec?.template, revisions);
    let current = plan.existing;
    if (current && plan.renumberTo !== undefined) {
      current = await client.update({ ...structuredClone(current), revision: plan.renumberTo });
    } else if (plan.createAs !== undefined) {
      const rev = newRevision(
        ds,
        newControllerRef(ds, GVK.apiVersion, GVK.kind),
        plan.createAs,
        ds.status?.collisionCount,
        HASH_LABEL,
        true,
      );
      try {
        current = await client.create(rev);
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
        const found = await client.get(rev.metadata?.name ?? "");
        if (
          getControllerOf(found)?.uid !== ds.metadata?.uid ||
          !semanticEqual(templateOfRevision(found), ds.spec?.template)
        ) {
          // A hash collision: salt the hash (the pods' label follows) and try again.
          await this.ctx.client.resource(DaemonSets, ns).updateStatus({
            ...ds,
            status: { ...ds.status!, collisionCount: (ds.status?.collisionCount ?? 0) + 1 },
          });
          throw new Error(`controller revision ${rev.metadata?.name} collides; collisionCount raised`);
        }
        current = found;
      }
    }
    const inUse = new Set<string | undefined>([current?.metadata?.name]);
    const byHash = new Map(revisions.map((r) => [r.metadata?.labels?.[HASH_LABEL], r.metadata?.name]));
    for (const p of pods) inUse.add(byHash.get(p.metadata?.labels?.[HASH_LABEL]));
    const stale = revisionsToTruncate(revisions, inUse, ds.spec?.revisionHistoryLimit ?? 10);
    for (const r of stale) {
      try {
        await client.delete(r.metadata?.name ?? "");
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }
}

export const daemonSetDescriptor: ControllerDescriptor = {
  name: "daemonset",
  init: (ctx) => new DaemonSetController(ctx).run(),
};
