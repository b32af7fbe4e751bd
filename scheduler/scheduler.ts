// kube-scheduler's I/O edge: informers feed the cache and the queue; one loop pops a pod, runs the
// (synchronous, pure) algorithm, assumes the pod on the chosen node and binds it in the background
// (POST pods/<name>/binding), so the next pod is decided while earlier bindings are in flight.
// Failures become a FailedScheduling event and a PodScheduled=False/Unschedulable condition.
import type {
  Namespace,
  Node,
  ObjectReference,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  PodCondition,
} from "kubernetes-types/core/v1";
import type { PriorityClass } from "kubernetes-types/scheduling/v1";
import {
  type EventRecorder,
  type InformerFactory,
  isConflict,
  isNotFound,
  metaNamespaceKey,
  Namespaces,
  Nodes,
  objectOf,
  PersistentVolumeClaims,
  PersistentVolumes,
  Pods,
  type RestClient,
  resourceRef,
  type SharedInformer,
  waitForCacheSync,
} from "../pkg/client/index.js";
import type { Logger } from "../pkg/util/log.js";
import { SchedulerCache } from "./cache/cache.js";
import { newPodInfo, type PodInfo } from "./framework/nodeinfo.js";
import { Framework, type Profile } from "./framework/runtime.js";
import {
  type CycleState,
  type Diagnosis,
  fitErrorMessage,
  NO_NODE_AVAILABLE_MSG,
  type Status,
} from "./framework/types.js";
import { DEFAULT_SCHEDULER_NAME, defaultProfile } from "./plugins/registry.js";
import { type ClusterEvent, type QueuedPodInfo, SchedulingQueue } from "./queue/queue.js";
import { Algorithm } from "./schedule-one.js";

export const PriorityClasses = resourceRef<PriorityClass>(
  "scheduling.k8s.io/v1",
  "priorityclasses",
  "PriorityClass",
  false,
);

export interface SchedulerOptions {
  client: RestClient;
  logger: Logger;
  recorder?: EventRecorder;
  profile?: Profile;
  percentageOfNodesToScore?: number;
  /** Bindings in flight at once (each is one POST). */
  maxInFlightBindings?: number;
  /** Called after each successful binding (benchmarks). */
  onBound?: (pod: PodInfo, nodeName: string) => void;
}

/** The PodScheduled condition list with ours set; undefined when nothing would change. */
export function withPodScheduledCondition(
  pod: Pod,
  cond: { status: "True" | "False"; reason?: string; message?: string },
  nowIso: string,
): PodCondition[] | undefined {
  const conditions = pod.status?.conditions ?? [];
  const old = conditions.find((c) => c.type === "PodScheduled");
  if (old && old.status === cond.status && old.reason === cond.reason && old.message === cond.message)
    return undefined;
  const next: PodCondition = {
    type: "PodScheduled",
    status: cond.status,
    ...(cond.reason ? { reason: cond.reason } : {}),
    ...(cond.message ? { message: cond.message } : {}),
    lastProbeTime: null as unknown as string,
    lastTransitionTime: old && old.status === cond.status ? old.lastTransitionTime : nowIso,
  };
  return [...conditions.filter((c) => c.type !== "PodScheduled"), next];
}

function podRef(pod: Pod): ObjectReference {
  return {
    apiVersion: "v1",
    kind: "Pod",
    namespace: pod.metadata?.namespace,
    name: pod.metadata?.name,
    uid: pod.metadata?.uid,
    resourceVersion: pod.metadata?.resourceVersion,
  };
}

const sameJSON = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** What changed between two versions of a node, as queue events. */
export function nodeUpdateEvents(oldNode: Node, newNode: Node): ClusterEvent[] {
  const ev: ClusterEvent[] = [];
  if ((oldNode.spec?.unschedulable ?? false) !== (newNode.spec?.unschedulable ?? false))
    ev.push("NodeUnschedulableChange");
  if (!sameJSON(oldNode.status?.allocatable, newNode.status?.allocatable)) ev.push("NodeAllocatableChange");
  if (!sameJSON(oldNode.metadata?.labels, newNode.metadata?.labels)) ev.push("NodeLabelChange");
  if (!sameJSON(oldNode.spec?.taints, newNode.spec?.taints)) ev.push("NodeTaintChange");
  const conds = (n: Node) => (n.status?.conditions ?? []).map((c) => `${c.type}=${c.status}`).join(",");
  if (conds(oldNode) !== conds(newNode)) ev.push("NodeConditionChange");
  return ev;
}

