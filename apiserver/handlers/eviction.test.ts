import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1";
import type { StoredObject } from "../../pkg/api/types.js";
import { computeBudgetStatus, decideEviction } from "./eviction.js";

const pod = (phase = "Running"): StoredObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web-1", namespace: "default", labels: { app: "web" } },
  status: { phase },
});
const pdb = (allowed: number, extra: Partial<PodDisruptionBudget["status"]> = {}): PodDisruptionBudget => ({
  metadata: { name: "web-pdb", generation: 1 },
  spec: { selector: { matchLabels: { app: "web" } }, minAvailable: 2 },
  status: {
    observedGeneration: 1,
    disruptionsAllowed: allowed,
    currentHealthy: 2,
    desiredHealthy: 2,
    expectedPods: 2,
    ...extra,
  },
});
const now = new Date("2026-01-01T00:00:00.500Z");

describe("eviction and PodDisruptionBudgets", () => {
  it("refuses with 429 and the budget's figures when no disruption is allowed", () => {
    const d = decideEviction(pod(), [pdb(0)], now);
    assert.equal(d.kind, "refuse");
    if (d.kind !== "refuse") return;
    assert.equal(d.error.status.code, 429);
    assert.equal(d.error.status.reason, "TooManyRequests");
    assert.equal(d.error.status.message, "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.deepEqual(d.error.status.details?.causes, [
      {
        reason: "DisruptionBudget",
        message: "The disruption budget web-pdb needs 2 healthy pods and has 2 currently",
      },
    ]);
  });
  it("takes one disruption and records the pod", () => {
    const d = decideEviction(pod(), [pdb(1)], now);
    assert.equal(d.kind, "take");
    if (d.kind !== "take") return;
    assert.equal(d.pdb.status?.disruptionsAllowed, 0);
    assert.deepEqual(d.pdb.status?.disruptedPods, { "web-1": "2026-01-01T00:00:00Z" });
  });
  it("ignores budgets for pending or finished pods, and pods no budget selects", () => {
    assert.equal(decideEviction(pod("Pending"), [pdb(0)], now).kind, "delete");
    assert.equal(decideEviction(pod("Succeeded"), [pdb(0)], now).kind, "delete");
    const other = { ...pdb(0), spec: { selector: { matchLabels: { app: "db" } } } };
    assert.equal(decideEviction(pod(), [other], now).kind, "delete");
  });
  it("waits for the controller to observe a new budget", () => {
    const d = decideEviction(pod(), [pdb(1, { observedGeneration: 0 })], now);
    assert.equal(d.kind === "refuse" && d.error.status.code, 429);
  });
  it("computes a budget no controller has observed from the pods it selects", () => {
    const readyPod = (name: string, ok: boolean): StoredObject => ({
      ...pod(),
      metadata: { name, namespace: "default", labels: { app: "web" } },
      status: { phase: "Running", conditions: [{ type: "Ready", status: ok ? "True" : "False" }] },
    });
    const pods = [readyPod("a", true), readyPod("b", true), readyPod("c", false), pod("Pending")];
    const b = pdb(0);
    b.status = undefined;
    b.spec = { selector: { matchLabels: { app: "web" } }, minAvailable: "50%" };
    assert.deepEqual(computeBudgetStatus(b, pods), {
      observedGeneration: 1,
      expectedPods: 3,
      currentHealthy: 2,
      desiredHealthy: 2,
      disruptionsAllowed: 0,
    });
    b.spec = { selector: { matchLabels: { app: "web" } }, maxUnavailable: 1 };
    assert.equal(computeBudgetStatus(b, pods).disruptionsAllowed, 0);
    b.spec = { selector: { matchLabels: { app: "web" } }, minAvailable: 1 };
    assert.equal(computeBudgetStatus(b, pods).disruptionsAllowed, 1);
  });
});
