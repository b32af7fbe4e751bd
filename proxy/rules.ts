// What kube-proxy's iptables mode writes, as a pure function of Services, EndpointSlices and the node:
// the complete nat and filter tables for the KUBE-* chains, in iptables-restore format. The layout follows
// upstream (pkg/proxy/iptables/proxier.go): KUBE-SERVICES dispatches on ClusterIP:port, KUBE-SVC-* balances
// with the statistic match, KUBE-SEP-* DNATs to one endpoint, KUBE-EXT-* / KUBE-SVL-* handle external
// traffic, KUBE-NODEPORTS catches node ports on local addresses, and KUBE-MARK-MASQ / KUBE-POSTROUTING
// masquerade what needs it. Chain names are upstream's hashes, so they read the same in iptables-save.
import { createHash } from "node:crypto";
import type { Service } from "kubernetes-types/core/v1";
import type { EndpointSlice } from "kubernetes-types/discovery/v1";

export const MASQ_MARK = "0x4000/0x4000";

export interface ServicePort {
  /** "namespace/name:portName" (portName may be empty), as upstream's ServicePortName.String(). */
  key: string;
  namespace: string;
  name: string;
  portName: string;
  protocol: "TCP" | "UDP" | "SCTP";
  clusterIP?: string;
  port: number;
  nodePort?: number;
  externalIPs: string[];
  loadBalancerIPs: string[];
  /** ClientIP affinity timeout in seconds, or undefined for None. */
  affinitySeconds?: number;
  externalPolicyLocal: boolean;
  internalPolicyLocal: boolean;
}

export interface Endpoint {
  ip: string;
  port: number;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  nodeName?: string;
}

export interface ProxyState {
  servicePorts: ServicePort[];
  /** Endpoints per ServicePort.key. */
  endpoints: Map<string, Endpoint[]>;
  nodeName: string;
  clusterCIDR: string;
}

/** The ServicePorts a Service exposes (none for headless and ExternalName services). */
export function servicePortsOf(svc: Service): ServicePort[] {
  const spec = svc.spec;
  const namespace = svc.metadata?.namespace ?? "default";
  const name = svc.metadata?.name ?? "";
  if (!spec || spec.type === "ExternalName") return [];
  const clusterIP = spec.clusterIP && spec.clusterIP !== "None" ? spec.clusterIP : undefined;
  const lbIPs = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip);
  const affinity =
    spec.sessionAffinity === "ClientIP"
      ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800)
      : undefined;
  return (spec.ports ?? [])
    .filter(() => clusterIP !== undefined)
    .map((p) => ({
      key: `${namespace}/${name}:${p.name ?? ""}`,
      namespace,
      name,
      portName: p.name ?? "",
      protocol: (p.protocol ?? "TCP") as ServicePort["protocol"],
      clusterIP,
      port: p.port,
      nodePort: spec.type === "NodePort" || spec.type === "LoadBalancer" ? p.nodePort : undefined,
      externalIPs: spec.externalIPs ?? [],
      loadBalancerIPs: spec.type === "LoadBalancer" ? lbIPs : [],
      affinitySeconds: affinity,
      externalPolicyLocal: spec.externalTrafficPolicy === "Local",
      internalPolicyLocal: spec.internalTrafficPolicy === "Local",
    }));
}

/** The endpoints of one ServicePort across the service's EndpointSlices (matched by port name and protocol). */
export function endpointsOf(sp: ServicePort, slices: EndpointSlice[]): Endpoint[] {
  const out: Endpoint[] = [];
  const seen = new Set<string>();
  for (const slice of slices) {
    if (slice.addressType !== "IPv4") continue;
    const port = (slice.ports ?? []).find(
      (p) => (p.name ?? "") === sp.portName && (p.protocol ?? "TCP") === sp.protocol,
    );
    if (!port?.port) continue;
    for (const ep of slice.endpoints ?? []) {
      const c = ep.conditions ?? {};
      const ready = c.ready !== false;
      for (const ip of ep.addresses) {
        const id = `${ip}:${port.port}`;
        if (seen.has(id)) continue;
        seen.add(id);
        out.push({
          ip,
          port: port.port,
          ready,
          serving: c.serving ?? ready,
          terminating: c.terminating ?? false,
          nodeName: ep.nodeName,
        });
      }
    }
  }
  return out.sort((a, b) => (a.ip === b.ip ? a.port - b.port : a.ip < b.ip ? -1 : 1));
}

