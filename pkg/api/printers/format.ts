// Small formatters the printers share, each a port of the apimachinery/kubernetes helper named in
// its comment, so that cells read exactly as `kubectl get` shows them on a real cluster.
import type { LabelSelector } from "kubernetes-types/meta/v1";
import { canonicalQuantity } from "../quantity.js";

/**
 * duration.HumanDuration: a succinct age with 2-3 significant figures ("45s", "3m2s", "2d3h", "3y").
 * `ms` is the elapsed time in milliseconds; up to 2 s in the future counts as "0s" (clock skew).
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / 3_600_000);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    const y = Math.trunc(hours / 24 / 365);
    return dy === 0 ? `${y}y` : `${y}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** Milliseconds since the epoch of an RFC 3339 timestamp, or undefined when absent or unparsable. */
export function parseTime(t: unknown): number | undefined {
  if (typeof t !== "string" || t === "") return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/** translateTimestampSince: the age of a timestamp, "<unknown>" when it is unset. */
export function since(t: unknown, now: Date): string {
  const ms = parseTime(t);
  return ms === undefined ? "<unknown>" : humanDuration(now.getTime() - ms);
}

/** labels.FormatLabels: "a=1,b=2" sorted by key, "<none>" when empty. */
export function formatLabels(labels: Record<string, string> | undefined | null): string {
  const keys = Object.keys(isRecord(labels) ? labels : {}).sort(byCodeUnit);
  if (keys.length === 0) return "<none>";
  return keys.map((k) => `${k}=${(labels as Record<string, string>)[k]}`).join(",");
}

/**
 * metav1.LabelSelectorAsSelector(sel).String(): requirements sorted by key; "" for a nil or empty
 * selector; undefined when the selector is invalid (unknown operator, wrong number of values).
 */
export function labelSelectorString(sel: LabelSelector | undefined | null): string | undefined {
  if (!isRecord(sel)) return "";
  const reqs: { key: string; text: string }[] = [];
  const matchLabels = isRecord(sel.matchLabels) ? sel.matchLabels : {};
  for (const [key, value] of Object.entries(matchLabels)) reqs.push({ key, text: `${key}=${value}` });
  for (const expr of Array.isArray(sel.matchExpressions) ? sel.matchExpressions : []) {
    const key = String(expr?.key ?? "");
    const values = Array.isArray(expr?.values) ? expr.values.map(String) : [];
    const sorted = values.length > 1 ? [...values].sort(byCodeUnit) : values;
    switch (expr?.operator) {
      case "In":
      case "NotIn":
        if (values.length === 0) return undefined;
        reqs.push({ key, text: `${key} ${expr.operator === "In" ? "in" : "notin"} (${sorted.join(",")})` });
        break;
      case "Exists":
        if (values.length > 0) return undefined;
        reqs.push({ key, text: key });
        break;
      case "DoesNotExist":
        if (values.length > 0) return undefined;
        reqs.push({ key, text: `!${key}` });
        break;
      default:
        return undefined;
    }
  }
  return reqs
    .sort((a, b) => byCodeUnit(a.key, b.key))
    .map((r) => r.text)
    .join(",");
}

/** metav1.FormatLabelSelector: like labelSelectorString, "<none>" when empty and "<error>" when invalid. */
export function formatLabelSelector(sel: LabelSelector | undefined | null): string {
  const s = labelSelectorString(sel);
  if (s === undefined) return "<error>";
  return s === "" ? "<none>" : s;
}

/** layoutContainerCells: container names and images, comma-separated, in spec order. */
export function containerCells(containers: unknown): [names: string, images: string] {
  const list = asArray<{ name?: string; image?: string }>(containers);
  return [list.map((c) => str(c?.name)).join(","), list.map((c) => str(c?.image)).join(",")];
}

/** helper.GetAccessModesAsString: "RWO,ROX,RWX,RWOP" in that fixed order, without duplicates. */
export function accessModesString(modes: unknown): string {
  const set = new Set(asArray<string>(modes));
  const out: string[] = [];
  if (set.has("ReadWriteOnce")) out.push("RWO");
  if (set.has("ReadOnlyMany")) out.push("ROX");
  if (set.has("ReadWriteMany")) out.push("RWX");
  if (set.has("ReadWriteOncePod")) out.push("RWOP");
  return out.join(",");
}

/** intstr.IntOrString.String(). */
export function intOrString(v: unknown): string {
  return typeof v === "number" ? String(Math.trunc(v)) : str(v);
}

/** resource.Quantity.String() of a possibly missing quantity: the zero quantity prints "0". */
export function quantityString(q: unknown): string {
  if (typeof q !== "string" && typeof q !== "number") return "0";
  return canonicalQuantity(q);
}

/** printBoolPtr: "True", "False", or "<unset>" for a nil pointer. */
export function boolPtr(v: unknown): string {
  if (typeof v !== "boolean") return "<unset>";
  return v ? "True" : "False";
}

/** An integer field (Go int32/int64), 0 when absent or not a number. */
export function int(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? Math.trunc(v) : 0;
}

/** A string field, "" when absent or not a string (Go's zero value). */
export function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** A list field, [] when absent or malformed. */
export function asArray<T>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Go's string ordering (bytewise for ASCII), independent of locale. */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Go's "%s + %d more..." list truncation used by several printers (listWithMoreString). */
export function listWithMore(list: string[], more: boolean, count: number, max: number): string {
  const ret = list.join(",");
  if (more) return `${ret} + ${count - max} more...`;
  return ret === "" ? "<unset>" : ret;
}
