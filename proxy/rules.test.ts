import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import type { Service } from "kubernetes-types/core/v1";
import type { EndpointSlice } from "kubernetes-types/discovery/v1";
import {
  endpointsOf,
  type ProxyState,
  renderRules,
  sepChain,
  serviceChainsIn,
  servicePortsOf,
  svcChain,
  usableEndpoints,
} from "./rules.js";

const web: Service = {
  metadata: { namespace: "default", name: "web" },
  spec: {
    type: "NodePort",
    clusterIP: "10.96.0.50",
    ports: [{ name: "http", port: 80, protocol: "TCP", nodePort: 30080 }],
  },
};
const webSlice: EndpointSlice = {
  addressType: "IPv4",
  metadata: { namespace: "default", name: "web-x1", labels: { "kubernetes.io/service-name": "web" } },
  ports: [{ name: "http", port: 8080, protocol: "TCP" }],
  endpoints: [
    { addresses: ["10.244.1.2"], conditions: { ready: true }, nodeName: "node-1" },
    { addresses: ["10.244.2.2"], conditions: { ready: true }, nodeName: "node-2" },
    { addresses: ["10.244.3.2"], conditions: { ready: true }, nodeName: "node-3" },
    {
      addresses: ["10.244.3.3"],
      conditions: { ready: false, serving: true, terminating: true },
      nodeName: "node-3",
    },
  ],
};

function stateOf(services: Service[], slices: EndpointSlice[], nodeName = "node-1"): ProxyState {
  const servicePorts = services.flatMap(servicePortsOf);
  const endpoints = new Map(servicePorts.map((sp) => [sp.key, endpointsOf(sp, slices)]));
  return { servicePorts, endpoints, nodeName, clusterCIDR: "10.244.0.0/16" };
}

