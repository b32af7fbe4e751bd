import assert from "node:assert/strict";
import { test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1";
import { effectiveTaints, NodeInfo, podRequests } from "./nodeinfo.js";
import { makeNode } from "./testing.js";

test("podRequests: sum of containers, max with init containers, sidecars, overhead", () => {
  const cases: { name: string; spec: Pod["spec"]; cpu: number; mem: number }[] = [
    {
      name: "two containers",
      spec: {
        containers: [
          { name: "a", resources: { requests: { cpu: "100m", memory: "1Mi" } } },
          { name: "b", resources: { requests: { cpu: "200m" } } },
        ],
      },
      cpu: 300,
      mem: 1048576,
    },
    {
      name: "init larger",
      spec: {
        initContainers: [{ name: "i", resources: { requests: { cpu: "1" } } }],
        containers: [{ name: "a", resources: { requests: { cpu: "100m" } } }],
      },
      cpu: 1000,
      mem: 0,
    },
    {
      name: "sidecar adds",
      spec: {
        initContainers: [{ name: "s", restartPolicy: "Always", resources: { requests: { cpu: "50m" } } }],
        containers: [{ name: "a", resources: { requests: { cpu: "100m" } } }],
      },
      cpu: 150,
      mem: 0,
    },
    {
      name: "overhead",
      spec: {
        overhead: { cpu: "10m" },
        containers: [{ name: "a", resources: { requests: { cpu: "100m" } } }],
      },
      cpu: 110,
      mem: 0,
    },
    {
      name: "malformed is zero",
      spec: { containers: [{ name: "a", resources: { requests: { cpu: "lots" } } }] },
      cpu: 0,
      mem: 0,
    },
  ];
  for (const c of cases) {
    const r = podRequests({ spec: c.spec });
    assert.equal(r.milliCPU, c.cpu, c.name);
    assert.equal(r.memory, c.mem, c.name);
  }
  assert.equal(podRequests({ spec: { containers: [{ name: "a" }] } }, true).milliCPU, 100);
});

test("node conditions become taints; malformed capacity does not throw", () => {
  const node = makeNode("n");
  node.status!.conditions = [
    { type: "Ready", status: "False" },
    { type: "DiskPressure", status: "True" },
  ];
  assert.deepEqual(
    effectiveTaints(node).map((t) => t.key),
    ["node.kubernetes.io/not-ready", "node.kubernetes.io/disk-pressure"],
  );
  const bad = makeNode("bad", { cpu: "two" });
  const ni = new NodeInfo(bad);
  assert.equal(ni.allocatable.milliCPU, 0);
  assert.deepEqual(ni.problems, ["malformed allocatable cpu"]);
});
