// The cluster's DNS view: what names exist in `cluster.local` and what they resolve to, computed from
// Services, EndpointSlices and Pods as the Kubernetes DNS specification says
// (kubernetes/dns docs/specification.md, as CoreDNS's kubernetes plugin implements it).
// Pure data: the informers feed it, the server asks it; no I/O here.
import type { Pod, Service } from "kubernetes-types/core/v1";
import type { EndpointSlice } from "kubernetes-types/discovery/v1";

export const DEFAULT_TTL = 30;

export type RecordData =
  | { type: "A"; name: string; data: string }
  | { type: "CNAME"; name: string; data: string }
  | { type: "PTR"; name: string; data: string }
  | { type: "SRV"; name: string; data: { priority: number; weight: number; port: number; target: string } };

export interface Resolution {
  /** NOERROR with answers, NOERROR without (the name exists, not that type), NXDOMAIN, or not ours. */
  rcode: "NOERROR" | "NXDOMAIN" | "NOTOURS";
  answers: RecordData[];
  /**
   * The part of the view the answer was computed from (see `versionOf`): `svc/<ns>/<name>` (a service and
   * its EndpointSlices), `ns/<ns>` (whether the namespace has services), `ip/<ip>` (what owns an address,
   * for reverse names), or "" (nothing: the answer follows from the name alone).
   */
  dependsOn: string;
}

/** A resolution before it is told what it depends on. */
type Answer = Omit<Resolution, "dependsOn">;

/** Past this many versioned keys the view forgets them all (every cached answer is then stale once). */
const MAX_VERSIONED_KEYS = 100_000;

interface ServiceEntry {
  namespace: string;
  name: string;
  type: string;
  clusterIPs: string[];
  headless: boolean;
  externalName?: string;
  ports: { name: string; protocol: string; port: number }[];
}

interface EndpointAddress {
  ip: string;
  hostname?: string;
  ready: boolean;
}

interface SliceEntry {
  namespace: string;
  service: string;
  endpoints: EndpointAddress[];
  ports: { name: string; protocol: string; port: number }[];
}

/** `1.2.3.4` -> `1-2-3-4`, the form Kubernetes uses for pod and endpoint names built from addresses. */
export function dashedIp(ip: string): string {
  return ip.replaceAll(".", "-").replaceAll(":", "-");
}

/** `4.3.2.1.in-addr.arpa` -> `1.2.3.4`; undefined when not a full IPv4 reverse name. */
export function reverseToIp(name: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.in-addr\.arpa$/.exec(name);
  if (!m) return undefined;
  return [m[4], m[3], m[2], m[1]].join(".");
}

function isIPv4(s: string): boolean {
  return (
    /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(s) && s.split(".").every((o) => Number(o) <= 255)
  );
}

export class ClusterDnsView {
  private readonly services = new Map<string, ServiceEntry>(); // ns/name
  private readonly slices = new Map<string, SliceEntry>(); // ns/sliceName
  private readonly slicesByService = new Map<string, Set<string>>(); // ns/svc -> slice keys
  private readonly podsByIp = new Map<string, { namespace: string; name: string }>();
  private readonly podIpByKey = new Map<string, string>();
  private readonly namespaces = new Map<string, number>(); // namespace -> number of services in it
  /** Bumped on every change. */
  generation = 0;
  /** Unix time (s) of the last change: the zone's SOA serial, as CoreDNS's kubernetes plugin has it. */
  modified = Math.floor(Date.now() / 1000);
  /**
   * The generation at which each part of the view (a `Resolution.dependsOn` key) last changed, so that the
   * server keeps every cached answer whose part did not change instead of dropping them all on each change.
   */
  private readonly versions = new Map<string, number>();
  /** The version of keys not in `versions`. */
  private versionBase = 0;

  constructor(readonly zone = "cluster.local") {}

  /** A number that changes whenever the answers depending on `key` may change. */
  versionOf(key: string): number {
    return this.versions.get(key) ?? this.versionBase;
  }

  /** Records one change to the view, touching the given parts. */
  private changed(keys: Iterable<string>): void {
    this.generation++;
    this.modified = Math.floor(Date.now() / 1000);
    if (this.versions.size > MAX_VERSIONED_KEYS) {
      this.versions.clear();
      this.versionBase = this.generation;
    }
    for (const k of keys) this.versions.set(k, this.generation);
  }

