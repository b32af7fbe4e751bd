import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { resources } from "../../pkg/api/resources.js";
import { Catalogue } from "../registry/catalogue.js";
import { acceptsGzip, docBody, OpenApiV3, openApiDocs } from "./openapi.js";

describe("acceptsGzip", () => {
  const cases: [string | undefined, boolean][] = [
    [undefined, false],
    ["", false],
    ["gzip", true],
    ["deflate, gzip", true],
    ["GZIP;q=0.5", true],
    ["*", true],
    ["gzip;q=0", false],
    ["identity", false],
    ["br, deflate", false],
  ];
  for (const [header, want] of cases) {
    it(`${JSON.stringify(header)} -> ${want}`, () => assert.equal(acceptsGzip(header), want));
  }
});

describe("OpenApiV3", () => {
  const cat = new Catalogue(resources);
  const v3 = OpenApiV3.build(cat, null);

  it("indexes every group-version document by its JSON's hash, and keeps the documents gzipped", () => {
    const json = [...openApiDocs(cat, null)];
    assert.ok(json.length > 10);
    const paths = v3.index().paths as Record<string, { serverRelativeURL: string }>;
    assert.deepEqual(
      Object.keys(paths),
      json.map((d) => d.key),
    );
    for (const d of json) {
      assert.equal(paths[d.key]?.serverRelativeURL, `/openapi/v3/${d.key}?hash=${d.hash}`);
      const kept = v3.doc(d.key)!;
      assert.equal(kept.hash, d.hash);
      assert.equal(kept.length, Buffer.byteLength(d.body));
      assert.equal(gunzipSync(kept.gzip).toString(), d.body);
    }
    assert.equal(v3.doc("apis/nope/v1"), undefined);
  });

  it("answers gzip to clients that take it and JSON to the others", () => {
    const doc = v3.doc("api/v1")!;
    const zipped = docBody(doc, "gzip");
    assert.equal(zipped.gzip, true);
    assert.equal(zipped.body, doc.gzip);
    const plain = docBody(doc, undefined);
    assert.equal(plain.gzip, false);
    assert.equal(plain.body.length, doc.length);
    assert.equal(JSON.parse(plain.body.toString()).openapi, "3.0.0");
  });
});
