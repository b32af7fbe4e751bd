import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEPRECATED_TEMPLATE_GENERATION, daemonSetFromV1, daemonSetToV1 } from "./conversion.js";
import type { KubeObject } from "./types.js";

describe("extensions/v1beta1 DaemonSet <-> apps/v1", () => {
  const beta: KubeObject = {
    apiVersion: "extensions/v1beta1",
    kind: "DaemonSet",
    metadata: { name: "ds", annotations: { note: "x" } },
    spec: { templateGeneration: 2, template: { metadata: { labels: { app: "a" } } } },
  };

  it("spec.templateGeneration becomes the annotation, and back", () => {
    const v1 = daemonSetToV1(beta);
    assert.equal(v1.apiVersion, "apps/v1");
    assert.deepEqual(v1.metadata?.annotations, { note: "x", [DEPRECATED_TEMPLATE_GENERATION]: "2" });
    assert.equal((v1.spec as Record<string, unknown>).templateGeneration, undefined);
    assert.deepEqual(daemonSetFromV1(v1, "extensions/v1beta1"), beta);
    assert.equal((beta.spec as Record<string, unknown>).templateGeneration, 2, "input not modified");
  });

  it("an annotation that was the only one leaves no annotations map", () => {
    const v1: KubeObject = {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "ds", annotations: { [DEPRECATED_TEMPLATE_GENERATION]: "1" } },
      spec: {},
    };
    assert.deepEqual(daemonSetFromV1(v1, "extensions/v1beta1"), {
      apiVersion: "extensions/v1beta1",
      kind: "DaemonSet",
      metadata: { name: "ds" },
      spec: { templateGeneration: 1 },
    });
  });

  it("without the field or the annotation only apiVersion changes", () => {
    const plain: KubeObject = { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "d" }, spec: {} };
    assert.deepEqual(daemonSetFromV1(plain, "extensions/v1beta1"), {
      ...plain,
      apiVersion: "extensions/v1beta1",
    });
    assert.deepEqual(daemonSetToV1({ ...plain, apiVersion: "extensions/v1beta1" }), plain);
  });
});
