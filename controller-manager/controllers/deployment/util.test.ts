import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Deployment, ReplicaSet } from "kubernetes-types/apps/v1";
import {
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  maxSurge,
  maxUnavailable,
  newReplicaSetAnnotations,
  newRSNewReplicas,
  proportionalScalePlan,
  REVISION,
  REVISION_HISTORY,
  replicaSetsToCleanUp,
  rolloutStatus,
  scaleDownOldPlan,
} from "./util.js";

function dep(
  replicas: number,
  surge?: number | string,
  unavailable?: number | string,
  extra: Partial<Deployment["spec"]> = {},
): Deployment {
  return {
    metadata: { name: "nginx", generation: 1, annotations: {} },
    spec: {
      replicas,
      selector: { matchLabels: { app: "nginx" } },
      template: {},
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } },
      ...extra,
    },
  };
}

function rs(
  name: string,
  replicas: number,
  available = replicas,
  ann: Record<string, string> = {},
  created = "2024-01-01T00:00:00Z",
): ReplicaSet {
  return {
    metadata: { name, uid: name, annotations: ann, creationTimestamp: created, generation: 1 },
    spec: { replicas, selector: {} },
    status: { replicas, availableReplicas: available, readyReplicas: available, observedGeneration: 1 },
  };
}

describe("maxSurge / maxUnavailable", () => {
  const cases: [number, number | string | undefined, number | string | undefined, number, number][] = [
    [10, undefined, undefined, 3, 2], // 25% rounds surge up and unavailable down
    [3, "25%", "25%", 1, 0],
    [1, 0, 0, 0, 1], // both zero: unavailable becomes 1
    [10, 3, "50%", 3, 5],
    [2, 1, 5, 1, 2], // unavailable capped at replicas
  ];
  for (const [replicas, s, u, wantS, wantU] of cases) {
    it(`${replicas} replicas, surge ${s}, unavailable ${u}`, () => {
      assert.equal(maxSurge(dep(replicas, s, u)), wantS);
      assert.equal(maxUnavailable(dep(replicas, s, u)), wantU);
    });
  }
  it("Recreate has neither", () => {
    const d = dep(3, 1, 1);
    d.spec!.strategy = { type: "Recreate" };
    assert.equal(maxSurge(d), 0);
    assert.equal(maxUnavailable(d), 0);
  });
});

describe("newRSNewReplicas", () => {
  const cases: { name: string; d: Deployment; all: ReplicaSet[]; want: number }[] = [
    { name: "first rollout starts at surge", d: dep(3, 1, 1), all: [rs("old", 3), rs("new", 0)], want: 1 },
    { name: "no room above max", d: dep(3, 1, 1), all: [rs("old", 3), rs("new", 1)], want: 1 },
    { name: "never beyond replicas", d: dep(3, 5, 1), all: [rs("old", 0), rs("new", 2)], want: 3 },
    { name: "fresh deployment", d: dep(3, "25%", "25%"), all: [rs("new", 0)], want: 3 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const newRS = c.all[c.all.length - 1];
      assert.equal(newRSNewReplicas(c.d, c.all, newRS), c.want);
    });
  }
});

describe("scaleDownOldPlan", () => {
  it("keeps availability at replicas - maxUnavailable", () => {
    const d = dep(3, 1, 1);
    const old = rs("old", 3);
    const nu = rs("new", 1, 1);
    assert.deepEqual([...scaleDownOldPlan(d, [old, nu], [old])], [["old", 1]]);
  });
  it("does nothing when availability is at the minimum", () => {
    const d = dep(3, 1, 0);
    const old = rs("old", 3);
    assert.deepEqual([...scaleDownOldPlan(d, [old, rs("new", 1, 0)], [old])], []);
  });
});

describe("proportionalScalePlan (seeds 000: 10 -> 15 replicas mid-rollout)", () => {
  it("spreads 5 extra replicas by share", () => {
    // 10 replicas, maxSurge 3, maxUnavailable 2: the old RS at 8, the new stuck at 5 (bad image).
    const d = dep(15, 3, 2);
    const ann = { [DESIRED_REPLICAS]: "10", [MAX_REPLICAS]: "13" };
    const old = rs("old", 8, 8, ann, "2024-01-01T00:00:00Z");
    const nu = rs("new", 5, 0, ann, "2024-01-01T00:01:00Z");
    const plan = proportionalScalePlan(d, [old, nu]);
    assert.equal(plan.get("old"), 11);
    assert.equal(plan.get("new"), 7);
  });
  it("scales down to zero", () => {
    const d = dep(0, 1, 1);
    const plan = proportionalScalePlan(d, [rs("a", 2), rs("b", 1, 1, {}, "2024-01-02T00:00:00Z")]);
    assert.deepEqual([plan.get("a"), plan.get("b")], [0, 0]);
  });
});

