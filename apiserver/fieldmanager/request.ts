// What a write request tells the field manager (endpoints/handlers: create.go, update.go, patch.go):
// who writes (?fieldManager=, else the User-Agent's first token), whether an apply forces, after the
// checks of CreateOptions / UpdateOptions / PatchOptions; and the options of the endpoint written
// through (its version, subresource, reset fields). Pure.
import type { FailureStatus } from "./conflict.js";
import { type FieldManagerOptions, type GroupVersionKind, resetFieldsFor } from "./fieldmanager.js";
import {
  invalidOptionsStatus,
  managerOrUserAgent,
  parseForce,
  validateFieldManager,
  validatePatchOptions,
} from "./manager-name.js";

export type WriteVerb = "create" | "update" | "patch";

const OPTIONS_KIND: Record<WriteVerb, string> = {
  create: "CreateOptions",
  update: "UpdateOptions",
  patch: "PatchOptions",
};

export type WriteManager =
  | { ok: true; manager: string; force: boolean }
  | { ok: false; status: FailureStatus };

/**
 * The manager of a POST, PUT or PATCH and its `force`, or the 422 Status of bad options: an apply
 * needs ?fieldManager=, ?force= is for applies only, a manager is printable and 128 bytes at most.
 */
export function writeManagerOf(
  verb: WriteVerb,
  isApply: boolean,
  query: URLSearchParams,
  userAgent: string | undefined,
): WriteManager {
  const fieldManager = query.get("fieldManager") ?? undefined;
  const force = verb === "patch" ? (query.get("force") ?? undefined) : undefined;
  const errs =
    verb === "patch"
      ? validatePatchOptions(isApply, fieldManager, force)
      : validateFieldManager(fieldManager ?? "");
  if (errs.length > 0) return { ok: false, status: invalidOptionsStatus(OPTIONS_KIND[verb], errs) };
  // an apply is always by the named manager (validated above), never by the User-Agent
  const manager = isApply ? fieldManager! : managerOrUserAgent(fieldManager, userAgent);
  return { ok: true, manager, force: isApply && parseForce(force) };
}

/** What a served kind's endpoint needs from the field manager; `hasStatus`: it has a /status subresource. */
export interface Endpoint {
  group: string;
  version: string;
  kind: string;
  hasStatus?: boolean;
}

/** The kind written through `endpoint` and the options of a write there ("" or "status"). */
export function endpointOptions(
  endpoint: Endpoint,
  subresource: string,
  now: () => Date,
): { gvk: GroupVersionKind; opts: FieldManagerOptions } {
  const { group, version, kind } = endpoint;
  return {
    gvk: { group, version, kind },
    opts: { subresource, resetFields: resetFieldsFor(kind, subresource, endpoint.hasStatus ?? false), now },
  };
}
