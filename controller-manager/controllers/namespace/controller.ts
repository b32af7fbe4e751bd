// The namespace controller (kube-controller-manager's `namespace`): a namespace with a
// deletionTimestamp (phase Terminating) has everything in it deleted, resource by resource, its
// deletion conditions kept up to date, and when nothing is left its `kubernetes` finalizer is removed
// through namespaces/<name>/finalize, upon which the apiserver deletes it.
import type { Namespace } from "kubernetes-types/core/v1";
import {
  type ApiObject,
  isConflict,
  isNotFound,
  metaNamespaceKey,
  Namespaces,
  runWorkers,
  type SharedInformer,
  WorkQueue,
  waitForCacheSync,
} from "../../../pkg/client/index.js";
import type { ReconcileResult } from "../../../pkg/client/workqueue.js";
import type { ControllerContext } from "../../context.js";
import { type ServedResource, servedResources } from "../garbagecollector/discovery.js";
import { metaTime } from "../nodelifecycle/decide.js";
import {
  conditionsEqual,
  contentGone,
  type DeletionResult,
  deletionConditions,
  groupResource,
  KUBERNETES_FINALIZER,
} from "./decide.js";

/** How often a namespace whose content is still going away is looked at again. */
const RECHECK_MS = 1000;

export class NamespaceController {
  readonly queue = new WorkQueue<string>({ name: "namespace" });
  readonly namespaces: SharedInformer<Namespace>;
  private resources: ServedResource[] | undefined;
  private readonly log;

  constructor(private readonly ctx: ControllerContext) {
    this.log = ctx.log.child({ controller: "namespace-controller" });
    this.namespaces = ctx.factory.informerFor(Namespaces);
    this.namespaces.addEventHandler({
      onAdd: (n) => this.enqueue(n),
      onUpdate: (_o, n) => this.enqueue(n),
    });
  }

  private enqueue(ns: Namespace): void {
    if (ns.metadata?.deletionTimestamp) this.queue.add(metaNamespaceKey(ns));
  }

  run(): () => Promise<void> {
    return async () => {
      if (!(await waitForCacheSync(this.ctx.signal, this.namespaces))) return;
      await runWorkers(this.queue, this.ctx.options.concurrentSyncs, (k) => this.sync(k), {
        logger: this.log,
        signal: this.ctx.signal,
      });
    };
  }

  /** Namespaced resources that can be listed and deleted; discovered once, again after a failure. */
  private async contentResources(): Promise<ServedResource[]> {
    this.resources ??= (await servedResources(this.ctx.client, ["list", "delete"])).filter(
      (r) => r.def.namespaced,
    );
    return this.resources;
  }

  async sync(name: string): Promise<ReconcileResult> {
    const ns = this.namespaces.store.getByKey(name);
    if (!ns?.metadata?.deletionTimestamp) return;
    const finalizers = ns.spec?.finalizers ?? [];
    if (!finalizers.includes(KUBERNETES_FINALIZER)) return;
    const result = await this.deleteContent(name);
    const now = metaTime(this.ctx.now());
    const conditions = deletionConditions(ns.status?.conditions, result, now);
    let current = ns;
    if (!conditionsEqual(ns.status?.conditions, conditions) || ns.status?.phase !== "Terminating") {
      try {
        current = await this.ctx.client.resource(Namespaces).updateStatus({
          ...structuredClone(ns),
          status: { ...ns.status, phase: "Terminating", conditions },
        });
      } catch (e) {
        if (isNotFound(e)) return;
        if (!isConflict(e)) throw e;
      }
    }
    if (!contentGone(result)) {
      if (result.discoveryError) this.resources = undefined;
      return { requeueAfter: RECHECK_MS };
    }
    const rest = finalizers.filter((f) => f !== KUBERNETES_FINALIZER);
    try {
      await this.ctx.client.resource(Namespaces).updateSubresource(name, "finalize", {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name, resourceVersion: current.metadata?.resourceVersion },
        spec: { finalizers: rest },
      });
      this.log.info({ namespace: name }, "namespace content deleted; finalized");
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** deleteAllContent: delete every namespaced resource's objects, then count what is left. */
  private async deleteContent(namespace: string): Promise<DeletionResult> {
    const result: DeletionResult = { deleteErrors: [], remaining: new Map(), finalizers: new Map() };
    let resources: ServedResource[];
    try {
      resources = await this.contentResources();
    } catch (e) {
      result.discoveryError = String(e);
      return result;
    }
    await Promise.all(
      resources.map(async (res) => {
        const gr = groupResource(res.def.group, res.def.resource);
        const rc = this.ctx.client.resource<ApiObject>(res.ref, namespace);
        try {
          let items = (await rc.listAll()).items;
          const live = items.filter((o) => !o.metadata?.deletionTimestamp);
          if (live.length > 0) {
            if (res.def.verbs.includes("deletecollection")) await rc.deleteCollection({});
            else
              await Promise.all(
                live.map((o) =>
                  rc.delete(o.metadata?.name ?? "").catch((e: unknown) => {
                    if (!isNotFound(e)) throw e;
                  }),
                ),
              );
            items = (await rc.listAll()).items;
          }
          if (items.length > 0) result.remaining.set(gr, items.length);
          for (const o of items)
            for (const f of o.metadata?.finalizers ?? [])
              result.finalizers.set(f, (result.finalizers.get(f) ?? 0) + 1);
        } catch (e) {
          if (isNotFound(e)) return;
          result.deleteErrors.push(`${gr}: ${String(e)}`);
        }
      }),
    );
    return result;
  }
}
