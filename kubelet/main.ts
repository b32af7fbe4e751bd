// kubelet: the node agent (README.md). Wires the pod sources (the apiserver's pods bound to this node, and
// static pods from --pod-manifest-path), the runtime and network adapters, node registration and
// heartbeats, and the kubelet API server. Without --kubeconfig it runs standalone (static pods only).
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import type { Node, Pod, Service } from "kubernetes-types/core/v1";
import { parseDuration } from "../pkg/api/cron.js";
import {
  ConfigMaps,
  EventBroadcaster,
  InformerFactory,
  isNotFound,
  loadClientConfig,
  Nodes,
  objectOf,
  PersistentVolumeClaims,
  PersistentVolumes,
  Pods,
  RestClient,
  Secrets,
  ServiceAccounts,
  Services,
} from "../pkg/client/index.js";
import { startHealthServer } from "../pkg/util/health-server.js";
import { newLogger } from "../pkg/util/log.js";
import { Kubelet } from "./kubelet.js";
import { BridgeNetwork } from "./network/bridge.js";
import { NodeAgent, sleep } from "./node/agent.js";
import {
  cpuCapacityMilli,
  diskBytes,
  goArch,
  hostDNS,
  machineIds,
  memoryCapacityBytes,
  memoryUsageBytes,
  osImage,
  ownContainerId,
} from "./node/facts.js";
import { type NodeFacts, parseLabels, parseTaints } from "./node/node.js";
import { DockerRuntime } from "./runtime/docker.js";
import { KubeletServer } from "./server/server.js";
import { readStaticPods } from "./static-pods.js";
import { StatsProvider } from "./stats/provider.js";
import { KUBELET_VERSION } from "./version.js";
import { VolumeManager, type VolumeObjects } from "./volumes/manager.js";

const program = new Command("kubelet")
  .option("--kubeconfig <path>", "kubeconfig of this node (absent: standalone, static pods only)")
  .option("--hostname-override <name>", "node name", os.hostname())
  .option("--node-ip <ip>", "node address (default: the first non-loopback IPv4 address)")
  .option("--healthz-port <port>", "health endpoint port", "10248")
  .option("--port <port>", "kubelet API port (HTTPS)", "10250")
  .option("--tls-cert-file <path>", "serving certificate", "/etc/tskube/pki/kubelet.crt")
  .option("--tls-private-key-file <path>", "serving key", "/etc/tskube/pki/kubelet.key")
  .option(
    "--client-ca-file <path>",
    "CA of the clients allowed to call the kubelet API",
    "/etc/tskube/pki/ca.crt",
  )
  .option("--pod-manifest-path <dir>", "directory of static pod manifests")
  .option(
    "--root-dir <dir>",
    "where pod volumes live (a host path mounted at the same path)",
    "/var/lib/tskube/kubelet",
  )
  .option(
    "--shared-dir <dir>",
    "the host directory every node container mounts at the same path: hostPath PersistentVolumes live in it, so that a claim finds its data on any node",
    "/var/lib/tskube",
  )
  .option("--pod-infra-container-image <image>", "sandbox image", "tskube/pause:3.10")
  .option("--cluster-dns <ips>", "cluster DNS servers (comma separated)", "10.96.0.10")
  .option("--cluster-domain <domain>", "cluster domain", "cluster.local")
  .option("--cluster-cidr <cidr>", "the whole pod network", "10.244.0.0/16")
  .option("--pod-cidr <cidr>", "this node's podCIDR (standalone; otherwise node.spec.podCIDR)")
  .option(
    "--node-lease-duration-seconds <n>",
    "leaseDurationSeconds of the node's Lease, renewed every quarter of it (upstream default 40; 10 here so that a dead node is noticed in seconds)",
    "10",
  )
  .option(
    "--anonymous-auth <bool>",
    "serve kubelet API requests that carry no client certificate (upstream default true); verified client certificates are always accepted",
    "true",
  )
  .option("--resolv-conf <path>", "resolver for dnsPolicy Default", "/etc/tskube/node/resolv.conf")
  .option("--register-with-taints <taints>", "taints at registration (k=v:Effect,...)")
  .option("--node-labels <labels>", "labels at registration (k=v,...)")
  .option("--max-pods <n>", "pods capacity", "110")
  .option("--pod-workers <n>", "pods synced at once (upstream: one worker per pod)", "32")
  .option(
    "--sync-frequency <duration>",
    "max period between syncs of running pods and between container garbage collections (upstream 1m)",
    "1m",
  )
  .option("--cluster-name <name>", "label value io.tskube.cluster on every container", "tskube")
  .option("--leader-elect [bool]", "ignored (kept for the node init's common flags)")
  .allowUnknownOption(true)
  .allowExcessArguments(true)
  .parse(process.argv);

