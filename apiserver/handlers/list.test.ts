import assert from "node:assert/strict";
import { createServer, get } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import type { StoredObject } from "../../pkg/api/types.js";
import type { CachedObject } from "../watchcache/cache.js";
import { decodeContinue } from "../watchcache/continue-token.js";
import { listParts, pageOf, writeParts } from "./list.js";

const P = "/registry/pods/";

function store(names: string[]): { keys: string[]; items: Map<string, CachedObject> } {
  const items = new Map<string, CachedObject>();
  for (const n of names) {
    const [namespace = "", name = ""] = n.split("/");
    const key = P + n;
    const obj = { apiVersion: "v1", kind: "Pod", metadata: { name, namespace } } as StoredObject;
    items.set(key, { key, namespace, name, rv: 1, obj });
  }
  return { keys: [...items.keys()].sort(), items };
}

describe("pageOf", () => {
  const { keys, items } = store(["a/1", "a/2", "a/3", "b/1", "b/2", "c/1"]);
  const all = () => true;
  const names = (p: { items: CachedObject[] }) => p.items.map((o) => `${o.namespace}/${o.name}`);
  const cases: {
    name: string;
    prefix: string;
    limit: number;
    pred?: (o: CachedObject) => boolean;
    selective?: boolean;
    want: string[];
    start?: string;
    remaining?: number;
  }[] = [
    { name: "everything", prefix: P, limit: 0, want: ["a/1", "a/2", "a/3", "b/1", "b/2", "c/1"] },
    { name: "one namespace", prefix: `${P}b/`, limit: 0, want: ["b/1", "b/2"] },
    { name: "a missing namespace", prefix: `${P}bb/`, limit: 0, want: [] },
    { name: "limit", prefix: P, limit: 2, want: ["a/1", "a/2"], start: "a/3", remaining: 4 },
    {
      name: "limit in a namespace",
      prefix: `${P}a/`,
      limit: 2,
      want: ["a/1", "a/2"],
      start: "3",
      remaining: 1,
    },
    { name: "limit equal to the count", prefix: `${P}a/`, limit: 3, want: ["a/1", "a/2", "a/3"] },
    {
      name: "selective: no remaining count",
      prefix: P,
      limit: 1,
      pred: (o) => o.name === "1",
      selective: true,
      want: ["a/1"],
      start: "b/1",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const page = pageOf(keys, items, c.prefix, c.pred ?? all, c.selective ?? false, c.limit, 42);
      assert.deepEqual(names(page), c.want);
      assert.equal(page.rv, 42);
      if (c.start === undefined) assert.equal(page.continueToken, undefined);
      else assert.deepEqual(decodeContinue(page.continueToken!), { rv: 42, start: c.start });
      assert.equal(page.remaining, c.remaining);
    });
  }
});

describe("listParts", () => {
  it("separates items with commas", () => {
    const b = (s: string) => Buffer.from(s);
    const join = (xs: Buffer[]) => Buffer.concat(xs).toString();
    assert.equal(join(listParts(b("["), [], b("]"))), "[]");
    assert.equal(join(listParts(b("["), [b("1")], b("]"))), "[1]");
    assert.equal(join(listParts(b("["), [b("1"), b("2"), b("3")], b("]"))), "[1,2,3]");
  });
});

describe("writeParts", () => {
  it("sends every byte with an exact Content-Length, across many batches", async () => {
    const item = Buffer.from(`{"pad":"${"é".repeat(3000)}"}`);
    const parts = listParts(
      Buffer.from("["),
      Array.from({ length: 500 }, () => item),
      Buffer.from("]"),
    );
    const server = createServer((_req, res) => void writeParts(res, 200, parts, "application/json"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const { port } = server.address() as AddressInfo;
      const { length, body } = await new Promise<{ length: number; body: Buffer }>((resolve, reject) => {
        get({ host: "127.0.0.1", port, path: "/" }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({ length: Number(res.headers["content-length"]), body: Buffer.concat(chunks) }),
          );
          res.on("error", reject);
        }).on("error", reject);
      });
      const want = Buffer.concat(parts);
      assert.equal(length, want.length);
      assert.ok(body.equals(want));
      assert.equal((JSON.parse(body.toString()) as unknown[]).length, 500);
    } finally {
      server.close();
    }
  });
});
