// API errors as values: every non-2xx answer becomes an ApiError carrying the server's metav1.Status
// (or one synthesized from the HTTP code, as client-go's NewGenericServerResponse does), and the
// predicates controllers branch on. Network failures stay plain Errors; isTransient() covers both.
import type { Status, StatusDetails } from "kubernetes-types/meta/v1";

export type { Status, StatusDetails };

export class ApiError extends Error {
  override readonly name = "ApiError";
  /** HTTP status code (also status.code). */
  readonly code: number;
  /** metav1.StatusReason: "NotFound", "AlreadyExists", "Conflict", "Invalid", "Expired", ... */
  readonly reason: string;
  readonly status: Status;
  readonly details: StatusDetails | undefined;

  constructor(status: Status) {
    super(status.message || status.reason || `HTTP ${status.code}`);
    this.status = status;
    this.code = status.code ?? 500;
    this.reason = status.reason ?? "";
    this.details = status.details;
  }
}

const reasonForCode: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  406: "NotAcceptable",
  409: "Conflict",
  410: "Gone",
  413: "RequestEntityTooLarge",
  415: "UnsupportedMediaType",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

/** Builds the ApiError for a response: the body's Status when it is one, else one made from the code. */
export function errorFromResponse(code: number, body: string, method: string, path: string): ApiError {
  try {
    const parsed = JSON.parse(body) as Status & { kind?: string };
    if (parsed && parsed.kind === "Status") return new ApiError({ ...parsed, code: parsed.code ?? code });
  } catch {
    // not JSON: fall through
  }
  const text = body.trim().slice(0, 500);
  return new ApiError({
    apiVersion: "v1",
    kind: "Status",
    status: "Failure",
    code,
    reason: reasonForCode[code] ?? (code >= 500 ? "InternalError" : "Unknown"),
    message: text
      ? `the server responded with the status code ${code} but did not return more information (${method} ${path}): ${text}`
      : `the server responded with the status code ${code} but did not return more information (${method} ${path})`,
  });
}

function hasReason(err: unknown, reason: string, code: number): boolean {
  if (!(err instanceof ApiError)) return false;
  if (err.reason === reason) return true;
  // A Status with no (or an unknown) reason is classified by its code, as client-go does.
  return (err.reason === "" || err.reason === "Unknown") && err.code === code;
}

export const isNotFound = (err: unknown): boolean => hasReason(err, "NotFound", 404);
export const isAlreadyExists = (err: unknown): boolean => hasReason(err, "AlreadyExists", -1);
export const isConflict = (err: unknown): boolean => hasReason(err, "Conflict", 409);
export const isInvalid = (err: unknown): boolean => hasReason(err, "Invalid", 422);
export const isForbidden = (err: unknown): boolean => hasReason(err, "Forbidden", 403);
export const isUnauthorized = (err: unknown): boolean => hasReason(err, "Unauthorized", 401);
export const isBadRequest = (err: unknown): boolean => hasReason(err, "BadRequest", 400);
export const isTooManyRequests = (err: unknown): boolean => hasReason(err, "TooManyRequests", 429);
export const isServerTimeout = (err: unknown): boolean =>
  hasReason(err, "ServerTimeout", 504) || hasReason(err, "Timeout", 504);
/** 410: "too old resource version" (reason Expired) or Gone. Watchers relist on it. */
export const isGone = (err: unknown): boolean =>
  err instanceof ApiError && (err.code === 410 || err.reason === "Gone" || err.reason === "Expired");
export const isResourceExpired = isGone;

/** Worth retrying with backoff: a network failure, a timeout, 429 or any 5xx. */
export function isTransient(err: unknown): boolean {
  if (err instanceof ApiError) return err.code === 429 || err.code >= 500;
  return err instanceof Error;
}

/** A short text for logs: "ApiError 409 Conflict: ..." or the error's message. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return `${err.code} ${err.reason}: ${err.message}`;
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
