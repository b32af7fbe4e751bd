// Label selectors, as k8s.io/apimachinery/pkg/labels: the string form that `-l` and `?labelSelector=`
// carry (`a=b,c!=d,e in (x,y),f notin (z),g,!h`), metav1.LabelSelector as objects carry it, one
// internal form for both, matching, and the same parse errors and canonical string.
import type { LabelSelector as MetaLabelSelector } from "kubernetes-types/meta/v1.js";
import {
  child,
  type FieldError,
  fieldErrorString,
  index,
  invalid,
  key,
  notSupported,
} from "./validation/field.js";
import { isQualifiedName, isValidLabelValue } from "./validation/strings.js";

export type Labels = Readonly<Record<string, string>>;

export type Operator = "in" | "notin" | "=" | "==" | "!=" | "exists" | "!" | "gt" | "lt";

export interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

/**
 * A parsed selector: requirements ANDed (empty = everything), or `nothing` for a nil metav1
 * LabelSelector, which selects no object.
 */
export type Selector =
  | { readonly nothing: true }
  | { readonly nothing?: false; readonly requirements: Requirement[] };

const BINARY_OPERATORS: Operator[] = ["in", "notin", "=", "==", "!=", "gt", "lt"];
const VALID_OPERATORS: Operator[] = [...BINARY_OPERATORS, "exists", "!"];

export class SelectorParseError extends Error {
  override name = "SelectorParseError";
}

export const everything = (): Selector => ({ requirements: [] });
export const nothing = (): Selector => ({ nothing: true });

export function isEverything(sel: Selector): boolean {
  return !sel.nothing && sel.requirements.length === 0;
}

function byKey(a: Requirement, b: Requirement): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** labels.NewRequirement: the checks, with field paths relative to `path` ("" prints as <nil> at the root). */
export function requirementErrors(req: Requirement, path?: string): FieldError[] {
  const errs: FieldError[] = [];
  const keyPath = path === undefined ? "key" : child(path, "key");
  const valuesPath = path === undefined ? "values" : child(path, "values");
  const keyErrs = isQualifiedName(req.key);
  if (keyErrs.length > 0) errs.push(invalid(keyPath, req.key, keyErrs.join("; ")));
  const vals = req.values;
  switch (req.operator) {
    case "in":
    case "notin":
      if (vals.length === 0)
        errs.push(invalid(valuesPath, vals, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case "=":
    case "==":
    case "!=":
      if (vals.length !== 1)
        errs.push(invalid(valuesPath, vals, "exact-match compatibility requires one single value"));
      break;
    case "exists":
    case "!":
      if (vals.length !== 0) {
        errs.push(invalid(valuesPath, vals, "values set must be empty for exists and does not exist"));
      }
      break;
    case "gt":
    case "lt":
      if (vals.length !== 1) {
        errs.push(invalid(valuesPath, vals, "for 'Gt', 'Lt' operators, exactly one value is required"));
      }
      vals.forEach((v, i) => {
        if (!/^[+-]?[0-9]+$/.test(v)) {
          errs.push(
            invalid(index(valuesPath, i), v, "for 'Gt', 'Lt' operators, the value must be an integer"),
          );
        }
      });
      break;
    default:
      errs.push(
        notSupported(
          path === undefined ? "operator" : child(path, "operator"),
          req.operator,
          VALID_OPERATORS,
        ),
      );
  }
  vals.forEach((v, i) => {
    const valueErrs = isValidLabelValue(v);
    if (valueErrs.length > 0) errs.push(invalid(key(index(valuesPath, i), req.key), v, valueErrs.join("; ")));
  });
  return errs;
}

/** Aggregate as Go prints a field.ErrorList error. */
function aggregate(errs: FieldError[]): string {
  const msgs = [...new Set(errs.map(fieldErrorString))];
  return msgs.length === 1 ? msgs[0] : `[${msgs.join(", ")}]`;
}

function newRequirement(key: string, operator: Operator, values: string[]): Requirement {
  const req = { key, operator, values };
  const errs = requirementErrors(req);
  if (errs.length > 0) throw new SelectorParseError(aggregate(errs));
  return req;
}

// ---- lexer and parser (labels.Parse) ----

type Token = "error" | "eos" | ")" | "," | "!" | "==" | "=" | ">" | "id" | "in" | "<" | "!=" | "notin" | "(";

const STRING_TO_TOKEN: Record<string, Token> = {
  ")": ")",
  ",": ",",
  "!": "!",
  "==": "==",
  "=": "=",
  ">": ">",
  in: "in",
  "<": "<",
  "!=": "!=",
  notin: "notin",
  "(": "(",
};

const TOKEN_OPERATORS = new Map<Token, Operator>([
  ["in", "in"],
  ["=", "="],
  ["==", "=="],
  [">", "gt"],
  ["<", "lt"],
  ["notin", "notin"],
  ["!=", "!="],
]);

interface Item {
  tok: Token;
  lit: string;
}

const isWhitespace = (ch: string) => ch === " " || ch === "\t" || ch === "\r" || ch === "\n";
const isSpecial = (ch: string) => "=!(),><".includes(ch);

function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos])) pos++;
    if (pos >= s.length) {
      items.push({ tok: "eos", lit: "" });
      return items;
    }
    if (isSpecial(s[pos])) {
      let buffer = "";
      let last: Item | undefined;
      while (pos < s.length && isSpecial(s[pos])) {
        buffer += s[pos];
        const tok = Object.hasOwn(STRING_TO_TOKEN, buffer) ? STRING_TO_TOKEN[buffer] : undefined;
        if (tok) {
          last = { tok, lit: buffer };
          pos++;
        } else if (last) {
          break;
        } else {
          pos++;
        }
      }
      items.push(last ?? { tok: "error", lit: `error expected: keyword found '${buffer}'` });
      continue;
    }
    let buffer = "";
    while (pos < s.length && !isSpecial(s[pos]) && !isWhitespace(s[pos])) buffer += s[pos++];
    const tok = Object.hasOwn(STRING_TO_TOKEN, buffer) ? STRING_TO_TOKEN[buffer] : "id";
    items.push({ tok, lit: buffer });
  }
}