export class Scheduler {
  readonly cache = new SchedulerCache();
  readonly queue = new SchedulingQueue();
  readonly framework: Framework;
  readonly algorithm: Algorithm;
  private readonly log: Logger;
  private readonly client: RestClient;
  private pods?: SharedInformer<Pod>;
  private priorityClasses?: SharedInformer<PriorityClass>;
  private bindsInFlight = 0;
  private bindSlotWaiters: (() => void)[] = [];
  private readonly maxInFlight: number;
  /** Counters for metrics and benchmarks. */
  readonly stats = { attempts: 0, scheduled: 0, unschedulable: 0, errors: 0, bindErrors: 0 };

  constructor(private readonly opts: SchedulerOptions) {
    this.client = opts.client;
    this.log = opts.logger;
    this.framework = new Framework(opts.profile ?? defaultProfile());
    this.algorithm = new Algorithm(this.framework, {
      percentageOfNodesToScore: opts.percentageOfNodesToScore,
      nominator: this.cache,
    });
    this.maxInFlight = opts.maxInFlightBindings ?? 256;
  }

  get schedulerName(): string {
    return this.framework.schedulerName;
  }

  private responsibleFor(pod: Pod): boolean {
    return (pod.spec?.schedulerName || DEFAULT_SCHEDULER_NAME) === this.schedulerName;
  }

  /** spec.priority, or the PriorityClass's value when admission has not filled it in. */
  private priorityOf(pod: Pod): number | undefined {
    if (pod.spec?.priority !== undefined) return pod.spec.priority;
    const store = this.priorityClasses?.store;
    if (!store) return undefined;
    const name = pod.spec?.priorityClassName;
    if (name) return store.getByKey(name)?.value;
    return store.list().find((pc) => pc.globalDefault)?.value;
  }

  podInfoFor(pod: Pod): PodInfo {
    return newPodInfo(pod, this.priorityOf(pod));
  }

  /** Wires the informers to the cache and queue. */
  register(factory: InformerFactory): SharedInformer<unknown & { metadata?: object }>[] {
    const pods = factory.informerFor(Pods);
    const nodes = factory.informerFor(Nodes);
    this.pods = pods;
    this.priorityClasses = factory.informerFor(PriorityClasses);
    const namespaces = factory.informerFor(Namespaces);
    const pvcs = factory.informerFor(PersistentVolumeClaims);
    const pvs = factory.informerFor(PersistentVolumes);
    this.cache.namespaceLabelsOf = (ns) =>
      (namespaces.store.getByKey(ns) as Namespace | undefined)?.metadata?.labels;
    const volumes = {
      claim: (ns: string, name: string) =>
        pvcs.store.getByKey(`${ns}/${name}`) as PersistentVolumeClaim | undefined,
      volume: (name: string) => pvs.store.getByKey(name) as PersistentVolume | undefined,
    };
    // The volume listers count only once synced: before that, a missing claim means "not seen yet".
    const syncVolumes = () => {
      this.cache.volumes = pvcs.hasSynced() && pvs.hasSynced() ? volumes : undefined;
    };
    const onVolume = (ev: ClusterEvent) => () => {
      syncVolumes();
      this.queue.moveOnEvent(ev);
    };
    pvcs.addEventHandler({
      onAdd: onVolume("PvcChange"),
      onUpdate: onVolume("PvcChange"),
      onDelete: onVolume("PvcChange"),
    });
    pvs.addEventHandler({
      onAdd: onVolume("PvChange"),
      onUpdate: onVolume("PvChange"),
      onDelete: onVolume("PvChange"),
    });
    namespaces.addEventHandler({ onUpdate: () => this.queue.moveOnEvent("NamespaceChange") });

    pods.addEventHandler({
      onAdd: (p) => this.onPodAdd(p),
      onUpdate: (o, p) => this.onPodUpdate(o, p),
      onDelete: (p) => this.onPodDelete(objectOf(p)),
    });
    nodes.addEventHandler({
      onAdd: (n) =>
        this.safely("node add", () => {
          this.cache.addOrUpdateNode(n);
          this.queue.moveOnEvent("NodeAdd");
        }),
      onUpdate: (o, n) =>
        this.safely("node update", () => {
          this.cache.addOrUpdateNode(n);
          for (const ev of nodeUpdateEvents(o, n)) this.queue.moveOnEvent(ev);
        }),
      onDelete: (n) =>
        this.safely("node delete", () => this.cache.removeNode(objectOf(n).metadata?.name ?? "")),
    });
    return [pods, nodes] as unknown as SharedInformer<unknown & { metadata?: object }>[];
  }

