import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type {
  ClusterRole,
  ClusterRoleBinding,
  PolicyRule,
  Role,
  RoleBinding,
} from "kubernetes-types/rbac/v1";
import type { UserInfo } from "./authn.js";
import { bootstrapPolicy } from "./bootstrap-policy.js";
import {
  type AuthzAttributes,
  aggregatedRules,
  aggregateErrors,
  aggregationUnion,
  nonResourceURLMatches,
  RbacIndex,
  type RbacObjects,
  rbacAuthorize,
  rbacRulesFor,
  ruleAllows,
  subjectApplies,
} from "./rbac.js";

const G = "rbac.authorization.k8s.io";

const pods = (
  verb: string,
  namespace = "default",
  extra: Partial<AuthzAttributes> = {},
): AuthzAttributes => ({
  verb,
  group: "",
  resource: "pods",
  namespace,
  ...extra,
});

describe("ruleAllows", () => {
  const cases: [string, PolicyRule, AuthzAttributes, boolean][] = [
    ["exact", { verbs: ["get"], apiGroups: [""], resources: ["pods"] }, pods("get"), true],
    ["other verb", { verbs: ["get"], apiGroups: [""], resources: ["pods"] }, pods("list"), false],
    ["verb *", { verbs: ["*"], apiGroups: [""], resources: ["pods"] }, pods("delete"), true],
    ["other group", { verbs: ["get"], apiGroups: ["apps"], resources: ["pods"] }, pods("get"), false],
    ["group *", { verbs: ["get"], apiGroups: ["*"], resources: ["pods"] }, pods("get"), true],
    ["resource *", { verbs: ["get"], apiGroups: [""], resources: ["*"] }, pods("get"), true],
    ["no apiGroups", { verbs: ["get"], resources: ["pods"] }, pods("get"), false],
    [
      "subresource needs its own entry",
      { verbs: ["get"], apiGroups: [""], resources: ["pods"] },
      pods("get", "default", { subresource: "log" }),
      false,
    ],
    [
      "pods/log",
      { verbs: ["get"], apiGroups: [""], resources: ["pods/log"] },
      pods("get", "default", { subresource: "log" }),
      true,
    ],
    [
      "*/scale covers deployments/scale",
      { verbs: ["update"], apiGroups: ["apps"], resources: ["*/scale"] },
      { verb: "update", group: "apps", resource: "deployments", subresource: "scale", namespace: "d" },
      true,
    ],
    [
      "*/scale does not cover deployments",
      { verbs: ["update"], apiGroups: ["apps"], resources: ["*/scale"] },
      { verb: "update", group: "apps", resource: "deployments", namespace: "d" },
      false,
    ],
    [
      "*/scale does not cover deployments/status",
      { verbs: ["update"], apiGroups: ["apps"], resources: ["*/scale"] },
      { verb: "update", group: "apps", resource: "deployments", subresource: "status", namespace: "d" },
      false,
    ],
    [
      "resourceNames: named",
      { verbs: ["get"], apiGroups: [""], resources: ["pods"], resourceNames: ["a"] },
      pods("get", "default", { name: "a" }),
      true,
    ],
    [
      "resourceNames: other name",
      { verbs: ["get"], apiGroups: [""], resources: ["pods"], resourceNames: ["a"] },
      pods("get", "default", { name: "b" }),
      false,
    ],
    [
      "resourceNames: a list has no name",
      { verbs: ["list"], apiGroups: [""], resources: ["pods"], resourceNames: ["a"] },
      pods("list"),
      false,
    ],
    ["url exact", { verbs: ["get"], nonResourceURLs: ["/healthz"] }, { verb: "get", path: "/healthz" }, true],
    [
      "url prefix *",
      { verbs: ["get"], nonResourceURLs: ["/apis/*"] },
      { verb: "get", path: "/apis/apps/v1" },
      true,
    ],
    [
      "url prefix * needs the prefix",
      { verbs: ["get"], nonResourceURLs: ["/apis/*"] },
      { verb: "get", path: "/apis" },
      false,
    ],
    [
      "url other verb",
      { verbs: ["get"], nonResourceURLs: ["/healthz"] },
      { verb: "post", path: "/healthz" },
      false,
    ],
    ["url rule vs resource request", { verbs: ["*"], nonResourceURLs: ["*"] }, pods("get"), false],
    [
      "resource rule vs url",
      { verbs: ["*"], apiGroups: ["*"], resources: ["*"] },
      { verb: "get", path: "/x" },
      false,
    ],
  ];
  for (const [name, rule, attrs, want] of cases) {
    it(name, () => assert.equal(ruleAllows(attrs, rule), want));
  }

  it("nonResourceURLMatches: '*' and exact", () => {
    assert.ok(nonResourceURLMatches({ verbs: ["get"], nonResourceURLs: ["*"] }, "/anything"));
    assert.ok(!nonResourceURLMatches({ verbs: ["get"], nonResourceURLs: ["/version"] }, "/version/"));
  });
});

