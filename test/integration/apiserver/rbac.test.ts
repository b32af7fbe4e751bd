// RBAC on the apiserver with a real etcd and the real kubectl: a service account's token is refused
// until a Role and RoleBinding grant it, only in that namespace, and again once the binding is gone; a
// ClusterRoleBinding to the bootstrap `view` role reads everywhere but writes nothing; `kubectl auth
// can-i` (yes/no, exit 0/1, --list, --as impersonation) and `kubectl auth whoami`; the bootstrap policy.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ControllerManagerOptions } from "../../../controller-manager/context.js";
import { clusterRoleAggregationDescriptor } from "../../../controller-manager/controllers/clusterroleaggregation/index.js";
import { EventBroadcaster, InformerFactory, loadKubeconfig, RestClient } from "../../../pkg/client/index.js";
import { newLogger } from "../../../pkg/util/log.js";
import { kubectlPath, type RunResult } from "../../lib/cluster.js";
import { Client, type Harness, kubectlWith, startHarness } from "./harness.js";

let h: Harness;
let work: string;
/** A kubeconfig that authenticates with the service account robot's token (no client certificate). */
let robotKubeconfig: string;
let robotToken: string;

function kubectl(args: string[], kubeconfig = h.kubeconfig): Promise<RunResult> {
  return kubectlWith(kubeconfig, args);
}

const asRobot = (...args: string[]) => kubectl(args, robotKubeconfig);

