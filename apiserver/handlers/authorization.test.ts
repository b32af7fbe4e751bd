import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  accessReviewStatus,
  attributesOf,
  isReviewResource,
  rulesReviewStatus,
  validateAttributes,
  validateLocalSubjectAccessReview,
  validateSubjectAccessReview,
} from "./authorization.js";

describe("access reviews", () => {
  it("are the five review resources", () => {
    assert.ok(isReviewResource("authorization.k8s.io", "selfsubjectaccessreviews"));
    assert.ok(isReviewResource("authorization.k8s.io", "localsubjectaccessreviews"));
    assert.ok(isReviewResource("authentication.k8s.io", "selfsubjectreviews"));
    assert.ok(!isReviewResource("authentication.k8s.io", "selfsubjectaccessreviews"));
    assert.ok(!isReviewResource("", "pods"));
  });

  const cases: [string, string[], string[]][] = [
    [
      "self: resource attributes",
      validateAttributes({ resourceAttributes: { verb: "get" } }).map((e) => e.message),
      [],
    ],
    [
      "self: neither",
      validateAttributes({}).map((e) => `${e.field}: ${e.message}`),
      [
        'spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
      ],
    ],
    [
      "self: both",
      validateAttributes({ resourceAttributes: {}, nonResourceAttributes: { path: "/x", verb: "get" } }).map(
        (e) => `${e.field}: ${e.message}`,
      ),
      [
        'spec.nonResourceAttributes: Invalid value: authorization.NonResourceAttributes{Path:"/x", Verb:"get"}: cannot be specified in combination with resourceAttributes',
      ],
    ],
    [
      "subject: no user nor group",
      validateSubjectAccessReview({ resourceAttributes: {} }).map((e) => `${e.field}: ${e.message}`),
      ['spec.user: Invalid value: "": at least one of user or group must be specified'],
    ],
    [
      "subject: a group will do",
      validateSubjectAccessReview({ resourceAttributes: {}, groups: ["g"] }).map((e) => e.message),
      [],
    ],
    [
      "local: namespaces must match",
      validateLocalSubjectAccessReview({ resourceAttributes: { namespace: "a" }, user: "u" }, "b").map(
        (e) => `${e.field}: ${e.message}`,
      ),
      ['spec.resourceAttributes.namespace: Invalid value: "a": must match metadata.namespace'],
    ],
  ];
  for (const [name, got, want] of cases) it(name, () => assert.deepEqual(got, want));

  it("attributes of a review", () => {
    assert.deepEqual(
      attributesOf({ resourceAttributes: { verb: "get", resource: "pods", namespace: "d" } }),
      {
        verb: "get",
        group: "",
        resource: "pods",
        subresource: "",
        namespace: "d",
        name: "",
      },
    );
    assert.deepEqual(attributesOf({ nonResourceAttributes: { verb: "get", path: "/healthz" } }), {
      verb: "get",
      path: "/healthz",
    });
  });

  it("statuses as the API serializes them (omitempty)", () => {
    assert.deepEqual(accessReviewStatus({ allowed: false, reason: "" }), { allowed: false });
    assert.deepEqual(accessReviewStatus({ allowed: true, reason: "RBAC: allowed by x" }), {
      allowed: true,
      reason: "RBAC: allowed by x",
    });
    assert.deepEqual(
      rulesReviewStatus({
        rules: [
          { verbs: ["get"], apiGroups: [""], resources: ["pods"] },
          { verbs: ["get"], nonResourceURLs: ["/api"] },
        ],
        incomplete: false,
        errors: ['role.rbac.authorization.k8s.io "x" not found'],
      }),
      {
        resourceRules: [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }],
        nonResourceRules: [{ verbs: ["get"], nonResourceURLs: ["/api"] }],
        incomplete: false,
        evaluationError: 'role.rbac.authorization.k8s.io "x" not found',
      },
    );
  });
});
