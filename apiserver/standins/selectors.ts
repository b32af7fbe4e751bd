// Label and field selectors for lists and watches, on top of pkg/api/labels and pkg/api/fields.
import { parseFieldSelector as parseFields } from "../../pkg/api/fields.js";
import { matches, parseSelector } from "../../pkg/api/labels.js";

export interface LabelMatcher {
  matches(labels: Record<string, string> | undefined): boolean;
}

/** Parses `a=b,c!=d,e in (x,y),f notin (z),g,!h`; throws Error with Kubernetes' message. */
export function parseLabelSelector(selector: string): LabelMatcher {
  const sel = parseSelector(selector);
  return { matches: (labels) => matches(sel, labels) };
}

export interface FieldRequirement {
  field: string;
  op: "=" | "!=";
  value: string;
}

/** Parses `a=b,a==b,a!=b`; throws Error with Kubernetes' message. */
export function parseFieldSelector(selector: string): FieldRequirement[] {
  return parseFields(selector).requirements.map((r) => ({ field: r.field, op: r.operator, value: r.value }));
}

/** Whether a metav1.LabelSelector object (matchLabels / matchExpressions) selects the labels; null selects nothing. */
export { labelSelectorMatches } from "../../pkg/api/labels.js";
