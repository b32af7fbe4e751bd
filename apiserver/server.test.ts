import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { requestURL } from "./server.js";

describe("requestURL", () => {
  it("gives what URL parsing gives, for plain and unusual request paths", () => {
    const cases = [
      "/api/v1/namespaces/default/pods",
      "/api/v1/namespaces/default/pods?labelSelector=app%3Dweb&limit=500",
      "/api/v1/namespaces/default/pods?fieldSelector=spec.nodeName=n1,status.phase!=Failed&watch=1",
      "/apis/apps/v1/namespaces/x/deployments/web/scale",
      "/api/v1/namespaces/default/pods/../secrets",
      "/api/v1/namespaces/default/pods/./a",
      "/api/v1/namespaces/de%66ault/pods",
      "//evil/api/v1/pods",
      "/a//b",
      "/api/v1/pods?x='y'&z=a b",
      "/openapi/v3/apis/apps/v1?hash=ABC",
      "/.well-known/openid-configuration",
      "/api/v1/pods#frag",
      "/",
      "/healthz?verbose",
    ];
    for (const raw of cases) {
      const want = new URL(raw, "https://apiserver");
      const got = requestURL(raw);
      assert.equal(got.pathname, want.pathname, raw);
      assert.deepEqual([...got.searchParams], [...want.searchParams], raw);
    }
    assert.equal(requestURL(undefined).pathname, "/");
  });
});