  private safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      // A malformed object must not stop scheduling for the others.
      this.log.error({ err: (err as Error).message, what }, "cannot handle event");
    }
  }

  private onPodAdd(pod: Pod): void {
    this.safely("pod add", () => {
      if (pod.spec?.nodeName) {
        this.cache.addOrUpdatePod(pod);
        this.cache.unnominate(metaNamespaceKey(pod));
        this.queue.moveOnEvent("AssignedPodAdd");
      } else if (this.responsibleFor(pod) && !pod.metadata?.deletionTimestamp) {
        this.queue.add(this.podInfoFor(pod));
      }
    });
  }

  private onPodUpdate(oldPod: Pod, pod: Pod): void {
    if (oldPod === pod) return;
    this.safely("pod update", () => {
      const key = metaNamespaceKey(pod);
      if (pod.spec?.nodeName) {
        this.queue.delete(key);
        this.cache.unnominate(key);
        this.cache.addOrUpdatePod(pod);
        this.queue.moveOnEvent(oldPod.spec?.nodeName ? "AssignedPodUpdate" : "AssignedPodAdd");
        return;
      }
      if (!this.responsibleFor(pod) || this.cache.isAssumed(key)) return;
      if (pod.metadata?.deletionTimestamp) {
        this.queue.delete(key);
        return;
      }
      this.queue.update(this.podInfoFor(pod));
    });
  }

  private onPodDelete(pod: Pod): void {
    this.safely("pod delete", () => {
      const key = metaNamespaceKey(pod);
      this.queue.delete(key);
      this.cache.unnominate(key);
      if (pod.spec?.nodeName || this.cache.isAssumed(key)) {
        this.cache.removePod(key);
        this.queue.moveOnEvent("AssignedPodDelete");
      }
    });
  }

  /** Runs until the signal aborts: informers, queue flushes, and the scheduling loop. */
  async run(factory: InformerFactory, signal: AbortSignal): Promise<void> {
    const required = this.register(factory);
    factory.start(signal);
    if (!(await waitForCacheSync(signal, ...required))) return;
    this.log.info({ nodes: this.cache.nodes.length }, "caches synced, scheduling");
    this.queue.run();
    signal.addEventListener("abort", () => this.queue.close(), { once: true });
    while (!signal.aborted) {
      const q = await this.queue.pop();
      if (!q) break;
      this.scheduleOne(q);
      // Let informer events and binding responses in between decisions.
      await new Promise<void>((r) => setImmediate(r));
      while (this.bindsInFlight >= this.maxInFlight)
        await new Promise<void>((r) => this.bindSlotWaiters.push(r));
    }
  }

  /** One scheduling cycle (synchronous) and the start of its binding cycle (asynchronous). */
  scheduleOne(q: QueuedPodInfo): void {
    const key = q.podInfo.key;
    const live = this.pods?.store.getByKey(key) ?? q.podInfo.pod;
    if (live.spec?.nodeName || live.metadata?.deletionTimestamp || !this.responsibleFor(live)) {
      this.queue.done(key);
      return;
    }
    const pi = live === q.podInfo.pod ? q.podInfo : this.podInfoFor(live);
    q.podInfo = pi;
    const cycle = this.queue.schedulingCycle;
    this.stats.attempts++;
    let result: ReturnType<Algorithm["schedule"]>;
    try {
      result = this.algorithm.schedule(pi, this.cache);
    } catch (err) {
      this.log.error({ err: (err as Error).message, pod: key }, "scheduling error");
      this.failed(q, cycle, (err as Error).message, undefined, true);
      return;
    }
    if (result.kind === "unschedulable") {
      this.handleUnschedulable(q, cycle, result.state, result.numAllNodes, result.diagnosis, result.error);
      return;
    }
    const nodeName = result.nodeName;
    this.cache.assumePod(pi, nodeName);
    this.cache.unnominate(key);
    const rs = this.framework.runReserve(result.state, pi, nodeName);
    if (rs) {
      this.cache.forgetPod(key);
      this.failed(q, cycle, rs.reasons.join(", "), undefined, true);
      return;
    }
    this.bindsInFlight++;
    void this.bind(q, pi, nodeName, result.state, cycle).finally(() => {
      this.bindsInFlight--;
      this.bindSlotWaiters.shift()?.();
    });
  }

  private handleUnschedulable(
    q: QueuedPodInfo,
    cycle: number,
    state: CycleState,
    numAllNodes: number,
    diagnosis: Diagnosis,
    error?: string,
  ): void {
    const pi = q.podInfo;
    let nominatedNodeName: string | undefined;
    if (!error) {
      for (const p of this.framework.profile.postFilter) {
        const r = p.postFilter(state, pi, diagnosis.nodeToStatus, {
          snapshot: this.cache,
          runFiltersOn: (st, pod, node) => this.algorithm.filterWithNominated(st, pod, node),
          runPreFilters: (st, pod, snap) => this.framework.runPreFilters(st, pod, snap).status,
        });
        if (r.status.reasons.length > 0) diagnosis.postFilterMsg = r.status.reasons.join(", ");
        if (r.nominatedNodeName !== undefined) nominatedNodeName = r.nominatedNodeName;
        if (r.victims?.length && r.nominatedNodeName) {
          this.preempt(pi, r.nominatedNodeName, r.victims);
          break;
        }
      }
    }
    const msg = error ?? fitErrorMessage(numAllNodes, diagnosis);
    q.unschedulablePlugins = new Set(diagnosis.unschedulablePlugins);
    this.failed(q, cycle, msg, nominatedNodeName, !!error && error !== NO_NODE_AVAILABLE_MSG);
  }

  private preempt(preemptor: PodInfo, nodeName: string, victims: PodInfo[]): void {
    this.cache.nominate(preemptor, nodeName);
    for (const v of victims) {
      this.opts.recorder?.event(
        podRef(v.pod),
        "Normal",
        "Preempted",
        `Preempted by pod ${preemptor.pod.metadata?.uid ?? preemptor.key} on node ${nodeName}`,
      );
      this.client
        .resource(Pods, v.namespace)
        .delete(v.name, { preconditions: { uid: v.pod.metadata?.uid } })
        .catch((err) => {
          if (!isNotFound(err))
            this.log.warn({ err: (err as Error).message, victim: v.key }, "cannot delete victim");
        });
    }
    this.log.info({ pod: preemptor.key, node: nodeName, victims: victims.map((v) => v.key) }, "preempting");
  }

  private failed(
    q: QueuedPodInfo,
    cycle: number,
    message: string,
    nominatedNodeName: string | undefined,
    isError: boolean,
  ): void {
    const pi = q.podInfo;
    if (isError) this.stats.errors++;
    else this.stats.unschedulable++;
    q.failedWithError = isError;
    this.queue.addUnschedulable(q, cycle);
    this.opts.recorder?.event(podRef(pi.pod), "Warning", "FailedScheduling", message);
    this.log.debug({ pod: pi.key, message }, "unschedulable");
    const live = this.pods?.store.getByKey(pi.key) ?? pi.pod;
    const conditions = withPodScheduledCondition(
      live,
      { status: "False", reason: "Unschedulable", message },
      new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    );
    const status: Record<string, unknown> = {};
    if (conditions) status.conditions = conditions;
    if (nominatedNodeName !== undefined && (live.status?.nominatedNodeName ?? "") !== nominatedNodeName) {
      status.nominatedNodeName = nominatedNodeName || null;
    }
    if (Object.keys(status).length === 0) return;
    this.client
      .resource(Pods, pi.namespace)
      .patch(pi.name, { status }, "merge", { subresource: "status" })
      .catch((err) => {
        if (!isNotFound(err))
          this.log.warn({ err: (err as Error).message, pod: pi.key }, "cannot update pod status");
      });
  }

  private async bind(
    q: QueuedPodInfo,
    pi: PodInfo,
    nodeName: string,
    state: CycleState,
    cycle: number,
  ): Promise<void> {
    const key = pi.key;
    try {
      await this.client.resource(Pods, pi.namespace).createSubresource(pi.name, "binding", {
        apiVersion: "v1",
        kind: "Binding",
        metadata: {
          name: pi.name,
          namespace: pi.namespace,
          ...(pi.pod.metadata?.uid ? { uid: pi.pod.metadata.uid } : {}),
        },
        target: { apiVersion: "v1", kind: "Node", name: nodeName },
      });
    } catch (err) {
      if (await this.alreadyBound(pi, nodeName, err)) {
        // Idempotent: an earlier attempt (or another replica) bound it where we wanted it.
      } else {
        this.framework.runUnreserve(state, pi, nodeName);
        this.cache.forgetPod(key);
        if (isNotFound(err)) {
          this.queue.done(key);
          return;
        }
        this.stats.bindErrors++;
        this.log.warn({ err: (err as Error).message, pod: key, node: nodeName }, "binding failed");
        this.failed(q, cycle, `Binding rejected: ${(err as Error).message}`, undefined, true);
        return;
      }
    }
    this.queue.done(key);
    this.stats.scheduled++;
    this.opts.recorder?.event(
      podRef(pi.pod),
      "Normal",
      "Scheduled",
      `Successfully assigned ${key} to ${nodeName}`,
    );
    this.opts.onBound?.(pi, nodeName);
  }

  private async alreadyBound(pi: PodInfo, nodeName: string, err: unknown): Promise<boolean> {
    if (!isConflict(err)) return false;
    try {
      const pod = await this.client.resource(Pods, pi.namespace).get(pi.name);
      return pod.spec?.nodeName === nodeName;
    } catch {
      return false;
    }
  }
}

export type { Status };