class Parser {
  private pos = 0;
  constructor(private readonly items: Item[]) {}

  /** In a values context the keywords `in` and `notin` are plain identifiers. */
  private look(values: boolean): Item {
    const it = this.items[this.pos];
    return values && (it.tok === "in" || it.tok === "notin") ? { tok: "id", lit: it.lit } : it;
  }

  private take(values: boolean): Item {
    const it = this.look(values);
    this.pos++;
    return it;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.look(true);
      if (tok === "id" || tok === "!") {
        let r: Requirement;
        try {
          r = this.requirement();
        } catch (e) {
          throw new SelectorParseError(`unable to parse requirement: ${(e as Error).message}`);
        }
        reqs.push(r);
        const next = this.take(true);
        if (next.tok === "eos") return reqs;
        if (next.tok === ",") {
          const after = this.look(true);
          if (after.tok !== "id" && after.tok !== "!") {
            throw new SelectorParseError(`found '${after.lit}', expected: identifier after ','`);
          }
        } else {
          throw new SelectorParseError(`found '${next.lit}', expected: ',' or 'end of string'`);
        }
      } else if (tok === "eos") {
        return reqs;
      } else {
        throw new SelectorParseError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private requirement(): Requirement {
    let { tok, lit } = this.take(true);
    let op: Operator | undefined;
    if (tok === "!") {
      op = "!";
      ({ tok, lit } = this.take(true));
    }
    if (tok !== "id") throw new Error(`found '${lit}', expected: identifier`);
    const keyErrs = isQualifiedName(lit);
    if (keyErrs.length > 0) throw new Error(fieldErrorString(invalid("<nil>", lit, keyErrs.join("; "))));
    const k = lit;
    const after = this.look(true).tok;
    if (after === "eos" || after === ",") {
      return newRequirement(k, op === "!" ? "!" : "exists", []);
    }
    if (op === "!") return newRequirement(k, "!", []);
    const opItem = this.take(false);
    const operator = TOKEN_OPERATORS.get(opItem.tok);
    if (!operator) {
      throw new Error(`found '${opItem.lit}', expected: ${BINARY_OPERATORS.join(", ")}`);
    }
    const values = operator === "in" || operator === "notin" ? this.setValues() : this.exactValue();
    return newRequirement(k, operator, [...values].sort());
  }

  private setValues(): Set<string> {
    const open = this.take(true);
    if (open.tok !== "(") throw new Error(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.look(true);
    if (tok === "id" || tok === ",") {
      const s = this.identifiers();
      if (this.take(true).tok !== ")") throw new Error(`found '${lit}', expected: ')'`);
      return s;
    }
    if (tok === ")") {
      this.take(true);
      return new Set([""]);
    }
    throw new Error(`found '${lit}', expected: ',', ')' or identifier`);
  }

  private identifiers(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const { tok, lit } = this.take(true);
      if (tok === "id") {
        s.add(lit);
        const next = this.look(true);
        if (next.tok === ",") continue;
        if (next.tok === ")") return s;
        throw new Error(`found '${next.lit}', expected: ',' or ')'`);
      }
      if (tok === ",") {
        if (s.size === 0) s.add("");
        const next = this.look(true).tok;
        if (next === ")") {
          s.add("");
          return s;
        }
        if (next === ",") {
          this.take(true);
          s.add("");
        }
        continue;
      }
      throw new Error(`found '${lit}', expected: ',', or identifier`);
    }
  }

  private exactValue(): Set<string> {
    const next = this.look(true).tok;
    if (next === "eos" || next === ",") return new Set([""]);
    const { tok, lit } = this.take(true);
    if (tok === "id") return new Set([lit]);
    throw new Error(`found '${lit}', expected: identifier`);
  }
}

/** labels.Parse: throws SelectorParseError with Kubernetes' message. */
export function parseSelector(s: string): Selector {
  const reqs = new Parser(lex(s)).parse();
  return { requirements: reqs.sort(byKey) };
}

/** parseSelector, or undefined plus the error message. */
export function tryParseSelector(s: string): { selector?: Selector; error?: string } {
  try {
    return { selector: parseSelector(s) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** labels.SelectorFromSet: every key must equal its value (empty set = everything). */
export function selectorFromSet(set: Labels | undefined): Selector {
  const reqs = Object.entries(set ?? {}).map(
    ([k, v]): Requirement => ({ key: k, operator: "=", values: [v] }),
  );
  return { requirements: reqs.sort(byKey) };
}

const META_OPERATORS: Record<string, Operator> = {
  In: "in",
  NotIn: "notin",
  Exists: "exists",
  DoesNotExist: "!",
};

/**
 * metav1.LabelSelectorAsSelector: nil selects nothing, `{}` selects everything. Throws
 * SelectorParseError for an unknown operator (`"Foo" is not a valid label selector operator`) or an
 * invalid key or value.
 */
export function labelSelectorAsSelector(ls: MetaLabelSelector | null | undefined): Selector {
  if (ls == null) return nothing();
  const matchLabels = ls.matchLabels ?? {};
  const exprs = ls.matchExpressions ?? [];
  if (Object.keys(matchLabels).length + exprs.length === 0) return everything();
  const reqs: Requirement[] = [];
  for (const [k, v] of Object.entries(matchLabels)) reqs.push(newRequirement(k, "=", [v]));
  for (const expr of exprs) {
    const op = Object.hasOwn(META_OPERATORS, expr.operator) ? META_OPERATORS[expr.operator] : undefined;
    if (!op) throw new SelectorParseError(`"${expr.operator}" is not a valid label selector operator`);
    reqs.push(newRequirement(expr.key, op, [...(expr.values ?? [])]));
  }
  return { requirements: reqs.sort(byKey) };
}

export function requirementMatches(r: Requirement, labels: Labels): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key] : "";
  switch (r.operator) {
    case "in":
    case "=":
    case "==":
      return has && r.values.includes(value);
    case "notin":
    case "!=":
      return !has || !r.values.includes(value);
    case "exists":
      return has;
    case "!":
      return !has;
    case "gt":
    case "lt": {
      if (!has || r.values.length !== 1) return false;
      if (!/^[+-]?[0-9]+$/.test(value) || !/^[+-]?[0-9]+$/.test(r.values[0])) return false;
      const a = BigInt(value);
      const b = BigInt(r.values[0]);
      return r.operator === "gt" ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** Whether the labels satisfy every requirement (a `nothing` selector matches no labels). */
export function matches(sel: Selector, labels: Labels | undefined | null): boolean {
  if (sel.nothing) return false;
  const ls = labels ?? {};
  return sel.requirements.every((r) => requirementMatches(r, ls));
}

export function requirementToString(r: Requirement): string {
  const vals = r.values.length === 1 ? r.values[0] : [...r.values].sort().join(",");
  switch (r.operator) {
    case "!":
      return `!${r.key}`;
    case "exists":
      return r.key;
    case "in":
      return `${r.key} in (${vals})`;
    case "notin":
      return `${r.key} notin (${vals})`;
    case "gt":
      return `${r.key}>${vals}`;
    case "lt":
      return `${r.key}<${vals}`;
    default:
      return `${r.key}${r.operator}${vals}`;
  }
}

/** Selector.String(): requirements sorted by key, comma-joined (`""` for everything and nothing). */
export function selectorToString(sel: Selector): string {
  if (sel.nothing) return "";
  return sel.requirements.map(requirementToString).join(",");
}

/** The value a selector requires for `label` (`=`, `==` or a one-value `in`), as RequiresExactMatch. */
export function requiresExactMatch(sel: Selector, label: string): string | undefined {
  if (sel.nothing) return undefined;
  const r = sel.requirements.find((x) => x.key === label);
  if (!r) return undefined;
  if ((r.operator === "=" || r.operator === "==" || r.operator === "in") && r.values.length === 1)
    return r.values[0];
  return undefined;
}

/** Convenience: does a metav1.LabelSelector (nil = nothing) select these labels? Invalid selectors select nothing. */
export function labelSelectorMatches(
  ls: MetaLabelSelector | null | undefined,
  labels: Labels | undefined,
): boolean {
  try {
    return matches(labelSelectorAsSelector(ls), labels);
  } catch {
    return false;
  }
}

/** The labels of a set formatted as a selector string (`app=nginx,tier=web`), as labels.Set.String. */
export function formatLabels(set: Labels | undefined): string {
  return Object.keys(set ?? {})
    .sort()
    .map((k) => `${k}=${set?.[k]}`)
    .join(",");
}
