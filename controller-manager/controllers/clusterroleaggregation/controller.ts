// kube-controller-manager's clusterrole-aggregation controller (pkg/controller/clusterroleaggregation):
// every ClusterRole with an aggregationRule holds the union of the rules of the ClusterRoles its
// selectors match. Any ClusterRole change queues every aggregated role (the dependency graph is not
// known and the set is small, as upstream); reconcile(name) applies the union when it differs.
import type { ClusterRole } from "kubernetes-types/rbac/v1";
import { isNotFound, resourceRef, type SharedInformer, WorkQueue } from "../../../pkg/client/index.js";
import type { ReconcileResult } from "../../../pkg/client/workqueue.js";
import type { ControllerContext } from "../../context.js";
import { runLoop } from "../../lib/run.js";
import { applyConfiguration, FIELD_MANAGER, rulesToWrite } from "./decide.js";

export const ClusterRoles = resourceRef<ClusterRole>(
  "rbac.authorization.k8s.io/v1",
  "clusterroles",
  "ClusterRole",
  false,
);

export class ClusterRoleAggregationController {
  readonly queue = new WorkQueue<string>({ name: "ClusterRoleAggregator" });
  readonly clusterRoles: SharedInformer<ClusterRole>;

  constructor(private readonly ctx: ControllerContext) {
    this.clusterRoles = ctx.factory.informerFor(ClusterRoles);
    this.clusterRoles.addEventHandler({
      onAdd: () => this.enqueueAggregated(),
      onUpdate: () => this.enqueueAggregated(),
      onDelete: () => this.enqueueAggregated(),
    });
  }

  run(): () => Promise<void> {
    return runLoop(this.ctx, "clusterrole-aggregation-controller", this.queue, [this.clusterRoles], (k) =>
      this.sync(k),
    );
  }

  private enqueueAggregated(): void {
    for (const r of this.clusterRoles.store.list())
      if (r.aggregationRule && r.metadata?.name) this.queue.add(r.metadata.name);
  }

  async sync(name: string): Promise<ReconcileResult> {
    const all = this.clusterRoles.store.list();
    const rules = rulesToWrite(all, this.clusterRoles.store.getByKey(name));
    if (!rules) return;
    try {
      await this.ctx.client
        .resource(ClusterRoles)
        .patch(name, applyConfiguration(name, rules), "apply", { fieldManager: FIELD_MANAGER, force: true });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
