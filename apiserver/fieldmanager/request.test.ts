import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { endpointOptions, type WriteVerb, writeManagerOf } from "./request.js";

const KUBECTL_UA = "kubectl/v1.32.4 (linux/amd64) kubernetes/abc";

describe("writeManagerOf", () => {
  const cases: [string, WriteVerb, boolean, string, string | undefined, string, boolean][] = [
    // name, verb, apply, query, user agent, manager or message, force
    [
      "create with ?fieldManager=",
      "create",
      false,
      "fieldManager=kubectl-create",
      KUBECTL_UA,
      "kubectl-create",
      false,
    ],
    ["create without: the User-Agent's first token", "create", false, "", KUBECTL_UA, "kubectl", false],
    ["update without either", "update", false, "", undefined, "", false],
    ["?force= means nothing to a PUT", "update", false, "force=true", KUBECTL_UA, "kubectl", false],
    ["a merge patch", "patch", false, "fieldManager=kubectl-label", KUBECTL_UA, "kubectl-label", false],
    ["an apply", "patch", true, "fieldManager=kubectl&force=false", KUBECTL_UA, "kubectl", false],
    ["a forced apply", "patch", true, "fieldManager=kubectl&force=true", KUBECTL_UA, "kubectl", true],
    [
      "an apply without a manager (the User-Agent does not count)",
      "patch",
      true,
      "force=false",
      KUBECTL_UA,
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      false,
    ],
    [
      "?force= on a strategic merge patch",
      "patch",
      false,
      "fieldManager=kubectl-edit&force=false",
      KUBECTL_UA,
      'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
      false,
    ],
    [
      "a manager with a tab, on create",
      "create",
      false,
      "fieldManager=a%09b",
      KUBECTL_UA,
      'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Invalid value: "a\\tb": invalid character U+0009 (at position 1)',
      false,
    ],
    [
      "a manager too long, on update",
      "update",
      false,
      `fieldManager=${"m".repeat(129)}`,
      KUBECTL_UA,
      'UpdateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes',
      false,
    ],
  ];
  for (const [name, verb, isApply, query, ua, want, force] of cases) {
    it(name, () => {
      const r = writeManagerOf(verb, isApply, new URLSearchParams(query), ua);
      if (r.ok) assert.deepEqual(r, { ok: true, manager: want, force });
      else {
        assert.equal(r.status.message, want);
        assert.equal(r.status.code, 422);
        assert.equal(r.status.reason, "Invalid");
      }
    });
  }
});

describe("endpointOptions", () => {
  const now = () => new Date(0);
  it("the main resource of a kind with /status: status is never owned there", () => {
    const { gvk, opts } = endpointOptions(
      { group: "apps", version: "v1", kind: "Deployment", hasStatus: true },
      "",
      now,
    );
    assert.deepEqual(gvk, { group: "apps", version: "v1", kind: "Deployment" });
    assert.deepEqual(opts.resetFields, [["status"]]);
    assert.equal(opts.subresource, "");
  });

  it("/status of a pod: spec and the metadata its strategy resets", () => {
    const { opts } = endpointOptions(
      { group: "", version: "v1", kind: "Pod", hasStatus: true },
      "status",
      now,
    );
    assert.deepEqual(opts.resetFields, [
      ["spec"],
      ["metadata", "deletionTimestamp"],
      ["metadata", "ownerReferences"],
    ]);
    assert.equal(opts.subresource, "status");
  });

  it("a kind without /status resets nothing", () => {
    const { opts } = endpointOptions({ group: "", version: "v1", kind: "ConfigMap" }, "", now);
    assert.deepEqual(opts.resetFields, []);
  });
});
