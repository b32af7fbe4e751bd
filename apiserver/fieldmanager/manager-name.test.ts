import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  invalidOptionsStatus,
  managerOrUserAgent,
  parseForce,
  prefixFromUserAgent,
  validatePatchOptions,
} from "./manager-name.js";

describe("prefixFromUserAgent", () => {
  const cases: [string, string][] = [
    ["kubectl/v1.32.4 (linux/amd64) kubernetes/abc", "kubectl"],
    [
      "kube-controller-manager/v1.32.0 (linux/amd64) kubernetes/70d3cc9/system:serviceaccount:kube-system:deployment-controller",
      "kube-controller-manager",
    ],
    ["Go-http-client/1.1", "Go-http-client"],
    ["node-fetch", "node-fetch"],
    ["a\tb/1", "ab"],
    ["", ""],
    ["x".repeat(200), "x".repeat(128)],
  ];
  for (const [ua, want] of cases)
    it(JSON.stringify(ua.slice(0, 40)), () => assert.equal(prefixFromUserAgent(ua), want));

  it("?fieldManager= wins over the User-Agent", () => {
    assert.equal(managerOrUserAgent("kubectl-edit", "kubectl/v1.32.4"), "kubectl-edit");
    assert.equal(managerOrUserAgent(undefined, "kubectl/v1.32.4 (linux/amd64)"), "kubectl");
    assert.equal(managerOrUserAgent("", undefined), "");
  });
});

describe("validatePatchOptions", () => {
  const cases: [string, boolean, string | undefined, string | undefined, string][] = [
    ["apply with a manager", true, "kubectl", "false", ""],
    [
      "apply without one",
      true,
      undefined,
      "false",
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    ],
    [
      "force on another patch",
      false,
      "kubectl-patch",
      "true",
      'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
    ],
    ["a strategic patch", false, "kubectl-edit", undefined, ""],
    [
      "a manager too long",
      true,
      "m".repeat(129),
      undefined,
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes',
    ],
  ];
  for (const [name, isApply, manager, force, want] of cases) {
    it(name, () => {
      const errs = validatePatchOptions(isApply, manager, force);
      assert.equal(errs.length ? invalidOptionsStatus("PatchOptions", errs).message : "", want);
    });
  }

  it("answers 422 Invalid with the causes", () => {
    const s = invalidOptionsStatus("PatchOptions", validatePatchOptions(true, "", undefined));
    assert.equal(s.code, 422);
    assert.equal(s.reason, "Invalid");
    assert.deepEqual(s.details, {
      group: "meta.k8s.io",
      kind: "PatchOptions",
      causes: [
        {
          reason: "FieldValueRequired",
          message: "Required value: is required for apply patch",
          field: "fieldManager",
        },
      ],
    });
  });

  it("parses ?force= as Go's ParseBool", () => {
    assert.deepEqual(["true", "1", "false", undefined, "yes"].map(parseForce), [
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});
