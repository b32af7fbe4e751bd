// What the KUAR tutorial suites found (test/tutorials/001 and 004), on the apiserver with a real etcd
// and the real kubectl: componentstatuses, re-applying extensions/v1beta1 workloads (strategic merge
// patch), a DaemonSet's templateGeneration, and node ports when a Service's type changes.
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { RunResult } from "../../lib/cluster.js";
import { type Harness, kubectlWith, startHarness } from "./harness.js";

let h: Harness;
let health: Server;
let work: string;

async function listen(s: Server): Promise<string> {
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

/** A URL where nothing listens (a replica that is down). */
async function deadUrl(): Promise<string> {
  const s = createServer();
  const url = await listen(s);
  await new Promise((r) => s.close(r));
  return `${url}/healthz`;
}

function kubectl(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return kubectlWith(h.kubeconfig, args, env);
}

async function ok(...args: string[]): Promise<string> {
  const r = await kubectl(args);
  assert.equal(r.code, 0, `kubectl ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** An editor for `kubectl edit`: a sed script run on the file. */
function editor(name: string, sedExpr: string): string {
  const f = join(work, `${name}.sh`);
  writeFileSync(f, `#!/bin/sh\nsed -i '${sedExpr}' "$1"\n`);
  chmodSync(f, 0o755);
  return f;
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), "kuar-fixes-"));
  health = createServer((req, res) => {
    if (req.url === "/healthz") res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    else res.writeHead(404).end("not found");
  });
  const base = await listen(health);
  h = await startHarness({
    server: {
      // The first scheduler replica is down: the component is Healthy through the second.
      schedulerHealthzUrls: [await deadUrl(), `${base}/healthz`],
      controllerManagerHealthzUrls: [`${base}/healthz`],
    },
  });
});

after(async () => {
  await h?.stop();
  health?.close();
});

type Condition = { type: string; status: string; message?: string; error?: string };
type CS = { metadata: { name: string }; conditions: Condition[] };

