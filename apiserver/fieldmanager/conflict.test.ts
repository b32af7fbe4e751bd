import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { conflictMessage, conflictStatus, printManager } from "./conflict.js";
import type { Path } from "./pathelement.js";

const data = (k: string): Path => [{ field: "data" }, { field: k }];

describe("printManager", () => {
  const cases: [string, string][] = [
    ['{"manager":"kubectl","operation":"Apply"}', '"kubectl"'],
    [
      '{"manager":"kubectl-client-side-apply","operation":"Update","apiVersion":"v1"}',
      '"kubectl-client-side-apply" using v1',
    ],
    [
      '{"manager":"kubelet","operation":"Update","apiVersion":"v1","subresource":"status"}',
      '"kubelet" with subresource "status" using v1',
    ],
    ["not json", '"not json"'],
  ];
  for (const [id, want] of cases) it(want, () => assert.equal(printManager(id), want));
});

describe("conflict Status", () => {
  const csa = '{"manager":"kubectl-client-side-apply","operation":"Update","apiVersion":"v1"}';
  const ctl = '{"manager":"kubectl","operation":"Apply"}';

  it("one conflict: the text kubectl prints after `error: `", () => {
    assert.equal(
      conflictMessage([{ manager: csa, path: data("a") }]),
      'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.a',
    );
  });

  it("several: grouped by manager, sorted", () => {
    const msg = conflictMessage([
      { manager: csa, path: data("a") },
      { manager: ctl, path: data("c") },
      { manager: csa, path: data("b") },
    ]);
    assert.equal(
      msg,
      [
        'Apply failed with 3 conflicts: conflicts with "kubectl":',
        "- .data.c",
        'conflicts with "kubectl-client-side-apply" using v1:',
        "- .data.a",
        "- .data.b",
      ].join("\n"),
    );
  });

  it("409 Conflict with a FieldManagerConflict cause per field", () => {
    assert.deepEqual(conflictStatus([{ manager: csa, path: data("a") }]), {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.a',
      reason: "Conflict",
      details: {
        causes: [
          {
            reason: "FieldManagerConflict",
            message: 'conflict with "kubectl-client-side-apply" using v1',
            field: ".data.a",
          },
        ],
      },
      code: 409,
    });
  });
});
