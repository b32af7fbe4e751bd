import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Namespace, Secret, ServiceAccount } from "kubernetes-types/core/v1";
import {
  decideTokenSecret,
  missingDefaultServiceAccount,
  populatedTokenSecret,
  rootCAConfigMap,
} from "./decide.js";

const ns = (name: string, terminating = false): Namespace => ({
  metadata: { name, ...(terminating ? { deletionTimestamp: "2024-01-01T00:00:00Z" } : {}) },
  status: { phase: terminating ? "Terminating" : "Active" },
});
const sa: ServiceAccount = { metadata: { name: "default", namespace: "a", uid: "u1" } };
const CA = "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n";

describe("default service account", () => {
  it("is created in an active namespace without one", () => {
    assert.equal(missingDefaultServiceAccount(ns("a"), undefined)?.metadata?.name, "default");
    assert.equal(missingDefaultServiceAccount(ns("a"), undefined)?.metadata?.namespace, "a");
    assert.equal(missingDefaultServiceAccount(ns("a"), sa), undefined);
    assert.equal(missingDefaultServiceAccount(ns("a", true), undefined), undefined);
    assert.equal(missingDefaultServiceAccount(undefined, undefined), undefined);
  });
});

describe("kube-root-ca.crt", () => {
  it("creates, fixes and leaves alone", () => {
    const created = rootCAConfigMap(ns("a"), undefined, CA)?.create;
    assert.equal(created?.metadata?.name, "kube-root-ca.crt");
    assert.deepEqual(created?.data, { "ca.crt": CA });
    assert.equal(rootCAConfigMap(ns("a"), created, CA), undefined);
    const stale = { ...created, data: { "ca.crt": "old" } };
    assert.deepEqual(rootCAConfigMap(ns("a"), stale, CA)?.update?.data, { "ca.crt": CA });
    assert.equal(rootCAConfigMap(ns("a", true), undefined, CA), undefined);
  });
});

describe("token secrets", () => {
  const secret = (ann: Record<string, string>, data?: Record<string, string>): Secret => ({
    metadata: { name: "t", namespace: "a", annotations: ann },
    type: "kubernetes.io/service-account-token",
    data,
  });
  it("populates a new token secret", () => {
    const s = secret({ "kubernetes.io/service-account.name": "default" });
    const action = decideTokenSecret(s, sa, CA);
    assert.equal(action.kind, "populate");
    const out = populatedTokenSecret(s, sa, "jwt", CA);
    assert.equal(Buffer.from(out.data?.token ?? "", "base64").toString(), "jwt");
    assert.equal(Buffer.from(out.data?.namespace ?? "", "base64").toString(), "a");
    assert.equal(Buffer.from(out.data?.["ca.crt"] ?? "", "base64").toString(), CA);
    assert.equal(out.metadata?.annotations?.["kubernetes.io/service-account.uid"], "u1");
    assert.deepEqual(decideTokenSecret(out, sa, CA), { kind: "none" });
  });
  it("deletes a secret whose account is gone or was replaced", () => {
    assert.deepEqual(
      decideTokenSecret(secret({ "kubernetes.io/service-account.name": "x" }), undefined, CA),
      { kind: "delete" },
    );
    const old = secret({
      "kubernetes.io/service-account.name": "default",
      "kubernetes.io/service-account.uid": "u0",
    });
    assert.deepEqual(decideTokenSecret(old, sa, CA), { kind: "delete" });
  });
  it("ignores other secrets", () => {
    assert.deepEqual(decideTokenSecret({ metadata: { name: "o" }, type: "Opaque" }, sa, CA), {
      kind: "none",
    });
  });
});