const alice: UserInfo = { name: "alice", groups: ["devs", "system:authenticated"] };
const sa = (ns: string, name: string): UserInfo => ({
  name: `system:serviceaccount:${ns}:${name}`,
  groups: ["system:serviceaccounts", `system:serviceaccounts:${ns}`, "system:authenticated"],
});

describe("subjects", () => {
  const cases: [string, UserInfo, Parameters<typeof subjectApplies>[1], string, boolean][] = [
    ["user", alice, { kind: "User", name: "alice", apiGroup: G }, "", true],
    ["other user", alice, { kind: "User", name: "bob", apiGroup: G }, "", false],
    ["group", alice, { kind: "Group", name: "devs", apiGroup: G }, "", true],
    [
      "sa in its namespace",
      sa("ns1", "robot"),
      { kind: "ServiceAccount", name: "robot", namespace: "ns1" },
      "",
      true,
    ],
    [
      "sa other namespace",
      sa("ns1", "robot"),
      { kind: "ServiceAccount", name: "robot", namespace: "ns2" },
      "",
      false,
    ],
    [
      "sa defaults to the binding's namespace",
      sa("ns1", "robot"),
      { kind: "ServiceAccount", name: "robot" },
      "ns1",
      true,
    ],
    [
      "sa without namespace in a cluster binding",
      sa("ns1", "robot"),
      { kind: "ServiceAccount", name: "robot" },
      "",
      false,
    ],
    ["all service accounts", sa("ns1", "robot"), { kind: "Group", name: "system:serviceaccounts" }, "", true],
    [
      "service accounts of a namespace",
      sa("ns1", "robot"),
      { kind: "Group", name: "system:serviceaccounts:ns1" },
      "",
      true,
    ],
    [
      "service accounts of another namespace",
      sa("ns1", "robot"),
      { kind: "Group", name: "system:serviceaccounts:ns2" },
      "",
      false,
    ],
    ["unknown kind", alice, { kind: "Robot", name: "alice" }, "", false],
  ];
  for (const [name, user, subject, ns, want] of cases) {
    it(name, () => assert.equal(subjectApplies(user, subject, ns), want));
  }
});

function role(namespace: string, name: string, rules: PolicyRule[]): Role {
  return { kind: "Role", metadata: { namespace, name }, rules };
}
function roleBinding(
  namespace: string,
  name: string,
  ref: [string, string],
  subjects: RoleBinding["subjects"],
): RoleBinding {
  return {
    kind: "RoleBinding",
    metadata: { namespace, name },
    roleRef: { apiGroup: G, kind: ref[0], name: ref[1] },
    subjects,
  };
}
function crb(name: string, roleName: string, subjects: ClusterRoleBinding["subjects"]): ClusterRoleBinding {
  return {
    kind: "ClusterRoleBinding",
    metadata: { name },
    roleRef: { apiGroup: G, kind: "ClusterRole", name: roleName },
    subjects,
  };
}
function withDefaults(extra: Partial<RbacObjects>): RbacIndex {
  const d = bootstrapPolicy();
  return new RbacIndex({
    roles: extra.roles ?? [],
    roleBindings: extra.roleBindings ?? [],
    clusterRoles: [...d.clusterRoles, ...(extra.clusterRoles ?? [])],
    clusterRoleBindings: [...d.clusterRoleBindings, ...(extra.clusterRoleBindings ?? [])],
  });
}

