// The errors of k8s.io/apimachinery/pkg/util/mergepatch, with the HTTP classification the apiserver's
// interpretStrategicMergePatchError gives them (400 BadRequest, 422 Invalid, anything else 500).

export type PatchErrorReason = "BadRequest" | "Invalid" | "InternalError" | "UnsupportedMediaType";

export class StrategicMergePatchError extends Error {
  /** The metav1.Status reason the apiserver should answer with. */
  readonly reason: PatchErrorReason;
  /** The HTTP status code for reason. */
  readonly code: number;

  constructor(message: string, reason: PatchErrorReason = "InternalError") {
    super(message);
    this.name = "StrategicMergePatchError";
    this.reason = reason;
    this.code = { BadRequest: 400, Invalid: 422, InternalError: 500, UnsupportedMediaType: 415 }[reason];
  }
}

const badRequest = (m: string) => () => new StrategicMergePatchError(m, "BadRequest");

export const errBadJSONDoc = badRequest("invalid JSON document");
export const errBadPatchFormatForPrimitiveList = badRequest("invalid patch format of primitive list");
export const errBadPatchFormatForRetainKeys = badRequest("invalid patch format of retainKeys");
export const errBadPatchFormatForSetElementOrderList = badRequest(
  "invalid patch format of setElementOrder list",
);
export const errUnsupportedStrategicMergePatchFormat = () =>
  new StrategicMergePatchError("strategic merge patch format is not supported", "UnsupportedMediaType");
export const errNoListOfLists = () =>
  new StrategicMergePatchError("lists of lists are not supported", "Invalid");

export function errNoMergeKey(m: unknown, key: string): StrategicMergePatchError {
  return new StrategicMergePatchError(`map: ${goValue(m)} does not contain declared merge key: ${key}`);
}

export function errBadArgType(expected: string, actual: unknown): StrategicMergePatchError {
  return new StrategicMergePatchError(`expected a ${expected}, but received a ${goType(actual)}`);
}

export function errBadPatchType(t: unknown, m: unknown): StrategicMergePatchError {
  return new StrategicMergePatchError(`unknown patch type: ${goString(t)} in map: ${goValue(m)}`);
}

export const MAP_TYPE = "map[string]interface {}";
export const SLICE_TYPE = "[]interface {}";

/** reflect.TypeOf(v).String() for a value decoded by encoding/json. */
export function goType(v: unknown): string {
  if (v === null || v === undefined) return "%!s(<nil>)";
  if (Array.isArray(v)) return SLICE_TYPE;
  switch (typeof v) {
    case "string":
      return "string";
    case "number":
      return "float64";
    case "boolean":
      return "bool";
    default:
      return MAP_TYPE;
  }
}

/** fmt's %s of a value (strings bare, others as %v would wrap them). */
function goString(v: unknown): string {
  return typeof v === "string" ? v : `%!s(${goType(v)}=${goValue(v)})`;
}

/** fmt's %v of a value decoded by encoding/json: `map[a:1 b:[x y]]`, keys sorted. */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  if (Array.isArray(v)) return `[${v.map(goValue).join(" ")}]`;
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${keys.map((k) => `${k}:${goValue(o[k])}`).join(" ")}]`;
  }
  if (typeof v === "number") return goFloat(v);
  return String(v);
}

/** fmt's %v of a float64: shortest digits, exponent form when the exponent is < -4 or >= 6 ("1e+06"). */
function goFloat(f: number): string {
  if (f === 0 || !Number.isFinite(f)) return String(f);
  const exp = Math.floor(Math.log10(Math.abs(f)));
  if (exp >= -4 && exp < 6) return String(f);
  return f.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
}