async function ok(...args: string[]): Promise<string> {
  const r = await kubectl(args);
  assert.equal(r.code, 0, `kubectl ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** A new namespace where the service account robot has the admin ClusterRole (once the cache follows). */
async function makeRobotAdminIn(ns: string): Promise<void> {
  await ok("create", "namespace", ns);
  await ok(
    "create",
    "rolebinding",
    "robot-admin",
    "-n",
    ns,
    "--clusterrole=admin",
    "--serviceaccount=default:robot",
  );
  await eventually(
    `robot is admin in ${ns}`,
    async () => (await asRobot("get", "pods", "-n", ns)).code === 0,
  );
}

/** Polls `f` until it returns true (the watch cache follows etcd within milliseconds). */
async function eventually(what: string, f: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await f()) return;
    if (Date.now() > end) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** deploy/addons of the repository (from dist/ or an output folder of tsc, or the working directory). */
function addonsDir(): string {
  for (let d = import.meta.dirname; d !== dirname(d); d = dirname(d)) {
    if (existsSync(join(d, "deploy/addons/kube-proxy.yaml"))) return join(d, "deploy/addons");
  }
  return join(process.cwd(), "deploy/addons");
}

const ROBOT = "system:serviceaccount:default:robot";
const forbiddenPods = (ns: string) =>
  `Error from server (Forbidden): pods is forbidden: User "${ROBOT}" cannot list resource "pods" in API group "" in the namespace "${ns}"`;

before(async () => {
  kubectlPath(); // throws, loudly, when the real kubectl is missing
  h = await startHarness();
  work = mkdtempSync(join(tmpdir(), "tskube-rbac-"));
  await ok("create", "namespace", "other");
  await ok("create", "serviceaccount", "robot");
  robotToken = (await ok("create", "token", "robot")).trim();
  robotKubeconfig = join(work, "robot.kubeconfig");
  writeFileSync(
    robotKubeconfig,
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      "- name: test",
      "  cluster:",
      `    server: ${h.base}`,
      `    certificate-authority: ${h.pki.ca}`,
      "users:",
      "- name: robot",
      "  user:",
      `    token: ${robotToken}`,
      "contexts:",
      "- name: test",
      "  context: {cluster: test, user: robot, namespace: default}",
      "current-context: test",
      "",
    ].join("\n"),
  );
});

after(async () => {
  await h?.stop();
});

describe("RBAC", () => {
  it("bootstraps the default roles and bindings, labelled as upstream's", async () => {
    const roles = JSON.parse(await ok("get", "clusterroles", "-o", "json")).items as {
      metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
      aggregationRule?: unknown;
    }[];
    const names = roles.map((r) => r.metadata.name);
    for (const n of [
      "cluster-admin",
      "admin",
      "edit",
      "view",
      "system:discovery",
      "system:basic-user",
      "system:public-info-viewer",
    ])
      assert.ok(names.includes(n), n);
    const view = roles.find((r) => r.metadata.name === "view")!;
    assert.equal(view.metadata.labels?.["kubernetes.io/bootstrapping"], "rbac-defaults");
    assert.equal(view.metadata.labels?.["rbac.authorization.k8s.io/aggregate-to-edit"], "true");
    assert.equal(view.metadata.annotations?.["rbac.authorization.kubernetes.io/autoupdate"], "true");
    assert.ok(view.aggregationRule);
    const crb = JSON.parse(await ok("get", "clusterrolebinding", "cluster-admin", "-o", "json"));
    assert.deepEqual(crb.subjects, [
      { apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "system:masters" },
    ]);
    const piv = JSON.parse(await ok("get", "clusterrolebinding", "system:public-info-viewer", "-o", "json"));
    assert.deepEqual(
      piv.subjects.map((s: { name: string }) => s.name),
      ["system:authenticated", "system:unauthenticated"],
    );
    const ready = await h.client.req("GET", "/readyz?verbose");
    assert.match(ready.text, /\[\+\]poststarthook\/rbac\/bootstrap-roles ok/);
  });

  it("a service account's token is refused listing pods, with Kubernetes' message (403)", async () => {
    const r = await asRobot("get", "pods");
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), forbiddenPods("default"));
    const raw = await new Client(h.base, h.pki, null).req(
      "GET",
      "/api/v1/namespaces/default/pods",
      undefined,
      {
        Authorization: `Bearer ${robotToken}`,
      },
    );
    assert.equal(raw.status, 403);
    assert.deepEqual(raw.json(), {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: `pods is forbidden: User "${ROBOT}" cannot list resource "pods" in API group "" in the namespace "default"`,
      reason: "Forbidden",
      details: { kind: "pods" },
      code: 403,
    });
  });

  it("a Role and RoleBinding grant it, in their namespace only, until the binding is deleted", async () => {
    await ok("create", "role", "pod-reader", "--verb=get,list", "--resource=pods");
    await ok(
      "create",
      "rolebinding",
      "robot-reads-pods",
      "--role=pod-reader",
      "--serviceaccount=default:robot",
    );
    const r = await asRobot("get", "pods");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /No resources found in default namespace/);
    const other = await asRobot("get", "pods", "-n", "other");
    assert.equal(other.code, 1);
    assert.equal(other.stderr.trim(), forbiddenPods("other"));
    const del = await asRobot("delete", "pod", "x");
    assert.equal(del.code, 1);
    assert.match(del.stderr, /cannot delete resource "pods" in API group "" in the namespace "default"/);

    await ok("delete", "rolebinding", "robot-reads-pods");
    await eventually(
      "the deleted binding stops counting",
      async () => (await asRobot("get", "pods")).code === 1,
    );
    assert.equal((await asRobot("get", "pods")).stderr.trim(), forbiddenPods("default"));
  });

  it("a binding to a missing role says so in the refusal", async () => {
    await ok(
      "create",
      "rolebinding",
      "robot-dangling",
      "--role=no-such-role",
      "--serviceaccount=default:robot",
    );
    const r = await asRobot("get", "pods");
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      `${forbiddenPods("default")}: RBAC: role.rbac.authorization.k8s.io "no-such-role" not found`,
    );
    await ok("delete", "rolebinding", "robot-dangling");
  });

  it("a ClusterRoleBinding to view reads everywhere and writes nothing", async () => {
    await ok(
      "create",
      "clusterrolebinding",
      "robot-view",
      "--clusterrole=view",
      "--serviceaccount=default:robot",
    );
    for (const args of [
      ["get", "pods", "-n", "other"],
      ["get", "deployments", "-A"],
      ["get", "configmaps", "-n", "kube-system"],
    ]) {
      const r = await asRobot(...args);
      assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    }
    const w = await asRobot("create", "deployment", "web", "--image=nginx:1.7.9");
    assert.equal(w.code, 1);
    assert.equal(
      w.stderr.trim(),
      `error: failed to create deployment: deployments.apps is forbidden: User "${ROBOT}" cannot create resource "deployments" in API group "apps" in the namespace "default"`,
    );
    const s = await asRobot("get", "secrets");
    assert.equal(s.code, 1, "view does not read secrets");
    const n = await asRobot("get", "nodes");
    assert.equal(n.code, 1, "view is not for cluster-scoped resources");
    assert.match(n.stderr, /cannot list resource "nodes" in API group "" at the cluster scope/);
  });

  it("kubectl auth can-i answers yes / no with exit codes 0 / 1", async () => {
    const cases: [string[], "admin" | "robot", string, number][] = [
      [["create", "pods"], "admin", "yes", 0],
      [["create", "pods"], "robot", "no", 1],
      [["list", "pods", "-n", "other"], "robot", "yes", 0],
      [["get", "pods/log"], "robot", "yes", 0],
      [["create", "deployments.apps"], "robot", "no", 1],
      [["get", "/healthz"], "robot", "yes", 0],
      [["get", "/metrics"], "robot", "no", 1],
      [["*", "*"], "admin", "yes", 0],
    ];
    for (const [args, who, out, code] of cases) {
      const r =
        who === "admin" ? await kubectl(["auth", "can-i", ...args]) : await asRobot("auth", "can-i", ...args);
      assert.equal(r.stdout.trim(), out, `${who}: can-i ${args.join(" ")}: ${r.stderr}`);
      assert.equal(r.code, code, `${who}: can-i ${args.join(" ")}`);
    }
  });

  it("kubectl auth can-i --as impersonates (allowed to system:masters, refused to others)", async () => {
    const no = await kubectl(["auth", "can-i", "get", "pods", "--as=system:serviceaccount:default:default"]);
    assert.equal(no.stdout.trim(), "no");
    assert.equal(no.code, 1);
    const yes = await kubectl(["auth", "can-i", "get", "pods", `--as=${ROBOT}`]);
    assert.equal(yes.stdout.trim(), "yes");
    assert.equal(yes.code, 0);
    const who = await kubectl(["auth", "whoami", "--as=jane", "--as-group=devs"]);
    assert.match(who.stdout, /Username\s+jane\n/);
    assert.match(who.stdout, /Groups\s+\[devs system:authenticated\]/);
    const refused = await asRobot("get", "pods", "--as=jane");
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr.trim(),
      `Error from server (Forbidden): users "jane" is forbidden: User "${ROBOT}" cannot impersonate resource "users" in API group "" at the cluster scope`,
    );
  });

  it("kubectl auth can-i --list and kubectl auth whoami", async () => {
    const list = await asRobot("auth", "can-i", "--list");
    assert.equal(list.code, 0, list.stderr);
    const lines = list.stdout.split("\n");
    assert.match(lines[0]!, /^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/);
    assert.ok(
      lines.some((l) =>
        /^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/.test(l),
      ),
    );
    assert.ok(
      lines.some((l) => /^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/.test(l)),
      list.stdout,
    );
    assert.ok(lines.some((l) => /^\s+\[\/api\]\s+\[\]\s+\[get\]$/.test(l)));

    const me = await kubectl(["auth", "whoami"]);
    assert.equal(me.code, 0, me.stderr);
    assert.match(
      me.stdout,
      /^ATTRIBUTE\s+VALUE\nUsername\s+kubernetes-admin\nGroups\s+\[system:masters system:authenticated\]\n$/,
    );
    const robot = await asRobot("auth", "whoami");
    assert.match(robot.stdout, new RegExp(`Username\\s+${ROBOT}\\n`));
    assert.match(
      robot.stdout,
      /Groups\s+\[system:serviceaccounts system:serviceaccounts:default system:authenticated\]/,
    );
  });

  it("the add-ons' service accounts may do what kube-proxy and cluster DNS do", async () => {
    const dir = addonsDir();
    await ok("apply", "-f", join(dir, "kube-proxy.yaml"), "-f", join(dir, "dns.yaml"));
    const proxy = "--as=system:serviceaccount:kube-system:kube-proxy";
    const dns = "--as=system:serviceaccount:kube-system:coredns";
    const allowed: string[][] = [
      [proxy, "list", "services", "-A"],
      [proxy, "watch", "services", "-A"],
      [proxy, "list", "endpointslices.discovery.k8s.io", "-A"],
      [proxy, "watch", "endpointslices.discovery.k8s.io", "-A"],
      [proxy, "get", "nodes"],
      [proxy, "create", "events", "-n", "default"],
      [proxy, "patch", "services", "--subresource=status", "-n", "default"],
      [proxy, "get", "leases.coordination.k8s.io", "-n", "kube-system"],
      [proxy, "create", "leases.coordination.k8s.io", "-n", "kube-system"],
      [proxy, "update", "leases.coordination.k8s.io", "-n", "kube-system"],
      [dns, "list", "services", "-A"],
      [dns, "watch", "endpointslices.discovery.k8s.io", "-A"],
      [dns, "list", "pods", "-A"],
      [dns, "watch", "pods", "-A"],
    ];
    for (const args of allowed) {
      const r = await kubectl(["auth", "can-i", ...args]);
      assert.equal(r.stdout.trim(), "yes", `can-i ${args.join(" ")}: ${r.stderr}`);
    }
    const refused = await kubectl(["auth", "can-i", dns, "delete", "pods", "-n", "default"]);
    assert.equal(refused.stdout.trim(), "no");
  });

  it("access reviews are answered and not stored; other verbs are refused", async () => {
    const sar = await h.client.req("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SubjectAccessReview",
      spec: {
        user: ROBOT,
        groups: ["system:serviceaccounts"],
        resourceAttributes: { verb: "list", resource: "pods", namespace: "x" },
      },
    });
    assert.equal(sar.status, 201, sar.text);
    assert.equal((sar.json().status as { allowed: boolean }).allowed, true);
    const bad = await h.client.req("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SelfSubjectAccessReview",
      spec: {},
    });
    assert.equal(bad.status, 422);
    assert.equal(
      bad.json().message,
      'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
    );
    const lsar = await h.client.req(
      "POST",
      "/apis/authorization.k8s.io/v1/namespaces/other/localsubjectaccessreviews",
      {
        apiVersion: "authorization.k8s.io/v1",
        kind: "LocalSubjectAccessReview",
        spec: { user: ROBOT, resourceAttributes: { verb: "create", resource: "pods", namespace: "other" } },
      },
    );
    assert.equal(lsar.status, 201, lsar.text);
    assert.deepEqual(lsar.json().status, { allowed: false });
    const get = await h.client.req("GET", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews");
    assert.equal(get.status, 405);
    const anon = new Client(h.base, h.pki, null);
    assert.equal(
      (await anon.req("GET", "/readyz")).status,
      200,
      "public-info-viewer for the unauthenticated",
    );
    assert.equal((await anon.req("GET", "/api/v1/pods")).status, 403);
  });
  it("escalation prevention: a namespace admin binds view there, not cluster-admin; roles only with rules held", async () => {
    await makeRobotAdminIn("team");

    const refused = await asRobot(
      "create",
      "rolebinding",
      "grab",
      "-n",
      "team",
      "--clusterrole=cluster-admin",
      "--serviceaccount=default:robot",
    );
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /rolebindings\.rbac\.authorization\.k8s\.io "grab" is forbidden: user "system:serviceaccount:default:robot" \(groups=\[[^\]]*"system:authenticated"[^\]]*\]\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\["\*"\], Resources:\["\*"\], Verbs:\["\*"\]\}\n\{NonResourceURLs:\["\*"\], Verbs:\["\*"\]\}/,
    );
    const cluster = await asRobot(
      "create",
      "clusterrolebinding",
      "grab-view",
      "--clusterrole=view",
      "--serviceaccount=default:robot",
    );
    assert.equal(cluster.code, 1, "no clusterrolebindings for a namespace admin");

    const allowed = await asRobot(
      "create",
      "rolebinding",
      "viewers",
      "-n",
      "team",
      "--clusterrole=view",
      "--group=viewers",
    );
    assert.equal(allowed.code, 0, allowed.stderr);

    const role = await asRobot(
      "create",
      "role",
      "pod-reader",
      "-n",
      "team",
      "--verb=get,list",
      "--resource=pods",
    );
    assert.equal(role.code, 0, role.stderr);
    const nodes = await asRobot(
      "create",
      "role",
      "node-reader",
      "-n",
      "team",
      "--verb=get",
      "--resource=nodes",
    );
    assert.equal(nodes.code, 1);
    assert.match(
      nodes.stderr,
      /roles\.rbac\.authorization\.k8s\.io "node-reader" is forbidden: .*not currently held:\n\{APIGroups:\[""\], Resources:\["nodes"\], Verbs:\["get"\]\}/,
    );

    // `bind` on the role (resourceNames honoured) lets it through without holding the rules.
    await ok(
      "create",
      "clusterrole",
      "bind-cluster-admin",
      "--verb=bind",
      "--resource=clusterroles",
      "--resource-name=cluster-admin",
    );
    await ok(
      "create",
      "rolebinding",
      "robot-bind",
      "-n",
      "team",
      "--clusterrole=bind-cluster-admin",
      "--serviceaccount=default:robot",
    );
    await eventually("bind lets robot bind cluster-admin in team", async () => {
      const r = await asRobot(
        "create",
        "rolebinding",
        "grab",
        "-n",
        "team",
        "--clusterrole=cluster-admin",
        "--group=admins",
      );
      return r.code === 0;
    });
    const otherNs = await asRobot(
      "create",
      "rolebinding",
      "grab",
      "-n",
      "other",
      "--clusterrole=view",
      "--group=x",
    );
    assert.equal(otherNs.code, 1, "bind in team only; nothing held in other");
    await ok("delete", "namespace", "team", "--wait=false");
    await ok("delete", "clusterrole", "bind-cluster-admin");
  });
  it("the clusterrole-aggregation controller fills admin / edit / view by server-side apply; the authorizer uses them", async () => {
    const log = newLogger("rbac-test", process.env.LOG_LEVEL ?? "silent");
    const client = new RestClient(loadKubeconfig(h.kubeconfig));
    const ac = new AbortController();
    const factory = new InformerFactory(client, { logger: log });
    const events = new EventBroadcaster(client, { logger: log });
    const options = { nodeCIDRMaskSize: 24, concurrentSyncs: 2 } as ControllerManagerOptions;
    const run = clusterRoleAggregationDescriptor.init({
      client,
      factory,
      events,
      log,
      signal: ac.signal,
      options,
      now: Date.now,
    });
    factory.start(ac.signal);
    const done = run();
    try {
      type Role = {
        rules?: { resources?: string[]; verbs?: string[] }[];
        metadata: { managedFields?: { manager: string; operation: string }[] };
      };
      const role = async (name: string) =>
        JSON.parse(await ok("get", "clusterrole", name, "-o", "json", "--show-managed-fields")) as Role;
      await eventually(
        "admin, edit and view hold their rules",
        async () => {
          for (const n of ["admin", "edit", "view"]) if (!(await role(n)).rules?.length) return false;
          return true;
        },
        10_000,
      );
      const admin = await role("admin");
      assert.ok(
        admin.metadata.managedFields?.some(
          (f) => f.manager === "clusterrole-aggregation-controller" && f.operation === "Apply",
        ),
      );
      assert.ok(
        admin.rules?.some((r) => r.resources?.includes("rolebindings") && r.verbs?.includes("create")),
      );
      assert.ok(
        admin.rules?.some((r) => r.resources?.includes("pods") && r.verbs?.includes("list")),
        "view's rules via edit",
      );
      // The escalation check and the authorizer read the stored rules: a namespace admin still binds view.
      await makeRobotAdminIn("team2");
      const r = await asRobot(
        "create",
        "rolebinding",
        "viewers",
        "-n",
        "team2",
        "--clusterrole=view",
        "--group=viewers",
      );
      assert.equal(r.code, 0, r.stderr);
      await ok("delete", "namespace", "team2", "--wait=false");
    } finally {
      ac.abort();
      await done;
      await events.shutdown();
      client.close();
    }
  });
});
