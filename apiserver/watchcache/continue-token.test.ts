import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeContinue, encodeContinue } from "./continue-token.js";

describe("continue tokens", () => {
  it("round-trip", () => {
    assert.deepEqual(decodeContinue(encodeContinue({ rv: 42, start: "default/web" })), {
      rv: 42,
      start: "default/web",
    });
  });
  it("reject garbage and traversal with 400", () => {
    assert.throws(
      () => decodeContinue("!!!"),
      (e: { code?: number }) => e.code === 400,
    );
    const evil = Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv: 1, start: "../x" })).toString(
      "base64url",
    );
    assert.throws(
      () => decodeContinue(evil),
      (e: { code?: number }) => e.code === 400,
    );
  });
});
