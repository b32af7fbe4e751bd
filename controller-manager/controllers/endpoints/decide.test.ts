import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod, Service } from "kubernetes-types/core/v1";
import { desiredEndpoints, desiredSlices, resolveTargetPort, sliceLabels } from "./decide.js";

function pod(
  name: string,
  ip: string | undefined,
  opts: {
    ready?: boolean;
    deleting?: boolean;
    node?: string;
    hostname?: string;
    subdomain?: string;
    phase?: string;
  } = {},
): Pod {
  return {
    metadata: {
      namespace: "default",
      name,
      uid: `uid-${name}`,
      labels: { app: "web" },
      ...(opts.deleting ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}),
    },
    spec: {
      nodeName: opts.node ?? "node-1",
      hostname: opts.hostname,
      subdomain: opts.subdomain,
      containers: [
        { name: "c", image: "nginx", ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }] },
      ],
    },
    status: {
      phase: opts.phase ?? "Running",
      podIP: ip,
      conditions: [{ type: "Ready", status: opts.ready === false ? "False" : "True" }],
    },
  };
}

const svc = (spec: Partial<Service["spec"]> = {}): Service => ({
  metadata: { namespace: "default", name: "web", uid: "svc-uid", labels: { app: "web" } },
  spec: {
    selector: { app: "web" },
    ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }],
    ...spec,
  },
});

describe("endpoints decisions", () => {
  it("resolves named and numeric target ports", () => {
    const p = pod("a", "10.244.1.2");
    assert.equal(resolveTargetPort({ port: 80, targetPort: "http", protocol: "TCP" }, p), 8080);
    assert.equal(resolveTargetPort({ port: 80, targetPort: 9090 }, p), 9090);
    assert.equal(resolveTargetPort({ port: 80 }, p), 80);
    assert.equal(resolveTargetPort({ port: 80, targetPort: "nope" }, p), undefined);
  });

  it("puts ready pods in addresses and the others in notReadyAddresses, sorted by IP", () => {
    const e = desiredEndpoints(svc(), [
      pod("b", "10.244.2.10"),
      pod("a", "10.244.2.9"),
      pod("c", "10.244.1.3", { ready: false }),
      pod("d", undefined),
      pod("e", "10.244.1.4", { deleting: true }),
      pod("f", "10.244.1.5", { phase: "Succeeded" }),
    ]);
    assert.deepEqual(e.subsets?.length, 1);
    const s = e.subsets?.[0];
    assert.deepEqual(
      s?.addresses?.map((a) => a.ip),
      ["10.244.2.9", "10.244.2.10"],
    );
    assert.deepEqual(
      s?.notReadyAddresses?.map((a) => a.ip),
      ["10.244.1.3"],
    );
    assert.deepEqual(s?.ports, [{ name: "http", port: 8080, protocol: "TCP" }]);
    assert.deepEqual(s?.addresses?.[0]?.targetRef, {
      kind: "Pod",
      namespace: "default",
      name: "a",
      uid: "uid-a",
    });
  });

  it("publishNotReadyAddresses lists every pod as ready", () => {
    const e = desiredEndpoints(svc({ publishNotReadyAddresses: true }), [
      pod("c", "10.244.1.3", { ready: false }),
    ]);
    assert.deepEqual(
      e.subsets?.[0]?.addresses?.map((a) => a.ip),
      ["10.244.1.3"],
    );
  });

  it("sets hostnames of StatefulSet pods whose subdomain is the service", () => {
    const headless = svc({ clusterIP: "None" });
    const e = desiredEndpoints(headless, [
      pod("web-0", "10.244.1.7", { hostname: "web-0", subdomain: "web" }),
    ]);
    assert.equal(e.subsets?.[0]?.addresses?.[0]?.hostname, "web-0");
    assert.equal(e.metadata?.labels?.["service.kubernetes.io/headless"], "");
  });

  it("slices carry ready/serving/terminating conditions and keep terminating pods", () => {
    const [s] = desiredSlices(svc(), [
      pod("a", "10.244.1.2"),
      pod("t", "10.244.1.9", { deleting: true }),
      pod("n", "10.244.1.5", { ready: false }),
    ]);
    assert.deepEqual(
      s.endpoints.map((e) => [e.addresses[0], e.conditions]),
      [
        ["10.244.1.2", { ready: true, serving: true, terminating: false }],
        ["10.244.1.5", { ready: false, serving: false, terminating: false }],
        ["10.244.1.9", { ready: false, serving: true, terminating: true }],
      ],
    );
    assert.deepEqual(s.ports, [{ name: "http", port: 8080, protocol: "TCP" }]);
    assert.equal(s.endpoints[0].nodeName, "node-1");
  });

  it("splits slices at 100 endpoints and keeps one empty slice when there are no pods", () => {
    const pods = Array.from({ length: 150 }, (_, i) =>
      pod(`p${i}`, `10.244.${Math.floor(i / 200)}.${i + 1}`),
    );
    assert.deepEqual(
      desiredSlices(svc(), pods).map((s) => s.endpoints.length),
      [100, 50],
    );
    assert.deepEqual(desiredSlices(svc(), []), [{ ports: [], endpoints: [] }]);
  });

  it("labels slices with the service name and the managing controller", () => {
    assert.deepEqual(sliceLabels(svc()), {
      app: "web",
      "kubernetes.io/service-name": "web",
      "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
    });
  });
});
