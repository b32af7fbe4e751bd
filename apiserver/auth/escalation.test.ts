import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PolicyRule } from "kubernetes-types/rbac/v1";
import { breakdownRule, compactRules, compactString, covers, escalationError } from "./escalation.js";

const r = (
  verbs: string[],
  apiGroups: string[],
  resources: string[],
  resourceNames?: string[],
): PolicyRule => ({ verbs, apiGroups, resources, ...(resourceNames ? { resourceNames } : {}) });
const url = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });

describe("covers (policy_comparator_test.go cases)", () => {
  const cases: {
    name: string;
    owner: PolicyRule[];
    servant: PolicyRule[];
    covered: boolean;
    missing?: PolicyRule[];
  }[] = [
    {
      name: "exact",
      owner: [r(["get"], [""], ["pods"])],
      servant: [r(["get"], [""], ["pods"])],
      covered: true,
    },
    {
      name: "missing verb",
      owner: [r(["get"], [""], ["pods"])],
      servant: [r(["get", "delete"], [""], ["pods"])],
      covered: false,
      missing: [r(["delete"], [""], ["pods"])],
    },
    {
      name: "star verb and group",
      owner: [r(["*"], ["*"], ["pods"])],
      servant: [r(["create"], ["apps"], ["pods"])],
      covered: true,
    },
    {
      name: "star resource",
      owner: [r(["get"], [""], ["*"])],
      servant: [r(["get"], [""], ["pods", "pods/log"])],
      covered: true,
    },
    {
      name: "*/subresource",
      owner: [r(["get"], [""], ["*/scale"])],
      servant: [r(["get"], [""], ["deployments/scale"])],
      covered: true,
    },
    {
      name: "*/subresource does not cover the resource",
      owner: [r(["get"], [""], ["*/scale"])],
      servant: [r(["get"], [""], ["deployments"])],
      covered: false,
    },
    {
      name: "owner without names covers named",
      owner: [r(["get"], [""], ["secrets"])],
      servant: [r(["get"], [""], ["secrets"], ["a"])],
      covered: true,
    },
    {
      name: "named owner covers only its names",
      owner: [r(["get"], [""], ["secrets"], ["a"])],
      servant: [r(["get"], [""], ["secrets"], ["a", "b"])],
      covered: false,
      missing: [r(["get"], [""], ["secrets"], ["b"])],
    },
    {
      name: "named owner does not cover unnamed",
      owner: [r(["get"], [""], ["secrets"], ["a"])],
      servant: [r(["get"], [""], ["secrets"])],
      covered: false,
    },
    {
      name: "split across owner rules",
      owner: [r(["get"], [""], ["pods"]), r(["list"], [""], ["pods"])],
      servant: [r(["get", "list"], [""], ["pods"])],
      covered: true,
    },
    {
      name: "url prefix",
      owner: [url(["get"], ["/apis/*"])],
      servant: [url(["get"], ["/apis/apps/v1"])],
      covered: true,
    },
    {
      name: "url exact miss",
      owner: [url(["get"], ["/healthz"])],
      servant: [url(["get"], ["/livez"])],
      covered: false,
    },
    {
      name: "resource rule does not cover urls",
      owner: [r(["*"], ["*"], ["*"])],
      servant: [url(["get"], ["/x"])],
      covered: false,
    },
    { name: "nothing to grant", owner: [], servant: [], covered: true },
  ];
  for (const c of cases)
    it(c.name, () => {
      const got = covers(c.owner, c.servant);
      assert.equal(got.covered, c.covered);
      if (c.missing) assert.deepEqual(got.missing, c.missing);
    });
});

describe("breakdown, compaction and the message", () => {
  it("breaks a rule into one verb, group, resource and name each", () => {
    assert.equal(breakdownRule(r(["get", "list"], ["", "apps"], ["a", "b"], ["x", "y"])).length, 16);
    assert.deepEqual(breakdownRule(url(["get", "post"], ["/a"])), [
      url(["get"], ["/a"]),
      url(["post"], ["/a"]),
    ]);
  });

  it("compacts simple rules differing only by verb", () => {
    assert.deepEqual(
      compactRules([r(["get"], [""], ["pods"]), url(["get"], ["/a"]), r(["list"], [""], ["pods"])]),
      [url(["get"], ["/a"]), r(["get", "list"], [""], ["pods"])],
    );
  });

  it("formats as upstream's CompactString", () => {
    assert.equal(
      compactString(r(["get"], [""], ["pods"])),
      '{APIGroups:[""], Resources:["pods"], Verbs:["get"]}',
    );
    assert.equal(
      compactString(r(["get", "list"], ["apps"], ["deployments"], ["d"])),
      '{APIGroups:["apps"], Resources:["deployments"], ResourceNames:["d"], Verbs:["get" "list"]}',
    );
    assert.equal(compactString(url(["get"], ["/x"])), '{NonResourceURLs:["/x"], Verbs:["get"]}');
  });

  it("says what is missing, sorted, one rule a line", () => {
    const user = { name: "u", groups: ["g1", "system:authenticated"], uid: "", extra: {} };
    assert.equal(escalationError(user, [r(["*"], ["*"], ["*"])], [], [r(["get"], [""], ["pods"])]), null);
    assert.equal(
      escalationError(
        user,
        [r(["get"], [""], ["pods"])],
        [],
        [r(["get", "list"], [""], ["services", "pods"])],
      ),
      'user "u" (groups=["g1" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
        '{APIGroups:[""], Resources:["pods"], Verbs:["list"]}\n' +
        '{APIGroups:[""], Resources:["services"], Verbs:["get" "list"]}',
    );
    assert.match(
      escalationError(
        user,
        [],
        ['role.rbac.authorization.k8s.io "x" not found'],
        [r(["get"], [""], ["pods"])],
      ) ?? "",
      /; resolution errors: \[role\.rbac\.authorization\.k8s\.io "x" not found\]$/,
    );
  });
});
