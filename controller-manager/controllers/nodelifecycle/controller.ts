// The node lifecycle controller (kube-controller-manager's `nodelifecycle`) and the NoExecute taint
// manager (`taint-eviction-controller`). Every --node-monitor-period each node's health is checked:
// the controller remembers, on its own clock, when it last saw the node's Lease renewed or its Ready
// heartbeat move; past --node-monitor-grace-period the node's conditions go Unknown. Taints follow the
// Ready condition (unreachable / not-ready, NoSchedule at once, NoExecute through a per-zone rate
// limiter), pods on a node that is not Ready are marked not Ready (so endpoints drop them), and the
// taint manager deletes pods that do not tolerate a NoExecute taint, at once or after their
// tolerationSeconds.
import type { Lease } from "kubernetes-types/coordination/v1";
import type { Node, Pod } from "kubernetes-types/core/v1";
import {
  isConflict,
  isNotFound,
  Leases,
  metaNamespaceKey,
  Nodes,
  objectOf,
  Pods,
  type SharedInformer,
  sleep,
  TokenBucket,
  WorkQueue,
} from "../../../pkg/client/index.js";
import type { ReconcileResult } from "../../../pkg/client/workqueue.js";
import type { ControllerContext } from "../../context.js";
import { runLoop } from "../../lib/run.js";
import {
  computeZoneState,
  desiredTaints,
  evictionDecision,
  metaTime,
  needsNoExecuteTaint,
  notReadyConditions,
  readyCondition,
  staleNodeConditions,
  zoneEvictionRate,
  zoneOf,
} from "./decide.js";
import { type NodeLifecycleOptions, nodeLifecycleOptions } from "./options.js";

export const NODE_LEASE_NAMESPACE = "kube-node-lease";
export const BY_NODE_NAME = "spec.nodeName";
export const byNodeName = (p: Pod): string[] => (p.spec?.nodeName ? [p.spec.nodeName] : []);

interface NodeHealth {
  /** When (our clock) we last saw a sign of life. */
  probeMs: number;
  renewTime?: string;
  heartbeat?: string;
}

const withKind = <T extends object>(obj: T, apiVersion: string, kind: string): T => ({
  apiVersion,
  kind,
  ...obj,
});

export class NodeLifecycleController {
  readonly queue = new WorkQueue<string>({ name: "nodelifecycle" });
  readonly nodes: SharedInformer<Node>;
  readonly leases: SharedInformer<Lease>;
  readonly pods: SharedInformer<Pod>;
  readonly opts: NodeLifecycleOptions;
  private readonly health = new Map<string, NodeHealth>();
  private readonly zoneLimiters = new Map<string, { rate: number; bucket: TokenBucket }>();
  private readonly recorder;
  private readonly log;

  constructor(private readonly ctx: ControllerContext) {
    this.opts = nodeLifecycleOptions(ctx.options);
    this.log = ctx.log.child({ controller: "node-lifecycle-controller" });
    this.recorder = ctx.events.newRecorder({ component: "node-controller" });
    this.nodes = ctx.factory.informerFor(Nodes);
    this.leases = ctx.factory.informerFor(Leases, { namespace: NODE_LEASE_NAMESPACE });
    this.pods = ctx.factory.informerFor(Pods, { indexers: { [BY_NODE_NAME]: byNodeName } });
    this.nodes.addEventHandler({
      onAdd: (n) => this.queue.add(metaNamespaceKey(n)),
      onUpdate: (_o, n) => this.queue.add(metaNamespaceKey(n)),
      onDelete: (n) => {
        const name = objectOf(n).metadata?.name ?? "";
        this.health.delete(name);
      },
    });
    this.leases.addEventHandler({
      onAdd: (l) => this.queue.add(l.metadata?.name ?? ""),
      onUpdate: (_o, l) => this.queue.add(l.metadata?.name ?? ""),
    });
    // A pod that lands on a node that is not Ready is marked not Ready too.
    this.pods.addEventHandler({
      onAdd: (p) => p.spec?.nodeName && this.queue.add(p.spec.nodeName),
      onUpdate: (o, p) =>
        p.spec?.nodeName && o.spec?.nodeName !== p.spec.nodeName && this.queue.add(p.spec.nodeName),
    });
  }

