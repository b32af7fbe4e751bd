import assert from "node:assert/strict";
import { test } from "node:test";
import { fitErrorMessage, newDiagnosis, unresolvable, unschedulable } from "./types.js";

test("FitError message: histogram sorted, then the PostFilter message", () => {
  const d = newDiagnosis();
  d.nodeToStatus.set(
    "cp",
    unresolvable("node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"),
  );
  d.nodeToStatus.set("n1", unresolvable("Insufficient cpu"));
  d.nodeToStatus.set("n2", unresolvable("Insufficient cpu"));
  d.postFilterMsg = "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
  assert.equal(
    fitErrorMessage(3, d),
    "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
  );
});

test("FitError message: PreFilter message replaces the histogram; absent nodes counted", () => {
  const d = newDiagnosis();
  d.preFilterMsg = 'persistentvolumeclaim "data" not found';
  assert.equal(fitErrorMessage(2, d), '0/2 nodes are available: persistentvolumeclaim "data" not found.');
  const e = newDiagnosis();
  e.nodeToStatus.set("a", unschedulable("Insufficient cpu", "Insufficient memory"));
  e.absentNodesStatus = unresolvable("node(s) didn't satisfy plugin(s) [NodeAffinity]");
  assert.equal(
    fitErrorMessage(3, e),
    "0/3 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 2 node(s) didn't satisfy plugin(s) [NodeAffinity].",
  );
});
