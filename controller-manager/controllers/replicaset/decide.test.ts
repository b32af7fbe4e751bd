import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "kubernetes-types/core/v1";
import { calculateStatus, decideReplicas, nextAvailableAfter } from "./decide.js";

const NOW = Date.parse("2024-01-01T00:10:00Z");

function pod(
  name: string,
  o: {
    node?: string;
    phase?: string;
    ready?: boolean;
    readySince?: string;
    created?: string;
    labels?: Record<string, string>;
  } = {},
): Pod {
  return {
    metadata: {
      name,
      namespace: "default",
      labels: o.labels ?? { app: "x" },
      creationTimestamp: o.created ?? "2024-01-01T00:00:00Z",
    },
    spec: { containers: [], nodeName: o.node },
    status: {
      phase: o.phase ?? "Running",
      conditions: o.ready
        ? [{ type: "Ready", status: "True", lastTransitionTime: o.readySince ?? "2024-01-01T00:01:00Z" }]
        : [],
    },
  };
}

describe("decideReplicas", () => {
  const cases: { name: string; desired: number; pods: Pod[]; want: string }[] = [
    { name: "nothing to do", desired: 2, pods: [pod("a"), pod("b")], want: "none" },
    { name: "create the difference", desired: 3, pods: [pod("a")], want: "create 2" },
    { name: "create is capped by burst", desired: 900, pods: [], want: "create 500" },
    {
      name: "delete unscheduled before scheduled",
      desired: 1,
      pods: [pod("sched", { node: "n1", ready: true }), pod("unsched", { phase: "Pending" })],
      want: "delete unsched",
    },
    {
      name: "delete not-ready before ready",
      desired: 1,
      pods: [pod("ready", { node: "n1", ready: true }), pod("notready", { node: "n1" })],
      want: "delete notready",
    },
    {
      name: "delete pending before running",
      desired: 1,
      pods: [pod("run", { node: "n1" }), pod("pend", { node: "n1", phase: "Pending" })],
      want: "delete pend",
    },
    {
      name: "delete doubled-up pods first",
      desired: 2,
      pods: [
        pod("a", { node: "n1", ready: true }),
        pod("b", { node: "n1", ready: true, created: "2024-01-01T00:00:01Z" }),
        pod("c", { node: "n2", ready: true, created: "2024-01-01T00:00:02Z" }),
      ],
      want: "delete b",
    },
    {
      name: "delete newer first",
      desired: 1,
      pods: [
        pod("old", { node: "n1", ready: true, created: "2024-01-01T00:00:00Z" }),
        pod("new", {
          node: "n2",
          ready: true,
          created: "2024-01-01T00:09:59Z",
          readySince: "2024-01-01T00:09:59Z",
        }),
      ],
      want: "delete new",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const a = decideReplicas(c.desired, c.pods, c.pods, NOW);
      const got =
        a.kind === "none"
          ? "none"
          : a.kind === "create"
            ? `create ${a.count}`
            : `delete ${a.pods.map((p) => p.metadata?.name).join(",")}`;
      assert.equal(got, c.want);
    });
  }
});

describe("calculateStatus", () => {
  it("counts replicas, fully labeled, ready and available pods", () => {
    const s = calculateStatus(
      {
        generation: 3,
        templateLabels: { app: "x", tier: "web" },
        minReadySeconds: 60,
        previous: undefined,
        pods: [
          pod("a", { ready: true, readySince: "2024-01-01T00:01:00Z", labels: { app: "x", tier: "web" } }),
          pod("b", { ready: true, readySince: "2024-01-01T00:09:30Z", labels: { app: "x", tier: "web" } }),
          pod("c", { labels: { app: "x" } }),
        ],
      },
      NOW,
    );
    assert.deepEqual(s, {
      replicas: 3,
      fullyLabeledReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 1,
      observedGeneration: 3,
    });
  });
  it("sets ReplicaFailure on a failed create and clears it on success", () => {
    const failed = calculateStatus(
      {
        generation: 1,
        templateLabels: {},
        minReadySeconds: 0,
        previous: undefined,
        pods: [],
        manageError: { message: "quota", creating: true },
      },
      NOW,
    );
    assert.equal(failed.conditions?.[0]?.type, "ReplicaFailure");
    assert.equal(failed.conditions?.[0]?.reason, "FailedCreate");
    assert.equal(failed.conditions?.[0]?.message, "quota");
    const ok = calculateStatus(
      { generation: 1, templateLabels: {}, minReadySeconds: 0, previous: failed, pods: [] },
      NOW,
    );
    assert.equal(ok.conditions, undefined);
  });
  it("requeues when the next pod becomes available", () => {
    const pods = [pod("b", { ready: true, readySince: "2024-01-01T00:09:30Z" })];
    assert.equal(nextAvailableAfter(pods, 60, NOW), 30_000);
    assert.equal(nextAvailableAfter(pods, 0, NOW), undefined);
  });
});
