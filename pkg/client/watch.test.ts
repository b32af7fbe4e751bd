import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ConfigMap } from "kubernetes-types/core/v1";
import { isGone } from "./errors.js";
import { ConfigMaps } from "./gvr.js";
import { RestClient } from "./rest.js";
import { FakeApiServer } from "./testing/fakeserver.js";
import type { WatchEvent } from "./types.js";
import { listAndWatch, WatchDecoder } from "./watch.js";

const ev = (type: string, name: string, rv: string) =>
  `${JSON.stringify({ type, object: { kind: "Pod", metadata: { name, resourceVersion: rv } } })}\n`;

describe("WatchDecoder", () => {
  it("decodes events split anywhere across chunks", () => {
    const text = ev("ADDED", "a", "1") + ev("MODIFIED", "a", "2") + ev("DELETED", "a", "3");
    for (let cut1 = 0; cut1 < text.length; cut1 += 7) {
      for (const cut2 of [cut1 + 1, cut1 + 50, text.length]) {
        const d = new WatchDecoder();
        const out = [
          ...d.push(text.slice(0, cut1)),
          ...d.push(text.slice(cut1, cut2)),
          ...d.push(text.slice(cut2)),
          ...d.end(),
        ];
        assert.deepEqual(
          out.map((e) => e.type),
          ["ADDED", "MODIFIED", "DELETED"],
          `cuts ${cut1}/${cut2}`,
        );
      }
    }
  });

  it("keeps multi-byte characters split between Buffers intact", () => {
    const text = `${JSON.stringify({ type: "ADDED", object: { metadata: { name: "ünïcødé-✓" } } })}\n`;
    const buf = Buffer.from(text);
    const idx = buf.indexOf(Buffer.from("✓")) + 1; // in the middle of the 3-byte sequence
    const d = new WatchDecoder<{ metadata: { name: string } }>();
    const out = [...d.push(buf.subarray(0, idx)), ...d.push(buf.subarray(idx))];
    assert.equal(out[0]?.object.metadata.name, "ünïcødé-✓");
  });

  it("skips and reports malformed lines without throwing", () => {
    const bad: string[] = [];
    const d = new WatchDecoder((line, reason) => bad.push(`${line} | ${reason}`));
    const out = d.push(
      `{not json\n${ev("ADDED", "a", "1")}{"type":"WHAT","object":{}}\n["x"]\n\n${ev("DELETED", "a", "2")}`,
    );
    assert.deepEqual(
      out.map((e) => e.type),
      ["ADDED", "DELETED"],
    );
    assert.equal(bad.length, 3);
  });

  it("decodes a last event without a trailing newline at end()", () => {
    const d = new WatchDecoder();
    assert.equal(d.push(ev("ADDED", "a", "1").trim()).length, 0);
    assert.equal(d.end().length, 1);
  });
});

describe("watch against the fake apiserver", () => {
  let server: FakeApiServer;
  let client: RestClient;
  before(async () => {
    server = await FakeApiServer.start({ bookmarkIntervalMs: 50 });
    client = new RestClient(server.clientConfig());
  });
  after(async () => {
    client.close();
    await server.stop();
  });

  it("streams events from a resourceVersion and throws 410 as ApiError", async () => {
    const cms = client.resource(ConfigMaps, "w1");
    const first = await cms.create({ metadata: { name: "a" } });
    await cms.patch("a", { data: { x: "1" } });
    const ac = new AbortController();
    const seen: string[] = [];
    for await (const e of cms.watch({
      resourceVersion: first.metadata?.resourceVersion,
      signal: ac.signal,
    })) {
      if (e.type === "BOOKMARK") continue;
      seen.push(`${e.type}:${e.object.metadata?.name}`);
      if (seen.length === 1) await cms.delete("a");
      if (seen.length === 2) ac.abort();
    }
    assert.deepEqual(seen, ["MODIFIED:a", "DELETED:a"]);
    server.compact();
    await assert.rejects(async () => {
      for await (const _ of cms.watch({ resourceVersion: first.metadata?.resourceVersion })) {
        // nothing
      }
    }, isGone);
  });

  it("listAndWatch resumes after dropped streams and relists after 410", async () => {
    const cms = client.resource(ConfigMaps, "w2");
    await cms.create({ metadata: { name: "before" } });
    const ac = new AbortController();
    const state = new Map<string, ConfigMap>();
    const log: string[] = [];
    let replaces = 0;
    const done = listAndWatch(
      cms,
      {
        replace(items) {
          replaces++;
          state.clear();
          for (const i of items) state.set(i.metadata!.name!, i);
          log.push(`replace:${items.length}`);
        },
        event(e: WatchEvent<ConfigMap>) {
          if (e.type === "BOOKMARK") return;
          log.push(`${e.type}:${e.object.metadata?.name}`);
          if (e.type === "DELETED") state.delete(e.object.metadata!.name!);
          else state.set(e.object.metadata!.name!, e.object);
        },
      },
      { signal: ac.signal, backoff: { initialMs: 20, maxMs: 100 } },
    );
    const until = async (cond: () => boolean, what: string) => {
      const deadline = Date.now() + 5000;
      while (!cond()) {
        if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}: ${log.join(", ")}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await until(() => state.has("before"), "initial list");
    await cms.create({ metadata: { name: "one" } });
    await until(() => state.has("one"), "ADDED one");

    // The stream drops; a change happens meanwhile; the watch resumes from the last resourceVersion.
    server.closeWatches();
    await cms.create({ metadata: { name: "two" } });
    await until(() => state.has("two"), "resume after drop");
    assert.equal(replaces, 1, "a dropped stream resumes without relisting");

    // History is compacted while disconnected: the resume gets 410 and relists.
    server.failNext({ code: 500, count: 2, match: (m, p) => m === "GET" && p.includes("configmaps") });
    server.closeWatches();
    await cms.delete("one");
    server.compact();
    await until(() => replaces === 2 && !state.has("one"), "relist after 410");
    await cms.create({ metadata: { name: "three" } });
    await until(() => state.has("three"), "watch after relist");
    ac.abort();
    await done;
    assert.deepEqual([...state.keys()].sort(), ["before", "three", "two"]);
    // As client-go's reflector: the first list at any revision ("0", answered whole from a watch cache),
    // the relist after 410 consistent (no resourceVersion).
    const lists = server.requests.filter(
      (r) =>
        r.method === "GET" && r.path.endsWith("/namespaces/w2/configmaps") && r.query.watch === undefined,
    );
    const listed = lists.map((r) => r.query.resourceVersion ?? "");
    assert.equal(listed[0], "0", JSON.stringify(listed));
    assert.equal(listed.at(-1), "", JSON.stringify(listed));
  });
});