  run(): () => Promise<void> {
    const loop = runLoop(
      this.ctx,
      "node-lifecycle-controller",
      this.queue,
      [this.nodes, this.leases, this.pods],
      (k) => this.sync(k),
    );
    return async () => {
      const monitor = this.monitor();
      await loop();
      await monitor;
    };
  }

  /** monitorNodeHealth's tick: every period every node is looked at again (health is time-driven). */
  private async monitor(): Promise<void> {
    while (await sleep(this.opts.nodeMonitorPeriodMs, this.ctx.signal)) {
      if (!this.nodes.hasSynced()) continue;
      for (const key of this.nodes.store.listKeys()) this.queue.add(key);
    }
  }

  /** Updates the remembered sign of life and says whether the node's health is stale. */
  private observe(node: Node, now: number): boolean {
    const name = node.metadata?.name ?? "";
    const renewTime = this.leases.store.getByKey(`${NODE_LEASE_NAMESPACE}/${name}`)?.spec?.renewTime;
    const heartbeat = readyCondition(node)?.lastHeartbeatTime;
    const h = this.health.get(name);
    if (!h) {
      // First sight (or a controller restart): every node gets a full grace period.
      this.health.set(name, { probeMs: now, renewTime, heartbeat });
      return false;
    }
    if (h.renewTime !== renewTime || h.heartbeat !== heartbeat) {
      h.probeMs = now;
      h.renewTime = renewTime;
      h.heartbeat = heartbeat;
    }
    return now - h.probeMs > this.opts.nodeMonitorGracePeriodMs;
  }

  /** Whether this node may get its NoExecute taint now (the zone's rate limiter has a token). */
  private mayTaint(node: Node): boolean {
    const zone = zoneOf(node);
    const members = this.nodes.store.list().filter((n) => zoneOf(n) === zone);
    const state = computeZoneState(
      members.map((n) => readyCondition(n)?.status),
      this.opts.unhealthyZoneThreshold,
    );
    const rate = zoneEvictionRate(state, members.length, {
      evictionRate: this.opts.nodeEvictionRate,
      secondaryEvictionRate: this.opts.secondaryNodeEvictionRate,
      largeClusterSizeThreshold: this.opts.largeClusterSizeThreshold,
    });
    if (rate <= 0) return false;
    let lim = this.zoneLimiters.get(zone);
    if (!lim || lim.rate !== rate) {
      lim = { rate, bucket: new TokenBucket(rate, 1) };
      this.zoneLimiters.set(zone, lim);
    }
    return lim.bucket.tryAccept();
  }

  async sync(name: string): Promise<ReconcileResult> {
    const cached = this.nodes.store.getByKey(name);
    if (!cached) return;
    const now = this.ctx.now();
    let node = cached;
    if (this.observe(node, now)) {
      const conditions = staleNodeConditions(node, now);
      if (conditions) {
        const wasReady = readyCondition(node)?.status === "True";
        node = await this.ctx.client
          .resource(Nodes)
          .updateStatus({ ...structuredClone(node), status: { ...node.status, conditions } });
        this.log.info({ node: name }, "node health stale: conditions set to Unknown");
        if (wasReady) {
          this.recorder.event(
            withKind(node, "v1", "Node"),
            "Normal",
            "NodeNotReady",
            `Node ${name} status is now: NodeNotReady`,
          );
        }
      }
    }
    const ready = readyCondition(node)?.status;
    const mayAddNoExecute = needsNoExecuteTaint(node) ? this.mayTaint(node) : false;
    const taints = desiredTaints(node.spec?.taints, ready, now, mayAddNoExecute);
    if (taints) {
      // The resourceVersion makes a concurrent taint edit a conflict (retried) rather than lost.
      node = await this.ctx.client
        .resource(Nodes)
        .patch(
          name,
          { metadata: { resourceVersion: node.metadata?.resourceVersion }, spec: { taints } },
          "merge",
        );
      this.log.info({ node: name, taints: taints.map((t) => `${t.key}:${t.effect}`) }, "node taints updated");
    }
    if (ready !== "True") await this.markPodsNotReady(node, now);
    // A NoExecute taint held back by the rate limiter is retried soon.
    if (needsNoExecuteTaint(node)) return { requeueAfter: 100 };
  }

