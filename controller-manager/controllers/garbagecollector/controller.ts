// The garbage collector (kube-controller-manager's `garbagecollector`). It watches every served
// resource (discovery ∩ pkg/api/resources.ts, events excepted) and keeps a graph of ownerReferences
// by uid. One queue of uids, one level-triggered sync(uid) that looks at the object both as an owner
// (being deleted with the `orphan` or `foregroundDeletion` finalizer: orphan or delete its dependents,
// then drop the finalizer) and as a dependent (no owner left ⇒ delete it; references to owners that
// are gone are removed while another owner remains). Owners missing from the graph are checked live
// before anything is deleted, as upstream does, so that a lagging cache never deletes a live object.
import type { ObjectMeta, OwnerReference } from "kubernetes-types/meta/v1";
import { findByGVK, parseApiVersion, resources } from "../../../pkg/api/resources.js";
import {
  type ApiObject,
  isConflict,
  isNotFound,
  objectOf,
  runWorkers,
  type SharedInformer,
  WorkQueue,
  waitForCacheSync,
} from "../../../pkg/client/index.js";
import type { ReconcileResult } from "../../../pkg/client/workqueue.js";
import type { ControllerContext } from "../../context.js";
import {
  type ClassifiedOwner,
  type DependentInfo,
  decideDependent,
  decideOwner,
  FOREGROUND_FINALIZER,
  ORPHAN_FINALIZER,
  ownerState,
} from "./decide.js";
import { refOf, type ServedResource, servedResources } from "./discovery.js";

/** Resources the collector does not watch (upstream's default ignoredResources). */
const IGNORED = new Set(["/events", "events.k8s.io/events"]);

interface GraphNode {
  uid: string;
  res: ServedResource;
  informer: SharedInformer<ApiObject>;
  /** Informer key: "namespace/name" or "name". */
  key: string;
  namespace?: string;
  name: string;
  owners: OwnerReference[];
}

function keyOf(meta: ObjectMeta | undefined): string {
  return meta?.namespace ? `${meta.namespace}/${meta.name}` : (meta?.name ?? "");
}

export class GarbageCollector {
  readonly queue = new WorkQueue<string>({ name: "garbagecollector" });
  private readonly graph = new Map<string, GraphNode>();
  private readonly dependents = new Map<string, Set<string>>();
  private readonly log;
  private informers: SharedInformer<ApiObject>[] = [];

  constructor(private readonly ctx: ControllerContext) {
    this.log = ctx.log.child({ controller: "garbage-collector-controller" });
  }

  run(): () => Promise<void> {
    return async () => {
      const served = await this.discover();
      if (!served) return;
      for (const res of served) this.watch(res);
      this.ctx.factory.start(this.ctx.signal);
      if (!(await waitForCacheSync(this.ctx.signal, ...this.informers))) return;
      this.log.info({ resources: served.length }, "garbage collector synced, starting workers");
      await runWorkers(this.queue, this.ctx.options.concurrentSyncs, (uid) => this.sync(uid), {
        logger: this.log,
        signal: this.ctx.signal,
      });
    };
  }

  /** Discovery with retries: the apiserver may not be up yet. */
  private async discover(): Promise<ServedResource[] | undefined> {
    for (let delay = 500; !this.ctx.signal.aborted; delay = Math.min(delay * 2, 10_000)) {
      try {
        const all = await servedResources(this.ctx.client, ["list", "watch", "delete"]);
        return all.filter((r) => !IGNORED.has(`${r.def.group}/${r.def.resource}`));
      } catch (e) {
        this.log.warn({ err: String(e) }, "discovery failed; retrying");
        await new Promise((r) => setTimeout(r, delay));
      }
    }
    return undefined;
  }

  private watch(res: ServedResource): void {
    const informer = this.ctx.factory.informerFor(res.ref);
    this.informers.push(informer);
    informer.addEventHandler({
      onAdd: (o) => this.upsert(res, informer, o),
      onUpdate: (_old, o) => this.upsert(res, informer, o),
      onDelete: (o) => this.remove(objectOf(o)),
    });
  }

  private link(owner: string, dependent: string, add: boolean): void {
    let set = this.dependents.get(owner);
    if (add) {
      if (!set) {
        set = new Set();
        this.dependents.set(owner, set);
      }
      set.add(dependent);
    } else if (set) {
      set.delete(dependent);
      if (set.size === 0) this.dependents.delete(owner);
    }
  }

  private upsert(res: ServedResource, informer: SharedInformer<ApiObject>, obj: ApiObject): void {
    const meta = obj.metadata;
    const uid = meta?.uid;
    if (!uid) return;
    const owners = meta?.ownerReferences ?? [];
    const prev = this.graph.get(uid);
    const before = new Set((prev?.owners ?? []).map((r) => r.uid));
    const after = new Set(owners.map((r) => r.uid));
    for (const o of before) if (!after.has(o)) this.link(o, uid, false);
    for (const o of after) this.link(o, uid, true);
    this.graph.set(uid, {
      uid,
      res,
      informer,
      key: keyOf(meta),
      namespace: meta?.namespace,
      name: meta?.name ?? "",
      owners,
    });
    // Owners it no longer (or still) names may be waiting for it.
    for (const o of before) this.queue.add(o);
    if (owners.length > 0) this.queue.add(uid);
    if (meta?.deletionTimestamp) {
      if (meta.finalizers?.includes(ORPHAN_FINALIZER) || meta.finalizers?.includes(FOREGROUND_FINALIZER))
        this.queue.add(uid);
    }
  }

