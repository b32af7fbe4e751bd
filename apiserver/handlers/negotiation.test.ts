import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeEnvelope, encodeMessage } from "../../pkg/api/protobuf/index.js";
import { decodeObjectBody } from "./negotiation.js";
import { ApiError } from "./status.js";

describe("decodeObjectBody (YAML and protobuf decoders load on first use)", () => {
  const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" }, data: { k: "v" } };
  const yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n";
  const proto = Buffer.from(
    encodeEnvelope(
      "v1",
      "ConfigMap",
      encodeMessage("k8s.io.api.core.v1.ConfigMap", { metadata: { name: "a" }, data: { k: "v" } }),
    ),
  );
  const cases: [string, Buffer, string | undefined][] = [
    ["JSON", Buffer.from(JSON.stringify(cm)), "application/json"],
    ["JSON without a content type", Buffer.from(JSON.stringify(cm)), undefined],
    ["YAML", Buffer.from(yaml), "application/yaml"],
    ["YAML without a content type", Buffer.from(yaml), undefined],
    ["protobuf", proto, "application/vnd.kubernetes.protobuf"],
  ];
  for (const [name, body, contentType] of cases) {
    it(name, async () => {
      const obj = await decodeObjectBody(body, contentType);
      assert.equal(obj.kind, "ConfigMap");
      assert.equal(obj.metadata?.name, "a");
      assert.deepEqual(obj.data, { k: "v" });
    });
  }

  const bad: [string, Buffer, string | undefined, number, RegExp][] = [
    ["malformed JSON", Buffer.from("{"), "application/json", 400, /json parse error/],
    ["malformed YAML", Buffer.from("a: [\n"), "application/yaml", 400, /error converting YAML to JSON/],
    ["a YAML list", Buffer.from("- a\n"), "application/yaml", 400, /Object 'Kind' is missing/],
    ["truncated protobuf", Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0xff]), undefined, 400, /decoded/],
    ["JSON sent as protobuf", Buffer.from("{}"), "application/vnd.kubernetes.protobuf", 400, /prefix/],
    ["an unknown media type", Buffer.from("x"), "application/cbor", 415, /unknown format/],
  ];
  for (const [name, body, contentType, code, message] of bad) {
    it(`refuses ${name}`, async () => {
      await assert.rejects(
        decodeObjectBody(body, contentType),
        (e: unknown) => e instanceof ApiError && e.code === code && message.test(e.message),
      );
    });
  }
});
