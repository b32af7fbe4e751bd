// The kubelet's pod lifecycle: one level-triggered syncPod(uid) per pod, serialized per pod by the work
// queue. It reads the desired pod and what the engine has, asks computePodActions what to do, does it
// (sandbox + network, images, volumes, env, create/start/stop), then reports the status generatePodStatus
// computes. Pods that are gone from the desired set are stopped and their containers removed.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Container, ObjectReference, Pod, Service } from "kubernetes-types/core/v1";
import {
  type EventRecorder,
  ItemExponentialFailureRateLimiter,
  isNotFound,
  Pods,
  type RestClient,
  WorkQueue,
} from "../pkg/client/index.js";
import type { Logger } from "../pkg/util/log.js";
import type { PodNetwork } from "./network/bridge.js";
import { type HostPortMapping, podHostPorts } from "./network/hostports.js";
import { Ipam } from "./network/ipam.js";
import { computePodActions, type PodActions, restartPolicy } from "./pod/actions.js";
import { backoffKey, CrashLoopBackoff } from "./pod/backoff.js";
import { ContainerConfigError, containerEnv, envReferences, expandCommand } from "./pod/env.js";
import { containerHash, stableStringify } from "./pod/hash.js";
import { PodStartTrace } from "./pod/start-trace.js";
import { generatePodStatus, type StartFailure } from "./pod/status.js";
import { ProbeManager } from "./prober/manager.js";
import {
  appContainerCreateOptions,
  hostsFileContent,
  type NodeRuntimeContext,
  sandboxCreateOptions,
} from "./runtime/container-config.js";
import type { DockerRuntime } from "./runtime/docker.js";
import { containersToCollect } from "./runtime/gc.js";
import type { PodRuntimeStatus } from "./runtime/types.js";
import { findContainerStatus } from "./runtime/types.js";
import { isOtherPodWithSameName, StatusManager } from "./status/manager.js";
import type { VolumeObjects } from "./volumes/manager.js";
import { containerBinds, type VolumeManager } from "./volumes/manager.js";

export interface KubeletOptions {
  log: Logger;
  runtime: DockerRuntime;
  network: PodNetwork;
  volumes: VolumeManager;
  objects: VolumeObjects;
  ctx: NodeRuntimeContext;
  nodeIP: string;
  rootDir: string;
  nodeAllocatable: () => { cpuMilli: number; memoryBytes: number };
  services: () => Service[];
  client?: RestClient;
  recorder?: EventRecorder;
  /** periodic full sync of every pod (upstream --sync-frequency, 1 min) */
  resyncMs?: number;
  /** how often the engine is listed to catch a change its event stream missed (upstream's PLEG relist) */
  relistMs?: number;
  /** how often a running pod's configMap, secret, downwardAPI and projected volumes are rewritten */
  volumeRefreshMs?: number;
  workers?: number;
}

/** Upstream's kubelet re-syncs each pod (and so its volumes) every minute (--sync-frequency). */
export const VOLUME_REFRESH_MS = 60_000;
export const RESYNC_MS = 60_000;
/**
 * Docker's event stream tells of every container change at once; the relist is the safety net for an
 * event lost while the stream reconnects: one list call for the whole node, and only the pods whose
 * containers changed since the previous relist are synced (what upstream's PLEG does every second).
 */
export const RELIST_MS = 10_000;

/** The uids of the pods in `desired` with the name of `pod` but another uid. */
export function sameNameOtherUid(desired: ReadonlyMap<string, Pod>, pod: Pod): string[] {
  const { namespace, name, uid } = pod.metadata ?? {};
  const out: string[] = [];
  for (const [other, p] of desired)
    if (other !== uid && p.metadata?.name === name && p.metadata?.namespace === namespace) out.push(other);
  return out;
}

/** What identifies the engine-side state of a pod between two relists: its containers and their states. */
export function runtimeFingerprint(rt: PodRuntimeStatus): string {
  return [...rt.sandboxes.map((s) => `${s.id}:${s.ready}`), ...rt.containers.map((c) => `${c.id}:${c.state}`)]
    .sort()
    .join(",");
}

/** The pods whose engine-side state differs between two relists (new, changed or gone). */
export function relistChanges(before: Map<string, string>, after: Map<string, string>): string[] {
  const changed: string[] = [];
  for (const [uid, fp] of after) if (before.get(uid) !== fp) changed.push(uid);
  for (const uid of before.keys()) if (!after.has(uid)) changed.push(uid);
  return changed;
}

class SyncError extends Error {}

/** The longest wait before a failed pod sync is tried again (upstream's pod worker back-off period). */
export const POD_RETRY_MAX_MS = 10_000;

