// hostPort: what the CNI portmap plugin does. Traffic to a node address on a pod's hostPort is DNATed to
// the pod's address and containerPort, from outside (PREROUTING) and from the node itself (OUTPUT);
// a pod reaching its own hostPort is masqueraded so that the reply comes back through the node (hairpin).
// The rules live in our own chains, rewritten whole with one `iptables-restore --noflush`, which leaves
// kube-proxy's KUBE-* chains alone.
import type { Pod } from "kubernetes-types/core/v1";

export interface HostPortMapping {
  hostPort: number;
  hostIP?: string;
  protocol: "tcp" | "udp" | "sctp";
  podIP: string;
  containerPort: number;
  /** namespace/name, for the rule comment */
  pod: string;
}

export const HOSTPORT_CHAIN = "TSKUBE-HOSTPORTS";
export const HOSTPORT_MASQ_CHAIN = "TSKUBE-HOSTPORTS-MASQ";

/** The hostPort mappings of one pod at its address (none for hostNetwork pods: they bind the node's). */
export function podHostPorts(pod: Pod, podIP: string): HostPortMapping[] {
  if (!podIP || pod.spec?.hostNetwork) return [];
  const out: HostPortMapping[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      out.push({
        hostPort: p.hostPort,
        ...(p.hostIP && p.hostIP !== "0.0.0.0" ? { hostIP: p.hostIP } : {}),
        protocol: (p.protocol ?? "TCP").toLowerCase() as HostPortMapping["protocol"],
        podIP,
        containerPort: p.containerPort,
        pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`,
      });
    }
  }
  return out;
}

/** The nat table input for iptables-restore --noflush: our two chains, whole. */
export function renderHostPortRules(mappings: HostPortMapping[]): string {
  const sorted = [...mappings].sort(
    (a, b) =>
      a.hostPort - b.hostPort || a.protocol.localeCompare(b.protocol) || a.podIP.localeCompare(b.podIP),
  );
  const lines = ["*nat", `:${HOSTPORT_CHAIN} - [0:0]`, `:${HOSTPORT_MASQ_CHAIN} - [0:0]`];
  for (const m of sorted) {
    const comment = `-m comment --comment "${m.pod} hostPort ${m.hostPort}"`;
    lines.push(
      `-A ${HOSTPORT_CHAIN}${m.hostIP ? ` -d ${m.hostIP}/32` : ""} -p ${m.protocol} ${comment} -m ${m.protocol} --dport ${m.hostPort} -j DNAT --to-destination ${m.podIP}:${m.containerPort}`,
    );
    lines.push(
      `-A ${HOSTPORT_MASQ_CHAIN} -s ${m.podIP}/32 -d ${m.podIP}/32 -p ${m.protocol} ${comment} -m ${m.protocol} --dport ${m.containerPort} -j MASQUERADE`,
    );
  }
  lines.push("COMMIT", "");
  return lines.join("\n");
}

/** The jumps into our chains, each ensured once (`iptables -t nat -C`, else `-I`). */
export const HOSTPORT_JUMPS: string[][] = [
  ["PREROUTING", "-m", "addrtype", "--dst-type", "LOCAL", "-j", HOSTPORT_CHAIN],
  ["OUTPUT", "-m", "addrtype", "--dst-type", "LOCAL", "-j", HOSTPORT_CHAIN],
  ["POSTROUTING", "-j", HOSTPORT_MASQ_CHAIN],
];
