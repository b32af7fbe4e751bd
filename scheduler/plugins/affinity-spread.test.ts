// InterPodAffinity and PodTopologySpread: PreFilter over a snapshot, then Filter per node.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1";
import type { NodeInfo } from "../framework/nodeinfo.js";
import { makeNode, makePod, nodeInfo, pi, snapshotOf } from "../framework/testing.js";
import { CycleState, type FilterPlugin, type PreFilterPlugin } from "../framework/types.js";
import { InterPodAffinity } from "./inter-pod-affinity.js";
import { PodTopologySpread } from "./pod-topology-spread.js";

function filterAll(
  plugin: PreFilterPlugin & FilterPlugin,
  pod: Pod,
  nodes: NodeInfo[],
): Record<string, string> {
  const state = new CycleState();
  const p = pi(pod);
  plugin.preFilter(state, p, snapshotOf(nodes));
  const out: Record<string, string> = {};
  for (const n of nodes) {
    out[n.name] = state.skipFilter.has(plugin.name)
      ? "ok"
      : (plugin.filter(state, p, n)?.reasons.join(",") ?? "ok");
  }
  return out;
}

const web = (name: string) => makePod(name, { labels: { app: "web" } });
const antiWeb = (name: string) =>
  makePod(name, {
    labels: { app: "web" },
    spec: {
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: { app: "web" } }, topologyKey: "kubernetes.io/hostname" },
          ],
        },
      },
    },
  });

test("InterPodAffinity: anti-affinity spreads across 3 nodes, a 4th waits", () => {
  const nodes = ["node-1", "node-2", "node-3"].map((n) => makeNode(n));
  const cases: { name: string; placed: [number, Pod][]; want: Record<string, string> }[] = [
    { name: "empty cluster", placed: [], want: { "node-1": "ok", "node-2": "ok", "node-3": "ok" } },
    {
      name: "one placed",
      placed: [[0, antiWeb("w1")]],
      want: { "node-1": "node(s) didn't match pod anti-affinity rules", "node-2": "ok", "node-3": "ok" },
    },
    {
      name: "all taken",
      placed: [
        [0, antiWeb("w1")],
        [1, antiWeb("w2")],
        [2, antiWeb("w3")],
      ],
      want: {
        "node-1": "node(s) didn't match pod anti-affinity rules",
        "node-2": "node(s) didn't match pod anti-affinity rules",
        "node-3": "node(s) didn't match pod anti-affinity rules",
      },
    },
  ];
  for (const c of cases) {
    const infos = nodes.map((n, i) => nodeInfo(n, ...c.placed.filter(([j]) => j === i).map(([, p]) => p)));
    assert.deepEqual(filterAll(new InterPodAffinity(), antiWeb("new"), infos), c.want, c.name);
  }
  // Existing pods' anti-affinity keeps a plain matching pod away.
  const infos = nodes.map((n, i) => nodeInfo(n, ...(i === 0 ? [antiWeb("w1")] : [])));
  assert.equal(
    filterAll(new InterPodAffinity(), web("plain"), infos)["node-1"],
    "node(s) didn't satisfy existing pods anti-affinity rules",
  );
});

test("InterPodAffinity: required affinity follows the matching pod; the first of a group may go anywhere", () => {
  const withCache = makePod("app", {
    labels: { app: "store" },
    spec: {
      affinity: {
        podAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: { app: "cache" } }, topologyKey: "kubernetes.io/hostname" },
          ],
        },
      },
    },
  });
  const nodes = [makeNode("a"), makeNode("b")];
  assert.deepEqual(
    filterAll(new InterPodAffinity(), withCache, [
      nodeInfo(nodes[0], makePod("c", { labels: { app: "cache" } })),
      nodeInfo(nodes[1]),
    ]),
    {
      a: "ok",
      b: "node(s) didn't match pod affinity rules",
    },
  );
  assert.deepEqual(
    filterAll(
      new InterPodAffinity(),
      withCache,
      nodes.map((n) => nodeInfo(n)),
    ),
    {
      a: "node(s) didn't match pod affinity rules",
      b: "node(s) didn't match pod affinity rules",
    },
  );
});

test("PodTopologySpread: maxSkew 1 across zones, missing label", () => {
  const spread = (name: string) =>
    makePod(name, {
      labels: { app: "web" },
      spec: {
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: "zone",
            whenUnsatisfiable: "DoNotSchedule",
            labelSelector: { matchLabels: { app: "web" } },
          },
        ],
      },
    });
  const z = (n: string, zone?: string) => makeNode(n, { labels: zone ? { zone } : {} });
  const nodes = [nodeInfo(z("a", "z1"), web("w1")), nodeInfo(z("b", "z2")), nodeInfo(z("c"))];
  assert.deepEqual(filterAll(new PodTopologySpread(), spread("new"), nodes), {
    a: "node(s) didn't match pod topology spread constraints",
    b: "ok",
    c: "node(s) didn't match pod topology spread constraints (missing required label)",
  });
});
