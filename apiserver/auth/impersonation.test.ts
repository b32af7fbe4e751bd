import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApiError } from "../handlers/status.js";
import type { UserInfo } from "./authn.js";
import { asksImpersonation, impersonate, impersonationRequests } from "./impersonation.js";
import type { AuthzAttributes, Decision } from "./rbac.js";

const admin: UserInfo = { name: "kubernetes-admin", groups: ["system:masters", "system:authenticated"] };
const bob: UserInfo = { name: "bob", groups: ["system:authenticated"] };

/** Allows what `allowed` lists as "resource/name". */
function authorizer(allowed: string[]): {
  calls: AuthzAttributes[];
  fn: (u: UserInfo, a: AuthzAttributes) => Decision;
} {
  const calls: AuthzAttributes[] = [];
  return {
    calls,
    fn: (u, a) => {
      calls.push(a);
      return {
        allowed: u.groups.includes("system:masters") || allowed.includes(`${a.resource}/${a.name}`),
        reason: "",
      };
    },
  };
}

const req = (h: Record<string, string[]>) => ({
  headers: Object.fromEntries(Object.entries(h).map(([k, v]) => [k, v.join(", ")])),
  headersDistinct: h,
});

describe("impersonation", () => {
  it("no headers: the requester", () => {
    assert.equal(impersonate(req({ accept: ["x"] }), bob, authorizer([]).fn), bob);
    assert.ok(!asksImpersonation({ accept: "x" }));
  });

  it("a service account gets its groups and system:authenticated", () => {
    const a = authorizer([]);
    const u = impersonate(
      req({ "impersonate-user": ["system:serviceaccount:default:default"] }),
      admin,
      a.fn,
    );
    assert.deepEqual(u, {
      name: "system:serviceaccount:default:default",
      groups: ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"],
    });
    assert.deepEqual(a.calls, [
      { verb: "impersonate", group: "", resource: "serviceaccounts", namespace: "default", name: "default" },
    ]);
  });

  it("a user with groups, extras and a uid, each authorized", () => {
    const a = authorizer([]);
    const u = impersonate(
      req({
        "impersonate-user": ["jane"],
        "impersonate-group": ["devs", "ops"],
        "impersonate-extra-scopes%2fx": ["a", "b"],
        "impersonate-uid": ["1234"],
      }),
      admin,
      a.fn,
    );
    assert.deepEqual(u, {
      name: "jane",
      uid: "1234",
      groups: ["devs", "ops", "system:authenticated"],
      extra: { "scopes/x": ["a", "b"] },
    });
    assert.deepEqual(
      a.calls.map((c) => `${c.group}/${c.resource}${c.subresource ? `/${c.subresource}` : ""}:${c.name}`),
      [
        "/users:jane",
        "/groups:devs",
        "/groups:ops",
        "authentication.k8s.io/userextras/scopes/x:a",
        "authentication.k8s.io/userextras/scopes/x:b",
        "authentication.k8s.io/uids:1234",
      ],
    );
  });

  it("refuses with Kubernetes' message", () => {
    assert.throws(
      () => impersonate(req({ "impersonate-user": ["jane"] }), bob, authorizer([]).fn),
      (e: unknown) =>
        e instanceof ApiError &&
        e.status.code === 403 &&
        e.status.message ===
          'users "jane" is forbidden: User "bob" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
    assert.throws(
      () => impersonate(req({ "impersonate-user": ["system:serviceaccount:ns:sa"] }), bob, authorizer([]).fn),
      (e: unknown) =>
        e instanceof ApiError &&
        e.status.message ===
          'serviceaccounts "sa" is forbidden: User "bob" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "ns"',
    );
  });

  it("groups without a user are an error", () => {
    assert.throws(
      () => impersonationRequests({ "impersonate-group": ["devs"] }),
      /without impersonating a user/,
    );
  });

  it("anonymous stays unauthenticated", () => {
    const u = impersonate(req({ "impersonate-user": ["system:anonymous"] }), admin, authorizer([]).fn);
    assert.deepEqual(u.groups, ["system:unauthenticated"]);
  });
});