/**
 * Which endpoints traffic may go to (upstream's CategorizeEndpoints): the ready ones; when none is ready,
 * the serving-and-terminating ones, so that connections drain gracefully.
 */
export function usableEndpoints(eps: Endpoint[], localOnly: boolean, nodeName: string): Endpoint[] {
  const scope = localOnly ? eps.filter((e) => e.nodeName === nodeName) : eps;
  const ready = scope.filter((e) => e.ready);
  if (ready.length) return ready;
  return scope.filter((e) => e.serving && e.terminating);
}

function hash16(s: string): string {
  // base32 of sha256, first 16 characters: upstream's portProtoHash / servicePortEndpointChainName.
  const digest = createHash("sha256").update(s).digest();
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 16) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= 16) break;
  }
  return out;
}

export const svcChain = (sp: ServicePort): string => `KUBE-SVC-${hash16(sp.key + sp.protocol.toLowerCase())}`;
export const svlChain = (sp: ServicePort): string => `KUBE-SVL-${hash16(sp.key + sp.protocol.toLowerCase())}`;
export const extChain = (sp: ServicePort): string => `KUBE-EXT-${hash16(sp.key + sp.protocol.toLowerCase())}`;
export const sepChain = (sp: ServicePort, ep: Endpoint): string =>
  `KUBE-SEP-${hash16(sp.key + sp.protocol.toLowerCase() + `${ep.ip}:${ep.port}`)}`;

const proto = (p: ServicePort["protocol"]): string => p.toLowerCase();
const comment = (text: string): string => `-m comment --comment ${JSON.stringify(text)}`;

export interface RenderedRules {
  /** The iptables-restore input (both tables), for `iptables-restore --noflush`. */
  text: string;
  /** Every KUBE-* chain this render defines, per table, so that stale ones can be deleted. */
  chains: { nat: Set<string>; filter: Set<string> };
}

/**
 * Renders the KUBE-* chains for a node. `staleChains` lists chains that exist in the kernel but are no
 * longer wanted: they are flushed and deleted in the same atomic restore.
 */
