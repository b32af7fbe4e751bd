// The whole pipeline on plain objects: the default profile, the cache, the algorithm, preemption.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SchedulerCache } from "./cache/cache.js";
import { Framework } from "./framework/runtime.js";
import { makeNode, makePod, pi } from "./framework/testing.js";
import { fitErrorMessage } from "./framework/types.js";
import { DefaultPreemption } from "./plugins/default-preemption.js";
import { defaultProfile } from "./plugins/registry.js";
import { Algorithm, numFeasibleNodesToFind, selectHost } from "./schedule-one.js";

test("numFeasibleNodesToFind (adaptive percentage)", () => {
  const cases: [number, number][] = [
    [50, 50],
    [100, 100],
    [1000, 420],
    [5000, 500],
    [6000, 300],
  ];
  for (const [n, want] of cases) assert.equal(numFeasibleNodesToFind(n), want, String(n));
  assert.equal(numFeasibleNodesToFind(1000, 100), 1000);
});

test("selectHost picks the best, ties at random", () => {
  const nodes = ["a", "b", "c"].map((n) => ({ name: n })) as never[];
  assert.equal(selectHost(nodes, [1, 5, 3]), "b");
  const seen = new Set<string>();
  for (let i = 0; i < 50; i++) seen.add(selectHost(nodes, [5, 5, 1]));
  assert.deepEqual([...seen].sort(), ["a", "b"]);
});

function cluster(...nodes: ReturnType<typeof makeNode>[]) {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.addOrUpdateNode(n);
  const fw = new Framework(defaultProfile());
  return { cache, fw, alg: new Algorithm(fw, { nominator: cache }) };
}

test("KUAR: four 500m pods fill a 2-cpu node, the fifth waits with the Kubernetes message", () => {
  const { cache, alg } = cluster(
    makeNode("cp", {
      cpu: "2",
      taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }],
    }),
    makeNode("node-1", { cpu: "2" }),
  );
  for (let i = 1; i <= 4; i++) {
    const p = pi(makePod(`kuard-${i}`, { cpu: "500m" }));
    const r = alg.schedule(p, cache);
    assert.equal(r.kind, "scheduled");
    if (r.kind === "scheduled") cache.assumePod(p, r.nodeName);
  }
  const r = alg.schedule(pi(makePod("kuard-5", { cpu: "500m" })), cache);
  assert.equal(r.kind, "unschedulable");
  if (r.kind !== "unschedulable") return;
  assert.equal(
    fitErrorMessage(r.numAllNodes, r.diagnosis),
    "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }.",
  );
});

test("too big for every node: preemption is not helpful", () => {
  const { cache, alg, fw } = cluster(
    makeNode("a"),
    makeNode("b"),
    makeNode("cp", { taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] }),
  );
  const pod = pi(makePod("big", { cpu: "8" }));
  const r = alg.schedule(pod, cache);
  assert.equal(r.kind, "unschedulable");
  if (r.kind !== "unschedulable") return;
  const post = new DefaultPreemption().postFilter(r.state, pod, r.diagnosis.nodeToStatus, {
    snapshot: cache,
    runFiltersOn: (s, p, n) => fw.runFilters(s, p, n),
    runPreFilters: (s, p, snap) => fw.runPreFilters(s, p, snap).status,
  });
  r.diagnosis.postFilterMsg = post.status.reasons.join(", ");
  assert.equal(
    fitErrorMessage(r.numAllNodes, r.diagnosis),
    "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
  );
});

test("preemption picks the node whose victims have the lowest priority", () => {
  const { cache, alg, fw } = cluster(makeNode("a", { cpu: "1" }), makeNode("b", { cpu: "1" }));
  const place = (name: string, node: string, priority: number) =>
    cache.addOrUpdatePod({
      ...makePod(name, { cpu: "1", priority }),
      spec: { ...makePod(name, { cpu: "1", priority }).spec!, nodeName: node },
    });
  place("low", "a", 1);
  place("mid", "b", 5);
  const pod = pi(makePod("urgent", { cpu: "1", priority: 10 }));
  const r = alg.schedule(pod, cache);
  assert.equal(r.kind, "unschedulable");
  if (r.kind !== "unschedulable") return;
  const post = new DefaultPreemption().postFilter(r.state, pod, r.diagnosis.nodeToStatus, {
    snapshot: cache,
    runFiltersOn: (s, p, n) => fw.runFilters(s, p, n),
    runPreFilters: (s, p, snap) => fw.runPreFilters(s, p, snap).status,
  });
  assert.equal(post.nominatedNodeName, "a");
  assert.deepEqual(
    post.victims?.map((v) => v.name),
    ["low"],
  );
  // A pod of equal priority cannot preempt.
  const peer = pi(makePod("peer", { cpu: "1", priority: 1 }));
  const r2 = alg.schedule(peer, cache);
  if (r2.kind !== "unschedulable") return assert.fail("expected unschedulable");
  const post2 = new DefaultPreemption().postFilter(r2.state, peer, r2.diagnosis.nodeToStatus, {
    snapshot: cache,
    runFiltersOn: (s, p, n) => fw.runFilters(s, p, n),
    runPreFilters: (s, p, snap) => fw.runPreFilters(s, p, snap).status,
  });
  assert.equal(
    post2.status.reasons[0],
    "preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
  );
});

test("cordon all but one node: pods go there; nodeSelector and taints as a real cluster", () => {
  const { cache, alg } = cluster(
    makeNode("node-1", { unschedulable: true }),
    makeNode("node-2", { labels: { disk: "ssd" } }),
    makeNode("node-3", { unschedulable: true }),
  );
  for (let i = 0; i < 5; i++) {
    const r = alg.schedule(pi(makePod(`p${i}`)), cache);
    assert.equal(r.kind === "scheduled" && r.nodeName, "node-2");
  }
  const r = alg.schedule(pi(makePod("hdd", { spec: { nodeSelector: { disk: "hdd" } } })), cache);
  if (r.kind !== "unschedulable") return assert.fail("expected unschedulable");
  assert.equal(
    fitErrorMessage(r.numAllNodes, r.diagnosis),
    "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 node(s) were unschedulable.",
  );
});

test("no nodes", () => {
  const { cache, alg } = cluster();
  const r = alg.schedule(pi(makePod("p")), cache);
  assert.equal(r.kind === "unschedulable" && r.error, "no nodes available to schedule pods");
});
