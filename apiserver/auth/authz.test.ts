import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KV } from "../storage/etcd-store.js";
import { ResourceCache, type WatchCache } from "../watchcache/cache.js";
import type { UserInfo } from "./authn.js";
import { Authorizer, forbiddenMessage, RbacCache } from "./authz.js";
import { bootstrapPolicy } from "./bootstrap-policy.js";
import { type AuthzAttributes, RbacIndex } from "./rbac.js";

const G = "rbac.authorization.k8s.io";
const robot: UserInfo = {
  name: "system:serviceaccount:default:robot",
  groups: ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"],
};
const listPods: AuthzAttributes = { verb: "list", group: "", resource: "pods", namespace: "default" };

describe("Authorizer chain", () => {
  const authz = new Authorizer({ source: () => new RbacIndex(bootstrapPolicy()) });
  const cases: [string, UserInfo, boolean][] = [
    ["system:masters", { name: "admin", groups: ["system:masters"] }, true],
    ["a node", { name: "system:node:node-1", groups: ["system:nodes", "system:authenticated"] }, true],
    ["the scheduler", { name: "system:kube-scheduler", groups: ["system:authenticated"] }, true],
    [
      "the controller-manager",
      { name: "system:kube-controller-manager", groups: ["system:authenticated"] },
      true,
    ],
    ["a service account without bindings", robot, false],
    ["a plain user", { name: "nobody", groups: ["system:authenticated"] }, false],
  ];
  for (const [name, user, want] of cases) {
    it(name, () => assert.equal(authz.authorize(user, listPods).allowed, want));
  }

  it("rulesFor: nodes are incomplete, privileged users get everything", () => {
    const node = authz.rulesFor(
      { name: "system:node:n", groups: ["system:nodes", "system:authenticated"] },
      "default",
    );
    assert.equal(node.incomplete, true);
    assert.deepEqual(node.errors, ["node authorizer does not support user rule resolution"]);
    const sched = authz.rulesFor(
      { name: "system:kube-scheduler", groups: ["system:authenticated"] },
      "default",
    );
    assert.ok(sched.rules.some((r) => r.resources?.[0] === "*" && r.verbs[0] === "*"));
  });

  it("authorizeFresh looks again once the objects caught up", async () => {
    let fresh = false;
    const granted = new RbacIndex({
      ...bootstrapPolicy(),
      roleBindings: [
        {
          metadata: { namespace: "default", name: "b" },
          roleRef: { apiGroup: G, kind: "ClusterRole", name: "view" },
          subjects: [{ kind: "ServiceAccount", name: "robot", namespace: "default" }],
        },
      ],
    });
    const stale = new RbacIndex(bootstrapPolicy());
    const a = new Authorizer({
      source: () => (fresh ? granted : stale),
      catchUp: async () => {
        fresh = true;
        return true;
      },
    });
    assert.equal(a.authorize(robot, listPods).allowed, false);
    assert.equal((await a.authorizeFresh(robot, listPods)).allowed, true);
  });
});

describe("forbiddenMessage", () => {
  it("as Kubernetes words it", () => {
    assert.equal(
      forbiddenMessage(robot, listPods),
      'User "system:serviceaccount:default:robot" cannot list resource "pods" in API group "" in the namespace "default"',
    );
    assert.equal(
      forbiddenMessage(
        robot,
        { verb: "get", group: "apps", resource: "deployments", subresource: "scale" },
        "RBAC: x",
      ),
      'User "system:serviceaccount:default:robot" cannot get resource "deployments/scale" in API group "apps" at the cluster scope: RBAC: x',
    );
    assert.equal(
      forbiddenMessage(robot, { verb: "get", path: "/metrics" }),
      'forbidden: User "system:serviceaccount:default:robot" cannot get path "/metrics"',
    );
  });
});

describe("RbacCache", () => {
  const prefix = "/registry";
  const kv = (key: string, obj: unknown, rev: number): KV => ({
    key,
    value: JSON.stringify(obj),
    modRevision: rev,
    createRevision: rev,
  });
  function fakeCache() {
    const caches = new Map<string, ResourceCache>();
    const fake = {
      ready: false,
      revision: 1,
      cache(storage: string): ResourceCache {
        let c = caches.get(storage);
        if (!c) {
          c = new ResourceCache(storage, storage === "roles" || storage === "rolebindings", 1);
          caches.set(storage, c);
        }
        return c;
      },
      waitForRevision: async () => true,
    };
    return { fake, caches, watch: fake as unknown as WatchCache };
  }
  const binding = {
    apiVersion: `${G}/v1`,
    kind: "RoleBinding",
    metadata: { namespace: "default", name: "robot-view" },
    roleRef: { apiGroup: G, kind: "ClusterRole", name: "view" },
    subjects: [{ kind: "ServiceAccount", name: "robot", namespace: "default" }],
  };

  it("falls back on the bootstrap policy, then follows the cache's changes", () => {
    const { fake, watch } = fakeCache();
    const rbac = new RbacCache(watch);
    const authz = new Authorizer({ source: () => rbac.source() });
    // Not ready: the bootstrap policy from memory (anonymous health checks work).
    const anon: UserInfo = { name: "system:anonymous", groups: ["system:unauthenticated"] };
    assert.equal(authz.authorize(anon, { verb: "get", path: "/readyz" }).allowed, true);
    fake.ready = true;
    // Ready, policy not stored yet: the defaults still fill in.
    assert.equal(authz.authorize(anon, { verb: "get", path: "/readyz" }).allowed, true);
    assert.equal(authz.authorize(robot, listPods).allowed, false);
    const key = `${prefix}/rolebindings/default/robot-view`;
    fake.cache("rolebindings").apply("put", key, kv(key, binding, 2), undefined, "default/robot-view");
    assert.equal(authz.authorize(robot, listPods).allowed, true, "the new binding is seen");
    fake
      .cache("rolebindings")
      .apply("delete", key, kv(key, "", 3), kv(key, binding, 2), "default/robot-view");
    assert.equal(authz.authorize(robot, listPods).allowed, false, "the deletion is seen");
    // Once the policy is stored, only the cache counts (it holds no view role here).
    rbac.markPolicyStored();
    assert.equal(rbac.policyInPlace, true);
    assert.equal(authz.authorize(anon, { verb: "get", path: "/readyz" }).allowed, false);
  });

  it("follows a re-initialised cache (new ResourceCache objects)", () => {
    const { fake, caches, watch } = fakeCache();
    fake.ready = true;
    const rbac = new RbacCache(watch);
    const authz = new Authorizer({ source: () => rbac.source() });
    assert.equal(authz.authorize(robot, listPods).allowed, false);
    for (const c of caches.values()) for (const w of c.watchers) w.terminate("re-list");
    caches.clear();
    const key = `${prefix}/rolebindings/default/robot-view`;
    fake.cache("rolebindings").load({
      key,
      namespace: "default",
      name: "robot-view",
      rv: 5,
      obj: binding as never,
    });
    assert.equal(authz.authorize(robot, listPods).allowed, true);
  });

  it("catchUp waits only when the cache trails our writes", async () => {
    const { fake, watch } = fakeCache();
    fake.ready = true;
    fake.revision = 10;
    let write = 10;
    const rbac = new RbacCache(watch, () => write);
    assert.equal(await rbac.catchUp(), false);
    write = 11;
    assert.equal(await rbac.catchUp(), true);
  });
});
