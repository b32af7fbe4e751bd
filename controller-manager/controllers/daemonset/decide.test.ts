import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DaemonSet } from "kubernetes-types/apps/v1";
import type { Node, Pod } from "kubernetes-types/core/v1";
import { decideDaemons, HASH_LABEL, podSpecForNode, shouldRunOn } from "./decide.js";

const node = (name: string, labels: Record<string, string> = {}, taints: Node["spec"] = {}): Node => ({
  metadata: { name, labels },
  spec: taints,
});
const ds = (nodeSelector?: Record<string, string>, maxUnavailable?: number): DaemonSet => ({
  metadata: { name: "fluentd", generation: 1 },
  spec: {
    selector: { matchLabels: { app: "fluentd" } },
    template: { metadata: { labels: { app: "fluentd" } }, spec: { containers: [], nodeSelector } },
    updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable } },
  },
});
const pod = (name: string, nodeName: string, hash = "h1", ready = true): Pod => ({
  metadata: { name, labels: { [HASH_LABEL]: hash }, creationTimestamp: "2024-01-01T00:00:00Z" },
  spec: { containers: [], nodeName },
  status: { phase: "Running", conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
});

describe("shouldRunOn", () => {
  const cases: [string, DaemonSet, Node, boolean][] = [
    ["no selector", ds(), node("n1"), true],
    ["selector matches", ds({ ssd: "true" }), node("n1", { ssd: "true" }), true],
    ["selector does not match", ds({ ssd: "true" }), node("n1"), false],
    [
      "untolerated NoSchedule taint",
      ds(),
      node("n1", {}, { taints: [{ key: "dedicated", effect: "NoSchedule" }] }),
      false,
    ],
    [
      "automatic toleration of unschedulable",
      ds(),
      node("n1", {}, { taints: [{ key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" }] }),
      true,
    ],
    [
      "PreferNoSchedule does not count",
      ds(),
      node("n1", {}, { taints: [{ key: "x", effect: "PreferNoSchedule" }] }),
      true,
    ],
  ];
  for (const [name, d, n, want] of cases) it(name, () => assert.equal(shouldRunOn(d, n), want));
});

describe("podSpecForNode", () => {
  it("pins the node by metadata.name and adds the automatic tolerations", () => {
    const s = podSpecForNode({ containers: [] }, "node-2");
    assert.deepEqual(
      s.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms,
      [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["node-2"] }] }],
    );
    const keys = s.tolerations?.map((t) => `${t.key}:${t.effect}`);
    assert.deepEqual(keys, [
      "node.kubernetes.io/not-ready:NoExecute",
      "node.kubernetes.io/unreachable:NoExecute",
      "node.kubernetes.io/disk-pressure:NoSchedule",
      "node.kubernetes.io/memory-pressure:NoSchedule",
      "node.kubernetes.io/pid-pressure:NoSchedule",
      "node.kubernetes.io/unschedulable:NoSchedule",
    ]);
  });
});

describe("decideDaemons", () => {
  it("creates on nodes without a pod and deletes from nodes that no longer match", () => {
    const plan = decideDaemons(
      ds({ ssd: "true" }),
      [node("a", { ssd: "true" }), node("b")],
      [pod("p-b", "b")],
      "h1",
      0,
    );
    assert.deepEqual(plan.createOn, ["a"]);
    assert.deepEqual(
      plan.delete.map((p) => p.metadata?.name),
      ["p-b"],
    );
    assert.equal(plan.status.desiredNumberScheduled, 1);
    assert.equal(plan.status.numberMisscheduled, 1);
  });
  it("rolls one node at a time with maxUnavailable 1", () => {
    const plan = decideDaemons(
      ds(undefined, 1),
      [node("a"), node("b")],
      [pod("p-a", "a"), pod("p-b", "b")],
      "h2",
      0,
    );
    assert.equal(plan.delete.length, 1);
    assert.equal(plan.status.updatedNumberScheduled, 0);
  });
});