describe("componentstatuses", () => {
  it("lists scheduler, controller-manager and etcd-0 Healthy, with the deprecation warning", async () => {
    const r = await h.client.req("GET", "/api/v1/componentstatuses");
    assert.equal(r.status, 200, r.text);
    assert.match(String(r.headers.warning), /299 - "v1 ComponentStatus is deprecated in v1\.19\+"/);
    const list = r.json<{ kind: string; items: CS[] }>();
    assert.equal(list.kind, "ComponentStatusList");
    const byName = new Map(list.items.map((i) => [i.metadata.name, i.conditions]));
    assert.deepEqual([...byName.keys()].sort(), ["controller-manager", "etcd-0", "scheduler"]);
    assert.deepEqual(byName.get("scheduler"), [{ type: "Healthy", status: "True", message: "ok" }]);
    assert.deepEqual(byName.get("controller-manager"), [{ type: "Healthy", status: "True", message: "ok" }]);
    const etcd = byName.get("etcd-0")?.[0];
    assert.equal(etcd?.status, "True");
    assert.match(etcd?.message ?? "", /"health":\s*"true"/);
  });

  it("GET one, a missing one (500 Component not found), a field selector, no watch", async () => {
    const one = await h.client.req("GET", "/api/v1/componentstatuses/etcd-0");
    assert.equal(one.status, 200, one.text);
    assert.equal(one.json().kind, "ComponentStatus");
    const missing = await h.client.req("GET", "/api/v1/componentstatuses/nope");
    assert.equal(missing.status, 500);
    assert.equal(missing.json().message, "Component not found: nope");
    const sel = await h.client.req(
      "GET",
      "/api/v1/componentstatuses?fieldSelector=metadata.name%3Dscheduler",
    );
    assert.deepEqual(
      sel.json<{ items: CS[] }>().items.map((i) => i.metadata.name),
      ["scheduler"],
    );
    const w = await h.client.req("GET", "/api/v1/componentstatuses?watch=true");
    assert.equal(w.status, 405);
  });

  it("kubectl get componentstatuses prints the table and the warning", async () => {
    const r = await kubectl(["get", "componentstatuses"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Warning: v1 ComponentStatus is deprecated in v1\.19\+/);
    const lines = r.stdout.trim().split("\n");
    assert.match(lines[0] ?? "", /^NAME\s+STATUS\s+MESSAGE\s+ERROR$/);
    const rows = lines
      .slice(1)
      .map((l) => l.split(/\s{2,}/))
      .map(([name, status, message]) => [name, status, message])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    assert.deepEqual(rows, [
      ["controller-manager", "Healthy", "ok"],
      ["etcd-0", "Healthy", rows[1]?.[2]],
      ["scheduler", "Healthy", "ok"],
    ]);
    assert.match(String(rows[1]?.[2]), /"health":\s*"true"/);
  });
});

const KUARD_RS = (replicas: number) => `apiVersion: extensions/v1beta1
kind: ReplicaSet
metadata:
  name: kuard
spec:
  replicas: ${replicas}
  template:
    metadata:
      labels:
        app: kuard
        version: "2"
    spec:
      containers:
        - name: kuard
          image: "gcr.io/kuar-demo/kuard-amd64:2"
`;

const NGINX_DS = `apiVersion: extensions/v1beta1
kind: "DaemonSet"
metadata:
  labels:
    app: nginx
    ssd: "true"
  name: nginx-fast-storage
spec:
  template:
    metadata:
      labels:
        app: nginx
        ssd: "true"
    spec:
      nodeSelector:
        ssd: "true"
      containers:
        - name: nginx
          image: nginx:1.10.0
`;

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
const TEMPLATE_GENERATION = "deprecated.daemonset.template.generation";
type Meta = { labels?: Record<string, string>; annotations?: Record<string, string>; generation?: number };

describe("extensions/v1beta1 workloads", () => {
  it("a strategic merge patch on an extensions/v1beta1 ReplicaSet is applied (not 415)", async () => {
    const base = "/apis/extensions/v1beta1/namespaces/default/replicasets";
    const rs = {
      apiVersion: "extensions/v1beta1",
      kind: "ReplicaSet",
      metadata: { name: "smp" },
      spec: {
        replicas: 1,
        template: { metadata: { labels: { app: "smp" } }, spec: { containers: [{ name: "c", image: "i" }] } },
      },
    };
    assert.equal((await h.client.req("POST", base, rs)).status, 201);
    const p = await h.client.req(
      "PATCH",
      `${base}/smp?fieldManager=kubectl-client-side-apply&fieldValidation=Strict`,
      { metadata: { annotations: { [LAST_APPLIED]: "{}" } }, spec: { replicas: 3 } },
      { "Content-Type": "application/strategic-merge-patch+json" },
    );
    assert.equal(p.status, 200, p.text);
    const got = p.json<{ metadata: Meta; spec: { replicas: number; selector: unknown } }>();
    assert.equal(got.spec.replicas, 3);
    assert.equal(got.metadata.annotations?.[LAST_APPLIED], "{}");
    assert.deepEqual(got.spec.selector, { matchLabels: { app: "smp" } });
  });

  it("kubectl apply -f 8-1-kuard-rs.yaml twice, scale to 4, apply with replicas 3: configured", async () => {
    const file = join(work, "kuard-rs.yaml");
    writeFileSync(file, KUARD_RS(1));
    assert.match(await ok("apply", "-f", file), /^replicaset\.extensions\/kuard created$/m);
    assert.match(await ok("apply", "-f", file), /^replicaset\.extensions\/kuard unchanged$/m);
    assert.match(await ok("scale", "rs", "kuard", "--replicas=4"), /^replicaset\.apps\/kuard scaled$/m);
    writeFileSync(file, KUARD_RS(3));
    assert.match(await ok("apply", "-f", file), /^replicaset\.extensions\/kuard configured$/m);
    const r = await h.client.req("GET", "/apis/apps/v1/namespaces/default/replicasets/kuard");
    const rs = r.json<{ metadata: Meta; spec: { replicas: number; selector: unknown } }>();
    assert.equal(rs.spec.replicas, 3);
    assert.deepEqual(rs.spec.selector, { matchLabels: { app: "kuard", version: "2" } });
    assert.deepEqual(rs.metadata.labels, { app: "kuard", version: "2" });
    const applied = JSON.parse(rs.metadata.annotations?.[LAST_APPLIED] ?? "{}") as {
      apiVersion: string;
      spec: { replicas: number };
    };
    assert.equal(applied.apiVersion, "extensions/v1beta1");
    assert.equal(applied.spec.replicas, 3);
  });

  it("a DaemonSet's templateGeneration: spec field in extensions/v1beta1, annotation in apps/v1", async () => {
    const base = "/apis/extensions/v1beta1/namespaces/default/daemonsets";
    const ds = {
      apiVersion: "extensions/v1beta1",
      kind: "DaemonSet",
      metadata: { name: "tg" },
      spec: {
        templateGeneration: 0,
        template: { metadata: { labels: { app: "tg" } }, spec: { containers: [{ name: "c", image: "a" }] } },
      },
    };
    const c = await h.client.req("POST", `${base}?fieldValidation=Strict`, ds);
    assert.equal(c.status, 201, c.text);
    const beta = c.json<{ metadata: Meta; spec: { templateGeneration: number } }>();
    assert.equal(beta.spec.templateGeneration, 1);
    assert.equal(beta.metadata.annotations?.[TEMPLATE_GENERATION], undefined);
    const v1 = (await h.client.req("GET", "/apis/apps/v1/namespaces/default/daemonsets/tg")).json<{
      metadata: Meta;
      spec: Record<string, unknown>;
    }>();
    assert.equal(v1.metadata.annotations?.[TEMPLATE_GENERATION], "1");
    assert.equal("templateGeneration" in v1.spec, false);
    // An update of the old version with the field passes strict validation; a template change moves it on.
    const put = await h.client.req("PUT", `${base}/tg?fieldValidation=Strict`, {
      ...beta,
      spec: {
        ...beta.spec,
        templateGeneration: 7,
        template: { metadata: { labels: { app: "tg" } }, spec: { containers: [{ name: "c", image: "b" }] } },
      },
    });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.json<{ spec: { templateGeneration: number } }>().spec.templateGeneration, 2);
  });

  it("the extensions/v1beta1 OpenAPI document describes templateGeneration; strict validation uses it", async () => {
    const doc = (await h.client.req("GET", "/openapi/v3/apis/extensions/v1beta1")).json<{
      components: {
        schemas: Record<string, { properties?: Record<string, { type?: string; format?: string }> }>;
      };
    }>();
    const spec = doc.components.schemas["io.k8s.api.extensions.v1beta1.DaemonSetSpec"];
    assert.deepEqual(
      {
        type: spec?.properties?.templateGeneration?.type,
        format: spec?.properties?.templateGeneration?.format,
      },
      { type: "integer", format: "int64" },
    );
    const bad = await h.client.req(
      "POST",
      "/apis/extensions/v1beta1/namespaces/default/daemonsets?fieldValidation=Strict",
      {
        apiVersion: "extensions/v1beta1",
        kind: "DaemonSet",
        metadata: { name: "typo" },
        spec: { templateGeneraton: 1, template: { metadata: { labels: { a: "b" } } } },
      },
    );
    assert.equal(bad.status, 400, bad.text);
    assert.match(
      bad.json().message as string,
      /strict decoding error: unknown field "spec\.templateGeneraton"/,
    );
  });

  it("kubectl explain daemonsets.spec.templateGeneration in extensions/v1beta1", async () => {
    const out = await ok("explain", "daemonsets.spec.templateGeneration", "--api-version=extensions/v1beta1");
    assert.match(out, /FIELD:\s+templateGeneration <integer>/);
  });

  it("kubectl edit ds of an extensions/v1beta1 DaemonSet (strict validation)", async () => {
    const file = join(work, "ds.yaml");
    writeFileSync(file, NGINX_DS);
    assert.match(await ok("apply", "-f", file), /^daemonset\.extensions\/nginx-fast-storage created$/m);
    const ed = editor("ds", "s/image: nginx:1.10.0/image: nginx:1.11/");
    const r = await kubectl(["edit", "daemonsets", "nginx-fast-storage"], { KUBE_EDITOR: ed });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^daemonset\.apps\/nginx-fast-storage edited$/m);
    const beta = (
      await h.client.req("GET", "/apis/extensions/v1beta1/namespaces/default/daemonsets/nginx-fast-storage")
    ).json<{ spec: { templateGeneration: number; selector: unknown; updateStrategy: { type: string } } }>();
    assert.equal(beta.spec.templateGeneration, 2);
    assert.deepEqual(beta.spec.selector, { matchLabels: { app: "nginx", ssd: "true" } });
    assert.equal(beta.spec.updateStrategy.type, "OnDelete");
  });
});