  /** MarkPodsNotReady: pods on a node that is not Ready are not Ready either. */
  private async markPodsNotReady(node: Node, now: number): Promise<void> {
    const name = node.metadata?.name ?? "";
    for (const pod of this.pods.store.byIndex(BY_NODE_NAME, name)) {
      if (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") continue;
      const status = notReadyConditions(pod, now);
      if (!status) continue;
      try {
        await this.ctx.client
          .resource(Pods, pod.metadata?.namespace)
          .updateStatus({ ...structuredClone(pod), status });
        this.recorder.event(withKind(pod, "v1", "Pod"), "Warning", "NodeNotReady", "Node is not ready");
      } catch (e) {
        if (!isNotFound(e) && !isConflict(e)) throw e;
      }
    }
  }
}

/**
 * The NoExecute taint manager: a pod on a node with NoExecute taints it does not tolerate is deleted,
 * at once or when its tolerationSeconds run out. Level-triggered on the pod: the deadline is computed
 * from the taints' timeAdded, so a restart or a missed event changes nothing.
 */
export class TaintEvictionController {
  readonly queue = new WorkQueue<string>({ name: "taint-eviction" });
  readonly nodes: SharedInformer<Node>;
  readonly pods: SharedInformer<Pod>;
  private readonly recorder;
  private readonly log;

  constructor(private readonly ctx: ControllerContext) {
    this.log = ctx.log.child({ controller: "taint-eviction-controller" });
    this.recorder = ctx.events.newRecorder({ component: "taint-eviction-controller" });
    this.nodes = ctx.factory.informerFor(Nodes);
    this.pods = ctx.factory.informerFor(Pods, { indexers: { [BY_NODE_NAME]: byNodeName } });
    const enqueueNodePods = (n: Node) => {
      for (const p of this.pods.store.byIndex(BY_NODE_NAME, n.metadata?.name ?? ""))
        this.queue.add(metaNamespaceKey(p));
    };
    this.nodes.addEventHandler({
      onAdd: (n) => enqueueNodePods(n),
      onUpdate: (o, n) => {
        const noExec = (x: Node) =>
          JSON.stringify((x.spec?.taints ?? []).filter((t) => t.effect === "NoExecute"));
        if (noExec(o) !== noExec(n)) enqueueNodePods(n);
      },
    });
    this.pods.addEventHandler({
      onAdd: (p) => p.spec?.nodeName && this.queue.add(metaNamespaceKey(p)),
      onUpdate: (_o, p) => p.spec?.nodeName && this.queue.add(metaNamespaceKey(p)),
    });
  }

  run(): () => Promise<void> {
    return runLoop(this.ctx, "taint-eviction-controller", this.queue, [this.nodes, this.pods], (k) =>
      this.sync(k),
    );
  }

  async sync(key: string): Promise<ReconcileResult> {
    const pod = this.pods.store.getByKey(key);
    if (!pod?.spec?.nodeName || pod.metadata?.deletionTimestamp) return;
    const node = this.nodes.store.getByKey(pod.spec.nodeName);
    const taints = (node?.spec?.taints ?? []).filter((t) => t.effect === "NoExecute");
    const now = this.ctx.now();
    const decision = evictionDecision(pod, taints, now);
    if (decision.kind === "wait") return { requeueAfter: decision.ms + 10 };
    if (decision.kind !== "evict") return;
    const ns = pod.metadata?.namespace ?? "";
    const name = pod.metadata?.name ?? "";
    this.recorder.event(
      withKind(pod, "v1", "Pod"),
      "Normal",
      "TaintManagerEviction",
      `Marking for deletion Pod ${ns}/${name}`,
    );
    const rc = this.ctx.client.resource(Pods, ns);
    try {
      // As upstream: say why first (DisruptionTarget), then delete.
      const conditions = [
        ...(pod.status?.conditions ?? []).filter((c) => c.type !== "DisruptionTarget"),
        {
          type: "DisruptionTarget",
          status: "True",
          reason: "DeletionByTaintManager",
          message: "Taint manager: deleting due to NoExecute taint",
          lastTransitionTime: metaTime(now),
        },
      ];
      await rc
        .updateStatus({ ...structuredClone(pod), status: { ...pod.status, conditions } })
        .catch((e: unknown) => {
          if (!isConflict(e)) throw e;
        });
      await rc.delete(name, { preconditions: { uid: pod.metadata?.uid } });
      this.log.info({ pod: key, node: pod.spec.nodeName }, "evicted pod from NoExecute-tainted node");
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }
}
