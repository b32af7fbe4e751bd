import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Service } from "kubernetes-types/core/v1";
import type { EndpointSlice } from "kubernetes-types/discovery/v1";
import { ClusterDnsView, dashedIp, reverseToIp } from "./records.js";

function svc(ns: string, name: string, spec: Service["spec"]): Service {
  return { apiVersion: "v1", kind: "Service", metadata: { namespace: ns, name }, spec };
}

function slice(
  ns: string,
  svcName: string,
  eps: { ip: string; hostname?: string; ready?: boolean }[],
  ports = [{ name: "web", port: 80 }],
): EndpointSlice {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    addressType: "IPv4",
    metadata: { namespace: ns, name: `${svcName}-abcde`, labels: { "kubernetes.io/service-name": svcName } },
    endpoints: eps.map((e) => ({
      addresses: [e.ip],
      hostname: e.hostname,
      conditions: { ready: e.ready ?? true },
    })),
    ports: ports.map((p) => ({ ...p, protocol: "TCP" })),
  };
}

function view(): ClusterDnsView {
  const v = new ClusterDnsView();
  v.upsertService(
    svc("default", "kubernetes", { clusterIP: "10.96.0.1", ports: [{ name: "https", port: 443 }] }),
  );
  v.upsertService(
    svc("default", "alpaca-prod", {
      clusterIP: "10.96.12.7",
      ports: [{ name: "http", port: 8080, protocol: "TCP" }],
    }),
  );
  v.upsertService(svc("default", "nginx", { clusterIP: "None", ports: [{ name: "web", port: 80 }] }));
  v.upsertEndpointSlice(
    slice("default", "nginx", [
      { ip: "10.244.1.5", hostname: "web-0" },
      { ip: "10.244.2.6", hostname: "web-1" },
      { ip: "10.244.3.7", hostname: "web-2", ready: false },
    ]),
  );
  v.upsertService(svc("prod", "db", { type: "ExternalName", externalName: "db.example.org" }));
  return v;
}

