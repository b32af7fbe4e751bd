import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { alreadyExists, conflict, invalid, notFound } from "./status.js";

describe("status errors", () => {
  it("forms Kubernetes' messages", () => {
    assert.equal(
      notFound({ group: "apps", resource: "deployments" }, "x").message,
      'deployments.apps "x" not found',
    );
    assert.equal(notFound({ group: "", resource: "pods" }, "x").status.details?.kind, "pods");
    assert.equal(alreadyExists({ group: "", resource: "configmaps" }, "c").status.code, 409);
    assert.equal(
      conflict({ group: "apps", resource: "deployments" }, "x").message,
      'Operation cannot be fulfilled on deployments.apps "x": the object has been modified; please apply your changes to the latest version and try again',
    );
  });
  it("invalid: one error bare, several in brackets, causes with fields", () => {
    const one = invalid("apps", "Deployment", "x", [
      {
        type: "FieldValueInvalid",
        field: "spec.replicas",
        message: "Invalid value: -1: must be greater than or equal to 0",
      },
    ]);
    assert.equal(
      one.message,
      'Deployment.apps "x" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    );
    assert.equal(one.status.details?.kind, "Deployment");
    assert.deepEqual(one.status.details?.causes, [
      {
        reason: "FieldValueInvalid",
        message: "Invalid value: -1: must be greater than or equal to 0",
        field: "spec.replicas",
      },
    ]);
    const two = invalid("", "Pod", "p", [
      { type: "FieldValueRequired", field: "spec.containers", message: "Required value" },
      { type: "FieldValueRequired", field: "metadata.name", message: "Required value" },
    ]);
    assert.equal(
      two.message,
      'Pod "p" is invalid: [spec.containers: Required value, metadata.name: Required value]',
    );
    assert.equal(two.status.code, 422);
  });
});
