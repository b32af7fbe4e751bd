// The field manager of a request (endpoints/handlers: managerOrUserAgent, prefixFromUserAgent) and
// the checks of ?fieldManager= and ?force= (metav1 validation: ValidatePatchOptions,
// ValidateFieldManager). Pure.
import { type FailureStatus, failureStatus } from "./conflict.js";

export const FIELD_MANAGER_MAX_LENGTH = 128;

/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
function isPrint(ch: string): boolean {
  return ch === " " || /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(ch);
}

/** Printable ASCII only: the usual manager name or User-Agent, checked without a look at each character. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** `kubectl/v1.32.4 (linux/amd64) kubernetes/abc` -> `kubectl`: before the first `/`, printable, 128 bytes at most. */
export function prefixFromUserAgent(userAgent: string): string {
  const head = userAgent.split("/", 1)[0]!;
  if (PRINTABLE_ASCII.test(head)) return head.slice(0, FIELD_MANAGER_MAX_LENGTH);
  let out = "";
  let bytes = 0;
  for (const ch of userAgent.split("/")[0]!) {
    if (!isPrint(ch)) continue;
    const n = Buffer.byteLength(ch);
    if (bytes + n > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/** The manager of a write: ?fieldManager= when given, else the User-Agent's prefix. */
export function managerOrUserAgent(fieldManager: string | undefined, userAgent: string | undefined): string {
  return fieldManager ? fieldManager : prefixFromUserAgent(userAgent ?? "");
}

export interface OptionError {
  type: "FieldValueRequired" | "FieldValueForbidden" | "FieldValueTooLong" | "FieldValueInvalid";
  field: string;
  /** As field.Error prints it after the field: `Required value: is required for apply patch`. */
  detail: string;
}

/** ValidateFieldManager: at most 128 bytes, printable characters only. */
export function validateFieldManager(fieldManager: string): OptionError[] {
  const errs: OptionError[] = [];
  if (Buffer.byteLength(fieldManager) > FIELD_MANAGER_MAX_LENGTH)
    errs.push({
      type: "FieldValueTooLong",
      field: "fieldManager",
      detail: `Too long: may not be more than ${FIELD_MANAGER_MAX_LENGTH} bytes`,
    });
  if (PRINTABLE_ASCII.test(fieldManager)) return errs;
  let pos = 0;
  for (const ch of fieldManager) {
    if (!isPrint(ch)) {
      const cp = ch.codePointAt(0)!;
      const u = `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
      errs.push({
        type: "FieldValueInvalid",
        field: "fieldManager",
        detail: `Invalid value: ${JSON.stringify(fieldManager)}: invalid character ${u} (at position ${pos})`,
      });
    }
    pos += Buffer.byteLength(ch);
  }
  return errs;
}

/** ValidatePatchOptions: ?force= only on apply patches, ?fieldManager= required on them. */
export function validatePatchOptions(
  isApply: boolean,
  fieldManager: string | undefined,
  force: string | undefined,
): OptionError[] {
  const errs: OptionError[] = [];
  if (!isApply) {
    if (force !== undefined)
      errs.push({
        type: "FieldValueForbidden",
        field: "force",
        detail: "Forbidden: may not be specified for non-apply patch",
      });
  } else if (!fieldManager) {
    errs.push({
      type: "FieldValueRequired",
      field: "fieldManager",
      detail: "Required value: is required for apply patch",
    });
  }
  return [...errs, ...validateFieldManager(fieldManager ?? "")];
}

/**
 * The 422 Invalid Status of bad options, as errors.NewInvalid for kind `PatchOptions` (or
 * CreateOptions, UpdateOptions) in group meta.k8s.io with an empty name.
 */
export function invalidOptionsStatus(kind: string, errs: OptionError[]): FailureStatus {
  const printed = errs.map((e) => `${e.field}: ${e.detail}`);
  const agg = printed.length === 1 ? printed[0]! : `[${printed.join(", ")}]`;
  return failureStatus(422, "Invalid", `${kind}.meta.k8s.io "" is invalid: ${agg}`, {
    group: "meta.k8s.io",
    kind,
    causes: errs.map((e) => ({ reason: e.type, message: e.detail, field: e.field })),
  });
}

/** ?force=: "true" forces an apply; anything else (or nothing) does not. */
export function parseForce(force: string | undefined): boolean {
  return force !== undefined && ["1", "t", "T", "true", "True", "TRUE"].includes(force);
}