describe("ClusterDnsView.resolve", () => {
  const cases: { q: string; type: string; rcode: string; answers: string[] }[] = [
    { q: "kubernetes.default.svc.cluster.local", type: "A", rcode: "NOERROR", answers: ["A 10.96.0.1"] },
    { q: "KUBERNETES.default.svc.cluster.local.", type: "A", rcode: "NOERROR", answers: ["A 10.96.0.1"] },
    { q: "alpaca-prod.default.svc.cluster.local", type: "A", rcode: "NOERROR", answers: ["A 10.96.12.7"] },
    { q: "alpaca-prod.default.svc.cluster.local", type: "AAAA", rcode: "NOERROR", answers: [] },
    { q: "kubernetes.default.default.svc.cluster.local", type: "A", rcode: "NXDOMAIN", answers: [] },
    { q: "missing.default.svc.cluster.local", type: "A", rcode: "NXDOMAIN", answers: [] },
    { q: "default.svc.cluster.local", type: "A", rcode: "NOERROR", answers: [] },
    { q: "nosuchns.svc.cluster.local", type: "A", rcode: "NXDOMAIN", answers: [] },
    { q: "cluster.local", type: "SOA", rcode: "NOERROR", answers: [] },
    // Headless: one A per ready endpoint, and each StatefulSet pod by hostname.
    {
      q: "nginx.default.svc.cluster.local",
      type: "A",
      rcode: "NOERROR",
      answers: ["A 10.244.1.5", "A 10.244.2.6"],
    },
    { q: "web-0.nginx.default.svc.cluster.local", type: "A", rcode: "NOERROR", answers: ["A 10.244.1.5"] },
    { q: "web-2.nginx.default.svc.cluster.local", type: "A", rcode: "NXDOMAIN", answers: [] },
    // SRV for named ports.
    {
      q: "_http._tcp.alpaca-prod.default.svc.cluster.local",
      type: "SRV",
      rcode: "NOERROR",
      answers: ["SRV 0 100 8080 alpaca-prod.default.svc.cluster.local"],
    },
    {
      q: "_web._tcp.nginx.default.svc.cluster.local",
      type: "SRV",
      rcode: "NOERROR",
      answers: [
        "SRV 0 50 80 web-0.nginx.default.svc.cluster.local",
        "SRV 0 50 80 web-1.nginx.default.svc.cluster.local",
      ],
    },
    { q: "_nope._tcp.alpaca-prod.default.svc.cluster.local", type: "SRV", rcode: "NXDOMAIN", answers: [] },
    // ExternalName is a CNAME.
    { q: "db.prod.svc.cluster.local", type: "A", rcode: "NOERROR", answers: ["CNAME db.example.org"] },
    // Pod names answer from the name itself.
    { q: "10-244-1-5.default.pod.cluster.local", type: "A", rcode: "NOERROR", answers: ["A 10.244.1.5"] },
    { q: "10-244-1-999.default.pod.cluster.local", type: "A", rcode: "NXDOMAIN", answers: [] },
    // Reverse lookups.
    {
      q: "1.0.96.10.in-addr.arpa",
      type: "PTR",
      rcode: "NOERROR",
      answers: ["PTR kubernetes.default.svc.cluster.local"],
    },
    {
      q: "5.1.244.10.in-addr.arpa",
      type: "PTR",
      rcode: "NOERROR",
      answers: ["PTR web-0.nginx.default.svc.cluster.local"],
    },
    { q: "8.8.8.8.in-addr.arpa", type: "PTR", rcode: "NOTOURS", answers: [] },
    { q: "www.example.org", type: "A", rcode: "NOTOURS", answers: [] },
  ];
  for (const c of cases) {
    it(`${c.type} ${c.q} -> ${c.rcode} ${c.answers.join(", ")}`, () => {
      const r = view().resolve(c.q, c.type);
      assert.equal(r.rcode, c.rcode);
      const got = r.answers.map((a) =>
        a.type === "SRV"
          ? `SRV ${a.data.priority} ${a.data.weight} ${a.data.port} ${a.data.target}`
          : `${a.type} ${a.data}`,
      );
      assert.deepEqual(got, c.answers);
    });
  }

  it("forgets a deleted service and its namespace", () => {
    const v = view();
    const g = v.generation;
    v.deleteService("prod", "db");
    assert.ok(v.generation > g);
    assert.equal(v.resolve("db.prod.svc.cluster.local", "A").rcode, "NXDOMAIN");
    assert.equal(v.resolve("prod.svc.cluster.local", "A").rcode, "NXDOMAIN");
  });

  it("answers pod PTR from pods it knows", () => {
    const v = view();
    v.upsertPod({ metadata: { namespace: "kuar", name: "kuard" }, status: { podIP: "10.244.2.9" } });
    assert.deepEqual(v.resolve("9.2.244.10.in-addr.arpa", "PTR").answers, [
      { type: "PTR", name: "9.2.244.10.in-addr.arpa", data: "10-244-2-9.kuar.pod.cluster.local" },
    ]);
    v.deletePod("kuar", "kuard");
    assert.equal(v.resolve("9.2.244.10.in-addr.arpa", "PTR").rcode, "NOTOURS");
  });

  it("has helpers for address forms", () => {
    assert.equal(dashedIp("10.244.1.5"), "10-244-1-5");
    assert.equal(reverseToIp("5.1.244.10.in-addr.arpa"), "10.244.1.5");
    assert.equal(reverseToIp("1.244.10.in-addr.arpa"), undefined);
  });
});

