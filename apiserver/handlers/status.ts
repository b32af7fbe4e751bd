// metav1.Status errors with the reasons, codes, details and messages Kubernetes forms
// (k8s.io/apimachinery/pkg/api/errors). Pure: handlers throw ApiError and the server writes `status`.
import type { FieldError } from "../../pkg/api/types.js";

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface StatusBody {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure" | "Success";
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

export class ApiError extends Error {
  constructor(readonly status: StatusBody) {
    super(status.message);
  }
  get code(): number {
    return this.status.code;
  }
}

/** A group/resource pair as Kubernetes prints it: `deployments.apps`, or `pods` for the core group. */
export interface GroupResource {
  group: string;
  resource: string;
}

export function qualifiedResource(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

export function qualifiedKind(group: string, kind: string): string {
  return group ? `${kind}.${group}` : kind;
}

export function failure(code: number, reason: string, message: string, details?: StatusDetails): ApiError {
  const body: StatusBody = {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    code,
  };
  if (details) body.details = details;
  return new ApiError(body);
}

function grDetails(gr: GroupResource, name: string): StatusDetails {
  // metav1.StatusDetails: name, group and kind are omitempty.
  const d: StatusDetails = name ? { name } : {};
  if (gr.group) d.group = gr.group;
  d.kind = gr.resource;
  return d;
}

export function notFound(gr: GroupResource, name: string): ApiError {
  return failure(404, "NotFound", `${qualifiedResource(gr)} "${name}" not found`, grDetails(gr, name));
}

export function alreadyExists(gr: GroupResource, name: string): ApiError {
  return failure(
    409,
    "AlreadyExists",
    `${qualifiedResource(gr)} "${name}" already exists`,
    grDetails(gr, name),
  );
}

export const CONFLICT_MODIFIED =
  "the object has been modified; please apply your changes to the latest version and try again";

export function conflict(gr: GroupResource, name: string, why: string = CONFLICT_MODIFIED): ApiError {
  return failure(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualifiedResource(gr)} "${name}": ${why}`,
    grDetails(gr, name),
  );
}

/** 422 Invalid, formatted as StatusError for field.ErrorList: one error bare, several in brackets. */
export function invalid(group: string, kind: string, name: string, errs: FieldError[]): ApiError {
  const parts = errs.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message));
  const joined = parts.length === 1 ? parts[0]! : `[${parts.join(", ")}]`;
  const details: StatusDetails = { name };
  if (group) details.group = group;
  details.kind = kind;
  details.causes = errs.map((e) => ({ reason: e.type, message: e.message, field: e.field }));
  return failure(422, "Invalid", `${qualifiedKind(group, kind)} "${name}" is invalid: ${joined}`, details);
}

export function badRequest(message: string): ApiError {
  return failure(400, "BadRequest", message);
}

export function methodNotSupported(gr: GroupResource, verb: string): ApiError {
  return failure(
    405,
    "MethodNotAllowed",
    `${verb} is not supported on resources of kind "${qualifiedResource(gr)}"`,
    {
      ...(gr.group ? { group: gr.group } : {}),
      kind: gr.resource,
    },
  );
}

export function forbidden(gr: GroupResource, name: string, reason: string): ApiError {
  const subject = name ? `${qualifiedResource(gr)} "${name}"` : qualifiedResource(gr);
  return failure(403, "Forbidden", `${subject} is forbidden: ${reason}`, grDetails(gr, name));
}

export function unauthorized(message = "Unauthorized"): ApiError {
  return failure(401, "Unauthorized", message);
}

export function gone(message: string): ApiError {
  return failure(410, "Expired", message);
}

export function tooOldResourceVersion(requested: string | number, oldest: string | number): ApiError {
  return failure(410, "Expired", `too old resource version: ${requested} (${oldest})`);
}

export const CONTINUE_TOO_OLD =
  "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

export function requestEntityTooLarge(limit: number): ApiError {
  return failure(413, "RequestEntityTooLarge", `Request entity too large: limit is ${limit}`);
}

export function unsupportedMediaType(contentType: string, accepted: string[]): ApiError {
  return failure(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`,
    { causes: [{ reason: "UnexpectedHeader", message: contentType, field: "Content-Type" }] },
  );
}

export function notAcceptable(): ApiError {
  return failure(
    406,
    "NotAcceptable",
    "the server was unable to respond with a content type that the client supports",
  );
}

export function internalError(err: unknown): ApiError {
  const msg = err instanceof Error ? err.message : String(err);
  return failure(500, "InternalError", `Internal error occurred: ${msg}`, { causes: [{ message: msg }] });
}

export function serviceUnavailable(message: string): ApiError {
  return failure(503, "ServiceUnavailable", message);
}

export function timeout(message: string, retryAfterSeconds = 1): ApiError {
  return failure(504, "Timeout", message, { retryAfterSeconds });
}

export function tooManyRequests(message: string, retryAfterSeconds?: number): ApiError {
  return failure(429, "TooManyRequests", message, retryAfterSeconds ? { retryAfterSeconds } : undefined);
}

export function notFoundPath(): ApiError {
  return failure(404, "NotFound", "the server could not find the requested resource");
}

export function success(details?: StatusDetails): Omit<StatusBody, "code"> & { code?: number } {
  const body: Omit<StatusBody, "code"> = {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Success",
  };
  if (details) body.details = details;
  return body;
}

export function toApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : internalError(err);
}
