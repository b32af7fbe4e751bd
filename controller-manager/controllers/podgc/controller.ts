// The pod garbage collector (kube-controller-manager's `podgc`): every --pod-gc-period it deletes
// the oldest terminated pods beyond --terminated-pod-gc-threshold, pods bound to nodes that no longer
// exist (after a quarantine, confirmed by a live GET, marked Failed first and force-deleted), and pods
// being deleted that were never scheduled.
import type { Node, Pod } from "kubernetes-types/core/v1";
import {
  isConflict,
  isNotFound,
  Nodes,
  Pods,
  type SharedInformer,
  WorkQueue,
} from "../../../pkg/client/index.js";
import type { ReconcileResult } from "../../../pkg/client/workqueue.js";
import type { ControllerContext, ControllerManagerOptions } from "../../context.js";
import { runLoop } from "../../lib/run.js";
import { metaTime } from "../nodelifecycle/decide.js";
import { podsToDelete } from "./decide.js";

export interface PodGCOptions {
  /** --terminated-pod-gc-threshold (upstream 12500; ≤ 0 disables). */
  terminatedPodGCThreshold: number;
  /** How often to look (upstream 20 s). */
  podGCPeriodMs: number;
  /** How long a node must be missing before its pods are orphans (upstream 40 s). */
  orphanQuarantineMs: number;
}

export const podGCDefaults: PodGCOptions = {
  terminatedPodGCThreshold: 12500,
  podGCPeriodMs: 5_000,
  orphanQuarantineMs: 10_000,
};

export function podGCOptions(opts: ControllerManagerOptions): PodGCOptions {
  const given = opts as ControllerManagerOptions & Partial<PodGCOptions>;
  return {
    terminatedPodGCThreshold: given.terminatedPodGCThreshold ?? podGCDefaults.terminatedPodGCThreshold,
    podGCPeriodMs: given.podGCPeriodMs ?? podGCDefaults.podGCPeriodMs,
    orphanQuarantineMs: given.orphanQuarantineMs ?? podGCDefaults.orphanQuarantineMs,
  };
}

const GC_KEY = "podgc";

export class PodGCController {
  readonly queue = new WorkQueue<string>({ name: "podgc" });
  readonly pods: SharedInformer<Pod>;
  readonly nodes: SharedInformer<Node>;
  readonly opts: PodGCOptions;
  /** Node name → when we first found it missing. */
  private readonly missingSince = new Map<string, number>();
  private readonly log;

  constructor(private readonly ctx: ControllerContext) {
    this.opts = podGCOptions(ctx.options);
    this.log = ctx.log.child({ controller: "pod-garbage-collector" });
    this.pods = ctx.factory.informerFor(Pods);
    this.nodes = ctx.factory.informerFor(Nodes);
    this.queue.add(GC_KEY);
  }

  run(): () => Promise<void> {
    return runLoop(this.ctx, "pod-garbage-collector", this.queue, [this.pods, this.nodes], () => this.sync());
  }

  /** Nodes that pods name but the cache lacks, gone for the quarantine and confirmed by the apiserver. */
  private async goneNodes(pods: readonly Pod[], now: number): Promise<Set<string>> {
    const gone = new Set<string>();
    const named = new Set(pods.map((p) => p.spec?.nodeName).filter((n): n is string => !!n));
    for (const n of [...this.missingSince.keys()])
      if (!named.has(n) || this.nodes.store.getByKey(n)) this.missingSince.delete(n);
    for (const name of named) {
      if (this.nodes.store.getByKey(name)) continue;
      const since = this.missingSince.get(name) ?? now;
      this.missingSince.set(name, since);
      if (now - since < this.opts.orphanQuarantineMs) continue;
      try {
        await this.ctx.client.resource(Nodes).get(name);
      } catch (e) {
        if (isNotFound(e)) gone.add(name);
        else throw e;
      }
    }
    return gone;
  }

  async sync(): Promise<ReconcileResult> {
    const now = this.ctx.now();
    const pods = this.pods.store.list();
    const gone = await this.goneNodes(pods, now);
    for (const d of podsToDelete(pods, (n) => gone.has(n), this.opts.terminatedPodGCThreshold)) {
      const ns = d.pod.metadata?.namespace ?? "";
      const name = d.pod.metadata?.name ?? "";
      const rc = this.ctx.client.resource(Pods, ns);
      try {
        if (
          d.reason === "orphaned" &&
          d.pod.status?.phase !== "Succeeded" &&
          d.pod.status?.phase !== "Failed"
        ) {
          const conditions = [
            ...(d.pod.status?.conditions ?? []).filter((c) => c.type !== "DisruptionTarget"),
            {
              type: "DisruptionTarget",
              status: "True",
              reason: "DeletionByPodGC",
              message: "PodGC: node no longer exists",
              lastTransitionTime: metaTime(now),
            },
          ];
          await rc.updateStatus({
            ...structuredClone(d.pod),
            status: { ...d.pod.status, phase: "Failed", conditions },
          });
        }
        await rc.delete(name, {
          ...(d.force ? { gracePeriodSeconds: 0 } : {}),
          preconditions: { uid: d.pod.metadata?.uid },
        });
        this.log.info({ pod: `${ns}/${name}`, reason: d.reason }, "garbage-collected pod");
      } catch (e) {
        if (!isNotFound(e) && !isConflict(e)) throw e;
      }
    }
    return { requeueAfter: this.opts.podGCPeriodMs };
  }
}