  /** The parts of the view a service's entry, and the slices of that service, feed. */
  private serviceKeys(namespace: string, name: string, entry: ServiceEntry | undefined): Set<string> {
    const keys = new Set([`svc/${namespace}/${name}`]);
    for (const ip of entry?.clusterIPs ?? []) keys.add(`ip/${ip}`);
    // Whether the service is headless decides whether its endpoints have reverse names.
    for (const k of this.slicesByService.get(`${namespace}/${name}`) ?? [])
      for (const e of this.slices.get(k)?.endpoints ?? []) keys.add(`ip/${e.ip}`);
    return keys;
  }

  /** The parts of the view a slice feeds: its service and its endpoints' addresses. */
  private sliceKeys(entry: SliceEntry | undefined, into = new Set<string>()): Set<string> {
    if (!entry) return into;
    into.add(`svc/${entry.namespace}/${entry.service}`);
    for (const e of entry.endpoints) into.add(`ip/${e.ip}`);
    return into;
  }

  upsertService(svc: Service): void {
    const namespace = svc.metadata?.namespace ?? "default";
    const name = svc.metadata?.name;
    if (!name) return;
    const key = `${namespace}/${name}`;
    const spec = svc.spec ?? {};
    const ips = (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).filter(
      (ip) => ip && ip !== "None",
    );
    const entry: ServiceEntry = {
      namespace,
      name,
      type: spec.type ?? "ClusterIP",
      clusterIPs: ips.filter(isIPv4),
      headless: spec.clusterIP === "None",
      externalName: spec.type === "ExternalName" ? spec.externalName : undefined,
      ports: (spec.ports ?? []).map((p) => ({
        name: p.name ?? "",
        protocol: p.protocol ?? "TCP",
        port: p.port,
      })),
    };
    const keys = this.serviceKeys(namespace, name, this.services.get(key));
    if (!this.services.has(key)) {
      const n = this.namespaces.get(namespace) ?? 0;
      this.namespaces.set(namespace, n + 1);
      if (n === 0) keys.add(`ns/${namespace}`);
    }
    this.services.set(key, entry);
    for (const k of this.serviceKeys(namespace, name, entry)) keys.add(k);
    this.changed(keys);
  }

  deleteService(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const previous = this.services.get(key);
    if (!previous) return;
    const keys = this.serviceKeys(namespace, name, previous);
    this.services.delete(key);
    const n = (this.namespaces.get(namespace) ?? 1) - 1;
    if (n <= 0) {
      this.namespaces.delete(namespace);
      keys.add(`ns/${namespace}`);
    } else this.namespaces.set(namespace, n);
    this.changed(keys);
  }

  upsertEndpointSlice(slice: EndpointSlice): void {
    const namespace = slice.metadata?.namespace ?? "default";
    const name = slice.metadata?.name;
    const service = slice.metadata?.labels?.["kubernetes.io/service-name"];
    if (!name || !service || slice.addressType !== "IPv4") {
      if (name) this.deleteEndpointSlice(namespace, name);
      return;
    }
    const key = `${namespace}/${name}`;
    const previous = this.slices.get(key);
    if (previous && previous.service !== service) this.unindexSlice(key, previous);
    const endpoints: EndpointAddress[] = [];
    for (const ep of slice.endpoints ?? []) {
      // Ready unset means ready (EndpointConditions: "nil should be interpreted as true").
      const ready = ep.conditions?.ready !== false;
      for (const ip of ep.addresses ?? []) endpoints.push({ ip, hostname: ep.hostname, ready });
    }
    const entry: SliceEntry = {
      namespace,
      service,
      endpoints,
      ports: (slice.ports ?? []).map((p) => ({
        name: p.name ?? "",
        protocol: p.protocol ?? "TCP",
        port: p.port ?? 0,
      })),
    };
    this.slices.set(key, entry);
    const svcKey = `${namespace}/${service}`;
    const set = this.slicesByService.get(svcKey) ?? new Set<string>();
    this.slicesByService.set(svcKey, set);
    set.add(key);
    this.changed(this.sliceKeys(entry, this.sliceKeys(previous)));
  }

  deleteEndpointSlice(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const previous = this.slices.get(key);
    if (!previous) return;
    this.unindexSlice(key, previous);
    this.slices.delete(key);
    this.changed(this.sliceKeys(previous));
  }

  private unindexSlice(key: string, entry: SliceEntry): void {
    const svcKey = `${entry.namespace}/${entry.service}`;
    const set = this.slicesByService.get(svcKey);
    set?.delete(key);
    if (set && set.size === 0) this.slicesByService.delete(svcKey);
  }

