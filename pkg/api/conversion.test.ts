import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DEPRECATED_TEMPLATE_GENERATION,
  daemonSetFromV1,
  daemonSetToV1,
  eventFromCore,
  eventToCore,
} from "./conversion.js";
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

describe("Event: events.k8s.io/v1 <-> the core/v1 storage version", () => {
  const core = {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: "web.1", namespace: "default", resourceVersion: "7" },
    involvedObject: { kind: "Pod", namespace: "default", name: "web", uid: "u1", apiVersion: "v1" },
    reason: "Scheduled",
    message: "Successfully assigned default/web to node-1",
    source: { component: "default-scheduler" },
    firstTimestamp: "2026-11-24T07:00:00Z",
    lastTimestamp: "2026-11-24T07:00:05Z",
    count: 2,
    type: "Normal",
    eventTime: null,
    reportingComponent: "default-scheduler",
    reportingInstance: "scheduler-1",
  } as unknown as KubeObject;

  it("renames the fields as upstream's conversion does", () => {
    assert.deepEqual(eventFromCore(core), {
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata: { name: "web.1", namespace: "default", resourceVersion: "7" },
      regarding: { kind: "Pod", namespace: "default", name: "web", uid: "u1", apiVersion: "v1" },
      reason: "Scheduled",
      note: "Successfully assigned default/web to node-1",
      deprecatedSource: { component: "default-scheduler" },
      deprecatedFirstTimestamp: "2026-11-24T07:00:00Z",
      deprecatedLastTimestamp: "2026-11-24T07:00:05Z",
      deprecatedCount: 2,
      type: "Normal",
      eventTime: null,
      reportingController: "default-scheduler",
      reportingInstance: "scheduler-1",
    });
  });

  it("round-trips, leaves absent fields absent and does not modify its input", () => {
    const copy = structuredClone(core);
    assert.deepEqual(eventToCore(eventFromCore(core)), core);
    assert.deepEqual(core, copy);
    const bare = { apiVersion: "events.k8s.io/v1", kind: "Event", metadata: { name: "e" }, note: "n" };
    assert.deepEqual(eventToCore(bare as KubeObject), {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: "e" },
      message: "n",
    });
  });
});