describe("kube-proxy rules", () => {
  it("names chains as upstream does", () => {
    const sp = { key: "ns1/svc1:p80", protocol: "TCP" } as Parameters<typeof svcChain>[0];
    assert.equal(svcChain(sp), "KUBE-SVC-XPGD46QRK7WJZT7O");
    assert.equal(
      sepChain(sp, { ip: "10.180.0.1", port: 80, ready: true, serving: true, terminating: false }),
      "KUBE-SEP-SXIVWICOYRO3J4NJ",
    );
  });

  it("balances a ClusterIP over the ready endpoints with the statistic match", () => {
    const { text } = renderRules(stateOf([web], [webSlice]));
    const svc = svcChain(servicePortsOf(web)[0]);
    assert.ok(
      text.includes(
        `-A KUBE-SERVICES -m comment --comment "default/web:http cluster IP" -m tcp -p tcp -d 10.96.0.50/32 --dport 80 -j ${svc}`,
      ),
    );
    const balancing = text
      .split("\n")
      .filter((l) => l.startsWith(`-A ${svc} `) && l.includes("-j KUBE-SEP-"));
    assert.equal(balancing.length, 3, "only ready endpoints");
    assert.match(balancing[0], /--probability 0\.3333333333 /);
    assert.match(balancing[1], /--probability 0\.5000000000 /);
    assert.doesNotMatch(balancing[2], /statistic/);
    assert.ok(text.includes("-j DNAT --to-destination 10.244.1.2:8080"));
    assert.ok(!text.includes("10.244.3.3:8080"), "terminating endpoint unused while others are ready");
  });

  it("masquerades off-cluster sources and hairpin traffic", () => {
    const { text } = renderRules(stateOf([web], [webSlice]));
    assert.match(text, /! -s 10\.244\.0\.0\/16 -j KUBE-MARK-MASQ/);
    assert.match(text, /-s 10\.244\.1\.2\/32 -j KUBE-MARK-MASQ/);
    assert.match(text, /-A KUBE-POSTROUTING .* -j MASQUERADE --random-fully/);
  });

  it("sends node ports through KUBE-EXT to the service chain", () => {
    const { text } = renderRules(stateOf([web], [webSlice]));
    assert.match(
      text,
      /-A KUBE-NODEPORTS -m comment --comment "default\/web:http" -m tcp -p tcp --dport 30080 -j KUBE-EXT-/,
    );
    const lines = text.split("\n");
    const nat = lines.slice(lines.indexOf("*nat"));
    const svcRules = nat.filter((l) => l.startsWith("-A KUBE-SERVICES"));
    assert.match(svcRules[svcRules.length - 1], /--dst-type LOCAL -j KUBE-NODEPORTS/, "node ports last");
  });

  it("rejects traffic to a service without endpoints", () => {
    const { text } = renderRules(stateOf([web], []));
    assert.match(
      text,
      /-A KUBE-SERVICES -m comment --comment "default\/web:http has no endpoints" -m tcp -p tcp -d 10\.96\.0\.50\/32 --dport 80 -j REJECT/,
    );
    assert.match(text, /-A KUBE-EXTERNAL-SERVICES .* --dport 30080 -j REJECT/);
    assert.ok(!text.includes("KUBE-SVC-"));
  });

  it("uses terminating endpoints only when none is ready", () => {
    const eps = endpointsOf(servicePortsOf(web)[0], [webSlice]);
    assert.deepEqual(
      usableEndpoints(
        eps.filter((e) => !e.ready || e.ip === "10.244.3.3"),
        false,
        "node-1",
      ).map((e) => e.ip),
      ["10.244.3.3"],
    );
  });

  it("keeps only local endpoints for externalTrafficPolicy Local", () => {
    const local: Service = { ...web, spec: { ...web.spec, externalTrafficPolicy: "Local" } };
    const { text } = renderRules(stateOf([local], [webSlice], "node-2"));
    const svl = text.split("\n").filter((l) => l.startsWith("-A KUBE-SVL-") && l.includes("-j KUBE-SEP-"));
    assert.equal(svl.length, 1);
  });

  it("adds ClientIP affinity with the recent match", () => {
    const sticky: Service = {
      ...web,
      spec: {
        ...web.spec,
        sessionAffinity: "ClientIP",
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } },
      },
    };
    const { text } = renderRules(stateOf([sticky], [webSlice]));
    assert.match(text, /--rcheck --seconds 600 --reap -j KUBE-SEP-/);
    assert.match(text, /--rsource --set -j DNAT/);
  });

  it("deletes stale service chains in the same restore", () => {
    const { text } = renderRules(stateOf([], []), { nat: ["KUBE-SVC-AAAAAAAAAAAAAAAA"], filter: [] });
    assert.match(text, /:KUBE-SVC-AAAAAAAAAAAAAAAA - \[0:0\]\n/);
    assert.match(text, /-X KUBE-SVC-AAAAAAAAAAAAAAAA\n/);
    assert.deepEqual(serviceChainsIn(":KUBE-SVC-AAAAAAAAAAAAAAAA - [0:0]\n:KUBE-SERVICES - [0:0]\n"), [
      "KUBE-SVC-AAAAAAAAAAAAAAAA",
    ]);
  });

  it("is accepted by the real iptables-restore (in a private network namespace)", (t) => {
    const probe = spawnSync("unshare", ["--net", "iptables-restore", "--test"], { input: "*nat\nCOMMIT\n" });
    if (probe.error || probe.status !== 0) {
      // Loud, not silent: this machine cannot run the kernel check (not root, or no iptables).
      assert.fail(
        `cannot run iptables-restore in a network namespace here: ${probe.error?.message ?? probe.stderr.toString()}`,
      );
    }
    const { text } = renderRules(stateOf([web], [webSlice]));
    const r = spawnSync(
      "unshare",
      ["--net", "sh", "-c", "iptables -t nat -N KUBE-SERVICES; iptables-restore --noflush"],
      { input: text },
    );
    assert.equal(r.status, 0, r.stderr.toString());
    t.diagnostic("rules applied in a scratch network namespace");
  });
});
