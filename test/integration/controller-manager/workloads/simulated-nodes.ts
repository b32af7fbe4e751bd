// Simulated nodes: Node objects reported Ready, and a tiny stand-in for their kubelets that watches
// the pods bound to them and reports them as a kubelet would: Running and Ready (with a pod IP), or
// stuck in ErrImagePull for images that "do not exist", or Succeeded soon after start for Job pods;
// a pod being deleted is removed at once (grace period 0), as a kubelet does once its containers stop.
import type { Node, Pod, PodStatus } from "kubernetes-types/core/v1";
import { formatTime } from "../../../../pkg/api/meta.js";
import {
  InformerFactory,
  isConflict,
  isNotFound,
  Nodes,
  Pods,
  type RestClient,
} from "../../../../pkg/client/index.js";

export interface SimulatedNodesOptions {
  names: string[];
  labels?: Record<string, Record<string, string>>;
  /** Pod capacity of each node. Default 110. */
  maxPods?: number;
  /** Images the simulated kubelet cannot pull (their pods stay Pending with ErrImagePull). */
  missingImages?: string[];
  /** How long a Job's pod runs before it succeeds. Default 300 ms. */
  jobPodRunMs?: number;
  /** How long a pod takes from Pending to Running and Ready, as a real kubelet would. Default 0. */
  startDelayMs?: number;
  /** How long a deleted pod takes to stop before its object is removed. Default 0. */
  terminationDelayMs?: number;
}

export interface SimulatedNodes {
  /** Pods reported Running so far (counts each pod once). */
  readonly started: number;
  stop(): Promise<void>;
}

function nodeObject(name: string, labels: Record<string, string>): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      labels: {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        ...labels,
      },
    },
    spec: {},
  };
}

function nodeStatus(name: string, maxPods: number, index: number): Node["status"] {
  const now = formatTime(new Date());
  const capacity = { cpu: "8", memory: "32Gi", pods: String(maxPods), "ephemeral-storage": "100Gi" };
  return {
    capacity,
    allocatable: capacity,
    addresses: [
      { type: "InternalIP", address: `172.30.${Math.floor(index / 250)}.${(index % 250) + 2}` },
      { type: "Hostname", address: name },
    ],
    conditions: [
      {
        type: "Ready",
        status: "True",
        reason: "KubeletReady",
        message: "kubelet is posting ready status",
        lastHeartbeatTime: now,
        lastTransitionTime: now,
      },
    ],
    nodeInfo: {
      architecture: "amd64",
      bootID: "",
      containerRuntimeVersion: "docker://simulated",
      kernelVersion: "",
      kubeProxyVersion: "v1.32.0",
      kubeletVersion: "v1.32.0",
      machineID: "",
      operatingSystem: "linux",
      osImage: "simulated",
      systemUUID: "",
    },
  };
}

const isJobPod = (pod: Pod) => pod.metadata?.ownerReferences?.some((r) => r.kind === "Job") ?? false;

/** The status a kubelet would report for a started pod. */
export function simulatedPodStatus(
  pod: Pod,
  hostIP: string,
  podIP: string,
  missing: ReadonlySet<string>,
  phase: "Running" | "Succeeded",
): PodStatus {
  const now = formatTime(new Date());
  const containers = pod.spec?.containers ?? [];
  const pullFails = containers.some((c) => missing.has(c.image ?? ""));
  if (pullFails) {
    return {
      ...pod.status,
      phase: "Pending",
      hostIP,
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: pod.status?.startTime ?? now,
      conditions: [
        { type: "PodScheduled", status: "True", lastTransitionTime: now },
        { type: "Initialized", status: "True", lastTransitionTime: now },
        { type: "Ready", status: "False", reason: "ContainersNotReady", lastTransitionTime: now },
        { type: "ContainersReady", status: "False", reason: "ContainersNotReady", lastTransitionTime: now },
      ],
      containerStatuses: containers.map((c) => ({
        name: c.name,
        image: c.image ?? "",
        imageID: "",
        ready: false,
        restartCount: 0,
        started: false,
        state: missing.has(c.image ?? "")
          ? { waiting: { reason: "ErrImagePull", message: `pull access denied for ${c.image}` } }
          : { running: { startedAt: now } },
      })),
    };
  }
  const running = phase === "Running";
  return {
    phase,
    hostIP,
    podIP,
    podIPs: [{ ip: podIP }],
    startTime: pod.status?.startTime ?? now,
    conditions: [
      { type: "PodScheduled", status: "True", lastTransitionTime: now },
      { type: "Initialized", status: "True", lastTransitionTime: now },
      { type: "Ready", status: running ? "True" : "False", lastTransitionTime: now },
      { type: "ContainersReady", status: running ? "True" : "False", lastTransitionTime: now },
    ],
    containerStatuses: containers.map((c) => ({
      name: c.name,
      image: c.image ?? "",
      imageID: `docker://sha256:${c.name}`,
      containerID: `docker://${pod.metadata?.uid ?? ""}`,
      ready: running,
      restartCount: 0,
      started: running,
      state: running
        ? { running: { startedAt: now } }
        : { terminated: { exitCode: 0, reason: "Completed", startedAt: now, finishedAt: now } },
    })),
  };
}

