// How a pod becomes Docker containers (ARCHITECTURE.md section 3), as pure functions from the pod to
// dockerode's create options: the sandbox holds the pod's hostname, DNS settings and namespaces; every app
// container joins its network and IPC namespaces, gets the resources as cgroup settings, and lives under
// the node container's cgroup and PID namespace.
import type Docker from "dockerode";
import type { Container, Pod } from "kubernetes-types/core/v1";
import { parseQuantity } from "../../pkg/api/quantity.js";
import { containerHash } from "../pod/hash.js";
import {
  containerName,
  LABEL_CONTAINER_HASH,
  LABEL_CONTAINER_NAME,
  LABEL_CONTAINER_TYPE,
  LABEL_INIT,
  LABEL_POD_IP,
  LABEL_RESTART_COUNT,
  LABEL_SANDBOX_ATTEMPT,
  LABEL_SANDBOX_ID,
  type PodIdentity,
  podLabels,
  SANDBOX_CONTAINER_NAME,
  TYPE_CONTAINER,
  TYPE_SANDBOX,
} from "./labels.js";

export interface NodeRuntimeContext {
  cluster: string;
  nodeName: string;
  /** the node container's id: pods share its PID namespace and live under its cgroup */
  nodeContainerId: string;
  /** "/docker/<id>" (cgroupfs driver) */
  cgroupParent: string;
  pauseImage: string;
  clusterDNS: string[];
  clusterDomain: string;
  /** the node's own resolv.conf nameservers and search, for dnsPolicy Default */
  hostDNS: { nameservers: string[]; searches: string[] };
}

export function podIdentity(pod: Pod): PodIdentity {
  return {
    uid: pod.metadata?.uid ?? "",
    name: pod.metadata?.name ?? "",
    namespace: pod.metadata?.namespace ?? "default",
  };
}

/** The pod's hostname (and domain) as kubelet's GeneratePodHostNameAndDomain: spec.hostname or the name, 63 chars. */
export function podHostname(pod: Pod, clusterDomain: string): { hostname: string; domain?: string } {
  let hostname = pod.spec?.hostname || pod.metadata?.name || "";
  if (hostname.length > 63) hostname = hostname.slice(0, 63).replace(/[-.]+$/, "");
  const sub = pod.spec?.subdomain;
  if (!sub) return { hostname };
  return { hostname, domain: `${sub}.${pod.metadata?.namespace}.svc.${clusterDomain}` };
}

export interface DnsSettings {
  servers: string[];
  searches: string[];
  options: string[];
}

/** The pod's resolv.conf (pkg/kubelet/network/dns): dnsPolicy plus dnsConfig. */
export function podDnsSettings(
  pod: Pod,
  ctx: Pick<NodeRuntimeContext, "clusterDNS" | "clusterDomain" | "hostDNS">,
): DnsSettings {
  const ns = pod.metadata?.namespace ?? "default";
  let policy = pod.spec?.dnsPolicy ?? "ClusterFirst";
  if (policy === "ClusterFirst" && pod.spec?.hostNetwork) policy = "Default";
  let servers: string[] = [];
  let searches: string[] = [];
  let options: string[] = [];
  if (policy === "ClusterFirst" || policy === "ClusterFirstWithHostNet") {
    servers = [...ctx.clusterDNS];
    const d = ctx.clusterDomain;
    searches = [`${ns}.svc.${d}`, `svc.${d}`, d, ...ctx.hostDNS.searches];
    options = ["ndots:5"];
  } else if (policy === "Default") {
    // The node's resolver, minus loopback addresses (Docker's embedded 127.0.0.11 serves the node only).
    servers = ctx.hostDNS.nameservers.filter((s) => !s.startsWith("127."));
    searches = [...ctx.hostDNS.searches];
  }
  const cfg = pod.spec?.dnsConfig;
  if (cfg) {
    for (const s of cfg.nameservers ?? []) if (!servers.includes(s)) servers.push(s);
    for (const s of cfg.searches ?? []) if (!searches.includes(s)) searches.push(s);
    const byName = new Map(options.map((o) => [o.split(":")[0], o]));
    for (const o of cfg.options ?? [])
      if (o.name) byName.set(o.name, o.value !== undefined ? `${o.name}:${o.value}` : o.name);
    options = [...byName.values()];
  }
  return { servers: servers.slice(0, 3), searches: [...new Set(searches)].slice(0, 32), options };
}