  upsertPod(pod: Pod): void {
    const namespace = pod.metadata?.namespace ?? "default";
    const name = pod.metadata?.name;
    if (!name) return;
    const key = `${namespace}/${name}`;
    const ip = pod.spec?.hostNetwork ? undefined : pod.status?.podIP;
    const old = this.podIpByKey.get(key);
    if (old === ip) return;
    if (old) this.podsByIp.delete(old);
    if (ip) {
      this.podIpByKey.set(key, ip);
      this.podsByIp.set(ip, { namespace, name });
    } else this.podIpByKey.delete(key);
    this.changed([old, ip].filter((a): a is string => !!a).map((a) => `ip/${a}`));
  }

  deletePod(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const ip = this.podIpByKey.get(key);
    if (!ip) return;
    this.podIpByKey.delete(key);
    if (this.podsByIp.get(ip)?.name === name) this.podsByIp.delete(ip);
    this.changed([`ip/${ip}`]);
  }

  /** Every endpoint address of a service, with the ready ones first-class (Kubernetes publishes only ready ones). */
  private endpointsOf(
    namespace: string,
    service: string,
  ): { endpoints: EndpointAddress[]; ports: SliceEntry["ports"] } {
    const keys = this.slicesByService.get(`${namespace}/${service}`);
    const endpoints: EndpointAddress[] = [];
    const ports: SliceEntry["ports"] = [];
    const seen = new Set<string>();
    for (const k of keys ?? []) {
      const s = this.slices.get(k);
      if (!s) continue;
      for (const e of s.endpoints) {
        if (!e.ready || seen.has(e.ip)) continue;
        seen.add(e.ip);
        endpoints.push(e);
      }
      for (const p of s.ports)
        if (!ports.some((q) => q.name === p.name && q.protocol === p.protocol)) ports.push(p);
    }
    return { endpoints, ports };
  }

  isInZone(name: string): boolean {
    return name === this.zone || name.endsWith(`.${this.zone}`) || name.endsWith(".in-addr.arpa");
  }

  /** Answers one question. `name` is lower case without the trailing dot. */
  resolve(qname: string, qtype: string): Resolution {
    const name = qname.toLowerCase().replace(/\.$/, "");
    if (name.endsWith(".in-addr.arpa")) {
      const ip = reverseToIp(name);
      return { ...this.resolveReverse(name, ip, qtype), dependsOn: ip ? `ip/${ip}` : "" };
    }
    if (name !== this.zone && !name.endsWith(`.${this.zone}`))
      return { rcode: "NOTOURS", answers: [], dependsOn: "" };
    const labels = name === this.zone ? [] : name.slice(0, -(this.zone.length + 1)).split(".");
    // Empty non-terminals that exist: the zone, svc, pod, <ns>.svc, <ns>.pod.
    if (labels.length === 0) return { rcode: "NOERROR", answers: [], dependsOn: "" };
    const kind = labels[labels.length - 1];
    const rest = labels.slice(0, -1);
    if (kind === "svc") {
      // [..., name, ns]: a service's names depend on it (and its slices), `<ns>.svc` on the namespace.
      const n = rest.length;
      const dependsOn = n === 0 ? "" : n === 1 ? `ns/${rest[0]}` : `svc/${rest[n - 1]}/${rest[n - 2]}`;
      return { ...this.resolveService(name, rest, qtype), dependsOn };
    }
    if (kind === "pod") return { ...this.resolvePod(name, rest, qtype), dependsOn: "" };
    return { rcode: "NXDOMAIN", answers: [], dependsOn: "" };
  }