export async function startSimulatedNodes(
  client: RestClient,
  opts: SimulatedNodesOptions,
): Promise<SimulatedNodes> {
  const maxPods = opts.maxPods ?? 110;
  const nodes = client.resource(Nodes);
  const hostIPs = new Map<string, string>();
  for (const [i, name] of opts.names.entries()) {
    const created = await nodes.create(nodeObject(name, opts.labels?.[name] ?? {}));
    const status = nodeStatus(name, maxPods, i);
    await nodes.updateStatus({ ...created, status });
    hostIPs.set(name, status?.addresses?.[0]?.address ?? "");
  }
  const missing = new Set(opts.missingImages ?? []);
  const ac = new AbortController();
  const factory = new InformerFactory(client, { resyncMs: 0 });
  const pods = factory.informerFor(Pods);
  const inflight = new Set<string>();
  const startedUids = new Set<string>();
  let nextIP = 0;
  const podIPs = new Map<string, string>();
  const timers = new Set<NodeJS.Timeout>();

  const sleep = (ms: number) =>
    ms > 0
      ? new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            timers.delete(t);
            resolve();
          }, ms);
          timers.add(t);
        })
      : Promise.resolve();

  const write = async (key: string, fn: () => Promise<unknown>) => {
    if (inflight.has(key)) return;
    inflight.add(key);
    try {
      await fn();
    } catch (e) {
      // A conflict or a vanished pod: the next event for it brings the new state.
      if (!isNotFound(e) && !isConflict(e) && !ac.signal.aborted)
        console.warn(`simulated kubelet: ${String(e)}`);
    } finally {
      inflight.delete(key);
    }
  };

  const handle = (pod: Pod) => {
    const node = pod.spec?.nodeName;
    if (!node || !hostIPs.has(node) || ac.signal.aborted) return;
    const ns = pod.metadata?.namespace ?? "default";
    const name = pod.metadata?.name ?? "";
    const uid = pod.metadata?.uid ?? "";
    const rc = client.resource(Pods, ns);
    if (pod.metadata?.deletionTimestamp) {
      void write(`${uid}/delete`, async () => {
        await sleep(opts.terminationDelayMs ?? 0);
        await rc.delete(name, { gracePeriodSeconds: 0, preconditions: { uid } });
      });
      return;
    }
    const phase = pod.status?.phase;
    if (phase === "Succeeded" || phase === "Failed") return;
    let ip = podIPs.get(uid);
    if (!ip) {
      ip = `10.244.${Math.floor(nextIP / 250) % 250}.${(nextIP % 250) + 2}`;
      nextIP++;
      podIPs.set(uid, ip);
    }
    const podIP = ip;
    if (phase === "Running") {
      if (isJobPod(pod) && !startedUids.has(`${uid}/done`)) {
        startedUids.add(`${uid}/done`);
        const t = setTimeout(() => {
          timers.delete(t);
          const cur = pods.store.getByKey(`${ns}/${name}`);
          if (!cur || cur.metadata?.uid !== uid) return;
          void write(`${uid}/status`, () =>
            rc.updateStatus({
              ...cur,
              status: simulatedPodStatus(cur, hostIPs.get(node)!, podIP, missing, "Succeeded"),
            }),
          );
        }, opts.jobPodRunMs ?? 300);
        timers.add(t);
      }
      return;
    }
    // Pending (or no phase yet): start it, unless it is already reported stuck on its image.
    const waiting = pod.status?.containerStatuses?.some((c) => c.state?.waiting?.reason === "ErrImagePull");
    if (waiting) return;
    void write(`${uid}/status`, async () => {
      await sleep(opts.startDelayMs ?? 0);
      const cur = pods.store.getByKey(`${ns}/${name}`) ?? pod;
      if (cur.metadata?.uid !== uid || cur.metadata?.deletionTimestamp) return;
      await rc.updateStatus({
        ...cur,
        status: simulatedPodStatus(cur, hostIPs.get(node)!, podIP, missing, "Running"),
      });
      startedUids.add(uid);
    });
  };
  pods.addEventHandler({ onAdd: handle, onUpdate: (_old, pod) => handle(pod) });
  factory.start(ac.signal);
  return {
    get started() {
      return [...startedUids].filter((u) => !u.endsWith("/done")).length;
    },
    async stop() {
      ac.abort();
      for (const t of timers) clearTimeout(t);
    },
  };
}