/** The kubelet-managed /etc/hosts of a pod (kubelet_pods.go managedHostsFileContent). */
export function hostsFileContent(pod: Pod, podIP: string, clusterDomain: string): string {
  const lines = [
    "# Kubernetes-managed hosts file.",
    "127.0.0.1\tlocalhost",
    "::1\tlocalhost ip6-localhost ip6-loopback",
    "fe00::0\tip6-localnet",
    "fe00::0\tip6-mcastprefix",
    "fe00::1\tip6-allnodes",
    "fe00::2\tip6-allrouters",
  ];
  if (podIP) {
    const { hostname, domain } = podHostname(pod, clusterDomain);
    lines.push(domain ? `${podIP}\t${hostname}.${domain}\t${hostname}` : `${podIP}\t${hostname}`);
  }
  const aliases = pod.spec?.hostAliases ?? [];
  if (aliases.length > 0) {
    lines.push("", "# Entries added by HostAliases.");
    for (const a of aliases) lines.push(`${a.ip}\t${(a.hostnames ?? []).join("\t")}`);
  }
  return `${lines.join("\n")}\n`;
}

export function sandboxCreateOptions(
  pod: Pod,
  attempt: number,
  podIP: string,
  ctx: NodeRuntimeContext,
): Docker.ContainerCreateOptions {
  const id = podIdentity(pod);
  const hostNetwork = !!pod.spec?.hostNetwork;
  const dns = podDnsSettings(pod, ctx);
  const { hostname } = podHostname(pod, ctx.clusterDomain);
  return {
    name: containerName("sandbox", SANDBOX_CONTAINER_NAME, id, attempt),
    Image: ctx.pauseImage,
    ...(hostNetwork ? {} : { Hostname: hostname }),
    Labels: {
      ...podLabels(id, ctx.cluster, ctx.nodeName),
      [LABEL_CONTAINER_TYPE]: TYPE_SANDBOX,
      [LABEL_CONTAINER_NAME]: SANDBOX_CONTAINER_NAME,
      [LABEL_SANDBOX_ATTEMPT]: String(attempt),
      [LABEL_POD_IP]: podIP,
    },
    HostConfig: {
      NetworkMode: hostNetwork ? `container:${ctx.nodeContainerId}` : "none",
      PidMode: `container:${ctx.nodeContainerId}`,
      IpcMode: pod.spec?.hostIPC ? `container:${ctx.nodeContainerId}` : "shareable",
      CgroupParent: ctx.cgroupParent,
      ...(hostNetwork || dns.servers.length === 0
        ? {}
        : { Dns: dns.servers, DnsSearch: dns.searches, DnsOptions: dns.options }),
      CpuShares: 2,
      RestartPolicy: { Name: "no" },
      LogConfig: { Type: "json-file", Config: { "max-size": "1m", "max-file": "1" } },
    },
  };
}

/** MilliCPUToShares: 1 core = 1024 shares, at least 2. */
export function milliCPUToShares(milli: number): number {
  if (milli === 0) return 2;
  return Math.max(2, Math.floor((milli * 1024) / 1000));
}

/** MilliCPUToQuota over a 100 ms period, at least 1 ms. */
export function milliCPUToQuota(milli: number, periodUs = 100_000): number {
  if (milli === 0) return 0;
  return Math.max(1000, Math.floor((milli * periodUs) / 1000));
}

export interface ContainerResources {
  CpuShares: number;
  CpuQuota?: number;
  CpuPeriod?: number;
  Memory?: number;
  MemorySwap?: number;
}

export function containerResources(c: Container): ContainerResources {
  const q = (v: string | number | undefined) => (v === undefined ? undefined : parseQuantity(v));
  const reqCpu = q(c.resources?.requests?.cpu);
  const limCpu = q(c.resources?.limits?.cpu);
  const limMem = q(c.resources?.limits?.memory);
  // Requests default to limits (as the apiserver's defaulting does) when only a limit is given.
  const cpuRequestMilli = (reqCpu ?? limCpu)?.milliValue() ?? 0;
  const out: ContainerResources = { CpuShares: milliCPUToShares(cpuRequestMilli) };
  if (limCpu && !limCpu.isZero()) {
    out.CpuQuota = milliCPUToQuota(limCpu.milliValue());
    out.CpuPeriod = 100_000;
  }
  if (limMem && !limMem.isZero()) {
    out.Memory = limMem.value();
    out.MemorySwap = limMem.value();
  }
  return out;
}

