// Field selectors, as k8s.io/apimachinery/pkg/fields: `spec.nodeName=node-1,status.phase!=Running`.
// Terms are `=`, `==` or `!=`, ANDed; values may escape `\`, `,` and `=` with a backslash. A missing
// field compares as the empty string, as in Kubernetes.

export interface FieldRequirement {
  field: string;
  operator: "=" | "!=";
  value: string;
}

export interface FieldSelector {
  requirements: FieldRequirement[];
}

export class FieldSelectorParseError extends Error {
  override name = "FieldSelectorParseError";
}

/** Returns the value of a field of an object, or undefined when it has none. */
export type FieldGetter = (field: string) => string | undefined;

const TERM_OPERATORS = ["!=", "==", "="] as const;

/** Split on commas that are not escaped, keeping escapes for the values. */
function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === "\\") inSlash = true;
    else if (c === ",") {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

function splitTerm(term: string): [string, string, string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

/** fields.UnescapeValue, with its error messages (Go prints the rune as its code point). */
export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = "";
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c === "\\" || c === "," || c === "=") out += c;
      else throw new FieldSelectorParseError(`invalid field selector: invalid escape sequence: \\${c}`);
      inSlash = false;
      continue;
    }
    if (c === "\\") inSlash = true;
    else if (c === "," || c === "=") {
      throw new FieldSelectorParseError(
        `invalid field selector: unescaped character in value: ${c.codePointAt(0) ?? 0}`,
      );
    } else out += c;
  }
  if (inSlash) throw new FieldSelectorParseError("invalid field selector: invalid escape sequence: \\");
  return out;
}

export function escapeFieldValue(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/,/g, "\\,").replace(/=/g, "\\=");
}

/** fields.ParseSelector: throws FieldSelectorParseError with Kubernetes' message. */
export function parseFieldSelector(selector: string): FieldSelector {
  const parts = splitTerms(selector).sort();
  const requirements: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === "") continue;
    const split = splitTerm(part);
    if (!split)
      throw new FieldSelectorParseError(`invalid selector: '${selector}'; can't understand '${part}'`);
    const [field, op, rhs] = split;
    requirements.push({ field, operator: op === "!=" ? "!=" : "=", value: unescapeFieldValue(rhs) });
  }
  return { requirements };
}

export function tryParseFieldSelector(s: string): { selector?: FieldSelector; error?: string } {
  try {
    return { selector: parseFieldSelector(s) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** A selector requiring field = value for every entry (fields.SelectorFromSet). */
export function fieldSelectorFromSet(set: Record<string, string>): FieldSelector {
  return {
    requirements: Object.keys(set)
      .sort()
      .map((field) => ({ field, operator: "=" as const, value: set[field] })),
  };
}

export function fieldSelectorMatches(sel: FieldSelector, get: FieldGetter): boolean {
  return sel.requirements.every((r) => {
    const v = get(r.field) ?? "";
    return r.operator === "=" ? v === r.value : v !== r.value;
  });
}

/** Match against a flat map of field values, as fields.Set. */
export function fieldSelectorMatchesSet(sel: FieldSelector, set: Readonly<Record<string, string>>): boolean {
  return fieldSelectorMatches(sel, (f) => (Object.hasOwn(set, f) ? set[f] : undefined));
}

export function fieldSelectorToString(sel: FieldSelector): string {
  return sel.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(",");
}

export function isEmptyFieldSelector(sel: FieldSelector): boolean {
  return sel.requirements.length === 0;
}

/** The value a selector requires for `field` (`field=value`), as RequiresExactMatch. */
export function fieldRequiresExactMatch(sel: FieldSelector, field: string): string | undefined {
  return sel.requirements.find((r) => r.field === field && r.operator === "=")?.value;
}

/**
 * The first field the selector uses that is not in `supported`, for the apiserver's
 * `field label not supported: <field>` (400 BadRequest).
 */
export function unsupportedField(sel: FieldSelector, supported: Iterable<string>): string | undefined {
  const ok = new Set(supported);
  return sel.requirements.find((r) => !ok.has(r.field))?.field;
}

export function fieldLabelNotSupportedMessage(field: string): string {
  return `field label not supported: ${field}`;
}