  private remove(obj: ApiObject): void {
    const uid = obj.metadata?.uid;
    if (!uid) return;
    const node = this.graph.get(uid);
    this.graph.delete(uid);
    for (const r of node?.owners ?? []) {
      this.link(r.uid, uid, false);
      this.queue.add(r.uid);
    }
    // Its dependents now have a dangling reference.
    for (const d of this.dependents.get(uid) ?? []) this.queue.add(d);
  }

  private latest(node: GraphNode): ApiObject | undefined {
    const obj = node.informer.store.getByKey(node.key);
    return obj?.metadata?.uid === node.uid ? obj : undefined;
  }

  private client(node: GraphNode) {
    return this.ctx.client.resource(node.res.ref, node.namespace);
  }

  async sync(uid: string): Promise<ReconcileResult> {
    const node = this.graph.get(uid);
    if (!node) return;
    const obj = this.latest(node);
    if (!obj) return;
    const meta = obj.metadata;
    // As an owner being deleted with orphan / foreground semantics.
    const deps: DependentInfo[] = [];
    for (const d of this.dependents.get(uid) ?? []) {
      const dn = this.graph.get(d);
      const dobj = dn && this.latest(dn);
      const ref = dn?.owners.find((r) => r.uid === uid);
      if (dn && dobj && ref) deps.push({ uid: d, ref, deleting: !!dobj.metadata?.deletionTimestamp });
    }
    const ownerAction = decideOwner(meta, deps);
    switch (ownerAction.kind) {
      case "orphan":
        for (const d of ownerAction.dependents) await this.removeOwnerRefs(d, [uid]);
        this.queue.addAfter(uid, 50);
        return;
      case "deleteDependents":
        for (const d of ownerAction.dependents) this.queue.add(d);
        return;
      case "removeFinalizer": {
        const finalizers = (meta?.finalizers ?? []).filter((f) => f !== ownerAction.finalizer);
        await this.patch(node, {
          metadata: {
            resourceVersion: meta?.resourceVersion,
            finalizers: finalizers.length ? finalizers : null,
          },
        });
        this.log.info(
          { object: `${node.res.def.resource}/${node.key}`, finalizer: ownerAction.finalizer },
          "removed finalizer",
        );
        return;
      }
      case "none":
        break;
    }
    // As a dependent.
    if (node.owners.length === 0) return;
    const owners: ClassifiedOwner[] = [];
    for (const ref of node.owners) owners.push({ ref, state: await this.classify(node, ref) });
    const action = decideDependent(meta, owners, (this.dependents.get(uid)?.size ?? 0) > 0);
    if (action.kind === "removeOwnerRefs") {
      await this.removeOwnerRefs(uid, action.uids);
    } else if (action.kind === "delete") {
      this.log.info(
        { object: `${node.res.def.resource}/${node.key}`, policy: action.policy },
        "deleting object whose owners are gone",
      );
      try {
        await this.client(node).delete(node.name, {
          propagationPolicy: action.policy,
          preconditions: { uid },
        });
      } catch (e) {
        if (!isNotFound(e) && !isConflict(e)) throw e;
      }
    }
  }

  /** The state of one owner: from the graph, else from the apiserver. */
  private async classify(node: GraphNode, ref: OwnerReference): Promise<ClassifiedOwner["state"]> {
    const owner = this.graph.get(ref.uid);
    if (owner) {
      const obj = this.latest(owner);
      // A namespaced owner must live in its dependent's namespace.
      if (owner.res.def.namespaced && owner.namespace !== node.namespace) return "dangling";
      if (obj) return ownerState(obj.metadata, ref);
    }
    const { group, version } = parseApiVersion(ref.apiVersion);
    const def =
      findByGVK(group, version, ref.kind) ?? resources.find((r) => r.group === group && r.kind === ref.kind);
    // An owner of a kind we do not know is left alone rather than guessed absent.
    if (!def) return "solid";
    if (def.namespaced && !node.namespace) return "dangling";
    try {
      const live = await this.ctx.client
        .resource(refOf(def), def.namespaced ? node.namespace : undefined)
        .get(ref.name);
      return ownerState(live.metadata, ref);
    } catch (e) {
      if (isNotFound(e)) return "dangling";
      throw e;
    }
  }

  private async removeOwnerRefs(uid: string, owners: string[]): Promise<void> {
    const node = this.graph.get(uid);
    const obj = node && this.latest(node);
    if (!node || !obj) return;
    const refs = (obj.metadata?.ownerReferences ?? []).filter((r) => !owners.includes(r.uid));
    await this.patch(node, {
      metadata: {
        resourceVersion: obj.metadata?.resourceVersion,
        ownerReferences: refs.length ? refs : null,
      },
    });
  }

  private async patch(node: GraphNode, body: unknown): Promise<void> {
    try {
      await this.client(node).patch(node.name, body, "merge");
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
  }
}