describe("rbacAuthorize", () => {
  const robot = sa("default", "robot");
  const src = withDefaults({
    roles: [
      role("default", "pod-reader", [{ verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] }]),
    ],
    roleBindings: [
      roleBinding(
        "default",
        "read-pods",
        ["Role", "pod-reader"],
        [{ kind: "ServiceAccount", name: "robot", namespace: "default" }],
      ),
      roleBinding("dev", "dev-edit", ["ClusterRole", "edit"], [{ kind: "Group", name: "devs", apiGroup: G }]),
      roleBinding("default", "dangling", ["Role", "gone"], [{ kind: "User", name: "carol", apiGroup: G }]),
    ],
    clusterRoleBindings: [crb("alice-view", "view", [{ kind: "User", name: "alice", apiGroup: G }])],
  });
  const cases: [string, UserInfo, AuthzAttributes, boolean][] = [
    ["role binding to a role", robot, pods("list"), true],
    ["not in another namespace", robot, pods("list", "other"), false],
    ["not cluster-wide", robot, pods("list", ""), false],
    ["not a verb the role lacks", robot, pods("delete"), false],
    ["view reads pods everywhere", alice, pods("get", "x"), true],
    [
      "view reads deployments",
      alice,
      { verb: "list", group: "apps", resource: "deployments", namespace: "x" },
      true,
    ],
    ["view does not write", alice, pods("create", "x"), false],
    [
      "view does not read secrets",
      alice,
      { verb: "get", group: "", resource: "secrets", namespace: "x" },
      false,
    ],
    ["view reads pod logs", alice, pods("get", "x", { subresource: "log", name: "p" }), true],
    [
      "edit (via group) creates deployments",
      alice,
      { verb: "create", group: "apps", resource: "deployments", namespace: "dev" },
      true,
    ],
    ["edit reads secrets", alice, { verb: "get", group: "", resource: "secrets", namespace: "dev" }, true],
    [
      "edit does not bind roles",
      alice,
      { verb: "create", group: G, resource: "rolebindings", namespace: "dev" },
      false,
    ],
    ["discovery for authenticated users", robot, { verb: "get", path: "/apis/apps/v1" }, true],
    [
      "health for anyone",
      { name: "system:anonymous", groups: ["system:unauthenticated"] },
      { verb: "get", path: "/readyz" },
      true,
    ],
    [
      "no discovery for anonymous",
      { name: "system:anonymous", groups: ["system:unauthenticated"] },
      { verb: "get", path: "/api" },
      false,
    ],
    [
      "self access reviews for all",
      robot,
      { verb: "create", group: "authorization.k8s.io", resource: "selfsubjectaccessreviews" },
      true,
    ],
    [
      "whoami for all",
      robot,
      { verb: "create", group: "authentication.k8s.io", resource: "selfsubjectreviews" },
      true,
    ],
    [
      "cluster-admin for system:masters",
      { name: "x", groups: ["system:masters"] },
      { verb: "delete", group: "apps", resource: "deployments", namespace: "y" },
      true,
    ],
  ];
  for (const [name, user, attrs, want] of cases) {
    it(name, () => assert.equal(rbacAuthorize(src, user, attrs).allowed, want));
  }

  it("says which binding allowed it", () => {
    assert.equal(
      rbacAuthorize(src, robot, pods("get")).reason,
      'RBAC: allowed by RoleBinding "read-pods/default" of Role "pod-reader" to ServiceAccount "robot/default"',
    );
    assert.equal(
      rbacAuthorize(src, alice, pods("get", "x")).reason,
      'RBAC: allowed by ClusterRoleBinding "alice-view" of ClusterRole "view" to User "alice"',
    );
  });

  it("a denial carries the errors met resolving roles", () => {
    const carol: UserInfo = { name: "carol", groups: ["system:authenticated"] };
    assert.deepEqual(rbacAuthorize(src, carol, pods("get")), {
      allowed: false,
      reason: 'RBAC: role.rbac.authorization.k8s.io "gone" not found',
    });
    assert.deepEqual(rbacAuthorize(src, robot, pods("delete")), { allowed: false, reason: "" });
  });

  it("aggregateErrors: one bare, several bracketed, repeats once", () => {
    assert.equal(aggregateErrors(["a"]), "a");
    assert.equal(aggregateErrors(["a", "b", "a"]), "[a, b]");
  });

  it("rulesFor lists the rules of every binding that applies", () => {
    const { rules, errors } = rbacRulesFor(src, robot, "default");
    assert.deepEqual(errors, []);
    assert.ok(rules.some((r) => r.resources?.includes("pods") && r.verbs.includes("list")));
    assert.ok(rules.some((r) => r.nonResourceURLs?.includes("/api")));
    assert.ok(rules.some((r) => r.resources?.includes("selfsubjectaccessreviews")));
  });
});

