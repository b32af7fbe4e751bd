import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseRequestInfo } from "./request-info.js";

const q = (s = "") => new URLSearchParams(s);

describe("parseRequestInfo", () => {
  const cases: [string, string, string, Record<string, unknown>][] = [
    [
      "GET",
      "/api/v1/namespaces/default/pods",
      "",
      { verb: "list", namespace: "default", resource: "pods", name: "" },
    ],
    ["GET", "/api/v1/namespaces/default/pods", "watch=true", { verb: "watch", resource: "pods" }],
    ["GET", "/api/v1/watch/namespaces/default/pods/x", "", { verb: "watch", name: "x" }],
    ["GET", "/api/v1/pods", "", { verb: "list", namespace: "", resource: "pods" }],
    ["POST", "/apis/apps/v1/namespaces/ns/deployments", "", { verb: "create", group: "apps", version: "v1" }],
    [
      "PATCH",
      "/apis/apps/v1/namespaces/ns/deployments/web/scale",
      "",
      { verb: "patch", name: "web", subresource: "scale" },
    ],
    ["DELETE", "/api/v1/namespaces/ns/configmaps", "", { verb: "deletecollection" }],
    [
      "GET",
      "/api/v1/namespaces/kube-system",
      "",
      { verb: "get", resource: "namespaces", name: "kube-system", namespace: "" },
    ],
    [
      "PUT",
      "/api/v1/namespaces/doomed/finalize",
      "",
      { verb: "update", resource: "namespaces", name: "doomed", subresource: "finalize" },
    ],
    ["GET", "/api/v1/namespaces/ns/pods/p/proxy/a/b", "", { subresource: "proxy", rest: "/a/b" }],
  ];
  for (const [method, path, query, want] of cases) {
    it(`${method} ${path}?${query}`, () => {
      const info = parseRequestInfo(method, path, q(query));
      assert.ok(info.isResourceRequest);
      for (const [k, v] of Object.entries(want))
        assert.equal((info as unknown as Record<string, unknown>)[k], v, k);
    });
  }
  it("non-resource paths", () => {
    for (const p of ["/version", "/healthz", "/api", "/apis", "/apis/apps", "/openapi/v3"]) {
      assert.equal(parseRequestInfo("GET", p, q()).isResourceRequest, false, p);
    }
  });
});