interface Opts {
  kubeconfig?: string;
  hostnameOverride: string;
  nodeIp?: string;
  healthzPort: string;
  port: string;
  tlsCertFile: string;
  tlsPrivateKeyFile: string;
  clientCaFile: string;
  podManifestPath?: string;
  rootDir: string;
  sharedDir: string;
  podInfraContainerImage: string;
  clusterDns: string;
  clusterDomain: string;
  clusterCidr: string;
  podCidr?: string;
  nodeLeaseDurationSeconds: string;
  anonymousAuth: string;
  resolvConf: string;
  registerWithTaints?: string;
  nodeLabels?: string;
  maxPods: string;
  podWorkers: string;
  syncFrequency: string;
  clusterName: string;
}

const opts = program.opts<Opts>();
const syncFrequencySeconds = parseDuration(opts.syncFrequency);
if (syncFrequencySeconds === undefined || syncFrequencySeconds <= 0) {
  console.error(
    `invalid argument "${opts.syncFrequency}" for "--sync-frequency" flag: time: invalid duration`,
  );
  process.exit(1);
}
const syncFrequencyMs = syncFrequencySeconds * 1000;
const log = newLogger("kubelet");
const nodeName = opts.hostnameOverride;
const startTime = Date.now();

function firstIPv4(): string {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return "127.0.0.1";
}