describe("aggregation", () => {
  const label = (k: string): Record<string, string> => ({ [`example.com/${k}`]: "true" });
  const agg = (name: string, sel: string, labels: Record<string, string> = {}): ClusterRole => ({
    metadata: { name, labels },
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: label(sel) }] },
  });
  const plain = (name: string, labels: Record<string, string>, rules: PolicyRule[]): ClusterRole => ({
    metadata: { name, labels },
    rules,
  });
  const r1: PolicyRule = { verbs: ["get"], apiGroups: [""], resources: ["pods"] };
  const r2: PolicyRule = { verbs: ["get"], apiGroups: [""], resources: ["services"] };

  it("unions the selected roles' rules once, nested aggregations included", () => {
    const all = [
      agg("top", "top"),
      agg("mid", "mid", label("top")),
      plain("a", label("mid"), [r1]),
      plain("b", { ...label("mid"), ...label("top") }, [r1, r2]),
      plain("c", {}, [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }]),
    ];
    assert.deepEqual(aggregatedRules(all, all[1]!), [r1, r2]);
    assert.deepEqual(aggregatedRules(all, all[0]!), [r1, r2]);
  });

  it("aggregationUnion: selector by selector, roles in name order, itself excepted, rules once", () => {
    const two: ClusterRole = {
      metadata: { name: "two", labels: label("s1") },
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: label("s2") }, { matchLabels: label("s1") }] },
      rules: [r1],
    };
    const r3: PolicyRule = { verbs: ["list"], apiGroups: [""], resources: ["pods"] };
    const all = [
      two,
      plain("b", label("s1"), [r2, r1]),
      plain("a", label("s1"), [r3]),
      plain("z", label("s2"), [r2]),
    ];
    assert.deepEqual(aggregationUnion(all, two), [r2, r3, r1]);
    assert.deepEqual(aggregationUnion(all, agg("none", "nothing")), []);
    // Stored rules only: an aggregated role that selects another contributes what it holds.
    assert.deepEqual(aggregationUnion([agg("m", "x", label("t")), agg("t", "t")], agg("t", "t")), []);
  });

  it("uses the rules the controller stored; computes them while empty", () => {
    const stored = { ...agg("mid", "mid"), rules: [r2] };
    const all = [stored, plain("a", label("mid"), [r1])];
    assert.deepEqual(aggregatedRules(all, stored), [r2]);
    assert.deepEqual(aggregatedRules(all, agg("mid", "mid")), [r1]);
  });

  it("stops at a cycle", () => {
    const all = [agg("x", "y", label("x")), agg("y", "x", label("y")), plain("z", label("y"), [r1])];
    assert.deepEqual(aggregatedRules(all, all[0]!), [r1]);
  });

  it("the bootstrap admin role includes edit and view", () => {
    const src = withDefaults({});
    const admin = src.clusterRoleRules("admin")!;
    const can = (a: AuthzAttributes) => admin.some((r) => ruleAllows(a, r));
    assert.ok(can({ verb: "create", group: G, resource: "rolebindings", namespace: "n" }));
    assert.ok(can({ verb: "delete", group: "apps", resource: "deployments", namespace: "n" }));
    assert.ok(can({ verb: "watch", group: "", resource: "pods", namespace: "n" }));
    assert.ok(!can({ verb: "create", group: "", resource: "nodes" }));
  });
});
