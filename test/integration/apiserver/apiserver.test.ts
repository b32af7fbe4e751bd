// The apiserver against a real etcd: CRUD and its errors, optimistic concurrency, lists with
// selectors and pagination, watch with resume and 410, subresources, deletion semantics, allocation.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiServer } from "../../../apiserver/server.js";
import { newLogger } from "../../../pkg/util/log.js";
import { Client, type Harness, startHarness } from "./harness.js";

let h: Harness;

const cm = (
  name: string,
  labels: Record<string, string> = {},
  data: Record<string, string> = { a: "1" },
) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, labels },
  data,
});

const deployment = (name: string, replicas = 1) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: "c", image: "nginx:1.7.9" }] },
    },
  },
});

before(async () => {
  h = await startHarness();
});

after(async () => {
  await h?.stop();
});

describe("apiserver on etcd", () => {
  it("serves /version, /readyz and discovery", async () => {
    const v = await h.client.req("GET", "/version");
    assert.equal(v.json().minor, "32");
    const ready = await h.client.req("GET", "/readyz?verbose");
    assert.equal(ready.status, 200, ready.text);
    assert.match(ready.text, /\[\+\]etcd ok/);
    const agg = await h.client.req("GET", "/apis", undefined, {
      Accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json",
    });
    assert.match(String(agg.headers["content-type"]), /as=APIGroupDiscoveryList/);
    const core = await h.client.req("GET", "/api/v1");
    const names = (core.json().resources as { name: string }[]).map((r) => r.name);
    assert.ok(names.includes("pods/eviction"));
  });

  it("bootstraps the system namespaces and the kubernetes service", async () => {
    const ns = await h.client.req("GET", "/api/v1/namespaces");
    const got = (ns.json().items as { metadata: { name: string } }[]).map((i) => i.metadata.name).sort();
    assert.deepEqual(got, ["default", "kube-node-lease", "kube-public", "kube-system"]);
    const svc = await h.client.req("GET", "/api/v1/namespaces/default/services/kubernetes");
    assert.equal((svc.json().spec as { clusterIP: string }).clusterIP, "10.96.0.1");
  });

  it("serves the same Events as core/v1 and events.k8s.io/v1, with the renamed fields", async () => {
    const core = await h.client.req("POST", "/api/v1/namespaces/default/events", {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: "web.core" },
      involvedObject: { kind: "Pod", namespace: "default", name: "web", apiVersion: "v1" },
      reason: "Scheduled",
      message: "Successfully assigned default/web to node-1",
      source: { component: "default-scheduler" },
      count: 1,
      type: "Normal",
    });
    assert.equal(core.status, 201, core.text);
    const asV1 = await h.client.req("GET", "/apis/events.k8s.io/v1/namespaces/default/events/web.core");
    assert.equal(asV1.status, 200, asV1.text);
    const v1 = asV1.json();
    assert.equal(v1.apiVersion, "events.k8s.io/v1");
    assert.equal(v1.note, "Successfully assigned default/web to node-1");
    assert.equal((v1.regarding as { name: string }).name, "web");
    assert.deepEqual(v1.deprecatedSource, { component: "default-scheduler" });
    assert.equal(v1.deprecatedCount, 1);
    assert.equal(v1.message, undefined);
    assert.equal(v1.involvedObject, undefined);

    const made = await h.client.req("POST", "/apis/events.k8s.io/v1/namespaces/default/events", {
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata: { name: "web.v1" },
      eventTime: "2026-11-24T07:00:00.000000Z",
      regarding: { kind: "Pod", namespace: "default", name: "web", apiVersion: "v1" },
      reason: "Pulled",
      note: "Container image already present",
      action: "Pull",
      reportingController: "kubelet",
      reportingInstance: "node-1",
      type: "Normal",
    });
    assert.equal(made.status, 201, made.text);
    assert.equal(made.json().note, "Container image already present");
    const asCore = (await h.client.req("GET", "/api/v1/namespaces/default/events/web.v1")).json();
    assert.equal(asCore.apiVersion, "v1");
    assert.equal(asCore.message, "Container image already present");
    assert.equal(asCore.reportingComponent, "kubelet");
    assert.equal((asCore.involvedObject as { name: string }).name, "web");

    // events.k8s.io's field labels select on the stored core fields.
    const sel = await h.client.req(
      "GET",
      "/apis/events.k8s.io/v1/namespaces/default/events?fieldSelector=regarding.name%3Dweb,reportingController%3Dkubelet",
    );
    assert.equal(sel.status, 200, sel.text);
    const names = (sel.json().items as { metadata: { name: string } }[]).map((i) => i.metadata.name);
    assert.deepEqual(names, ["web.v1"]);
  });

  it("creates, reads, conflicts on stale updates, and deletes", async () => {
    const base = "/api/v1/namespaces/default/configmaps";
    const c = await h.client.req("POST", base, cm("one"));
    assert.equal(c.status, 201, c.text);
    const created = c.json<{
      metadata: { uid: string; resourceVersion: string; creationTimestamp: string };
    }>();
    assert.ok(created.metadata.uid && created.metadata.resourceVersion && created.metadata.creationTimestamp);

    const dup = await h.client.req("POST", base, cm("one"));
    assert.equal(dup.status, 409);
    assert.equal(dup.json().reason, "AlreadyExists");
    assert.equal(dup.json().message, 'configmaps "one" already exists');

    const put = await h.client.req("PUT", `${base}/one`, {
      ...cm("one", {}, { a: "2" }),
      metadata: { name: "one", resourceVersion: created.metadata.resourceVersion },
    });
    assert.equal(put.status, 200, put.text);
    const stale = await h.client.req("PUT", `${base}/one`, {
      ...cm("one", {}, { a: "3" }),
      metadata: { name: "one", resourceVersion: created.metadata.resourceVersion },
    });
    assert.equal(stale.status, 409);
    assert.equal(
      stale.json().message,
      'Operation cannot be fulfilled on configmaps "one": the object has been modified; please apply your changes to the latest version and try again',
    );

    const del = await h.client.req("DELETE", `${base}/one`, { propagationPolicy: "Background" });
    assert.equal(del.status, 200);
    assert.equal(del.json().status, "Success");
    const gone = await h.client.req("GET", `${base}/one`);
    assert.equal(gone.status, 404);
    assert.equal(gone.json().message, 'configmaps "one" not found');
  });

  it("rejects bad input with 4xx Status and stores nothing", async () => {
    const base = "/api/v1/namespaces/default/configmaps";
    const bad = await h.client.req("POST", base, "{not json");
    assert.equal(bad.status, 400);
    assert.equal(bad.json().kind, "Status");
    const wrongKind = await h.client.req("POST", base, {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "x" },
    });
    assert.equal(wrongKind.status, 400);
    const big = await h.client.req("POST", base, cm("big", {}, { a: "x".repeat(3 * 1024 * 1024 + 10) }));
    assert.equal(big.status, 413);
    const noName = await h.client.req("POST", base, { apiVersion: "v1", kind: "ConfigMap", metadata: {} });
    assert.equal(noName.status, 422);
    assert.match(
      noName.json().message as string,
      /metadata.name: Required value: name or generateName is required/,
    );
    const noNs = await h.client.req("POST", "/api/v1/namespaces/nope/configmaps", cm("x"));
    assert.equal(noNs.status, 404);
    assert.equal(noNs.json().message, 'namespaces "nope" not found');
    const yaml = await h.client.req(
      "POST",
      base,
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\n",
      {
        "Content-Type": "application/yaml",
      },
    );
    assert.equal(yaml.status, 201, yaml.text);
  });

  it("generates names and bumps generation on spec changes only", async () => {
    const base = "/apis/apps/v1/namespaces/default/deployments";
    const d = deployment("gen");
    const g = await h.client.req("POST", base, { ...d, metadata: { generateName: "web-" } });
    assert.equal(g.status, 201, g.text);
    assert.match((g.json().metadata as { name: string }).name, /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    const c = await h.client.req("POST", base, d);
    assert.equal((c.json().metadata as { generation: number }).generation, 1);
    const lbl = await h.client.req(
      "PATCH",
      `${base}/gen`,
      { metadata: { labels: { a: "b" } } },
      {
        "Content-Type": "application/merge-patch+json",
      },
    );
    assert.equal((lbl.json().metadata as { generation: number }).generation, 1);
    const spec = await h.client.req(
      "PATCH",
      `${base}/gen`,
      [{ op: "replace", path: "/spec/replicas", value: 3 }],
      {
        "Content-Type": "application/json-patch+json",
      },
    );
    assert.equal((spec.json().metadata as { generation: number }).generation, 2);
    const st = await h.client.req(
      "PATCH",
      `${base}/gen`,
      { status: { replicas: 9 } },
      {
        "Content-Type": "application/merge-patch+json",
      },
    );
    assert.equal(
      (st.json().status as { replicas?: number }).replicas,
      undefined,
      "main resource ignores status",
    );
    const sub = await h.client.req(
      "PATCH",
      `${base}/gen/status`,
      { status: { replicas: 2 }, spec: { replicas: 7 } },
      {
        "Content-Type": "application/merge-patch+json",
      },
    );
    assert.equal((sub.json().status as { replicas: number }).replicas, 2);
    assert.equal((sub.json().spec as { replicas: number }).replicas, 3, "status subresource ignores spec");
    const scale = await h.client.req("GET", `${base}/gen/scale`);
    assert.deepEqual(scale.json().status, { replicas: 2, selector: "app=gen" });
    const scaled = await h.client.req(
      "PATCH",
      `${base}/gen/scale`,
      { spec: { replicas: 5 } },
      {
        "Content-Type": "application/merge-patch+json",
      },
    );
    assert.equal((scaled.json().spec as { replicas: number }).replicas, 5);
  });

  it("lists with selectors and pages with continue tokens", async () => {
    const base = "/api/v1/namespaces/default/configmaps";
    for (let i = 0; i < 7; i++)
      await h.client.req("POST", base, cm(`page-${i}`, { set: "paging", n: String(i % 2) }));
    const sel = await h.client.req(
      "GET",
      `${base}?labelSelector=${encodeURIComponent("set=paging,n in (1)")}`,
    );
    assert.equal((sel.json().items as unknown[]).length, 3);
    const names: string[] = [];
    let cont = "";
    for (let pages = 0; pages < 10; pages++) {
      const r = await h.client.req(
        "GET",
        `${base}?labelSelector=set%3Dpaging&limit=3${cont ? `&continue=${cont}` : ""}`,
      );
      const body = r.json<{ items: { metadata: { name: string } }[]; metadata: { continue?: string } }>();
      names.push(...body.items.map((i) => i.metadata.name));
      if (!body.metadata.continue) break;
      cont = encodeURIComponent(body.metadata.continue);
    }
    assert.deepEqual(
      names,
      [0, 1, 2, 3, 4, 5, 6].map((i) => `page-${i}`),
    );
    const field = await h.client.req("GET", `${base}?fieldSelector=metadata.name%3Dpage-3`);
    assert.equal((field.json().items as unknown[]).length, 1);
    // Pages are one snapshot: an object created between two pages (after the cut) is not in the next one,
    // whether the next page comes from the watch cache (resource unchanged) or from etcd (changed).
    const first = (
      await h.client.req("GET", `${base}?labelSelector=set%3Dpaging&limit=3&resourceVersion=0`)
    ).json<{
      items: { metadata: { name: string } }[];
      metadata: { continue: string; resourceVersion: string };
    }>();
    assert.deepEqual(
      first.items.map((i) => i.metadata.name),
      ["page-0", "page-1", "page-2"],
    );
    const unchanged = (
      await h.client.req(
        "GET",
        `${base}?labelSelector=set%3Dpaging&limit=3&continue=${encodeURIComponent(first.metadata.continue)}`,
      )
    ).json<{ items: { metadata: { name: string } }[]; metadata: { resourceVersion: string } }>();
    assert.deepEqual(
      unchanged.items.map((i) => i.metadata.name),
      ["page-3", "page-4", "page-5"],
    );
    assert.equal(unchanged.metadata.resourceVersion, first.metadata.resourceVersion);
    await h.client.req("POST", base, cm("page-30", { set: "paging" }));
    const changed = (
      await h.client.req(
        "GET",
        `${base}?labelSelector=set%3Dpaging&limit=3&continue=${encodeURIComponent(first.metadata.continue)}`,
      )
    ).json<{ items: { metadata: { name: string } }[] }>();
    assert.deepEqual(
      changed.items.map((i) => i.metadata.name),
      ["page-3", "page-4", "page-5"],
    );
  });

  it("watches from a resourceVersion, with selector transitions, and answers 410 when too old", async () => {
    const base = "/api/v1/namespaces/default/configmaps";
    const list = await h.client.req("GET", base);
    const rv = (list.json().metadata as { resourceVersion: string }).resourceVersion;
    const w = h.client.watch(`${base}?watch=true&resourceVersion=${rv}&labelSelector=w%3Dyes`);
    assert.equal(await w.status, 200);
    await h.client.req("POST", base, cm("w1", { w: "yes" }));
    await h.client.req(
      "PATCH",
      `${base}/w1`,
      { metadata: { labels: { w: "no" } } },
      { "Content-Type": "application/merge-patch+json" },
    );
    await h.client.req("POST", base, cm("w2", { w: "no" }));
    await new Promise((r) => setTimeout(r, 300));
    w.stop();
    assert.deepEqual(
      w.events.map((e) => `${e.type} ${(e.object.metadata as { name: string }).name}`),
      ["ADDED w1", "DELETED w1"],
    );
    // Resume from the list's revision replays the same events.
    const again = h.client.watch(`${base}?watch=true&resourceVersion=${rv}`);
    await again.status;
    await new Promise((r) => setTimeout(r, 200));
    again.stop();
    assert.deepEqual(
      again.events.map((e) => e.type),
      ["ADDED", "MODIFIED", "ADDED"],
    );
    // A second apiserver on the same etcd starts its cache at today's revision: revision 1 is too old.
    const second = new ApiServer({ ...h.server.opts, log: newLogger("second", "warn") });
    await second.start();
    try {
      const c2 = new Client(`https://127.0.0.1:${second.port()}`, h.pki);
      for (let i = 0; i < 100 && (await c2.req("GET", "/readyz")).status !== 200; i++)
        await new Promise((r) => setTimeout(r, 100));
      const r = await c2.req("GET", `${base}?watch=true&resourceVersion=1`);
      assert.equal(r.status, 410);
      assert.equal(r.json().reason, "Expired");
      assert.match(r.json().message as string, /^too old resource version: 1 \(\d+\)$/);
    } finally {
      await second.stop();
    }
  });

  it("deletes pods gracefully when bound, at once when not, and binds once", async () => {
    const base = "/api/v1/namespaces/default/pods";
    const pod = (name: string) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name },
      spec: { containers: [{ name: "c", image: "busybox:1.28" }] },
    });
    await h.client.req("POST", base, pod("free"));
    const d1 = await h.client.req("DELETE", `${base}/free`);
    assert.equal(d1.json().kind, "Status");
    assert.equal((await h.client.req("GET", `${base}/free`)).status, 404);

    await h.client.req("POST", base, pod("bound"));
    const b = await h.client.req("POST", `${base}/bound/binding`, {
      apiVersion: "v1",
      kind: "Binding",
      metadata: { name: "bound" },
      target: { kind: "Node", name: "node-1" },
    });
    assert.equal(b.status, 201, b.text);
    const b2 = await h.client.req("POST", `${base}/bound/binding`, {
      apiVersion: "v1",
      kind: "Binding",
      metadata: { name: "bound" },
      target: { kind: "Node", name: "node-2" },
    });
    assert.equal(b2.status, 409);
    const d2 = await h.client.req("DELETE", `${base}/bound`);
    const marked = d2.json<{
      metadata: { deletionTimestamp?: string; deletionGracePeriodSeconds?: number };
    }>();
    assert.ok(marked.metadata.deletionTimestamp);
    assert.equal(marked.metadata.deletionGracePeriodSeconds, 30);
    const d3 = await h.client.req("DELETE", `${base}/bound`, { gracePeriodSeconds: 0 });
    assert.equal(d3.json().kind, "Status");
    assert.equal((await h.client.req("GET", `${base}/bound`)).status, 404);
  });

  it("refuses a status write whose uid is another pod's (a pod re-created under the same name)", async () => {
    const base = "/api/v1/namespaces/default/pods";
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "same-name" },
      spec: { containers: [{ name: "c", image: "busybox:1.28" }] },
    };
    const first = await h.client.req("POST", base, pod);
    assert.equal(first.status, 201, first.text);
    const oldUid = first.json<{ metadata: { uid: string } }>().metadata.uid;
    assert.equal((await h.client.req("DELETE", `${base}/same-name`, { gracePeriodSeconds: 0 })).status, 200);
    const second = await h.client.req("POST", base, pod);
    assert.equal(second.status, 201, second.text);
    const newUid = second.json<{ metadata: { uid: string } }>().metadata.uid;
    const late = await h.client.req(
      "PATCH",
      `${base}/same-name/status`,
      { metadata: { uid: oldUid }, status: { phase: "Running" } },
      { "Content-Type": "application/merge-patch+json" },
    );
    assert.equal(late.status, 409, late.text);
    assert.equal(
      late.json().message,
      `Operation cannot be fulfilled on pods "same-name": Precondition failed: UID in precondition: ${oldUid}, UID in object meta: ${newUid}`,
    );
    const now = await h.client.req("GET", `${base}/same-name`);
    assert.equal(now.json<{ status?: { phase?: string } }>().status?.phase, "Pending");
    const own = await h.client.req(
      "PATCH",
      `${base}/same-name/status`,
      { metadata: { uid: newUid }, status: { phase: "Running" } },
      { "Content-Type": "application/merge-patch+json" },
    );
    assert.equal(own.status, 200, own.text);
    await h.client.req("DELETE", `${base}/same-name`, { gracePeriodSeconds: 0 });
  });

  it("keeps objects with finalizers until the finalizers are removed", async () => {
    const base = "/api/v1/namespaces/default/configmaps";
    await h.client.req("POST", base, {
      ...cm("fin"),
      metadata: { name: "fin", finalizers: ["example.com/x"] },
    });
    const d = await h.client.req("DELETE", `${base}/fin`);
    assert.ok((d.json().metadata as { deletionTimestamp?: string }).deletionTimestamp);
    assert.equal((await h.client.req("GET", `${base}/fin`)).status, 200);
    await h.client.req(
      "PATCH",
      `${base}/fin`,
      { metadata: { finalizers: null } },
      { "Content-Type": "application/merge-patch+json" },
    );
    assert.equal((await h.client.req("GET", `${base}/fin`)).status, 404);
  });

  it("allocates and releases ClusterIPs and NodePorts", async () => {
    const base = "/api/v1/namespaces/default/services";
    const svc = (name: string, spec: Record<string, unknown>) => ({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name },
      spec: { ports: [{ port: 80 }], ...spec },
    });
    const a = await h.client.req("POST", base, svc("a", { type: "NodePort" }));
    assert.equal(a.status, 201, a.text);
    const aspec = a.json().spec as { clusterIP: string; ports: { nodePort: number }[] };
    assert.match(aspec.clusterIP, /^10\.(9[6-9]|10[0-9]|11[01])\./);
    assert.ok(aspec.ports[0]!.nodePort >= 30000 && aspec.ports[0]!.nodePort <= 32767);
    const dupIp = await h.client.req("POST", base, svc("b", { clusterIP: aspec.clusterIP }));
    assert.equal(dupIp.status, 422);
    assert.match(dupIp.json().message as string, /provided IP is already allocated/);
    const dupPort = await h.client.req(
      "POST",
      base,
      svc("c", { type: "NodePort", ports: [{ port: 80, nodePort: aspec.ports[0]!.nodePort }] }),
    );
    assert.equal(dupPort.status, 422);
    await h.client.req("DELETE", `${base}/a`);
    const reuse = await h.client.req(
      "POST",
      base,
      svc("d", {
        clusterIP: aspec.clusterIP,
        type: "NodePort",
        ports: [{ port: 80, nodePort: aspec.ports[0]!.nodePort }],
      }),
    );
    assert.equal(reuse.status, 201, reuse.text);
  });

  it("terminates namespaces and refuses new content in them", async () => {
    await h.client.req("POST", "/api/v1/namespaces", {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "doomed" },
    });
    const d = await h.client.req("DELETE", "/api/v1/namespaces/doomed");
    assert.equal((d.json().status as { phase: string }).phase, "Terminating");
    const c = await h.client.req("POST", "/api/v1/namespaces/doomed/configmaps", cm("x"));
    assert.equal(c.status, 403);
    assert.match(
      c.json().message as string,
      /unable to create new content in namespace doomed because it is being terminated/,
    );
    const fin = await h.client.req("PUT", "/api/v1/namespaces/doomed/finalize", {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "doomed" },
      spec: { finalizers: [] },
    });
    assert.equal(fin.status, 200, fin.text);
    assert.equal((await h.client.req("GET", "/api/v1/namespaces/doomed")).status, 404);
    const sys = await h.client.req("DELETE", "/api/v1/namespaces/kube-system");
    assert.equal(sys.status, 403);
  });

  it("answers Table output and refuses unauthenticated resource requests", async () => {
    const t = await h.client.req("GET", "/api/v1/namespaces", undefined, {
      Accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
    });
    const table = t.json<{
      kind: string;
      columnDefinitions: { name: string }[];
      rows: { object: { kind: string } }[];
    }>();
    assert.equal(table.kind, "Table");
    assert.equal(table.columnDefinitions[0]!.name, "Name");
    assert.equal(table.rows[0]!.object.kind, "PartialObjectMetadata");
    const anon = new Client(h.base, h.pki, null);
    assert.equal((await anon.req("GET", "/version")).status, 200);
    assert.equal((await anon.req("GET", "/api/v1/pods")).status, 403);
  });

  it("issues service-account tokens that authenticate", async () => {
    await h.client.req("POST", "/api/v1/namespaces/default/serviceaccounts", {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "robot" },
    });
    const tr = await h.client.req("POST", "/api/v1/namespaces/default/serviceaccounts/robot/token", {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: {},
    });
    assert.equal(tr.status, 201, tr.text);
    const token = (tr.json().status as { token: string }).token;
    const anon = new Client(h.base, h.pki, null);
    const read = () =>
      anon.req("GET", "/api/v1/namespaces/default/configmaps", undefined, {
        Authorization: `Bearer ${token}`,
      });
    // Authenticated as the service account, which RBAC allows nothing until a binding says so.
    const refused = await read();
    assert.equal(refused.status, 403, refused.text);
    assert.match(refused.json().message as string, /User "system:serviceaccount:default:robot" cannot list/);
    await h.client.req("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings", {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "robot-view" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
      subjects: [{ kind: "ServiceAccount", name: "robot", namespace: "default" }],
    });
    const r = await read();
    assert.equal(r.status, 200, r.text);
    const bad = await anon.req("GET", "/api/v1/namespaces/default/configmaps", undefined, {
      Authorization: "Bearer nope",
    });
    assert.equal(bad.status, 401);
  });
});
