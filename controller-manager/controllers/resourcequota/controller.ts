// The resource quota controller (kube-controller-manager's `resourcequota`): keeps each
// ResourceQuota's status.hard and status.used current. Pods, services and claims come from informers
// (a change enqueues the namespace's quotas); other count/<resource> keys are counted with a live
// list on each sync, which runs again every --resource-quota-sync-period. The apiserver enforces the
// quota on create; this controller only accounts.
import type { PersistentVolumeClaim, Pod, ResourceQuota, Service } from "kubernetes-types/core/v1";
import { resources } from "../../../pkg/api/resources.js";
import {
  type ApiObject,
  isNotFound,
  metaNamespaceKey,
  objectOf,
  PersistentVolumeClaims,
  Pods,
  ResourceQuotas,
  Services,
  type SharedInformer,
  splitKey,
  WorkQueue,
} from "../../../pkg/client/index.js";
import type { ReconcileResult } from "../../../pkg/client/workqueue.js";
import type { ControllerContext, ControllerManagerOptions } from "../../context.js";
import { runLoop } from "../../lib/run.js";
import { refOf } from "../garbagecollector/discovery.js";
import { countedResources, quotaStatus } from "./decide.js";

export function quotaSyncPeriodMs(opts: ControllerManagerOptions): number {
  return (
    (opts as ControllerManagerOptions & { resourceQuotaSyncPeriodMs?: number }).resourceQuotaSyncPeriodMs ??
    30_000
  );
}

export class ResourceQuotaController {
  readonly queue = new WorkQueue<string>({ name: "resourcequota" });
  readonly quotas: SharedInformer<ResourceQuota>;
  readonly pods: SharedInformer<Pod>;
  readonly services: SharedInformer<Service>;
  readonly claims: SharedInformer<PersistentVolumeClaim>;
  private readonly periodMs: number;

  constructor(private readonly ctx: ControllerContext) {
    this.periodMs = quotaSyncPeriodMs(ctx.options);
    this.quotas = ctx.factory.informerFor(ResourceQuotas);
    this.pods = ctx.factory.informerFor(Pods);
    this.services = ctx.factory.informerFor(Services);
    this.claims = ctx.factory.informerFor(PersistentVolumeClaims);
    this.quotas.addEventHandler({
      onAdd: (q) => this.queue.add(metaNamespaceKey(q)),
      onUpdate: (o, q) =>
        JSON.stringify(o.spec) !== JSON.stringify(q.spec) && this.queue.add(metaNamespaceKey(q)),
    });
    const nsChanged = (o: ApiObject) => {
      for (const q of this.quotas.store.listByNamespace(o.metadata?.namespace ?? ""))
        this.queue.add(metaNamespaceKey(q));
    };
    for (const inf of [this.pods, this.services, this.claims] as SharedInformer<ApiObject>[]) {
      inf.addEventHandler({
        onAdd: nsChanged,
        onUpdate: (_o, n) => nsChanged(n),
        onDelete: (o) => nsChanged(objectOf(o)),
      });
    }
  }

  run(): () => Promise<void> {
    return runLoop(
      this.ctx,
      "resourcequota-controller",
      this.queue,
      [this.quotas, this.pods, this.services, this.claims],
      (k) => this.sync(k),
    );
  }

  /** Live counts for count/<resource>[.<group>] names. */
  private async counts(namespace: string, names: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    await Promise.all(
      names.map(async (name) => {
        const dot = name.indexOf(".");
        const resource = dot < 0 ? name : name.slice(0, dot);
        const group = dot < 0 ? "" : name.slice(dot + 1);
        const def = resources.find(
          (r) => r.group === group && r.resource === resource && !r.storage && r.namespaced,
        );
        if (!def) return;
        try {
          const list = await this.ctx.client.resource<ApiObject>(refOf(def), namespace).listAll();
          out.set(name, list.items.length);
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }),
    );
    return out;
  }

  async sync(key: string): Promise<ReconcileResult> {
    const quota = this.quotas.store.getByKey(key);
    if (!quota) return;
    const { namespace = "" } = splitKey(key);
    const hard = quota.spec?.hard as Record<string, string> | undefined;
    const counted = countedResources(hard);
    const status = quotaStatus(hard, {
      pods: this.pods.store.listByNamespace(namespace),
      services: this.services.store.listByNamespace(namespace),
      claims: this.claims.store.listByNamespace(namespace),
      counts: await this.counts(namespace, counted),
    });
    if (JSON.stringify(quota.status ?? {}) !== JSON.stringify(status)) {
      try {
        await this.ctx.client
          .resource(ResourceQuotas, namespace)
          .updateStatus({ ...structuredClone(quota), status });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    return { requeueAfter: this.periodMs };
  }
}