export function renderRules(
  state: ProxyState,
  staleChains: { nat: string[]; filter: string[] } = { nat: [], filter: [] },
): RenderedRules {
  const natChains = new Set(["KUBE-SERVICES", "KUBE-NODEPORTS", "KUBE-POSTROUTING", "KUBE-MARK-MASQ"]);
  const filterChains = new Set(["KUBE-SERVICES", "KUBE-EXTERNAL-SERVICES", "KUBE-FORWARD", "KUBE-NODEPORTS"]);
  const nat: string[] = [];
  const filter: string[] = [];
  const natTail: string[] = [];

  nat.push(`-A KUBE-POSTROUTING -m mark ! --mark ${MASQ_MARK} -j RETURN`);
  nat.push("-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000");
  nat.push(
    `-A KUBE-POSTROUTING ${comment("kubernetes service traffic requiring SNAT")} -j MASQUERADE --random-fully`,
  );
  nat.push("-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000");

  filter.push(`-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP`);
  filter.push(
    `-A KUBE-FORWARD ${comment("kubernetes forwarding rules")} -m mark --mark ${MASQ_MARK} -j ACCEPT`,
  );
  filter.push(
    `-A KUBE-FORWARD ${comment("kubernetes forwarding conntrack rule")} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
  );

  const sorted = [...state.servicePorts].sort((a, b) =>
    a.key < b.key ? -1 : a.key > b.key ? 1 : a.protocol < b.protocol ? -1 : 1,
  );
  for (const sp of sorted) {
    const all = state.endpoints.get(sp.key) ?? [];
    const clusterEps = usableEndpoints(all, sp.internalPolicyLocal, state.nodeName);
    const localEps = usableEndpoints(all, true, state.nodeName);
    const p = proto(sp.protocol);
    const name = sp.key;
    const hasExternal =
      sp.nodePort !== undefined || sp.externalIPs.length > 0 || sp.loadBalancerIPs.length > 0;
    const externalEps = sp.externalPolicyLocal ? localEps : clusterEps;

    if (clusterEps.length === 0 && sp.clusterIP) {
      // No endpoints: reject rather than blackhole, so clients fail fast (upstream's "has no endpoints").
      filter.push(
        `-A KUBE-SERVICES ${comment(`${name} has no endpoints`)} -m ${p} -p ${p} -d ${sp.clusterIP}/32 --dport ${sp.port} -j REJECT`,
      );
    }
    if (hasExternal && externalEps.length === 0) {
      for (const ip of [...sp.externalIPs, ...sp.loadBalancerIPs]) {
        filter.push(
          `-A KUBE-EXTERNAL-SERVICES ${comment(`${name} has no endpoints`)} -m ${p} -p ${p} -d ${ip}/32 --dport ${sp.port} -j REJECT`,
        );
      }
      if (sp.nodePort) {
        filter.push(
          `-A KUBE-EXTERNAL-SERVICES ${comment(`${name} has no endpoints`)} -m addrtype --dst-type LOCAL -m ${p} -p ${p} --dport ${sp.nodePort} -j REJECT`,
        );
      }
    }

    const svc = svcChain(sp);
    if (clusterEps.length > 0 && sp.clusterIP) {
      natChains.add(svc);
      nat.push(
        `-A KUBE-SERVICES ${comment(`${name} cluster IP`)} -m ${p} -p ${p} -d ${sp.clusterIP}/32 --dport ${sp.port} -j ${svc}`,
      );
      nat.push(
        `-A ${svc} ${comment(`${name} cluster IP`)} -m ${p} -p ${p} -d ${sp.clusterIP}/32 --dport ${sp.port} ! -s ${state.clusterCIDR} -j KUBE-MARK-MASQ`,
      );
      writeBalancing(nat, svc, sp, clusterEps, name);
    }

    // Endpoint chains: every endpoint either balancing chain uses.
    const epsNeeded = new Map<string, Endpoint>();
    for (const e of clusterEps) epsNeeded.set(sepChain(sp, e), e);
    if (hasExternal) for (const e of externalEps) epsNeeded.set(sepChain(sp, e), e);
    for (const [chain, e] of [...epsNeeded].sort(([a], [b]) => (a < b ? -1 : 1))) {
      natChains.add(chain);
      nat.push(`-A ${chain} ${comment(name)} -s ${e.ip}/32 -j KUBE-MARK-MASQ`);
      const affinity =
        sp.affinitySeconds !== undefined
          ? ` -m recent --name ${chain} --mask 255.255.255.255 --rsource --set`
          : "";
      nat.push(
        `-A ${chain} ${comment(name)} -m ${p} -p ${p}${affinity} -j DNAT --to-destination ${e.ip}:${e.port}`,
      );
    }

    if (hasExternal && externalEps.length > 0) {
      const ext = extChain(sp);
      natChains.add(ext);
      if (sp.externalPolicyLocal) {
        // Local: keep the client's address, only local endpoints; pods on this node reaching the
        // external address still go through the cluster-wide chain (upstream's short-circuit).
        const svl = svlChain(sp);
        natChains.add(svl);
        if (clusterEps.length > 0) {
          nat.push(
            `-A ${ext} ${comment(`pod traffic for ${name} external destinations`)} -s ${state.clusterCIDR} -j ${svc}`,
          );
          nat.push(
            `-A ${ext} ${comment(`masquerade LOCAL traffic for ${name} external destinations`)} -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`,
          );
          nat.push(
            `-A ${ext} ${comment(`route LOCAL traffic for ${name} external destinations`)} -m addrtype --src-type LOCAL -j ${svc}`,
          );
        }
        nat.push(`-A ${ext} -j ${svl}`);
        writeBalancing(nat, svl, sp, localEps, name);
      } else {
        nat.push(
          `-A ${ext} ${comment(`masquerade traffic for ${name} external destinations`)} -j KUBE-MARK-MASQ`,
        );
        nat.push(`-A ${ext} -j ${svc}`);
        if (!natChains.has(svc)) {
          natChains.add(svc);
          writeBalancing(nat, svc, sp, externalEps, name);
        }
      }
      for (const ip of sp.externalIPs) {
        nat.push(
          `-A KUBE-SERVICES ${comment(`${name} external IP`)} -m ${p} -p ${p} -d ${ip}/32 --dport ${sp.port} -j ${ext}`,
        );
      }
      for (const ip of sp.loadBalancerIPs) {
        nat.push(
          `-A KUBE-SERVICES ${comment(`${name} loadbalancer IP`)} -m ${p} -p ${p} -d ${ip}/32 --dport ${sp.port} -j ${ext}`,
        );
      }
      if (sp.nodePort) {
        nat.push(`-A KUBE-NODEPORTS ${comment(name)} -m ${p} -p ${p} --dport ${sp.nodePort} -j ${ext}`);
      }
    }
  }
  // Node ports last, for local destination addresses only (upstream: "kubernetes service nodeports").
  natTail.push(
    `-A KUBE-SERVICES ${comment("kubernetes service nodeports; NOTE: this must be the last rule in this chain")} -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS`,
  );

  const lines: string[] = ["*filter"];
  for (const c of filterChains) lines.push(`:${c} - [0:0]`);
  for (const c of staleChains.filter) if (!filterChains.has(c)) lines.push(`:${c} - [0:0]`);
  lines.push(...filter);
  for (const c of staleChains.filter) if (!filterChains.has(c)) lines.push(`-X ${c}`);
  lines.push("COMMIT", "*nat");
  for (const c of natChains) lines.push(`:${c} - [0:0]`);
  for (const c of staleChains.nat) if (!natChains.has(c)) lines.push(`:${c} - [0:0]`);
  lines.push(...nat, ...natTail);
  for (const c of staleChains.nat) if (!natChains.has(c)) lines.push(`-X ${c}`);
  lines.push("COMMIT", "");
  return { text: lines.join("\n"), chains: { nat: natChains, filter: filterChains } };
}

/** Random balancing over endpoints with the statistic match, plus ClientIP affinity with the recent match. */
function writeBalancing(out: string[], chain: string, sp: ServicePort, eps: Endpoint[], name: string): void {
  const chains = eps.map((e) => sepChain(sp, e));
  if (sp.affinitySeconds !== undefined) {
    for (const c of chains) {
      out.push(
        `-A ${chain} ${comment(`${name} -> ${c}`)} -m recent --name ${c} --mask 255.255.255.255 --rsource --rcheck --seconds ${sp.affinitySeconds} --reap -j ${c}`,
      );
    }
  }
  const n = chains.length;
  chains.forEach((c, i) => {
    const e = eps[i];
    const left = n - i;
    if (left > 1) {
      out.push(
        `-A ${chain} ${comment(`${name} -> ${e.ip}:${e.port}`)} -m statistic --mode random --probability ${(1 / left).toFixed(10)} -j ${c}`,
      );
    } else {
      out.push(`-A ${chain} ${comment(`${name} -> ${e.ip}:${e.port}`)} -j ${c}`);
    }
  });
}

export interface JumpRule {
  table: "nat" | "filter";
  chain: string;
  rule: string[];
}

/** A jump from a built-in chain into one of ours, with upstream's comment; `onlyNew` for conntrack state NEW. */
function jump(
  table: JumpRule["table"],
  chain: string,
  comment: string,
  target: string,
  onlyNew = false,
): JumpRule {
  const state = onlyNew ? ["-m", "conntrack", "--ctstate", "NEW"] : [];
  return { table, chain, rule: [...state, "-m", "comment", "--comment", comment, "-j", target] };
}

const PORTALS = "kubernetes service portals";
const EXTERNAL_PORTALS = "kubernetes externally-visible service portals";

/** The jumps from the built-in chains into ours, ensured one rule at a time (they are never flushed). */
export const JUMP_RULES: JumpRule[] = [
  jump("nat", "PREROUTING", PORTALS, "KUBE-SERVICES"),
  jump("nat", "OUTPUT", PORTALS, "KUBE-SERVICES"),
  jump("nat", "POSTROUTING", "kubernetes postrouting rules", "KUBE-POSTROUTING"),
  jump("filter", "INPUT", EXTERNAL_PORTALS, "KUBE-EXTERNAL-SERVICES", true),
  jump("filter", "FORWARD", "kubernetes forwarding rules", "KUBE-FORWARD"),
  jump("filter", "FORWARD", PORTALS, "KUBE-SERVICES", true),
  jump("filter", "FORWARD", EXTERNAL_PORTALS, "KUBE-EXTERNAL-SERVICES", true),
  jump("filter", "OUTPUT", PORTALS, "KUBE-SERVICES", true),
];

/** KUBE-SVC/SEP/EXT/SVL chains present in an `iptables-save -t <table>` dump. */
export function serviceChainsIn(save: string): string[] {
  const out: string[] = [];
  for (const line of save.split("\n")) {
    const m = /^:(KUBE-(?:SVC|SEP|EXT|SVL|FW|XLB)-[A-Z0-9]+) /.exec(line);
    if (m) out.push(m[1]);
  }
  return out;
}