function podRef(pod: Pod, container?: string, init = false): ObjectReference {
  return {
    kind: "Pod",
    apiVersion: "v1",
    name: pod.metadata?.name,
    namespace: pod.metadata?.namespace,
    uid: pod.metadata?.uid,
    ...(pod.metadata?.resourceVersion ? { resourceVersion: pod.metadata.resourceVersion } : {}),
    ...(container ? { fieldPath: `spec.${init ? "initContainers" : "containers"}{${container}}` } : {}),
  };
}

function formatPod(pod: Pod): string {
  return `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;
}

function defaultPullPolicy(image: string): "Always" | "IfNotPresent" {
  const last = image.split("/").pop() ?? image;
  if (image.includes("@")) return "IfNotPresent";
  return !last.includes(":") || last.endsWith(":latest") ? "Always" : "IfNotPresent";
}

export class Kubelet {
  readonly desired = new Map<string, Pod>();
  /**
   * Failed syncs are retried after at most POD_RETRY_MAX_MS, as upstream's pod workers retry after their
   * 10 s back-off period: the controllers' default (doubling to 1000 s) would leave a pod that failed a
   * few dozen times (network not ready at start-up, an apiserver away) waiting minutes for its next sync,
   * a terminating one included.
   */
  readonly queue = new WorkQueue<string>({
    name: "pods",
    rateLimiter: new ItemExponentialFailureRateLimiter<string>(5, POD_RETRY_MAX_MS),
  });
  readonly statusManager: StatusManager;
  readonly probes: ProbeManager;
  private reasons = new Map<string, Map<string, StartFailure>>();
  private backoff = new CrashLoopBackoff();
  private imageBackoff = new CrashLoopBackoff();
  /** images whose registry could not be reached: the local copy is used until then */
  private pullSkipUntil = new Map<string, number>();
  private ipam?: Ipam;
  private podCIDR = "";
  private cidrChain: Promise<void> = Promise.resolve();
  private hostPorts = new Map<string, HostPortMapping[]>();
  private lastPodIP = new Map<string, string>();
  private hostPortChain: Promise<void> = Promise.resolve();
  private podSynced = new Map<string, number>();
  /** when each pod's volumes were last written */
  private volumesWritten = new Map<string, number>();
  /** pods whose first Running was seen: for the start-latency figures */
  readonly firstRunning = new Map<string, number>();
  /** the steps of each pod's first start, logged once it runs */
  readonly startTrace = new PodStartTrace();

  constructor(readonly o: KubeletOptions) {
    this.statusManager = new StatusManager(o.client, o.log);
    this.probes = new ProbeManager(o.runtime, {
      unhealthy: (pod, c, _kind, message) => this.event(pod, "Warning", "Unhealthy", message, c.name),
      changed: (uid) => this.queue.add(uid),
    });
  }

  get hasNetwork(): boolean {
    return this.ipam !== undefined;
  }

  private event(
    pod: Pod,
    type: "Normal" | "Warning",
    reason: string,
    message: string,
    container?: string,
    init = false,
  ): void {
    this.o.recorder?.event(podRef(pod, container, init), type, reason, message);
    this.o.log.debug({ pod: formatPod(pod), reason, message }, "event");
  }

  /** Sets this node's podCIDR: the bridge is (re)configured and the address pool rebuilt from the engine. */
  setPodCIDR(cidr: string): Promise<void> {
    // Serialized: node events arrive in bursts and two concurrent inits would race on the bridge.
    const next = this.cidrChain.then(() => this.applyPodCIDR(cidr));
    this.cidrChain = next.catch(() => undefined);
    return next;
  }

  private async applyPodCIDR(cidr: string): Promise<void> {
    if (cidr === this.podCIDR) return;
    await this.o.network.init(cidr);
    const ipam = new Ipam(cidr);
    for (const p of (await this.o.runtime.listPods()).values())
      for (const s of p.sandboxes) ipam.reserve(s.ip);
    this.ipam = ipam;
    this.podCIDR = cidr;
    for (const uid of this.desired.keys()) this.queue.add(uid);
  }

  /** Records a pod's hostPort mappings; the node's rules are rewritten (serialized) when they change. */
  private setHostPorts(uid: string, mappings: HostPortMapping[]): void {
    const before = JSON.stringify(this.hostPorts.get(uid) ?? []);
    if (before === JSON.stringify(mappings)) return;
    if (mappings.length) this.hostPorts.set(uid, mappings);
    else this.hostPorts.delete(uid);
    this.hostPortChain = this.hostPortChain
      .then(() => this.o.network.syncHostPorts([...this.hostPorts.values()].flat()))
      .catch((e: Error) => this.o.log.warn({ err: e.message }, "cannot program hostPort rules"));
  }

  upsertPod(pod: Pod): void {
    const uid = pod.metadata?.uid;
    if (!uid) return;
    // A name is unique in the API: another pod of this name is one that was deleted and re-created (a
    // StatefulSet pod). The informer, keyed by name, reports that as an update when it relists after a
    // lost watch, never as the old pod's deletion, so the old one is dropped here (upstream's pod config
    // compares the sets of pods by uid for the same reason).
    for (const uidOfSameName of sameNameOtherUid(this.desired, pod)) this.removePod(uidOfSameName);
    if (!pod.metadata?.deletionTimestamp && !this.firstRunning.has(uid))
      this.startTrace.seen(uid, Date.now());
    const old = this.desired.get(uid);
    this.desired.set(uid, pod);
    // The echo of the kubelet's own status write changes nothing it acts on: no sync for it (upstream's
    // pod config ignores status-only updates too). Anyone else's status write is re-asserted by a sync.
    const lastSent = this.statusManager.lastSent(uid);
    if (old && isOwnStatusEcho(old, pod, lastSent)) return;
    // Someone else wrote the status (the node lifecycle controller marks pods NotReady while their node
    // was away): what this kubelet sent last is no longer there, so the sync below writes it again, as
    // upstream's status manager reconciles a status that differs from its cache.
    if (lastSent !== undefined && stableStringify(pod.status ?? {}) !== lastSent)
      this.statusManager.forget(uid);
    this.queue.add(uid);
  }

  removePod(uid: string): void {
    this.desired.delete(uid);
    this.queue.add(uid);
  }

  /** Enqueues every pod the engine has (recovery: orphans are cleaned, known pods adopted). */
  async enqueueRuntimePods(): Promise<void> {
    for (const uid of (await this.o.runtime.listPods()).keys()) this.queue.add(uid);
  }

  private relisted = new Map<string, string>();

  /** Lists the engine once and syncs the pods whose containers changed since the last relist. */
  async relist(): Promise<void> {
    const now = new Map<string, string>();
    for (const [uid, rt] of await this.o.runtime.listPods()) now.set(uid, runtimeFingerprint(rt));
    for (const uid of relistChanges(this.relisted, now)) this.queue.add(uid);
    this.relisted = now;
  }

  private collecting = false;

  /** Removes exited containers beyond the garbage-collection policy (runtime/gc.ts); one pass at a time. */
  async collectContainers(): Promise<number> {
    if (this.collecting) return 0;
    this.collecting = true;
    try {
      const ids = containersToCollect((await this.o.runtime.listPods()).values(), Date.now());
      let removed = 0;
      for (const id of ids) {
        await this.o.runtime.remove(id).then(
          () => removed++,
          (e: Error) =>
            this.o.log.warn({ container: id, err: e.message }, "cannot remove an exited container"),
        );
      }
      if (removed) this.o.log.info({ removed }, "garbage-collected exited containers");
      return removed;
    } catch (e) {
      this.o.log.warn({ err: (e as Error).message }, "container garbage collection failed");
      return 0;
    } finally {
      this.collecting = false;
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    const { log } = this.o;
    void this.o.runtime.watchEvents((ev) => {
      if (ev.uid) this.queue.add(ev.uid);
    }, signal);
    const resync = setInterval(() => {
      for (const uid of this.desired.keys()) this.queue.add(uid);
      void this.enqueueRuntimePods().catch(() => undefined);
      this.backoff.gc(Date.now());
      this.imageBackoff.gc(Date.now());
      void this.collectContainers();
    }, this.o.resyncMs ?? RESYNC_MS);
    const relist = setInterval(
      () => void this.relist().catch((e: Error) => log.warn({ err: e.message }, "relist failed")),
      this.o.relistMs ?? RELIST_MS,
    );
    signal.addEventListener("abort", () => {
      clearInterval(resync);
      clearInterval(relist);
      this.probes.stopAll();
      this.queue.shutDown();
    });
    await this.enqueueRuntimePods().catch((e: Error) =>
      log.error({ err: e.message }, "cannot list containers"),
    );
    const { runWorkers } = await import("../pkg/client/index.js");
    await runWorkers(this.queue, this.o.workers ?? 8, (uid) => this.syncPod(uid), { logger: log, signal });
  }

  private reasonsOf(uid: string): Map<string, StartFailure> {
    let m = this.reasons.get(uid);
    if (!m) {
      m = new Map();
      this.reasons.set(uid, m);
    }
    return m;
  }

  /** Level-triggered: brings the engine in line with the desired pod (or its absence), then reports status. */
  async syncPod(uid: string): Promise<{ requeueAfter?: number } | undefined> {
    const pod = this.desired.get(uid);
    this.startTrace.mark(uid, "queued", Date.now());
    const runtime = await this.o.runtime.podStatus(uid);
    this.startTrace.mark(uid, "inspect", Date.now());
    if (!pod) {
      this.setHostPorts(uid, []);
      if (runtime) await this.removeOrphan(runtime);
      this.probes.removePod(uid);
      this.reasons.delete(uid);
      this.lastPodIP.delete(uid);
      this.volumesWritten.delete(uid);
      this.backoff.forgetPod(uid);
      this.statusManager.forget(uid);
      this.startTrace.forget(uid);
      this.firstRunning.delete(uid);
      return undefined;
    }
    const now = Date.now();
    const actions = computePodActions(pod, runtime, {
      now,
      backoff: this.backoff,
      liveness: (id) => this.probes.liveness(id),
      startup: (id) => this.probes.startupFailed(id),
    });
    let requeueAfter = this.o.resyncMs ?? RESYNC_MS;
    let syncError: Error | undefined;
    try {
      requeueAfter = Math.min(requeueAfter, await this.execute(pod, runtime, actions));
    } catch (e) {
      syncError = e as Error;
    }
    // Read the engine again only when something was done to it.
    const after = changesEngine(actions) ? await this.o.runtime.podStatus(uid) : runtime;
    const terminating = !!pod.metadata?.deletionTimestamp;
    const sandbox = after?.sandboxes[0];
    // A hostNetwork pod's address is the node's (its status.podIP): probes dial it there.
    let podIP = sandbox?.ready ? (pod.spec?.hostNetwork ? this.o.nodeIP : sandbox.ip) : "";
    if (podIP) this.lastPodIP.set(uid, podIP);
    else if (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed" || terminating) {
      podIP = pod.status?.podIP ?? "";
    }
    this.probes.sync(pod, after, podIP);
    this.setHostPorts(uid, terminating || !sandbox?.ready ? [] : podHostPorts(pod, sandbox.ip));
    const allStopped = !after || after.containers.every((c) => c.state !== "running");
    const status = generatePodStatus(pod, after, {
      now: Date.now(),
      hostIP: this.o.nodeIP,
      podIP,
      reasons: this.reasonsOf(uid),
      readiness: (id) => this.probes.readiness(id),
      started: (id) => this.probes.started(id),
      podIsTerminal: terminating && allStopped,
    });
    const lastIP = this.lastPodIP.get(uid);
    if ((status.phase === "Succeeded" || status.phase === "Failed") && !status.podIP && lastIP) {
      // A finished pod keeps the address it had (upstream keeps the old status' podIPs), also when it
      // stopped (OOM, a quick exit) before a status with the address was ever written.
      status.podIP = lastIP;
      status.podIPs = [{ ip: lastIP }];
    }
    await this.statusManager.setPodStatus(pod, status, this.o.client !== undefined && !isStatic(pod));
    if (status.phase === "Running" && !this.firstRunning.has(uid)) {
      this.firstRunning.set(uid, Date.now());
      const steps = this.startTrace.running(uid, Date.now());
      if (steps) this.o.log.info({ pod: formatPod(pod), ...steps }, "pod started");
    }
    if (terminating && allStopped && (!after || after.sandboxes.every((s) => !s.ready))) {
      await this.finishDeletion(pod);
    }
    this.podSynced.set(uid, Date.now());
    if (syncError) throw syncError;
    return { requeueAfter };
  }

  /**
   * A running pod's volumes that follow API objects are rewritten once a minute, so a changed ConfigMap,
   * Secret or CA bundle (kube-root-ca.crt) reaches the files its containers read, as upstream's periodic
   * pod sync does. A failure keeps the files as they are (upstream too) and is reported as an event.
   */
  private async refreshVolumes(pod: Pod, podIP: string): Promise<void> {
    const uid = pod.metadata?.uid ?? "";
    const last = this.volumesWritten.get(uid);
    const every = this.o.volumeRefreshMs ?? VOLUME_REFRESH_MS;
    // A second of slack: the periodic sync that comes a minute later must find the refresh due.
    if (pod.metadata?.deletionTimestamp || (last !== undefined && Date.now() - last < every - 1000)) return;
    this.volumesWritten.set(uid, Date.now());
    try {
      const changed = await this.o.volumes.refresh(pod, {
        podIP,
        hostIP: this.o.nodeIP,
        nodeAllocatable: this.o.nodeAllocatable(),
      });
      if (changed.length) this.o.log.info({ pod: formatPod(pod), volumes: changed }, "volumes updated");
    } catch (e) {
      this.event(pod, "Warning", "FailedMount", (e as Error).message);
      this.o.log.warn({ pod: formatPod(pod), err: (e as Error).message }, "volume refresh failed");
    }
  }

  /** Carries out the actions; returns how soon the pod wants another sync (back-off expiry). */
  private async execute(
    pod: Pod,
    runtime: PodRuntimeStatus | undefined,
    actions: PodActions,
  ): Promise<number> {
    const { log } = this.o;
    const uid = pod.metadata?.uid ?? "";
    let next = Number.POSITIVE_INFINITY;
    if (actions.killPod) {
      await this.killPod(pod, runtime);
      if (!actions.createSandbox) return next;
    }
    for (const k of actions.containersToKill) {
      this.event(pod, "Normal", "Killing", k.message, k.name);
      await this.stopContainer(pod, k.name, k.id, runtime);
    }
    let sandboxId = actions.sandboxId;
    let podIP = runtime?.sandboxes[0]?.ip ?? "";
    // A new sandbox is created at once and started in the background: the containers' volumes, images
    // and create calls go on meanwhile (Docker accepts a container joining a sandbox that is not running
    // yet); they are started once the sandbox runs with its network.
    let sandboxUp: Promise<void> = Promise.resolve();
    if (actions.createSandbox) {
      const created = await this.createSandbox(pod, actions.attempt);
      sandboxId = created.id;
      podIP = created.ip;
      sandboxUp = created.up;
      // Awaited below on every path; this only keeps an early failure from counting as unhandled.
      sandboxUp.catch(() => undefined);
      if (podIP) this.lastPodIP.set(uid, podIP);
    }
    if (!sandboxId) return next;
    const reasons = this.reasonsOf(uid);
    for (const b of actions.backingOff) {
      reasons.set(b.name, { reason: "CrashLoopBackOff", message: b.message });
      this.event(
        pod,
        "Warning",
        "BackOff",
        `Back-off restarting failed container ${b.name} in pod ${formatPod(pod)}`,
        b.name,
      );
      next = Math.min(next, Math.max(100, b.until - Date.now()));
    }
    const toStart = actions.nextInitContainerToStart
      ? [actions.nextInitContainerToStart]
      : actions.containersToStart;
    if (toStart.length === 0) {
      await sandboxUp;
      await this.refreshVolumes(pod, podIP);
      return next;
    }
    const isInit = !!actions.nextInitContainerToStart;
    // Volumes are set up (and refreshed) before any container is created.
    let volumes: Awaited<ReturnType<VolumeManager["setUp"]>>;
    try {
      volumes = await this.o.volumes.setUp(pod, {
        podIP,
        hostIP: this.o.nodeIP,
        nodeAllocatable: this.o.nodeAllocatable(),
      });
    } catch (e) {
      this.event(pod, "Warning", "FailedMount", (e as Error).message);
      log.warn({ pod: formatPod(pod), err: (e as Error).message }, "volume setup failed");
      await sandboxUp;
      return Math.min(next, 2000);
    }
    this.volumesWritten.set(uid, Date.now());
    this.startTrace.mark(uid, "volumes", Date.now());
    const hostsFile = path.join(this.o.rootDir, "pods", uid, "etc-hosts");
    const prepared = await Promise.all(
      toStart.map((name) =>
        this.prepareContainer(pod, name, isInit, sandboxId as string, podIP, runtime, volumes, hostsFile),
      ),
    );
    try {
      await sandboxUp;
    } catch (e) {
      // The sandbox is gone: containers made to join it could never start.
      await Promise.all(
        prepared.map((c) => ("id" in c ? this.o.runtime.remove(c.id).catch(() => undefined) : undefined)),
      );
      throw e;
    }
    await Promise.all(
      prepared.map(async (c, i) => {
        const retryMs =
          "id" in c ? await this.runContainer(pod, toStart[i] as string, isInit, c.id) : c.retryMs;
        if (retryMs > 0) next = Math.min(next, retryMs);
      }),
    );
    return next;
  }

  /**
   * Creates the pod's sandbox container (address, hosts file, docker create) and starts it in the
   * background: `up` settles once it runs and is wired to the pod network. Either failing removes the
   * sandbox, frees the address and rejects with FailedCreatePodSandBox.
   */
  private async createSandbox(
    pod: Pod,
    attempt: number,
  ): Promise<{ id: string; ip: string; up: Promise<void> }> {
    const { runtime: rt, ctx, network } = this.o;
    const hostNetwork = !!pod.spec?.hostNetwork;
    if (!hostNetwork && !this.ipam) {
      const msg =
        "network is not ready: container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:no podCIDR assigned to this node yet";
      this.event(pod, "Warning", "NetworkNotReady", msg);
      throw new SyncError(msg);
    }
    const ip = hostNetwork ? "" : (this.ipam as Ipam).allocate();
    const uid = pod.metadata?.uid ?? "";
    let id = "";
    const failed = async (e: unknown): Promise<never> => {
      if (ip) this.ipam?.release(ip);
      if (id) await rt.remove(id).catch(() => undefined);
      const msg = `Failed to create pod sandbox: ${(e as Error).message}`;
      this.event(pod, "Warning", "FailedCreatePodSandBox", msg);
      throw new SyncError(msg);
    };
    try {
      const dir = path.join(this.o.rootDir, "pods", uid);
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, "etc-hosts"), hostsFileContent(pod, ip, ctx.clusterDomain));
      id = await rt.create(sandboxCreateOptions(pod, attempt, ip, ctx));
      this.startTrace.mark(uid, "sandbox-create", Date.now());
    } catch (e) {
      return failed(e);
    }
    const up = (async () => {
      await rt.start(id);
      this.startTrace.mark(uid, "sandbox-start", Date.now());
      if (!hostNetwork) {
        const pid = await rt.pidInNode(id);
        if (!pid)
          throw new Error(`cannot find the sandbox ${id.slice(0, 12)} process in this node's PID namespace`);
        this.startTrace.mark(uid, "sandbox-pid", Date.now());
        await network.attach(id, pid, ip);
        this.startTrace.mark(uid, "network", Date.now());
      }
    })().catch(failed);
    return { id, ip, up };
  }

  /** EnsureImageExists with the kubelet's events and back-off; returns a failure or undefined. */
  private async ensureImage(
    pod: Pod,
    name: string,
    image: string,
    policy: string,
    isInit: boolean,
  ): Promise<StartFailure | undefined> {
    const { runtime: rt } = this.o;
    const present = await rt.imagePresent(image);
    const skipPull = (this.pullSkipUntil.get(image) ?? 0) > Date.now();
    const shouldPull =
      policy === "Always" ? !(present && skipPull) : policy === "IfNotPresent" ? !present : false;
    if (!shouldPull) {
      if (present) {
        this.event(
          pod,
          "Normal",
          "Pulled",
          `Container image "${image}" already present on machine`,
          name,
          isInit,
        );
        return undefined;
      }
      const msg = `Container image "${image}" is not present with pull policy of Never`;
      this.event(pod, "Warning", "ErrImageNeverPull", msg, name, isInit);
      return { reason: "ErrImageNeverPull", message: msg };
    }
    const key = `${pod.metadata?.uid}_${image}`;
    if (this.imageBackoff.isInBackOffSinceUpdate(key, Date.now())) {
      const msg = `Back-off pulling image "${image}"`;
      this.event(pod, "Normal", "BackOff", msg, name, isInit);
      return { reason: "ImagePullBackOff", message: msg };
    }
    this.event(pod, "Normal", "Pulling", `Pulling image "${image}"`, name, isInit);
    const t0 = Date.now();
    try {
      await rt.pull(image);
    } catch (e) {
      if (present) {
        // No registry answers here: the local image is what a pull would have given.
        this.pullSkipUntil.set(image, Date.now() + 5 * 60_000);
        this.event(
          pod,
          "Normal",
          "Pulled",
          `Container image "${image}" already present on machine`,
          name,
          isInit,
        );
        return undefined;
      }
      const msg = `Failed to pull image "${image}": ${(e as Error).message}`;
      this.event(pod, "Warning", "Failed", msg, name, isInit);
      this.event(pod, "Warning", "Failed", "Error: ErrImagePull", name, isInit);
      this.imageBackoff.next(key, Date.now(), Date.now());
      return { reason: "ErrImagePull", message: msg };
    }
    const secs = ((Date.now() - t0) / 1000).toFixed(3);
    this.event(
      pod,
      "Normal",
      "Pulled",
      `Successfully pulled image "${image}" in ${secs}s (${secs}s including waiting)`,
      name,
      isInit,
    );
    return undefined;
  }

  /**
   * The first half of starting a container: its image, environment and `docker create`. Gives the new
   * container's id, or how soon to try again: at the end of an image pull's back-off (as upstream's image
   * back-off), or in a second for anything else.
   */
  private async prepareContainer(
    pod: Pod,
    name: string,
    isInit: boolean,
    sandboxId: string,
    podIP: string,
    runtime: PodRuntimeStatus | undefined,
    volumes: Awaited<ReturnType<VolumeManager["setUp"]>>,
    hostsFile: string,
  ): Promise<{ id: string } | { retryMs: number }> {
    const { runtime: rt, ctx } = this.o;
    const uid = pod.metadata?.uid ?? "";
    const reasons = this.reasonsOf(uid);
    const spec = containerSpec(pod, name, isInit);
    if (!spec) return { retryMs: 0 };
    const prev = findContainerStatus(runtime, name);
    if (prev?.state === "exited") {
      this.backoff.next(
        backoffKey(uid, name, containerHash(spec)),
        prev.finishedAt ?? prev.createdAt,
        Date.now(),
      );
    }
    const image = spec.image ?? "";
    const failure = await this.ensureImage(
      pod,
      name,
      image,
      spec.imagePullPolicy ?? defaultPullPolicy(image),
      isInit,
    );
    if (failure) {
      reasons.set(name, failure);
      if (failure.reason === "ImagePullBackOff")
        this.event(pod, "Warning", "Failed", "Error: ImagePullBackOff", name, isInit);
      // ErrImagePull is retried at once so that ImagePullBackOff shows; that one waits the back-off out.
      if (failure.reason !== "ImagePullBackOff") return { retryMs: 1000 };
      return {
        retryMs: Math.max(1000, this.imageBackoff.remainingSinceUpdate(`${uid}_${image}`, Date.now())),
      };
    }
    this.startTrace.mark(uid, "image", Date.now());
    const restartCount = prev ? prev.restartCount + 1 : 0;
    let id: string;
    try {
      const refs = envReferences(pod);
      const ns = pod.metadata?.namespace ?? "default";
      const configMaps = new Map(
        await Promise.all(
          [...refs.configMaps].map(async (n) => [n, await this.o.objects.configMap(ns, n)] as const),
        ),
      );
      const secrets = new Map(
        await Promise.all(
          [...refs.secrets].map(async (n) => [n, await this.o.objects.secret(ns, n)] as const),
        ),
      );
      const env = containerEnv(spec, {
        pod,
        podIP,
        hostIP: this.o.nodeIP,
        configMaps,
        secrets,
        services: this.o
          .services()
          .filter(
            (s) =>
              s.metadata?.namespace === ns ||
              (s.metadata?.namespace === "default" && s.metadata.name === "kubernetes"),
          ),
        nodeAllocatable: this.o.nodeAllocatable(),
      });
      const { command, args } = expandCommand(spec, env);
      const binds = containerBinds(spec, volumes);
      id = await rt
        .create(
          appContainerCreateOptions(
            { pod, container: spec, isInit, sandboxId, restartCount, env, command, args, binds, hostsFile },
            ctx,
          ),
        )
        .catch((e: Error) => {
          throw Object.assign(new Error(e.message.replace(/^\(HTTP code \d+\) [^-]*- /, "")), {
            create: true,
          });
        });
    } catch (e) {
      const config = e instanceof ContainerConfigError || !(e as { create?: boolean }).create;
      const reason = config ? "CreateContainerConfigError" : "CreateContainerError";
      const msg = (e as Error).message;
      reasons.set(name, { reason, message: msg });
      this.event(pod, "Warning", "Failed", `Error: ${msg}`, name, isInit);
      return { retryMs: 1000 };
    }
    this.startTrace.mark(uid, "create", Date.now());
    return { id };
  }

  /** The second half, once the sandbox runs: `docker start`, then the postStart hook. 0, or a retry in ms. */
  private async runContainer(pod: Pod, name: string, isInit: boolean, id: string): Promise<number> {
    const { runtime: rt, log } = this.o;
    const uid = pod.metadata?.uid ?? "";
    const reasons = this.reasonsOf(uid);
    const spec = containerSpec(pod, name, isInit);
    if (!spec) return 0;
    this.event(pod, "Normal", "Created", `Created container ${name}`, name, isInit);
    try {
      await rt.start(id);
      this.startTrace.mark(uid, "start", Date.now());
    } catch (e) {
      const msg = `failed to start container "${name}": ${(e as Error).message.replace(/^\(HTTP code \d+\) [^-]*- /, "")}`;
      reasons.set(name, { reason: "RunContainerError", message: msg });
      this.event(pod, "Warning", "Failed", `Error: ${msg}`, name, isInit);
      return 1000;
    }
    reasons.delete(name);
    this.event(pod, "Normal", "Started", `Started container ${name}`, name, isInit);
    if (spec.lifecycle?.postStart?.exec?.command) {
      const r = await rt
        .exec(id, spec.lifecycle.postStart.exec.command, 30_000)
        .catch((e: Error) => ({ exitCode: -1, output: e.message }));
      if (r.exitCode !== 0) {
        const msg = `PostStartHook failed`;
        this.event(
          pod,
          "Warning",
          "FailedPostStartHook",
          `Exec lifecycle hook (${spec.lifecycle.postStart.exec.command.join(" ")}) for Container "${name}" in Pod "${formatPod(pod)}" failed - error: command '${spec.lifecycle.postStart.exec.command.join(" ")}' exited with ${r.exitCode}: ${r.output}, message: "${r.output}"`,
          name,
          isInit,
        );
        await rt.stop(id, 0).catch(() => undefined);
        reasons.set(name, { reason: "PostStartHookError", message: msg });
      }
    }
    log.debug({ pod: formatPod(pod), container: name, id: id.slice(0, 12) }, "container started");
    return 0;
  }

  private gracePeriod(pod: Pod): number {
    return pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
  }

  /** preStop hook, then the image's stop signal, then SIGKILL at the end of the grace period. */
  private async stopContainer(
    pod: Pod,
    name: string,
    id: string,
    _runtime: PodRuntimeStatus | undefined,
  ): Promise<void> {
    const { runtime: rt } = this.o;
    const start = Date.now();
    let grace = this.gracePeriod(pod);
    const spec = pod.spec?.containers?.find((c) => c.name === name);
    const hook = spec?.lifecycle?.preStop;
    if (hook?.exec?.command) {
      await rt.exec(id, hook.exec.command, grace * 1000).catch(() => undefined);
    } else if (hook?.sleep?.seconds) {
      await new Promise((r) => setTimeout(r, Math.min(grace, hook.sleep?.seconds ?? 0) * 1000));
    }
    grace = Math.max(
      pod.metadata?.deletionTimestamp ? 2 : 0,
      grace - Math.floor((Date.now() - start) / 1000),
    );
    await rt.stop(id, grace);
  }

  private async killPod(pod: Pod, runtime: PodRuntimeStatus | undefined): Promise<void> {
    if (!runtime) return;
    const running = runtime.containers.filter((c) => c.state === "running" || c.state === "created");
    await Promise.all(
      running.map(async (c) => {
        if (c.state === "running")
          this.event(pod, "Normal", "Killing", `Stopping container ${c.name}`, c.name, c.isInit);
        await this.stopContainer(pod, c.name, c.id, runtime);
      }),
    );
    for (const s of runtime.sandboxes) {
      if (s.ready) await this.o.runtime.stop(s.id, 0);
    }
    // Stopped sandboxes are removed at once: their address goes back to the pool.
    for (const s of runtime.sandboxes) {
      await this.o.runtime.remove(s.id);
      if (s.ip) this.ipam?.release(s.ip);
    }
  }

  private async removeOrphan(runtime: PodRuntimeStatus): Promise<void> {
    const { runtime: rt, log } = this.o;
    for (const c of runtime.containers) {
      if (c.state === "running") await rt.stop(c.id, 2);
      await rt.remove(c.id);
    }
    for (const s of runtime.sandboxes) {
      await rt.remove(s.id);
      if (s.ip) this.ipam?.release(s.ip);
    }
    await this.o.volumes.tearDown(runtime.uid).catch(() => undefined);
    log.info(
      { pod: `${runtime.namespace}/${runtime.name}`, uid: runtime.uid },
      "removed the containers of a pod that no longer exists",
    );
  }

  /** The containers of a deleted pod are gone: the API object is removed (grace 0, same uid only). */
  private async finishDeletion(pod: Pod): Promise<void> {
    if (!this.o.client || isStatic(pod)) return;
    try {
      await this.o.client.resource(Pods, pod.metadata?.namespace).delete(pod.metadata?.name ?? "", {
        gracePeriodSeconds: 0,
        preconditions: { uid: pod.metadata?.uid },
      });
    } catch (e) {
      if (!isNotFound(e) && !isOtherPodWithSameName(e)) throw e;
    }
  }

  /** Pods this kubelet runs with their latest status (the kubelet API's /pods). */
  runningPods(): Pod[] {
    return [...this.desired.values()].map((p) => ({
      ...p,
      status: this.statusManager.statuses.get(p.metadata?.uid ?? "") ?? p.status,
    }));
  }
}