async function main(): Promise<void> {
  const ac = new AbortController();
  const signal = ac.signal;
  const nodeIP = opts.nodeIp || firstIPv4();
  const nodeContainerId = await ownContainerId();
  if (!nodeContainerId)
    throw new Error(
      "cannot find this node container's id in /proc/self/cgroup: the kubelet must run in a node container",
    );
  const runtime = new DockerRuntime(opts.clusterName, nodeName, log.child({ module: "runtime" }));
  const dockerVersion = await runtime.version();
  const rootDir = path.join(opts.rootDir, nodeName);
  const cpuMilli = await cpuCapacityMilli();
  const memBytes = await memoryCapacityBytes();
  const ids = await machineIds();
  const image = await osImage();
  const dns = await hostDNS([opts.resolvConf, "/etc/resolv.conf"]);

  const client = opts.kubeconfig
    ? new RestClient(loadClientConfig({ kubeconfig: opts.kubeconfig }), {
        userAgent: `kubelet/${KUBELET_VERSION}`,
        logger: log,
      })
    : undefined;
  const broadcaster = client ? new EventBroadcaster(client, { logger: log }) : undefined;
  const recorder = broadcaster?.newRecorder({ component: "kubelet", host: nodeName });
  const factory = client ? new InformerFactory(client, { logger: log }) : undefined;
  const services = factory?.informerFor(Services);
  const nodesInformer = factory?.informerFor(Nodes);

  const get = async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  };
  const objects: VolumeObjects = {
    configMap: async (ns, name) =>
      client ? get(() => client.resource(ConfigMaps, ns).get(name)) : undefined,
    secret: async (ns, name) => (client ? get(() => client.resource(Secrets, ns).get(name)) : undefined),
    pvc: async (ns, name) =>
      client ? get(() => client.resource(PersistentVolumeClaims, ns).get(name)) : undefined,
    pv: async (name) => (client ? get(() => client.resource(PersistentVolumes).get(name)) : undefined),
    token: async (pod, audience, expirationSeconds) => {
      if (!client) return undefined;
      try {
        const r = await client
          .resource(ServiceAccounts, pod.metadata?.namespace)
          .createSubresource<{ status?: { token?: string } }>(
            pod.spec?.serviceAccountName ?? "default",
            "token",
            {
              apiVersion: "authentication.k8s.io/v1",
              kind: "TokenRequest",
              spec: {
                ...(audience ? { audiences: [audience] } : {}),
                expirationSeconds,
                boundObjectRef: {
                  kind: "Pod",
                  apiVersion: "v1",
                  name: pod.metadata?.name,
                  uid: pod.metadata?.uid,
                },
              },
            },
          );
        return r.status?.token;
      } catch (e) {
        log.warn(
          { err: (e as Error).message },
          "cannot get a service account token; the volume goes without it",
        );
        return undefined;
      }
    },
  };

  const nodeAllocatable = () => ({ cpuMilli, memoryBytes: memBytes });
  const kubelet = new Kubelet({
    log,
    runtime,
    network: new BridgeNetwork(log.child({ module: "network" }), opts.clusterCidr),
    volumes: new VolumeManager(
      rootDir,
      path.join(opts.rootDir, "hostpath", nodeName),
      objects,
      runtime.docker,
      opts.sharedDir,
    ),
    objects,
    ctx: {
      cluster: opts.clusterName,
      nodeName,
      nodeContainerId,
      cgroupParent: `/docker/${nodeContainerId}`,
      pauseImage: opts.podInfraContainerImage,
      clusterDNS: opts.clusterDns.split(",").filter(Boolean),
      clusterDomain: opts.clusterDomain,
      hostDNS: dns,
    },
    nodeIP,
    rootDir,
    nodeAllocatable,
    services: () => (services?.store.list() ?? []) as Service[],
    client,
    recorder,
    workers: Math.max(1, Number(opts.podWorkers) || 8),
    resyncMs: syncFrequencyMs,
  });

  const stats = new StatsProvider();
  const server = new KubeletServer({
    log,
    nodeName,
    startTime,
    runtime,
    pods: () => kubelet.runningPods(),
    findPod: (ns, name) =>
      kubelet.runningPods().find((p) => p.metadata?.namespace === ns && p.metadata?.name === name),
    stats,
    memoryCapacity: () => memBytes,
  });
  if (existsSync(opts.tlsCertFile) && existsSync(opts.tlsPrivateKeyFile)) {
    server.listen(Number(opts.port), {
      cert: opts.tlsCertFile,
      key: opts.tlsPrivateKeyFile,
      ...(existsSync(opts.clientCaFile) ? { clientCA: opts.clientCaFile } : {}),
      anonymous: opts.anonymousAuth !== "false",
    });
  } else {
    log.warn(
      { cert: opts.tlsCertFile },
      "no serving certificate: the kubelet API listens on plain HTTP on 127.0.0.1 only",
    );
    await server.listenPlain(Number(opts.port));
  }
  startHealthServer({
    port: Number(opts.healthzPort),
    ready: () => (kubelet.hasNetwork ? undefined : "pod network not ready"),
  });

  const statsLoop = async () => {
    while (!signal.aborted) {
      await stats.sample((await runtime.listPods().catch(() => new Map())).values()).catch(() => undefined);
      await sleep(10_000, signal);
    }
  };
  void statsLoop();

  // The podCIDR: --pod-cidr, else node.spec.podCIDR as the controller-manager's nodeipam allocates it.
  const applyCIDR = (cidr: string | undefined) => {
    if (!cidr) return;
    kubelet
      .setPodCIDR(cidr)
      .catch((e: Error) => log.error({ err: e.message, cidr }, "cannot set up the pod network"));
  };
  if (opts.podCidr) applyCIDR(opts.podCidr);

  // Static pods: rescanned every 5 s.
  if (opts.podManifestPath) {
    const dir = opts.podManifestPath;
    const known = new Set<string>();
    const scan = async () => {
      const pods = await readStaticPods(dir, nodeName);
      const seen = new Set<string>();
      for (const p of pods) {
        const uid = p.metadata?.uid ?? "";
        seen.add(uid);
        if (!known.has(uid)) kubelet.upsertPod(p);
        known.add(uid);
      }
      for (const uid of known) {
        if (!seen.has(uid)) {
          known.delete(uid);
          kubelet.removePod(uid);
        }
      }
    };
    await scan();
    void (async () => {
      while (!signal.aborted) {
        await sleep(5000, signal);
        await scan().catch(() => undefined);
      }
    })();
  }

  let agent: NodeAgent | undefined;
  if (client && factory && nodesInformer) {
    const taints = parseTaints(opts.registerWithTaints);
    const labels = parseLabels(opts.nodeLabels);
    const facts = async (): Promise<NodeFacts> => ({
      name: nodeName,
      ip: nodeIP,
      hostname: nodeName,
      cpuMilli,
      memoryBytes: memBytes,
      maxPods: Number(opts.maxPods),
      ephemeralStorageBytes: (await diskBytes(opts.rootDir))?.capacity,
      kernelVersion: os.release(),
      osImage: image,
      architecture: goArch(),
      containerRuntimeVersion: `docker://${dockerVersion}`,
      kubeletVersion: KUBELET_VERSION,
      ...ids,
      labels,
      taints,
    });
    const pressure = async () => {
      const used = await memoryUsageBytes();
      const disk = await diskBytes(opts.rootDir);
      return {
        memory: used !== undefined && memBytes - used < 100 * 1024 * 1024,
        disk: disk !== undefined && disk.available / disk.capacity < 0.1,
        pid: false,
        notReady: kubelet.hasNetwork
          ? undefined
          : "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:no podCIDR",
      };
    };
    const leaseSeconds = Math.max(1, Number(opts.nodeLeaseDurationSeconds) || 10);
    agent = new NodeAgent({
      client,
      log,
      facts,
      pressure,
      leaseDurationSeconds: leaseSeconds,
      // as upstream's NodeLeaseRenewIntervalFraction (0.25): 2.5 s for the 10 s lease
      leaseRenewMs: leaseSeconds * 250,
    });
    const pods = factory.informerFor(Pods, { fieldSelector: `spec.nodeName=${nodeName}` });
    pods.addEventHandler({
      onAdd: (p) => kubelet.upsertPod(p),
      onUpdate: (_o, p) => kubelet.upsertPod(p),
      onDelete: (p) => {
        const uid = objectOf(p).metadata?.uid;
        if (uid) kubelet.removePod(uid);
      },
    });
    const syncRoutes = () => {
      const nodes = nodesInformer.store.list() as Node[];
      const peers = nodes.flatMap((n) => {
        const ip = n.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
        const cidr = n.spec?.podCIDR;
        return ip && cidr && n.metadata?.name !== nodeName ? [{ podCIDR: cidr, nodeIP: ip }] : [];
      });
      if (kubelet.hasNetwork)
        kubelet.o.network
          .syncRoutes(peers)
          .catch((e: Error) => log.warn({ err: e.message }, "route sync failed"));
      const self = nodes.find((n) => n.metadata?.name === nodeName);
      if (!opts.podCidr) applyCIDR(self?.spec?.podCIDR);
    };
    nodesInformer.addEventHandler({ onAdd: syncRoutes, onUpdate: syncRoutes, onDelete: syncRoutes });
    setInterval(syncRoutes, 30_000).unref();
    void agent.run(signal, () => undefined);
    factory.start(signal);
    await factory.waitForCacheSync(signal);
  }

  const stop = () => {
    log.info("shutting down");
    ac.abort();
    void broadcaster?.shutdown();
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  log.info(
    {
      node: nodeName,
      nodeIP,
      nodeContainerId: nodeContainerId.slice(0, 12),
      standalone: !client,
      cpuMilli,
      memBytes,
    },
    "kubelet started",
  );
  await kubelet.run(signal);
}

main().catch((e: Error) => {
  log.fatal({ err: e.message, stack: e.stack }, "kubelet failed");
  process.exit(1);
});

export type { Pod };
