// Property-based bad input: thousands of random and mutated bodies (JSON, YAML, protobuf-looking,
// wrong types, unknown fields, odd names, deep nesting) sent to create, update and patch. The server
// must answer every one with a 2xx or a 4xx Status (never a 5xx, never a hang), stay healthy, and
// hold only objects that pass validation afterwards.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { validatePathSegmentName } from "../../../apiserver/registry/strategy.js";
import { resources } from "../../../apiserver/standins/resources.js";
import type { KubeObject } from "../../../pkg/api/types.js";
import { type Harness, startHarness } from "./harness.js";

let h: Harness;
const NS = "fuzz";
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);

interface Target {
  group: string;
  version: string;
  resource: string;
  base: Record<string, unknown>;
}

const container = { name: "c", image: "nginx:1.7.9", ports: [{ containerPort: 80 }] };
const TARGETS: Target[] = [
  {
    group: "",
    version: "v1",
    resource: "configmaps",
    base: {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cm", labels: { a: "b" } },
      data: { k: "v" },
    },
  },
  {
    group: "",
    version: "v1",
    resource: "pods",
    base: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [container] } },
  },
  {
    group: "",
    version: "v1",
    resource: "services",
    base: {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "s" },
      spec: { selector: { app: "x" }, ports: [{ port: 80, targetPort: 8080 }] },
    },
  },
  {
    group: "apps",
    version: "v1",
    resource: "deployments",
    base: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d" },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "x" } },
        template: { metadata: { labels: { app: "x" } }, spec: { containers: [container] } },
      },
    },
  },
];

const collection = (t: Target) =>
  `${t.group ? `/apis/${t.group}` : "/api"}/${t.version}/namespaces/${NS}/${t.resource}`;

/** Every path (as key lists) into a JSON value. */
function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      out.push(...paths(x, [...prefix, i]));
    });
  } else if (v && typeof v === "object")
    for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}

type Mutation = { at: number; op: "set" | "delete" | "add"; key: string; value: unknown };

function mutate(base: Record<string, unknown>, muts: Mutation[]): unknown {
  let obj: unknown = structuredClone(base);
  for (const m of muts) {
    const ps = paths(obj);
    const path = ps[m.at % ps.length] ?? [];
    if (path.length === 0) {
      if (m.op === "set") obj = m.value;
      continue;
    }
    let parent = obj as Record<string | number, unknown>;
    for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
    const last = path[path.length - 1] as string | number;
    if (m.op === "set") parent[last] = m.value;
    else if (m.op === "delete") delete parent[last];
    else if (parent[last] && typeof parent[last] === "object" && !Array.isArray(parent[last])) {
      (parent[last] as Record<string, unknown>)[m.key] = m.value;
    }
  }
  return obj;
}

const nameArb = fc.oneof(
  fc.string({ maxLength: 70 }),
  fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/),
  fc.constantFrom("", ".", "..", "a/b", "A", "a".repeat(300), "x%2Fy", "-a", "a-"),
);
const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom("set", "delete", "add"),
  key: fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom("foo", "replicas", "metadata", "apiVersion", "kind"),
  ),
  value: fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    nameArb,
    fc.constantFrom(null, -1, 1e308, "1Gi", "x".repeat(70)),
  ),
});
const deepArb = fc.nat({ max: 20_000 }).map((n) => `${"[".repeat(n)}${"]".repeat(n)}`);

type Body = { body: string | Buffer; contentType: string };
const bodyArb = (t: Target): fc.Arbitrary<Body> =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .array(mutationArb, { minLength: 1, maxLength: 4 })
        .map((m) => ({ body: JSON.stringify(mutate(t.base, m)), contentType: "application/json" })),
    },
    {
      weight: 1,
      arbitrary: fc.string({ maxLength: 200 }).map((s) => ({ body: s, contentType: "application/json" })),
    },
    {
      weight: 1,
      arbitrary: fc.string({ maxLength: 200 }).map((s) => ({ body: s, contentType: "application/yaml" })),
    },
    {
      weight: 1,
      arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => ({
        body: Buffer.concat([Buffer.from("k8s\0"), Buffer.from(b)]),
        contentType: "application/vnd.kubernetes.protobuf",
      })),
    },
    { weight: 1, arbitrary: deepArb.map((s) => ({ body: s, contentType: "application/json" })) },
    {
      weight: 1,
      arbitrary: fc
        .jsonValue()
        .map((v) => ({ body: JSON.stringify(v), contentType: "application/merge-patch+json" })),
    },
  );

const requestArb = fc.nat({ max: TARGETS.length - 1 }).chain((i) =>
  fc.record({
    target: fc.constant(TARGETS[i] as Target),
    body: bodyArb(TARGETS[i] as Target),
    verb: fc.constantFrom("POST", "POST", "POST", "PUT", "PATCH"),
    validation: fc.constantFrom("Strict", "Warn", "Ignore", "", "bogus"),
  }),
);

before(async () => {
  h = await startHarness();
  const r = await h.client.req("POST", "/api/v1/namespaces", {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: NS },
  });
  assert.equal(r.status, 201, r.text);
  for (const t of TARGETS) {
    const c = await h.client.req("POST", collection(t), t.base);
    assert.equal(c.status, 201, c.text);
  }
});

after(async () => {
  await h?.stop();
});

describe("bad input never crashes the apiserver nor reaches etcd", () => {
  it(`${RUNS} random and mutated bodies get 2xx or a 4xx Status`, async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, async ({ target, body, verb, validation }) => {
        const name = (target.base.metadata as { name: string }).name;
        const path = verb === "POST" ? collection(target) : `${collection(target)}/${name}`;
        const ct =
          verb === "PATCH" && body.contentType === "application/json"
            ? "application/merge-patch+json"
            : body.contentType;
        const q = validation ? `?fieldValidation=${validation}` : "";
        const r = await h.client.req(verb, `${path}${q}`, body.body, { "Content-Type": ct });
        assert.ok(
          r.status >= 200 && r.status < 500,
          `${verb} ${path} ${ct} -> ${r.status} ${r.text.slice(0, 300)}`,
        );
        if (r.status >= 400) {
          const s = JSON.parse(r.text) as { kind?: string; code?: number };
          assert.equal(s.kind, "Status", r.text.slice(0, 300));
          assert.equal(s.code, r.status);
        }
      }),
      { numRuns: RUNS },
    );
    const health = await h.client.req("GET", "/readyz");
    assert.equal(health.status, 200);
  });

  it("every stored object passes validation", async () => {
    for (const t of TARGETS) {
      const def = resources.find(
        (d) => d.group === t.group && d.version === t.version && d.resource === t.resource,
      );
      assert.ok(def);
      const r = await h.client.req("GET", collection(t));
      assert.equal(r.status, 200, r.text);
      const items = (JSON.parse(r.text) as { items: KubeObject[] }).items;
      assert.ok(items.length >= 1);
      for (const o of items) {
        const errs: unknown[] = [
          ...validatePathSegmentName(o.metadata?.name ?? ""),
          ...(def.validate?.(o) ?? []),
        ];
        assert.deepEqual(errs, [], `${t.resource}/${o.metadata?.name}: ${JSON.stringify(errs)}`);
      }
    }
  });
});
