// The access-review resources, answered and never stored (pkg/registry/authorization/*,
// pkg/registry/authentication/selfsubjectreview): authorization.k8s.io/v1 selfsubjectaccessreviews
// (`kubectl auth can-i`), subjectaccessreviews, localsubjectaccessreviews, selfsubjectrulesreviews
// (`kubectl auth can-i --list`) and authentication.k8s.io/v1 selfsubjectreviews (`kubectl auth whoami`).

import type { FieldError, KubeObject } from "../../pkg/api/types.js";
import type { UserInfo } from "../auth/authn.js";
import type { Authorizer } from "../auth/authz.js";
import { type AuthzAttributes, aggregateErrors, type Decision } from "../auth/rbac.js";
import { decodeObjectBody, readBody } from "./negotiation.js";
import { writeJson } from "./response.js";
import type { ApiContext, RequestScope } from "./scope.js";
import { badRequest, invalid, methodNotSupported } from "./status.js";

export const AUTHORIZATION_GROUP = "authorization.k8s.io";
export const AUTHENTICATION_GROUP = "authentication.k8s.io";

const KINDS: Record<string, string> = {
  selfsubjectaccessreviews: "SelfSubjectAccessReview",
  subjectaccessreviews: "SubjectAccessReview",
  localsubjectaccessreviews: "LocalSubjectAccessReview",
  selfsubjectrulesreviews: "SelfSubjectRulesReview",
  selfsubjectreviews: "SelfSubjectReview",
};

/** Whether the resource is one of the review resources this file answers. */
export function isReviewResource(group: string, resource: string): boolean {
  if (group === AUTHENTICATION_GROUP) return resource === "selfsubjectreviews";
  return group === AUTHORIZATION_GROUP && resource in KINDS && resource !== "selfsubjectreviews";
}

interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

interface NonResourceAttributes {
  path?: string;
  verb?: string;
}

interface AccessReviewSpec {
  resourceAttributes?: ResourceAttributes | null;
  nonResourceAttributes?: NonResourceAttributes | null;
  user?: string;
  groups?: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

/** Go's %#v of the internal NonResourceAttributes, as field.Invalid prints a struct value. */
function goNonResource(n: NonResourceAttributes): string {
  return `authorization.NonResourceAttributes{Path:"${n.path ?? ""}", Verb:"${n.verb ?? ""}"}`;
}

function invalidField(field: string, value: string, detail: string): FieldError {
  return { type: "FieldValueInvalid", field, message: `Invalid value: ${value}: ${detail}` };
}

/** ValidateSelfSubjectAccessReviewSpec (and the first half of ValidateSubjectAccessReviewSpec). Pure. */
export function validateAttributes(spec: AccessReviewSpec): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.resourceAttributes && spec.nonResourceAttributes) {
    errs.push(
      invalidField(
        "spec.nonResourceAttributes",
        goNonResource(spec.nonResourceAttributes),
        "cannot be specified in combination with resourceAttributes",
      ),
    );
  }
  if (!spec.resourceAttributes && !spec.nonResourceAttributes) {
    errs.push(
      invalidField(
        "spec.resourceAttributes",
        '"null"',
        "exactly one of nonResourceAttributes or resourceAttributes must be specified",
      ),
    );
  }
  return errs;
}

/** ValidateSubjectAccessReviewSpec. Pure. */
export function validateSubjectAccessReview(spec: AccessReviewSpec): FieldError[] {
  const errs = validateAttributes(spec);
  if (!spec.user && !(spec.groups?.length ?? 0)) {
    errs.push(
      invalidField("spec.user", `"${spec.user ?? ""}"`, "at least one of user or group must be specified"),
    );
  }
  return errs;
}

/** ValidateLocalSubjectAccessReview's spec checks, against the object's namespace. Pure. */
export function validateLocalSubjectAccessReview(spec: AccessReviewSpec, namespace: string): FieldError[] {
  const errs = validateSubjectAccessReview(spec);
  const ra = spec.resourceAttributes;
  if (ra && (ra.namespace ?? "") !== namespace) {
    errs.push(
      invalidField(
        "spec.resourceAttributes.namespace",
        `"${ra.namespace ?? ""}"`,
        "must match metadata.namespace",
      ),
    );
  }
  if (spec.nonResourceAttributes) {
    errs.push(
      invalidField(
        "spec.nonResourceAttributes",
        `&${goNonResource(spec.nonResourceAttributes)}`,
        "disallowed on this kind of request",
      ),
    );
  }
  return errs;
}

/** The authorizer attributes a review asks about (ResourceAttributesFrom / NonResourceAttributesFrom). */
export function attributesOf(spec: AccessReviewSpec): AuthzAttributes {
  const ra = spec.resourceAttributes;
  if (ra) {
    return {
      verb: ra.verb ?? "",
      group: ra.group ?? "",
      resource: ra.resource ?? "",
      subresource: ra.subresource ?? "",
      namespace: ra.namespace ?? "",
      name: ra.name ?? "",
    };
  }
  const nr = spec.nonResourceAttributes ?? {};
  return { verb: nr.verb ?? "", path: nr.path ?? "" };
}