/** Whether carrying out the actions touches the engine (the pod's runtime state must be read again). */
export function changesEngine(a: PodActions): boolean {
  return (
    a.killPod ||
    a.createSandbox ||
    a.containersToKill.length > 0 ||
    a.containersToStart.length > 0 ||
    a.nextInitContainerToStart !== undefined
  );
}

/** The pod minus what changes on every write (resourceVersion, managedFields) and its status. */
function podIdentityAndSpec(p: Pod): string {
  const { resourceVersion: _rv, managedFields: _mf, ...meta } = p.metadata ?? {};
  return stableStringify({ meta, spec: p.spec ?? {} });
}

/**
 * An update that only brings back the status this kubelet wrote last (`lastSentStatus`, as
 * stableStringify'd): metadata and spec unchanged, status exactly the one sent.
 */
export function isOwnStatusEcho(old: Pod, next: Pod, lastSentStatus: string | undefined): boolean {
  if (lastSentStatus === undefined) return false;
  if (stableStringify(next.status ?? {}) !== lastSentStatus) return false;
  return podIdentityAndSpec(old) === podIdentityAndSpec(next);
}

function containerSpec(pod: Pod, name: string, isInit: boolean): Container | undefined {
  return (isInit ? pod.spec?.initContainers : pod.spec?.containers)?.find((c) => c.name === name);
}

export const STATIC_POD_ANNOTATION = "kubernetes.io/config.source";
export function isStatic(pod: Pod): boolean {
  const src = pod.metadata?.annotations?.[STATIC_POD_ANNOTATION];
  return src !== undefined && src !== "api";
}

export { restartPolicy };