type Svc = { spec: { type: string; clusterIP: string; ports: { port: number; nodePort?: number }[] } };

describe("Service type changes allocate and release node ports", () => {
  const base = "/api/v1/namespaces/default/services";
  const svc = (name: string, type = "ClusterIP", nodePort?: number) => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name },
    spec: { type, selector: { app: name }, ports: [{ port: 8080, ...(nodePort ? { nodePort } : {}) }] },
  });

  it("ClusterIP -> NodePort by patch gets a node port; back to ClusterIP releases it", async () => {
    assert.equal((await h.client.req("POST", base, svc("alpaca"))).status, 201);
    const p = await h.client.req(
      "PATCH",
      `${base}/alpaca`,
      { spec: { type: "NodePort" } },
      { "Content-Type": "application/merge-patch+json" },
    );
    assert.equal(p.status, 200, p.text);
    const np = p.json<Svc>().spec.ports[0]?.nodePort ?? 0;
    assert.ok(np >= 30000 && np <= 32767, p.text);
    const got = (await h.client.req("GET", `${base}/alpaca`)).json<Svc>();
    assert.equal(got.spec.ports[0]?.nodePort, np);
    // The port is taken: another Service cannot ask for it.
    const taken = await h.client.req("POST", base, svc("other", "NodePort", np));
    assert.equal(taken.status, 422, taken.text);
    assert.match(taken.json().message as string, /provided port is already allocated/);
    const back = await h.client.req(
      "PATCH",
      `${base}/alpaca`,
      { spec: { type: "ClusterIP" } },
      { "Content-Type": "application/strategic-merge-patch+json" },
    );
    assert.equal(back.status, 200, back.text);
    assert.equal(back.json<Svc>().spec.ports[0]?.nodePort, undefined);
    const reuse = await h.client.req("POST", base, svc("other", "NodePort", np));
    assert.equal(reuse.status, 201, reuse.text);
  });

  it("an update (PUT) to LoadBalancer allocates too", async () => {
    assert.equal((await h.client.req("POST", base, svc("bandicoot"))).status, 201);
    const cur = (await h.client.req("GET", `${base}/bandicoot`)).json<Svc & Record<string, unknown>>();
    const put = await h.client.req("PUT", `${base}/bandicoot`, {
      ...cur,
      spec: { ...cur.spec, type: "LoadBalancer" },
    });
    assert.equal(put.status, 200, put.text);
    const np = put.json<Svc>().spec.ports[0]?.nodePort ?? 0;
    assert.ok(np >= 30000 && np <= 32767, put.text);
    const stored = (await h.client.req("GET", `${base}/bandicoot`)).json<Svc>();
    assert.equal(stored.spec.ports[0]?.nodePort, np, "the allocated port is stored, not only answered");
  });

  it("kubectl edit service to NodePort: describe shows the node port", async () => {
    assert.equal((await h.client.req("POST", base, svc("edited"))).status, 201);
    const ed = editor("nodeport", "s/type: ClusterIP/type: NodePort/");
    const r = await kubectl(["edit", "service", "edited"], { KUBE_EDITOR: ed });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^service\/edited edited$/m);
    const out = await ok("describe", "service", "edited");
    assert.match(out, /^Type:\s+NodePort$/m);
    assert.match(out, /^NodePort:\s+<unset>\s+3\d{4}\/TCP$/m);
  });
});
