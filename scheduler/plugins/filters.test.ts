// Table-driven tests of each Filter plugin on plain objects.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1";
import type { NodeInfo } from "../framework/nodeinfo.js";
import { makeNode, makePod, nodeInfo, pi } from "../framework/testing.js";
import { Code, CycleState } from "../framework/types.js";
import { NodeAffinity } from "./node-affinity.js";
import { NodeName } from "./node-name.js";
import { NodePorts } from "./node-ports.js";
import { fitsAll, fitsRequest, NodeResourcesFit } from "./node-resources.js";
import { NodeUnschedulable } from "./node-unschedulable.js";
import { TaintToleration } from "./taint-toleration.js";

interface Case {
  name: string;
  pod: Pod;
  node: NodeInfo;
  /** undefined = fits */
  reasons?: string[];
  code?: Code;
}

function run(plugin: { filter: NodeUnschedulable["filter"] }, cases: Case[]): void {
  for (const c of cases) {
    const s = plugin.filter(new CycleState(), pi(c.pod), c.node);
    assert.deepEqual(s ? [...s.reasons] : undefined, c.reasons, c.name);
    if (c.code !== undefined) assert.equal(s?.code, c.code, c.name);
  }
}

test("NodeUnschedulable", () => {
  run(new NodeUnschedulable(), [
    { name: "schedulable", pod: makePod("p"), node: nodeInfo(makeNode("n")) },
    {
      name: "cordoned",
      pod: makePod("p"),
      node: nodeInfo(makeNode("n", { unschedulable: true })),
      reasons: ["node(s) were unschedulable"],
      code: Code.UnschedulableAndUnresolvable,
    },
    {
      name: "cordoned, tolerated",
      pod: makePod("p", {
        spec: {
          tolerations: [
            { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
          ],
        },
      }),
      node: nodeInfo(makeNode("n", { unschedulable: true })),
    },
  ]);
});

test("NodeName", () => {
  run(new NodeName(), [
    { name: "unset", pod: makePod("p"), node: nodeInfo(makeNode("a")) },
    { name: "match", pod: makePod("p", { spec: { nodeName: "a" } }), node: nodeInfo(makeNode("a")) },
    {
      name: "other",
      pod: makePod("p", { spec: { nodeName: "b" } }),
      node: nodeInfo(makeNode("a")),
      reasons: ["node(s) didn't match the requested node name"],
    },
  ]);
});

test("NodeResourcesFit", () => {
  const node = makeNode("n", { cpu: "2", memory: "1Gi", pods: "2" });
  run(new NodeResourcesFit(), [
    { name: "fits", pod: makePod("p", { cpu: "500m" }), node: nodeInfo(node) },
    {
      name: "KUAR: 4 x 500m fill 2 cpus, a fifth fails",
      pod: makePod("p5", { cpu: "500m" }),
      node: nodeInfo(makeNode("n"), ...[1, 2, 3, 4].map((i) => makePod(`p${i}`, { cpu: "500m" }))),
      reasons: ["Insufficient cpu"],
      code: Code.Unschedulable,
    },
    {
      name: "more than the node has: unresolvable",
      pod: makePod("p", { cpu: "3" }),
      node: nodeInfo(node),
      reasons: ["Insufficient cpu"],
      code: Code.UnschedulableAndUnresolvable,
    },
    {
      name: "memory and cpu",
      pod: makePod("p", { cpu: "3", memory: "2Gi" }),
      node: nodeInfo(node),
      reasons: ["Insufficient cpu", "Insufficient memory"],
    },
    {
      name: "too many pods",
      pod: makePod("p"),
      node: nodeInfo(node, makePod("a"), makePod("b")),
      reasons: ["Too many pods"],
    },
    {
      name: "extended resource",
      pod: {
        ...makePod("p"),
        spec: { containers: [{ name: "c", resources: { requests: { "example.com/gpu": "1" } } }] },
      },
      node: nodeInfo(node),
      reasons: ["Insufficient example.com/gpu"],
    },
  ]);
});

test("fitsAll (the filter's allocation-free check) agrees with fitsRequest", () => {
  const node = makeNode("n", { cpu: "2", memory: "1Gi", pods: "2" });
  const gpu = { containers: [{ name: "c", resources: { requests: { "example.com/gpu": "1" } } }] };
  const cases: [string, Pod, NodeInfo][] = [
    ["fits", makePod("p", { cpu: "500m" }), nodeInfo(node)],
    ["no requests", makePod("p"), nodeInfo(node)],
    ["cpu", makePod("p", { cpu: "3" }), nodeInfo(node)],
    ["memory", makePod("p", { memory: "2Gi" }), nodeInfo(node)],
    ["exactly full", makePod("p", { cpu: "1" }), nodeInfo(node, makePod("a", { cpu: "1" }))],
    ["pods", makePod("p"), nodeInfo(node, makePod("a"), makePod("b"))],
    ["extended resource", { ...makePod("p"), spec: gpu }, nodeInfo(node)],
  ];
  for (const [name, pod, ni] of cases) {
    assert.equal(fitsAll(pi(pod), ni), fitsRequest(pi(pod), ni).length === 0, name);
  }
});

test("NodeAffinity: nodeSelector, required terms, matchFields", () => {
  const ssd = nodeInfo(makeNode("a", { labels: { disk: "ssd", zone: "z1", gen: "5" } }));
  const req = (exprs: object[], fields?: object[]) => ({
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: exprs, ...(fields ? { matchFields: fields } : {}) }],
        },
      },
    },
  });
  const miss = ["node(s) didn't match Pod's node affinity/selector"];
  run(new NodeAffinity(), [
    { name: "selector match", pod: makePod("p", { spec: { nodeSelector: { disk: "ssd" } } }), node: ssd },
    {
      name: "selector miss",
      pod: makePod("p", { spec: { nodeSelector: { disk: "hdd" } } }),
      node: ssd,
      reasons: miss,
      code: Code.UnschedulableAndUnresolvable,
    },
    {
      name: "In",
      pod: makePod("p", {
        spec: req([{ key: "zone", operator: "In", values: ["z1", "z2"] }]) as Pod["spec"],
      }),
      node: ssd,
    },
    {
      name: "NotIn",
      pod: makePod("p", { spec: req([{ key: "zone", operator: "NotIn", values: ["z1"] }]) as Pod["spec"] }),
      node: ssd,
      reasons: miss,
    },
    {
      name: "Exists",
      pod: makePod("p", { spec: req([{ key: "disk", operator: "Exists" }]) as Pod["spec"] }),
      node: ssd,
    },
    {
      name: "DoesNotExist",
      pod: makePod("p", { spec: req([{ key: "disk", operator: "DoesNotExist" }]) as Pod["spec"] }),
      node: ssd,
      reasons: miss,
    },
    {
      name: "Gt",
      pod: makePod("p", { spec: req([{ key: "gen", operator: "Gt", values: ["4"] }]) as Pod["spec"] }),
      node: ssd,
    },
    {
      name: "Lt",
      pod: makePod("p", { spec: req([{ key: "gen", operator: "Lt", values: ["4"] }]) as Pod["spec"] }),
      node: ssd,
      reasons: miss,
    },
    {
      name: "matchFields name",
      pod: makePod("p", {
        spec: req([], [{ key: "metadata.name", operator: "In", values: ["a"] }]) as Pod["spec"],
      }),
      node: ssd,
    },
    {
      name: "matchFields other",
      pod: makePod("p", {
        spec: req([], [{ key: "metadata.name", operator: "In", values: ["b"] }]) as Pod["spec"],
      }),
      node: ssd,
      reasons: miss,
    },
    {
      name: "unknown operator never matches",
      pod: makePod("p", { spec: req([{ key: "zone", operator: "Foo", values: ["z1"] }]) as Pod["spec"] }),
      node: ssd,
      reasons: miss,
    },
  ]);
  // A DaemonSet pod's matchFields narrows PreFilter to its node.
  const ds = pi(
    makePod("ds", {
      spec: req([], [{ key: "metadata.name", operator: "In", values: ["node-2"] }]) as Pod["spec"],
    }),
  );
  assert.deepEqual([...(new NodeAffinity().preFilter(new CycleState(), ds)?.nodeNames ?? [])], ["node-2"]);
});

