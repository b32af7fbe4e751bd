// Which conntrack entries kube-proxy deletes after a sync, as a pure function of the last applied view and
// the new one (upstream's pkg/proxy/conntrack CleanStaleEntries, in its conntrack-tool form). UDP and SCTP
// have no end of connection, so an entry made while a Service pointed at endpoint A keeps DNATing a client
// that keeps talking to A after A is gone (every packet refreshes its timeout), and an entry made while the
// Service had no endpoints keeps the client's packets off the new ones. TCP entries end with the connection
// (and a dead endpoint resets it), so TCP is left alone, as upstream does.
import type { Endpoint, ProxyState, ServicePort } from "./rules.js";

/** One `conntrack -D` selection; absent fields match anything. */
export interface ConntrackFilter {
  protocol: "udp" | "sctp";
  /** --orig-dst: the service address the client sent to. */
  origDst?: string;
  /** --orig-port-dst: the service port (or node port) the client sent to. */
  origPortDst?: number;
  /** --dst-nat: the endpoint the entry was DNATed to. */
  dstNat?: string;
}

/** Protocols whose stale entries outlive the endpoints they point at (upstream's IsClearConntrackNeeded). */
const needsCleanup = (p: ServicePort["protocol"]): boolean => p === "UDP" || p === "SCTP";

/** A service port's identity across syncs: its name and protocol (upstream's ServicePortName). */
const idOf = (sp: ServicePort): string => `${sp.key}/${sp.protocol}`;

/** Endpoints that may have received traffic (upstream's IsServing): the ones conntrack entries point at. */
function servingOf(state: ProxyState, sp: ServicePort): Endpoint[] {
  return (state.endpoints.get(sp.key) ?? []).filter((e) => e.serving);
}

/** The addresses a client reaches a service port on: ClusterIP, external IPs, LoadBalancer ingress IPs. */
function serviceIPs(sp: ServicePort): string[] {
  return [...(sp.clusterIP ? [sp.clusterIP] : []), ...sp.externalIPs, ...sp.loadBalancerIPs];
}

/** Every entry to the service port's frontends, whatever it was DNATed to (or rejected). */
function frontendFilters(sp: ServicePort): ConntrackFilter[] {
  const protocol = sp.protocol === "SCTP" ? "sctp" : "udp";
  const out: ConntrackFilter[] = serviceIPs(sp).map((ip) => ({
    protocol,
    origDst: ip,
    origPortDst: sp.port,
  }));
  if (sp.nodePort) out.push({ protocol, origPortDst: sp.nodePort });
  return out;
}

/** The entries to the service port's frontends that were DNATed to one endpoint address. */
function endpointFilters(sp: ServicePort, endpointIP: string): ConntrackFilter[] {
  return frontendFilters(sp).map((f) => ({ ...f, dstNat: endpointIP }));
}

/**
 * The conntrack deletions a sync from `prev` (the view last applied; undefined before the first sync)
 * to `next` calls for, for UDP and SCTP service ports only:
 *  - an endpoint that served in `prev` and does not serve in `next` (gone, or no longer serving): entries to
 *    each of the port's frontends DNATed to it;
 *  - a port that went from no serving endpoint to some (the entries made while it rejected): every entry to
 *    its frontends. Before the first sync every port with endpoints counts as such, as in upstream, whose
 *    endpoint map starts empty: entries left by a previous kube-proxy are not trusted;
 *  - a port that is gone: every entry to its frontends.
 * Node-port filters match the port on any address, as upstream's do. The result is sorted and deduplicated.
 */
export function staleConntrackFilters(prev: ProxyState | undefined, next: ProxyState): ConntrackFilter[] {
  const prevPorts = new Map(
    (prev?.servicePorts ?? []).filter((sp) => needsCleanup(sp.protocol)).map((sp) => [idOf(sp), sp]),
  );
  const nextPorts = new Map(
    next.servicePorts.filter((sp) => needsCleanup(sp.protocol)).map((sp) => [idOf(sp), sp]),
  );
  const filters: ConntrackFilter[] = [];
  for (const [id, sp] of nextPorts) {
    const prevSp = prevPorts.get(id);
    const was = prev && prevSp ? servingOf(prev, prevSp) : [];
    const now = servingOf(next, sp);
    if (now.length > 0 && was.length === 0) filters.push(...frontendFilters(sp));
    for (const e of was) {
      if (!now.some((n) => n.ip === e.ip && n.port === e.port)) filters.push(...endpointFilters(sp, e.ip));
    }
  }
  for (const [id, sp] of prevPorts) if (!nextPorts.has(id)) filters.push(...frontendFilters(sp));
  const unique = new Map(filters.map((f) => [conntrackDeleteArgs(f).join(" "), f]));
  return [...unique].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, f]) => f);
}

/** The `conntrack` arguments that delete what a filter selects. */
export function conntrackDeleteArgs(f: ConntrackFilter): string[] {
  const args = ["-D", "-p", f.protocol];
  if (f.origDst) args.push("--orig-dst", f.origDst);
  if (f.origPortDst) args.push("--orig-port-dst", String(f.origPortDst));
  if (f.dstNat) args.push("--dst-nat", f.dstNat);
  return args;
}

/** What conntrack prints (and exits 1 with) when a deletion matched nothing: not an error. */
export const NO_ENTRIES_DELETED = "0 flow entries have been deleted";