describe("newReplicaSetAnnotations", () => {
  it("copies change-cause, sets revision and replica annotations on a new RS", () => {
    const d = dep(3, 1, 1);
    d.metadata!.annotations = { "kubernetes.io/change-cause": "kubectl set image", [REVISION]: "1" };
    const ann = newReplicaSetAnnotations(d, rs("new", 0, 0, {}), 2, false);
    assert.deepEqual(ann, {
      "kubernetes.io/change-cause": "kubectl set image",
      [REVISION]: "2",
      [DESIRED_REPLICAS]: "3",
      [MAX_REPLICAS]: "4",
    });
  });
  it("raises a reused RS's revision and records the old one", () => {
    const ann = newReplicaSetAnnotations(dep(3), rs("old", 0, 0, { [REVISION]: "2" }), 4, true);
    assert.equal(ann?.[REVISION], "4");
    assert.equal(ann?.[REVISION_HISTORY], "2");
  });
  it("leaves an up-to-date RS alone", () => {
    assert.equal(newReplicaSetAnnotations(dep(3), rs("x", 3, 3, { [REVISION]: "3" }), 3, true), undefined);
  });
});

describe("replicaSetsToCleanUp", () => {
  it("deletes the oldest revisions beyond the limit, only when scaled to zero", () => {
    const d = dep(1, 1, 1, { revisionHistoryLimit: 1 });
    const olds = [
      rs("r1", 0, 0, { [REVISION]: "1" }),
      rs("r2", 1, 1, { [REVISION]: "2" }),
      rs("r3", 0, 0, { [REVISION]: "3" }),
    ];
    assert.deepEqual(
      replicaSetsToCleanUp(d, olds).map((r) => r.metadata?.name),
      ["r1"],
    );
  });
});

describe("rolloutStatus", () => {
  const now = Date.parse("2024-01-01T01:00:00Z");
  it("is complete with NewReplicaSetAvailable", () => {
    const d = dep(3, 1, 1);
    const nu = rs("nginx-abc", 3);
    const { status } = rolloutStatus([nu], nu, d, now);
    const prog = status.conditions?.find((c) => c.type === "Progressing");
    assert.equal(prog?.reason, "NewReplicaSetAvailable");
    assert.equal(prog?.message, 'ReplicaSet "nginx-abc" has successfully progressed.');
    assert.equal(status.conditions?.find((c) => c.type === "Available")?.reason, "MinimumReplicasAvailable");
  });
  it("times out after progressDeadlineSeconds without progress", () => {
    const d = dep(3, 1, 1, { progressDeadlineSeconds: 60 });
    const nu = rs("nginx-bad", 1, 0);
    const old = rs("nginx-old", 3);
    d.status = {
      replicas: 4,
      updatedReplicas: 1,
      availableReplicas: 3,
      readyReplicas: 3,
      conditions: [
        {
          type: "Progressing",
          status: "True",
          reason: "ReplicaSetUpdated",
          lastUpdateTime: "2024-01-01T00:58:00Z",
          lastTransitionTime: "2024-01-01T00:58:00Z",
        },
      ],
    };
    nu.status!.replicas = 1;
    const { status } = rolloutStatus([old, nu], nu, d, now);
    const prog = status.conditions?.find((c) => c.type === "Progressing");
    assert.equal(prog?.status, "False");
    assert.equal(prog?.reason, "ProgressDeadlineExceeded");
    assert.equal(prog?.message, 'ReplicaSet "nginx-bad" has timed out progressing.');
  });
  it("carries a ReplicaSet's ReplicaFailure up", () => {
    const d = dep(3, 1, 1);
    const nu = rs("nginx-q", 3, 0);
    nu.status!.conditions = [
      { type: "ReplicaFailure", status: "True", reason: "FailedCreate", message: "exceeded quota" },
    ];
    const { status } = rolloutStatus([nu], nu, d, now);
    assert.equal(status.conditions?.find((c) => c.type === "ReplicaFailure")?.reason, "FailedCreate");
  });
});
