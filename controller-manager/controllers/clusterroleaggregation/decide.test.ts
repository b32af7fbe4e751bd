import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ClusterRole, PolicyRule } from "kubernetes-types/rbac/v1";
import { applyConfiguration, rulesToWrite } from "./decide.js";

const get = (resource: string): PolicyRule => ({ verbs: ["get"], apiGroups: [""], resources: [resource] });
const labelled = (name: string, label: string, rules: PolicyRule[]): ClusterRole => ({
  metadata: { name, labels: { [label]: "true" } },
  rules,
});
const aggregated = (name: string, labels: string[], rules?: PolicyRule[]): ClusterRole => ({
  metadata: { name },
  aggregationRule: { clusterRoleSelectors: labels.map((l) => ({ matchLabels: { [l]: "true" } })) },
  ...(rules ? { rules } : {}),
});

describe("rulesToWrite (syncClusterRole)", () => {
  const a = labelled("a", "x", [get("pods"), get("services")]);
  const b = labelled("b", "y", [get("pods"), get("secrets")]);
  const c = labelled("c", "x", [get("nodes")]);
  const cases: {
    name: string;
    all: ClusterRole[];
    role: ClusterRole | undefined;
    want: PolicyRule[] | null;
  }[] = [
    { name: "missing role", all: [a], role: undefined, want: null },
    { name: "not aggregated", all: [a], role: a, want: null },
    {
      name: "union, selector order then name order, deduplicated",
      all: [a, b, c],
      role: aggregated("agg", ["y", "x"]),
      want: [get("pods"), get("secrets"), get("services"), get("nodes")],
    },
    {
      name: "already the union: no write",
      all: [a, c],
      role: aggregated("agg", ["x"], [get("pods"), get("services"), get("nodes")]),
      want: null,
    },
    { name: "nothing selected and no rules: no write", all: [a], role: aggregated("agg", ["z"]), want: null },
    {
      name: "nothing selected any more: rules emptied",
      all: [a],
      role: aggregated("agg", ["z"], [get("x")]),
      want: [],
    },
    {
      name: "stale rules replaced",
      all: [a],
      role: aggregated("agg", ["x"], [get("pods")]),
      want: [get("pods"), get("services")],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(rulesToWrite(c.all, c.role), c.want));

  it("applies only the name and the rules", () => {
    assert.deepEqual(applyConfiguration("agg", [get("pods")]), {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "agg" },
      rules: [get("pods")],
    });
  });
});