export interface ContainerInputs {
  pod: Pod;
  container: Container;
  isInit: boolean;
  sandboxId: string;
  restartCount: number;
  env: Array<[string, string]>;
  command?: string[];
  args?: string[];
  /** "hostPath:containerPath[:ro]" */
  binds: string[];
  /** the pod's managed /etc/hosts on the host, when it has one */
  hostsFile?: string;
}

function userOf(pod: Pod, c: Container): string | undefined {
  const uid = c.securityContext?.runAsUser ?? pod.spec?.securityContext?.runAsUser;
  const gid = c.securityContext?.runAsGroup ?? pod.spec?.securityContext?.runAsGroup;
  if (uid === undefined) return undefined;
  return gid === undefined ? String(uid) : `${uid}:${gid}`;
}

export function appContainerCreateOptions(
  inp: ContainerInputs,
  ctx: NodeRuntimeContext,
): Docker.ContainerCreateOptions {
  const { pod, container: c } = inp;
  const id = podIdentity(pod);
  const sc = c.securityContext;
  const user = userOf(pod, c);
  const groups = (pod.spec?.securityContext?.supplementalGroups ?? []).map(String);
  if (pod.spec?.securityContext?.fsGroup !== undefined) groups.push(String(pod.spec.securityContext.fsGroup));
  const binds = [...inp.binds];
  if (inp.hostsFile && !pod.spec?.hostNetwork) binds.push(`${inp.hostsFile}:/etc/hosts`);
  const opts: Docker.ContainerCreateOptions = {
    name: containerName("container", c.name, id, inp.restartCount),
    Image: c.image,
    Env: inp.env.map(([k, v]) => `${k}=${v}`),
    Labels: {
      ...podLabels(id, ctx.cluster, ctx.nodeName),
      [LABEL_CONTAINER_TYPE]: TYPE_CONTAINER,
      [LABEL_CONTAINER_NAME]: c.name,
      [LABEL_RESTART_COUNT]: String(inp.restartCount),
      [LABEL_CONTAINER_HASH]: containerHash(c),
      [LABEL_SANDBOX_ID]: inp.sandboxId,
      ...(inp.isInit ? { [LABEL_INIT]: "true" } : {}),
    },
    Tty: !!c.tty,
    OpenStdin: !!c.stdin,
    StdinOnce: !!c.stdinOnce,
    AttachStdin: false,
    ...(c.workingDir ? { WorkingDir: c.workingDir } : {}),
    ...(user ? { User: user } : {}),
    HostConfig: {
      NetworkMode: `container:${inp.sandboxId}`,
      IpcMode: `container:${inp.sandboxId}`,
      PidMode: `container:${ctx.nodeContainerId}`,
      CgroupParent: ctx.cgroupParent,
      Binds: binds,
      ...containerResources(c),
      ...(groups.length ? { GroupAdd: groups } : {}),
      ...(sc?.readOnlyRootFilesystem ? { ReadonlyRootfs: true } : {}),
      ...(sc?.capabilities?.add?.length ? { CapAdd: sc.capabilities.add } : {}),
      ...(sc?.capabilities?.drop?.length ? { CapDrop: sc.capabilities.drop } : {}),
      ...(sc?.allowPrivilegeEscalation === false ? { SecurityOpt: ["no-new-privileges"] } : {}),
      RestartPolicy: { Name: "no" },
      LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "5" } },
    },
  };
  // command replaces the image's ENTRYPOINT (and so its CMD); args replace CMD.
  if (inp.command && inp.command.length > 0) {
    opts.Entrypoint = inp.command;
    opts.Cmd = inp.args ?? [];
  } else if (inp.args && inp.args.length > 0) {
    opts.Cmd = inp.args;
  }
  return opts;
}
