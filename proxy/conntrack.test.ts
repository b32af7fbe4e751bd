import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Service, ServicePort as V1ServicePort } from "kubernetes-types/core/v1";
import type { EndpointSlice } from "kubernetes-types/discovery/v1";
import { type ConntrackFilter, conntrackDeleteArgs, staleConntrackFilters } from "./conntrack.js";
import { endpointsOf, type ProxyState, servicePortsOf } from "./rules.js";

type Protocol = "UDP" | "TCP" | "SCTP";

function svc(
  name: string,
  opts: {
    protocol?: Protocol;
    type?: NonNullable<Service["spec"]>["type"];
    nodePort?: number;
    externalIPs?: string[];
    lbIP?: string;
  } = {},
): Service {
  const port: V1ServicePort = { name: "dns", port: 53, protocol: opts.protocol ?? "UDP" };
  if (opts.nodePort) port.nodePort = opts.nodePort;
  return {
    metadata: { namespace: "default", name },
    spec: {
      type: opts.type ?? "ClusterIP",
      clusterIP: name === "dns" ? "10.96.0.10" : "10.96.0.20",
      ports: [port],
      externalIPs: opts.externalIPs,
    },
    status: opts.lbIP ? { loadBalancer: { ingress: [{ ip: opts.lbIP }] } } : undefined,
  };
}

/** A slice of the service with one endpoint per address; "ip!" is not serving, "ip~" terminating but serving. */
function slice(service: string, addresses: string[], protocol: Protocol = "UDP"): EndpointSlice {
  return {
    addressType: "IPv4",
    metadata: {
      namespace: "default",
      name: `${service}-x`,
      labels: { "kubernetes.io/service-name": service },
    },
    ports: [{ name: "dns", port: 5353, protocol }],
    endpoints: addresses.map((a) => {
      const ip = a.replace(/[!~]$/, "");
      if (a.endsWith("!")) return { addresses: [ip], conditions: { ready: false, serving: false } };
      if (a.endsWith("~"))
        return { addresses: [ip], conditions: { ready: false, serving: true, terminating: true } };
      return { addresses: [ip], conditions: { ready: true } };
    }),
  };
}

/** The view sync.ts hands over, built with the same functions main.ts uses. */
function view(services: Service[], slices: EndpointSlice[]): ProxyState {
  const servicePorts = services.flatMap(servicePortsOf);
  const endpoints = new Map(
    servicePorts.map((sp) => [
      sp.key,
      endpointsOf(
        sp,
        slices.filter((s) => s.metadata?.labels?.["kubernetes.io/service-name"] === sp.name),
      ),
    ]),
  );
  return { servicePorts, endpoints, nodeName: "node-1", clusterCIDR: "10.244.0.0/16" };
}

const commands = (filters: ConntrackFilter[]): string[] =>
  filters.map((f) => `conntrack ${conntrackDeleteArgs(f).join(" ")}`);