/** SubjectAccessReviewStatus: allowed always, the rest when set. */
export function accessReviewStatus(d: Decision): Record<string, unknown> {
  const s: Record<string, unknown> = { allowed: d.allowed };
  if (d.reason) s.reason = d.reason;
  return s;
}

/** The user a SubjectAccessReview names (AuthorizationAttributesFrom). */
export function specUser(spec: AccessReviewSpec): UserInfo {
  const u: UserInfo = { name: spec.user ?? "", groups: spec.groups ?? [] };
  if (spec.uid) u.uid = spec.uid;
  if (spec.extra) {
    // ExtraValue is a list; decoded from protobuf it arrives as its wrapper message ({ items }).
    u.extra = Object.fromEntries(
      Object.entries(spec.extra).map(([k, v]) => [
        k,
        Array.isArray(v) ? v : ((v as { items?: string[] }).items ?? []),
      ]),
    );
  }
  return u;
}

/** SelfSubjectRulesReview status from the authorizer's rules (getResourceRules / getNonResourceRules). */
export function rulesReviewStatus(review: ReturnType<Authorizer["rulesFor"]>): Record<string, unknown> {
  const resourceRules: Record<string, unknown>[] = [];
  const nonResourceRules: Record<string, unknown>[] = [];
  for (const r of review.rules) {
    if (r.resources?.length) {
      const rr: Record<string, unknown> = { verbs: r.verbs ?? [] };
      if (r.apiGroups?.length) rr.apiGroups = r.apiGroups;
      rr.resources = r.resources;
      if (r.resourceNames?.length) rr.resourceNames = r.resourceNames;
      resourceRules.push(rr);
    }
    if (r.nonResourceURLs?.length)
      nonResourceRules.push({ verbs: r.verbs ?? [], nonResourceURLs: r.nonResourceURLs });
  }
  const status: Record<string, unknown> = { resourceRules, nonResourceRules, incomplete: review.incomplete };
  if (review.errors.length) status.evaluationError = aggregateErrors(review.errors);
  return status;
}

/** Answers a create of one of the review resources (201 with the review and its status). */
export async function handleReview(
  ctx: ApiContext,
  scope: RequestScope,
  authorizer: Authorizer,
): Promise<void> {
  const { info } = scope;
  if (info.verb !== "create" || info.name) throw methodNotSupported(scope.gr, info.verb);
  const kind = KINDS[info.resource]!;
  const group = scope.served.def.group;
  const body = await decodeObjectBody(await readBody(scope.req), scope.req.headers["content-type"]);
  if (body.kind && body.kind !== kind) {
    throw badRequest(`the kind in the data ("${body.kind}") does not match the expected kind ("${kind}")`);
  }
  const apiVersion = `${group}/${scope.served.def.version}`;
  const spec = ((body as KubeObject & { spec?: AccessReviewSpec }).spec ?? {}) as AccessReviewSpec;
  const user = scope.user;
  const reply = (metadata: Record<string, unknown>, rest: Record<string, unknown>) =>
    writeJson(scope.res, 201, {
      kind,
      apiVersion,
      metadata: { ...metadata, creationTimestamp: null },
      ...rest,
    });

  switch (info.resource) {
    case "selfsubjectaccessreviews": {
      const errs = validateAttributes(spec);
      if (errs.length) throw invalid(group, kind, "", errs);
      const d = await authorizer.authorizeFresh(user, attributesOf(spec));
      return reply({}, { spec, status: accessReviewStatus(d) });
    }
    case "subjectaccessreviews": {
      const errs = validateSubjectAccessReview(spec);
      if (errs.length) throw invalid(group, kind, "", errs);
      const d = await authorizer.authorizeFresh(specUser(spec), attributesOf(spec));
      return reply({}, { spec, status: accessReviewStatus(d) });
    }
    case "localsubjectaccessreviews": {
      // The generic create handler gives an object without a namespace the request's.
      const namespace = body.metadata?.namespace || info.namespace;
      const errs = validateLocalSubjectAccessReview(spec, namespace);
      if (errs.length) throw invalid(group, kind, "", errs);
      if (namespace !== info.namespace) {
        throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${info.namespace}`);
      }
      const d = await authorizer.authorizeFresh(specUser(spec), attributesOf(spec));
      return reply({ namespace }, { spec, status: accessReviewStatus(d) });
    }
    case "selfsubjectrulesreviews": {
      const namespace = (spec as { namespace?: string }).namespace ?? "";
      if (!namespace) throw badRequest("no namespace on request");
      return reply({}, { spec: {}, status: rulesReviewStatus(authorizer.rulesFor(user, namespace)) });
    }
    case "selfsubjectreviews": {
      const userInfo: Record<string, unknown> = { username: user.name };
      if (user.uid) userInfo.uid = user.uid;
      if (user.groups.length) userInfo.groups = user.groups;
      if (user.extra && Object.keys(user.extra).length) userInfo.extra = user.extra;
      writeJson(scope.res, 201, {
        kind,
        apiVersion,
        metadata: {
          creationTimestamp: ctx
            .now()
            .toISOString()
            .replace(/\.\d{3}Z$/, "Z"),
        },
        status: { userInfo },
      });
      return;
    }
  }
  throw methodNotSupported(scope.gr, info.verb);
}
