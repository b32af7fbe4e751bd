import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fieldSelectorsFor, objectFieldValue } from "./field-selectors.js";
import type { StoredObject } from "./types.js";

describe("field selectors per kind", () => {
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web", namespace: "default" },
    spec: {
      nodeName: "node-1",
      restartPolicy: "Always",
      schedulerName: "default-scheduler",
      serviceAccountName: "default",
    },
    status: { phase: "Running", podIP: "10.244.1.5" },
  } as StoredObject;
  const cases: [string, string, StoredObject, string, string | undefined][] = [
    ["", "Pod", pod, "spec.nodeName", "node-1"],
    ["", "Pod", pod, "status.phase", "Running"],
    ["", "Pod", pod, "status.podIP", "10.244.1.5"],
    ["", "Pod", pod, "spec.hostNetwork", "false"],
    ["", "Pod", pod, "metadata.name", "web"],
    ["", "Pod", pod, "metadata.namespace", "default"],
    ["", "Pod", pod, "spec.unknown", undefined],
    [
      "",
      "Event",
      {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name: "e" },
        involvedObject: { kind: "Pod", name: "web" },
        source: { component: "kubelet" },
        reason: "Started",
        type: "Normal",
      } as StoredObject,
      "involvedObject.name",
      "web",
    ],
    [
      "",
      "Event",
      {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name: "e" },
        source: { component: "kubelet" },
      } as StoredObject,
      "source",
      "kubelet",
    ],
    [
      "",
      "Secret",
      { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, type: "Opaque" } as StoredObject,
      "type",
      "Opaque",
    ],
    [
      "",
      "Node",
      { apiVersion: "v1", kind: "Node", metadata: { name: "n" }, spec: {} } as StoredObject,
      "spec.unschedulable",
      "false",
    ],
    [
      "",
      "Namespace",
      {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: "n" },
        status: { phase: "Active" },
      } as StoredObject,
      "status.phase",
      "Active",
    ],
    [
      "batch",
      "Job",
      {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: { name: "j" },
        status: { succeeded: 1 },
      } as StoredObject,
      "status.successful",
      "1",
    ],
    [
      "apps",
      "ReplicaSet",
      { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "r" }, status: {} } as StoredObject,
      "status.replicas",
      "0",
    ],
  ];
  for (const [group, kind, obj, field, want] of cases) {
    it(`${kind} ${field}`, () =>
      assert.equal(objectFieldValue(fieldSelectorsFor(group, kind), obj, field), want));
  }
});