test("TaintToleration filter", () => {
  const cp = nodeInfo(
    makeNode("cp", { taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] }),
  );
  const gpu = nodeInfo(
    makeNode("g", {
      taints: [
        { key: "gpu", value: "true", effect: "NoExecute" },
        { key: "soft", effect: "PreferNoSchedule" },
      ],
    }),
  );
  run(new TaintToleration(), [
    { name: "no taints", pod: makePod("p"), node: nodeInfo(makeNode("n")) },
    {
      name: "control plane",
      pod: makePod("p"),
      node: cp,
      reasons: ["node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"],
      code: Code.UnschedulableAndUnresolvable,
    },
    {
      name: "tolerated by Exists",
      pod: makePod("p", {
        spec: { tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists" }] },
      }),
      node: cp,
    },
    {
      name: "empty key Exists tolerates all",
      pod: makePod("p", { spec: { tolerations: [{ operator: "Exists" }] } }),
      node: gpu,
    },
    {
      name: "value mismatch",
      pod: makePod("p", { spec: { tolerations: [{ key: "gpu", value: "false", effect: "NoExecute" }] } }),
      node: gpu,
      reasons: ["node(s) had untolerated taint {gpu: true}"],
    },
    {
      name: "Equal value, PreferNoSchedule ignored",
      pod: makePod("p", { spec: { tolerations: [{ key: "gpu", operator: "Equal", value: "true" }] } }),
      node: gpu,
    },
  ]);
});

test("NodePorts", () => {
  const withPort = (port: number, ip?: string) =>
    makePod(`p${port}${ip ?? ""}`, {
      spec: {
        containers: [
          { name: "c", ports: [{ containerPort: 80, hostPort: port, ...(ip ? { hostIP: ip } : {}) }] },
        ],
      },
    });
  const busy = nodeInfo(makeNode("n"), withPort(8080, "10.0.0.1"));
  run(new NodePorts(), [
    { name: "free", pod: withPort(9090), node: busy },
    {
      name: "same ip",
      pod: withPort(8080, "10.0.0.1"),
      node: busy,
      reasons: ["node(s) didn't have free ports for the requested pod ports"],
    },
    {
      name: "wildcard conflicts",
      pod: withPort(8080),
      node: busy,
      reasons: ["node(s) didn't have free ports for the requested pod ports"],
    },
    { name: "other ip", pod: withPort(8080, "10.0.0.2"), node: busy },
  ]);
});