  private resolveService(name: string, labels: string[], qtype: string): Answer {
    // labels (reversed from the end): [..., svc, ns]
    if (labels.length === 0) return { rcode: "NOERROR", answers: [] };
    const namespace = labels[labels.length - 1];
    if (labels.length === 1) {
      return this.namespaces.has(namespace)
        ? { rcode: "NOERROR", answers: [] }
        : { rcode: "NXDOMAIN", answers: [] };
    }
    const svcName = labels[labels.length - 2];
    const svc = this.services.get(`${namespace}/${svcName}`);
    if (!svc) return { rcode: "NXDOMAIN", answers: [] };
    const svcFqdn = `${svcName}.${namespace}.svc.${this.zone}`;
    const rest = labels.slice(0, -2);

    if (rest.length === 0) {
      if (svc.externalName) {
        return {
          rcode: "NOERROR",
          answers: [{ type: "CNAME", name, data: svc.externalName.replace(/\.$/, "") }],
        };
      }
      if (qtype !== "A" && qtype !== "ANY") return { rcode: "NOERROR", answers: [] };
      if (!svc.headless)
        return { rcode: "NOERROR", answers: svc.clusterIPs.map((ip) => ({ type: "A", name, data: ip })) };
      const { endpoints } = this.endpointsOf(namespace, svcName);
      return { rcode: "NOERROR", answers: endpoints.map((e) => ({ type: "A", name, data: e.ip })) };
    }

    // _port._proto.svc.ns.svc.zone: SRV for a named port.
    if (rest.length === 2 && rest[0].startsWith("_") && rest[1].startsWith("_")) {
      const portName = rest[0].slice(1);
      const proto = rest[1].slice(1).toUpperCase();
      const port = svc.ports.find((p) => p.name === portName && p.protocol === proto);
      if (!port) return { rcode: "NXDOMAIN", answers: [] };
      if (qtype !== "SRV" && qtype !== "ANY") return { rcode: "NOERROR", answers: [] };
      if (!svc.headless) {
        return {
          rcode: "NOERROR",
          answers: [
            { type: "SRV", name, data: { priority: 0, weight: 100, port: port.port, target: svcFqdn } },
          ],
        };
      }
      const { endpoints, ports } = this.endpointsOf(namespace, svcName);
      const epPort = ports.find((p) => p.name === portName && p.protocol === proto);
      if (!epPort) return { rcode: "NOERROR", answers: [] };
      const weight = endpoints.length ? Math.floor(100 / endpoints.length) : 100;
      return {
        rcode: "NOERROR",
        answers: endpoints.map((e) => ({
          type: "SRV" as const,
          name,
          data: {
            priority: 0,
            weight,
            port: epPort.port,
            target: `${e.hostname ?? dashedIp(e.ip)}.${svcFqdn}`,
          },
        })),
      };
    }

    // <hostname>.svc.ns.svc.zone: an endpoint of a headless service (StatefulSet pods), by hostname or dashed IP.
    if (rest.length === 1 && svc.headless) {
      const host = rest[0];
      const { endpoints } = this.endpointsOf(namespace, svcName);
      const matching = endpoints.filter(
        (e) => (e.hostname ?? dashedIp(e.ip)) === host || dashedIp(e.ip) === host,
      );
      if (matching.length === 0) return { rcode: "NXDOMAIN", answers: [] };
      if (qtype !== "A" && qtype !== "ANY") return { rcode: "NOERROR", answers: [] };
      return { rcode: "NOERROR", answers: matching.map((e) => ({ type: "A", name, data: e.ip })) };
    }
    return { rcode: "NXDOMAIN", answers: [] };
  }

  private resolvePod(name: string, labels: string[], qtype: string): Answer {
    // a-b-c-d.<ns>.pod.zone: answered from the name itself, as CoreDNS's "pods insecure" mode does.
    if (labels.length === 1) return { rcode: "NOERROR", answers: [] };
    if (labels.length !== 2) return { rcode: "NXDOMAIN", answers: [] };
    const ip = labels[0].replaceAll("-", ".");
    if (!isIPv4(ip)) return { rcode: "NXDOMAIN", answers: [] };
    if (qtype !== "A" && qtype !== "ANY") return { rcode: "NOERROR", answers: [] };
    return { rcode: "NOERROR", answers: [{ type: "A", name, data: ip }] };
  }

  private resolveReverse(name: string, ip: string | undefined, qtype: string): Answer {
    if (!ip) return { rcode: "NOTOURS", answers: [] };
    const ptr = (target: string): Answer =>
      qtype === "PTR" || qtype === "ANY"
        ? { rcode: "NOERROR", answers: [{ type: "PTR", name, data: target }] }
        : { rcode: "NOERROR", answers: [] };
    for (const svc of this.services.values()) {
      if (svc.clusterIPs.includes(ip)) return ptr(`${svc.name}.${svc.namespace}.svc.${this.zone}`);
    }
    for (const s of this.slices.values()) {
      const svc = this.services.get(`${s.namespace}/${s.service}`);
      if (!svc?.headless) continue;
      const ep = s.endpoints.find((e) => e.ip === ip && e.ready);
      if (ep) return ptr(`${ep.hostname ?? dashedIp(ip)}.${s.service}.${s.namespace}.svc.${this.zone}`);
    }
    const pod = this.podsByIp.get(ip);
    if (pod) return ptr(`${dashedIp(ip)}.${pod.namespace}.pod.${this.zone}`);
    return { rcode: "NOTOURS", answers: [] };
  }
}