describe("ClusterDnsView dependencies", () => {
  const deps: { q: string; type: string; dependsOn: string }[] = [
    { q: "kubernetes.default.svc.cluster.local", type: "A", dependsOn: "svc/default/kubernetes" },
    { q: "web-0.nginx.default.svc.cluster.local", type: "A", dependsOn: "svc/default/nginx" },
    { q: "_web._tcp.nginx.default.svc.cluster.local", type: "SRV", dependsOn: "svc/default/nginx" },
    { q: "nope.default.svc.cluster.local", type: "A", dependsOn: "svc/default/nope" },
    { q: "default.svc.cluster.local", type: "A", dependsOn: "ns/default" },
    { q: "svc.cluster.local", type: "A", dependsOn: "" },
    { q: "10-244-1-5.default.pod.cluster.local", type: "A", dependsOn: "" },
    { q: "1.0.96.10.in-addr.arpa", type: "PTR", dependsOn: "ip/10.96.0.1" },
  ];
  for (const c of deps) {
    it(`${c.type} ${c.q} depends on "${c.dependsOn}"`, () => {
      assert.equal(view().resolve(c.q, c.type).dependsOn, c.dependsOn);
    });
  }

  // Which parts of the view each change touches: answers depending on the others stay cached.
  const changes: { name: string; change: (v: ClusterDnsView) => void; touched: string[] }[] = [
    {
      name: "an EndpointSlice update",
      change: (v) =>
        v.upsertEndpointSlice(slice("default", "nginx", [{ ip: "10.244.1.9", hostname: "web-0" }])),
      touched: ["svc/default/nginx", "ip/10.244.1.5", "ip/10.244.1.9", "ip/10.244.2.6"],
    },
    {
      name: "an EndpointSlice deletion",
      change: (v) => v.deleteEndpointSlice("default", "nginx-abcde"),
      touched: ["svc/default/nginx", "ip/10.244.1.5"],
    },
    {
      name: "a service's new cluster IP",
      change: (v) => v.upsertService(svc("default", "alpaca-prod", { clusterIP: "10.96.12.8" })),
      touched: ["svc/default/alpaca-prod", "ip/10.96.12.7", "ip/10.96.12.8"],
    },
    {
      name: "a headless service turned ClusterIP (its endpoints lose their reverse names)",
      change: (v) => v.upsertService(svc("default", "nginx", { clusterIP: "10.96.3.3" })),
      touched: ["svc/default/nginx", "ip/10.96.3.3", "ip/10.244.1.5", "ip/10.244.3.7"],
    },
    {
      name: "the first service of a namespace",
      change: (v) => v.upsertService(svc("kuar", "kuard", { clusterIP: "10.96.9.9" })),
      touched: ["svc/kuar/kuard", "ns/kuar", "ip/10.96.9.9"],
    },
    {
      name: "the last service of a namespace going",
      change: (v) => v.deleteService("prod", "db"),
      touched: ["svc/prod/db", "ns/prod"],
    },
    {
      name: "a pod's address",
      change: (v) =>
        v.upsertPod({ metadata: { namespace: "kuar", name: "kuard" }, status: { podIP: "10.244.2.9" } }),
      touched: ["ip/10.244.2.9"],
    },
  ];
  const untouched = ["svc/default/kubernetes", "ns/default", "ip/10.96.0.1", ""];
  for (const c of changes) {
    it(`${c.name} touches ${c.touched.join(", ")} and nothing else`, () => {
      const v = view();
      const before = new Map([...c.touched, ...untouched].map((k) => [k, v.versionOf(k)]));
      const modified = v.modified;
      c.change(v);
      for (const k of c.touched) assert.notEqual(v.versionOf(k), before.get(k), k);
      for (const k of untouched) assert.equal(v.versionOf(k), before.get(k), k);
      assert.ok(v.modified >= modified);
    });
  }

  it("leaves everything as it was for a pod update that keeps its address", () => {
    const v = view();
    const pod = { metadata: { namespace: "kuar", name: "kuard" }, status: { podIP: "10.244.2.9" } };
    v.upsertPod(pod);
    const g = v.generation;
    const version = v.versionOf("ip/10.244.2.9");
    v.upsertPod(pod);
    assert.equal(v.generation, g);
    assert.equal(v.versionOf("ip/10.244.2.9"), version);
  });
});
