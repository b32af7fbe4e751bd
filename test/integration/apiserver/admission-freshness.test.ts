// Admission answers "no ResourceQuota / LimitRange in this namespace" from the watch cache (no etcd read
// per create), but never misses one created a moment before: each round creates a quota and a LimitRange,
// then two pods at once, and both must apply.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Harness, startHarness } from "./harness.js";

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.stop();
});

const pod = (name: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name },
  spec: { containers: [{ name: "c", image: "busybox:1.28" }] },
});

describe("quota and LimitRange admission from the watch cache", () => {
  it("applies a quota and a LimitRange created just before the next create, 25 rounds in a row", async () => {
    const c = h.client;
    for (let i = 0; i < 25; i++) {
      const ns = `fresh-${i}`;
      const base = `/api/v1/namespaces/${ns}`;
      assert.equal(
        (
          await c.req("POST", "/api/v1/namespaces", {
            apiVersion: "v1",
            kind: "Namespace",
            metadata: { name: ns },
          })
        ).status,
        201,
      );
      // A create first, so that the namespace was known to hold no quota a moment ago.
      await c.req("POST", `${base}/configmaps`, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "warm" },
      });
      const quota = await c.req("POST", `${base}/resourcequotas`, {
        apiVersion: "v1",
        kind: "ResourceQuota",
        metadata: { name: "q" },
        spec: { hard: { pods: "1" } },
      });
      assert.equal(quota.status, 201, quota.text);
      const range = await c.req("POST", `${base}/limitranges`, {
        apiVersion: "v1",
        kind: "LimitRange",
        metadata: { name: "lr" },
        spec: { limits: [{ type: "Container", default: { memory: "64Mi" } }] },
      });
      assert.equal(range.status, 201, range.text);
      const first = await c.req("POST", `${base}/pods`, pod("a"));
      assert.equal(first.status, 201, `round ${i}: ${first.text}`);
      const created = first.json() as {
        spec: { containers: { resources?: { limits?: { memory?: string } } }[] };
      };
      assert.equal(
        created.spec.containers[0]?.resources?.limits?.memory,
        "64Mi",
        `round ${i}: LimitRange default missed`,
      );
      const second = await c.req("POST", `${base}/pods`, pod("b"));
      assert.equal(second.status, 403, `round ${i}: quota missed: ${second.text}`);
      assert.match(second.text, /exceeded quota: q/);
    }
  });
});
