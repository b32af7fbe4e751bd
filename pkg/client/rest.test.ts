import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Pod } from "kubernetes-types/core/v1";
import { ApiError, isAlreadyExists, isConflict, isGone, isNotFound } from "./errors.js";
import { ConfigMaps, Deployments, Namespaces, Pods, resourcePath } from "./gvr.js";
import { RestClient } from "./rest.js";
import { FakeApiServer } from "./testing/fakeserver.js";

const pod = (name: string, labels: Record<string, string> = {}): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "default", labels },
  spec: { containers: [{ name: "c", image: "nginx" }] },
});

describe("resourcePath", () => {
  const cases: Array<[string, string]> = [
    [resourcePath(Pods), "/api/v1/pods"],
    [resourcePath(Pods, { namespace: "default" }), "/api/v1/namespaces/default/pods"],
    [
      resourcePath(Pods, { namespace: "default", name: "p", subresource: "status" }),
      "/api/v1/namespaces/default/pods/p/status",
    ],
    [
      resourcePath(Namespaces, { namespace: "ignored", name: "kube-system" }),
      "/api/v1/namespaces/kube-system",
    ],
    [
      resourcePath(Deployments, { namespace: "ns", name: "web", subresource: "scale" }),
      "/apis/apps/v1/namespaces/ns/deployments/web/scale",
    ],
  ];
  for (const [got, want] of cases) it(want, () => assert.equal(got, want));
});

for (const mode of ["http/1.1", "h2"] as const) {
  describe(`RestClient over ${mode}`, () => {
    let server: FakeApiServer;
    let client: RestClient;
    before(async () => {
      server = await FakeApiServer.start({ http2: mode === "h2" });
      client = new RestClient(server.clientConfig(), { http2: "auto" });
    });
    after(async () => {
      client.close();
      await server.stop();
    });

    it("negotiates the protocol by ALPN", async () => {
      const v = await client.request<{ minor: string }>({ method: "GET", path: "/version" });
      assert.equal(v.minor, "32");
      assert.equal(client.protocol, mode);
    });

    it("creates, gets, updates, patches and deletes", async () => {
      const pods = client.resource(Pods, "default");
      const created = await pods.create(pod("a", { app: "x" }));
      assert.equal(created.metadata?.name, "a");
      assert.ok(created.metadata?.resourceVersion);
      await assert.rejects(
        pods.create(pod("a")),
        (e: unknown) => isAlreadyExists(e) && (e as ApiError).code === 409,
      );
      const got = await pods.get("a");
      assert.equal(got.metadata?.uid, created.metadata?.uid);
      const updated = await pods.update({ ...got, metadata: { ...got.metadata, labels: { app: "y" } } });
      assert.equal(updated.metadata?.labels?.app, "y");
      await assert.rejects(pods.update(got), isConflict, "stale resourceVersion must conflict");
      const patched = await pods.patch("a", { metadata: { labels: { tier: "web" } } });
      assert.deepEqual(patched.metadata?.labels, { app: "y", tier: "web" });
      const jp = await pods.patch(
        "a",
        [{ op: "replace", path: "/metadata/labels/tier", value: "db" }],
        "json",
      );
      assert.equal(jp.metadata?.labels?.tier, "db");
      const st = await pods.updateStatus({ ...jp, status: { phase: "Running" } } as Pod);
      assert.equal(st.status?.phase, "Running");
      await pods.delete("a");
      await assert.rejects(
        pods.get("a"),
        (e: unknown) => isNotFound(e) && (e as ApiError).message === 'pods "a" not found',
      );
    });

    it("lists with selectors and follows continue", async () => {
      const cms = client.resource(ConfigMaps, "lists");
      for (let i = 0; i < 7; i++) {
        await cms.create({
          metadata: { name: `cm-${i}`, labels: { even: String(i % 2 === 0) } },
          data: { i: String(i) },
        });
      }
      const page = await cms.list({ limit: 3 });
      assert.equal(page.items.length, 3);
      assert.ok(page.metadata.continue);
      assert.equal(page.items[0]!.kind, "ConfigMap", "list items get their kind");
      const all = await cms.listAll({ limit: 2 });
      assert.equal(all.items.length, 7);
      assert.equal(all.metadata.continue, undefined);
      const even = await cms.list({ labelSelector: "even=true" });
      assert.equal(even.items.length, 4);
      const named = await cms.list({ fieldSelector: "metadata.name=cm-3" });
      assert.deepEqual(
        named.items.map((c) => c.metadata?.name),
        ["cm-3"],
      );
      const allNs = await client.resource(ConfigMaps).list();
      assert.equal(allNs.items.length, 7);
    });

    it("binds a pod through a subresource", async () => {
      const pods = client.resource(Pods, "default");
      await pods.create(pod("b"));
      await pods.createSubresource("b", "binding", {
        apiVersion: "v1",
        kind: "Binding",
        metadata: { name: "b" },
        target: { apiVersion: "v1", kind: "Node", name: "node-1" },
      });
      assert.equal((await pods.get("b")).spec?.nodeName, "node-1");
      await assert.rejects(
        pods.createSubresource("b", "binding", { target: { name: "node-2" } }),
        isConflict,
      );
    });

    it("turns statuses into ApiError", async () => {
      server.failNext({ code: 410, match: (m) => m === "GET" });
      await assert.rejects(client.resource(Pods, "default").get("x"), isGone);
      server.failNext({ code: 503 });
      await assert.rejects(
        client.resource(Pods, "default").list(),
        (e: unknown) => e instanceof ApiError && e.code === 503,
      );
    });

    it("handles many concurrent small requests", async () => {
      const pods = client.resource(Pods, "default");
      await pods.create(pod("c"));
      const results = await Promise.all(Array.from({ length: 200 }, () => pods.get("c")));
      assert.equal(results.length, 200);
    });
  });
}

describe("RestClient auth and limits", () => {
  it("sends the bearer token from a token file", async () => {
    const server = await FakeApiServer.start();
    const dir = mkdtempSync(join(tmpdir(), "tok-"));
    writeFileSync(join(dir, "token"), "secret-token\n");
    const client = new RestClient({ ...server.clientConfig(), tokenFile: join(dir, "token") });
    try {
      await client.request({ method: "GET", path: "/version" });
      assert.equal(server.requests.at(-1)?.headers.authorization, "Bearer secret-token");
    } finally {
      client.close();
      await server.stop();
    }
  });

  it("rate limits client-side (qps/burst)", async () => {
    const server = await FakeApiServer.start();
    const client = new RestClient(server.clientConfig(), { qps: 50, burst: 5 });
    try {
      const start = Date.now();
      await Promise.all(
        Array.from({ length: 15 }, () => client.request({ method: "GET", path: "/version" })),
      );
      const elapsed = Date.now() - start;
      // 5 at once, then 10 more at 50/s = 200 ms
      assert.ok(elapsed >= 180, `elapsed ${elapsed} ms`);
    } finally {
      client.close();
      await server.stop();
    }
  });

  it("fails fast on an unreachable server", async () => {
    const client = new RestClient({ server: "https://127.0.0.1:1" });
    await assert.rejects(
      client.request({ method: "GET", path: "/version" }),
      (e: unknown) => !(e instanceof ApiError),
    );
    client.close();
  });
});