const cases: { name: string; prev: ProxyState | undefined; next: ProxyState; want: string[] }[] = [
  {
    name: "endpoint removed: entries to the ClusterIP DNATed to it",
    prev: view([svc("dns")], [slice("dns", ["10.244.1.5", "10.244.2.7"])]),
    next: view([svc("dns")], [slice("dns", ["10.244.2.7"])]),
    want: ["conntrack -D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53 --dst-nat 10.244.1.5"],
  },
  {
    name: "endpoint that stopped serving counts as removed",
    prev: view([svc("dns")], [slice("dns", ["10.244.1.5", "10.244.2.7"])]),
    next: view([svc("dns")], [slice("dns", ["10.244.1.5!", "10.244.2.7"])]),
    want: ["conntrack -D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53 --dst-nat 10.244.1.5"],
  },
  {
    name: "terminating endpoint still serving: nothing yet",
    prev: view([svc("dns")], [slice("dns", ["10.244.1.5", "10.244.2.7"])]),
    next: view([svc("dns")], [slice("dns", ["10.244.1.5~", "10.244.2.7"])]),
    want: [],
  },
  {
    name: "last endpoint removed: only its DNATed entries (the service now rejects)",
    prev: view([svc("dns")], [slice("dns", ["10.244.1.5"])]),
    next: view([svc("dns")], [slice("dns", [])]),
    want: ["conntrack -D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53 --dst-nat 10.244.1.5"],
  },
  {
    name: "service got its first endpoint: every entry to its ClusterIP and port",
    prev: view([svc("dns")], [slice("dns", [])]),
    next: view([svc("dns")], [slice("dns", ["10.244.1.6"])]),
    want: ["conntrack -D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53"],
  },
  {
    name: "first endpoint that is not serving: still rejecting, nothing",
    prev: view([svc("dns")], [slice("dns", [])]),
    next: view([svc("dns")], [slice("dns", ["10.244.1.6!"])]),
    want: [],
  },
  {
    name: "TCP ignored",
    prev: view([svc("web", { protocol: "TCP" })], [slice("web", ["10.244.1.5", "10.244.2.7"], "TCP")]),
    next: view([svc("web", { protocol: "TCP" })], [slice("web", ["10.244.3.9"], "TCP")]),
    want: [],
  },
  {
    name: "node port: entries to the node port DNATed to the removed endpoint too",
    prev: view(
      [svc("dns", { type: "NodePort", nodePort: 30053 })],
      [slice("dns", ["10.244.1.5", "10.244.2.7"])],
    ),
    next: view([svc("dns", { type: "NodePort", nodePort: 30053 })], [slice("dns", ["10.244.2.7"])]),
    want: [
      "conntrack -D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53 --dst-nat 10.244.1.5",
      "conntrack -D -p udp --orig-port-dst 30053 --dst-nat 10.244.1.5",
    ],
  },
  {
    name: "node port of a newly active service: every entry to the port",
    prev: view([svc("dns", { type: "NodePort", nodePort: 30053 })], [slice("dns", [])]),
    next: view([svc("dns", { type: "NodePort", nodePort: 30053 })], [slice("dns", ["10.244.1.6"])]),
    want: [
      "conntrack -D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53",
      "conntrack -D -p udp --orig-port-dst 30053",
    ],
  },
  {
    name: "LoadBalancer IP and external IP: each frontend's entries to the removed endpoint",
    prev: view(
      [svc("dns", { type: "LoadBalancer", nodePort: 30053, externalIPs: ["192.0.2.1"], lbIP: "172.28.1.3" })],
      [slice("dns", ["10.244.1.5", "10.244.2.7"])],
    ),
    next: view(
      [svc("dns", { type: "LoadBalancer", nodePort: 30053, externalIPs: ["192.0.2.1"], lbIP: "172.28.1.3" })],
      [slice("dns", ["10.244.2.7"])],
    ),
    want: [
      "conntrack -D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53 --dst-nat 10.244.1.5",
      "conntrack -D -p udp --orig-dst 172.28.1.3 --orig-port-dst 53 --dst-nat 10.244.1.5",
      "conntrack -D -p udp --orig-dst 192.0.2.1 --orig-port-dst 53 --dst-nat 10.244.1.5",
      "conntrack -D -p udp --orig-port-dst 30053 --dst-nat 10.244.1.5",
    ],
  },
  {
    name: "unchanged service: nothing",
    prev: view([svc("dns"), svc("web", { protocol: "TCP" })], [slice("dns", ["10.244.1.5"])]),
    next: view([svc("dns"), svc("web", { protocol: "TCP" })], [slice("dns", ["10.244.1.5"])]),
    want: [],
  },
  {
    name: "endpoint replaced: entries DNATed to the old one",
    prev: view([svc("dns")], [slice("dns", ["10.244.1.5"])]),
    next: view([svc("dns")], [slice("dns", ["10.244.3.9"])]),
    want: ["conntrack -D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53 --dst-nat 10.244.1.5"],
  },
  {
    name: "service deleted: every entry to its frontends",
    prev: view([svc("dns", { type: "NodePort", nodePort: 30053 })], [slice("dns", ["10.244.1.5"])]),
    next: view([], []),
    want: [
      "conntrack -D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53",
      "conntrack -D -p udp --orig-port-dst 30053",
    ],
  },
  {
    name: "first sync: every UDP service with endpoints counts as newly active",
    prev: undefined,
    next: view(
      [svc("dns"), svc("other"), svc("web", { protocol: "TCP" })],
      [slice("dns", ["10.244.1.5"]), slice("web", ["10.244.1.7"], "TCP")],
    ),
    want: ["conntrack -D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53"],
  },
  {
    name: "SCTP is cleaned as UDP is",
    prev: view([svc("dns", { protocol: "SCTP" })], [slice("dns", ["10.244.1.5", "10.244.2.7"], "SCTP")]),
    next: view([svc("dns", { protocol: "SCTP" })], [slice("dns", ["10.244.2.7"], "SCTP")]),
    want: ["conntrack -D -p sctp --orig-dst 10.96.0.10 --orig-port-dst 53 --dst-nat 10.244.1.5"],
  },
];

describe("stale conntrack entries", () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(commands(staleConntrackFilters(c.prev, c.next)), c.want);
    });
  }

  it("deletes each selection once, whatever asks for it", () => {
    // Two endpoints gone at once on a node-port service: one command per (frontend, endpoint) pair.
    const prev = view(
      [svc("dns", { type: "NodePort", nodePort: 30053 })],
      [slice("dns", ["10.244.1.5", "10.244.2.7", "10.244.3.9"])],
    );
    const next = view([svc("dns", { type: "NodePort", nodePort: 30053 })], [slice("dns", ["10.244.3.9"])]);
    const got = commands(staleConntrackFilters(prev, next));
    assert.equal(got.length, 4);
    assert.equal(new Set(got).size, 4);
  });
});
