import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { kubeletTlsOptions } from "./client.js";

describe("kubeletTlsOptions", () => {
  it("shares one TLS context per client configuration, verifying each node's name", () => {
    const cfg = {};
    const a = kubeletTlsOptions(cfg, "node-1");
    const b = kubeletTlsOptions(cfg, "node-2");
    assert.ok(a.secureContext);
    assert.equal(a.secureContext, b.secureContext);
    assert.notEqual(kubeletTlsOptions({}, "node-1").secureContext, a.secureContext);
    assert.equal(a.rejectUnauthorized, false, "no CA: the serving certificate is not verified");
  });
});
