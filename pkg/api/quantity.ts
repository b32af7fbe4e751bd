// Kubernetes' resource.Quantity (k8s.io/apimachinery/pkg/api/resource): a fixed-point number with a
// suffix, as written in `resources.limits.cpu: 500m` or `memory: 1Gi`. The value is held exactly as a
// count of nano-units in a bigint (Kubernetes rounds anything finer than 1n up, away from zero), so
// that comparing, adding and printing never go through floating point.

export type QuantityFormat = "DecimalExponent" | "BinarySI" | "DecimalSI";

/** The error messages of resource.ParseQuantity. */
export const QUANTITY_REGEXP = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";
export const ERR_FORMAT_WRONG = `quantities must match the regular expression '${QUANTITY_REGEXP}'`;
export const ERR_NUMERIC = "unable to parse numeric part of quantity";
export const ERR_SUFFIX = "unable to parse quantity's suffix";

export class QuantityParseError extends Error {
  override name = "QuantityParseError";
}

const NANO = 1_000_000_000n;
/** Kubernetes silently caps BinarySI quantities at 2^63-1. */
const MAX_INT64 = (1n << 63n) - 1n;
/**
 * Exponents beyond this are refused rather than expanded into a huge bigint (Kubernetes accepts
 * `1e2147483647`; nothing sensible asks for more than 10^300 of anything, and expanding it would let
 * one request exhaust memory).
 */
const MAX_DECIMAL_EXPONENT = 300;

const DECIMAL_SUFFIXES: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  "": 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_SUFFIX_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_SUFFIX_BY_EXPONENT = new Map(Object.entries(BINARY_SUFFIXES).map(([s, e]) => [e, s]));

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

function abs(v: bigint): bigint {
  return v < 0n ? -v : v;
}

/** Division rounding away from zero, as inf.RoundUp does. */
function divAwayFromZero(num: bigint, den: bigint): bigint {
  const q = num / den;
  return q * den === num ? q : num < 0n ? q - 1n : q + 1n;
}

export class Quantity {
  /** The value times 10^9. */
  readonly nanos: bigint;
  readonly format: QuantityFormat;
  /** The input string when Kubernetes would print it unchanged (it caches canonical-looking input). */
  private readonly original: string | undefined;

  constructor(nanos: bigint, format: QuantityFormat = "DecimalSI", original?: string) {
    this.nanos = nanos;
    this.format = format;
    this.original = original;
  }

  isZero(): boolean {
    return this.nanos === 0n;
  }

  sign(): -1 | 0 | 1 {
    return this.nanos < 0n ? -1 : this.nanos > 0n ? 1 : 0;
  }

  /** -1, 0 or 1 as this is less than, equal to or greater than other. */
  cmp(other: Quantity): -1 | 0 | 1 {
    return this.nanos < other.nanos ? -1 : this.nanos > other.nanos ? 1 : 0;
  }

  equals(other: Quantity): boolean {
    return this.nanos === other.nanos;
  }

  /** Sum; keeps this one's format unless this is zero (as Quantity.Add). */
  add(other: Quantity): Quantity {
    return new Quantity(this.nanos + other.nanos, this.isZero() ? other.format : this.format);
  }

  sub(other: Quantity): Quantity {
    return new Quantity(this.nanos - other.nanos, this.isZero() ? other.format : this.format);
  }

  neg(): Quantity {
    return new Quantity(-this.nanos, this.format);
  }

  /** Multiply by an integer. */
  mul(factor: number | bigint): Quantity {
    return new Quantity(this.nanos * BigInt(factor), this.format);
  }

  /** ceil(q * 10^-scale) away from zero, as bigint: scaledValue(-3) is the milli value. */
  scaledValueBig(scale: number): bigint {
    const exp = 9 + scale; // nanos = v * 10^9, we want v / 10^scale = nanos / 10^(9+scale)
    return exp >= 0 ? divAwayFromZero(this.nanos, pow10(exp)) : this.nanos * pow10(-exp);
  }

  /** The value rounded up, away from zero, to an integer (Quantity.Value). */
  value(): number {
    return Number(this.scaledValueBig(0));
  }

  /** ceil(q * 1000) away from zero (Quantity.MilliValue): `100m` -> 100, `1` -> 1000. */
  milliValue(): number {
    return Number(this.scaledValueBig(-3));
  }

  valueBig(): bigint {
    return this.scaledValueBig(0);
  }

  milliValueBig(): bigint {
    return this.scaledValueBig(-3);
  }

  /** A float approximation, for ratios and display only. */
  asApproximateFloat64(): number {
    return Number(this.nanos) / 1e9;
  }

  /** The canonical form Kubernetes serialises (`1.5` -> `1500m`, `1.5Gi` -> `1536Mi`). */
  toString(): string {
    if (this.original !== undefined) return this.original;
    return canonicalString(this.nanos, this.format);
  }

  toJSON(): string {
    return this.toString();
  }
}

/** Mantissa and base-10 exponent (a multiple of 3, >= -9) with no fractional digits. */
function canonicalDecimal(nanos: bigint): { mantissa: bigint; exponent: number } {
  let mantissa = nanos;
  let exponent = -9;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  const rem = ((exponent % 3) + 3) % 3;
  if (rem !== 0) {
    mantissa *= pow10(rem);
    exponent -= rem;
  }
  return { mantissa, exponent };
}

function canonicalString(nanos: bigint, format: QuantityFormat): string {
  if (nanos === 0n) return "0";
  let fmt = format;
  if (fmt === "BinarySI") {
    // Small or fractional binary quantities print as decimal so that nothing is rounded.
    if (abs(nanos) < 1024n * NANO || nanos % NANO !== 0n) fmt = "DecimalSI";
  }
  if (fmt === "BinarySI") {
    let mantissa = nanos / NANO;
    let exponent = 0;
    while (mantissa % 1024n === 0n && exponent < 60) {
      mantissa /= 1024n;
      exponent += 10;
    }
    return `${mantissa}${BINARY_SUFFIX_BY_EXPONENT.get(exponent) ?? ""}`;
  }
  const { mantissa, exponent } = canonicalDecimal(nanos);
  if (fmt === "DecimalSI") {
    const suffix = DECIMAL_SUFFIX_BY_EXPONENT.get(exponent);
    if (suffix !== undefined) return `${mantissa}${suffix}`;
  }
  return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
}

interface ScannedQuantity {
  positive: boolean;
  num: string;
  denom: string;
  suffix: string;
}

/** The same scanner as parseQuantityString: sign, digits, optional fraction, suffix. */
function scan(str: string): ScannedQuantity {
  let pos = 0;
  const end = str.length;
  let positive = true;
  if (str[0] === "-") {
    positive = false;
    pos++;
  } else if (str[0] === "+") {
    pos++;
  }
  while (pos < end && str[pos] === "0") pos++;
  const numStart = pos;
  while (pos < end && str[pos] >= "0" && str[pos] <= "9") pos++;
  const num = str.slice(numStart, pos) || "0";
  let denom = "";
  if (pos < end && str[pos] === ".") {
    pos++;
    const denomStart = pos;
    while (pos < end && str[pos] >= "0" && str[pos] <= "9") pos++;
    denom = str.slice(denomStart, pos);
  }
  const suffixStart = pos;
  while (pos < end && "eEinumkKMGTP".includes(str[pos])) pos++;
  if (pos < end && (str[pos] === "-" || str[pos] === "+")) pos++;
  while (pos < end && str[pos] >= "0" && str[pos] <= "9") pos++;
  if (pos < end) throw new QuantityParseError(ERR_FORMAT_WRONG);
  return { positive, num, denom, suffix: str.slice(suffixStart) };
}

function interpretSuffix(suffix: string): { base: 2 | 10; exponent: number; format: QuantityFormat } {
  const dec = DECIMAL_SUFFIXES[suffix];
  if (dec !== undefined && Object.hasOwn(DECIMAL_SUFFIXES, suffix)) {
    return { base: 10, exponent: dec, format: "DecimalSI" };
  }
  const bin = BINARY_SUFFIXES[suffix];
  if (bin !== undefined && Object.hasOwn(BINARY_SUFFIXES, suffix)) {
    return { base: 2, exponent: bin, format: "BinarySI" };
  }
  if (
    suffix.length > 1 &&
    (suffix[0] === "e" || suffix[0] === "E") &&
    /^[+-]?[0-9]+$/.test(suffix.slice(1))
  ) {
    const exponent = Number(suffix.slice(1));
    if (Math.abs(exponent) <= 2147483647) return { base: 10, exponent, format: "DecimalExponent" };
  }
  throw new QuantityParseError(ERR_SUFFIX);
}

/**
 * Parse a quantity as the apiserver does. JSON numbers are accepted (their decimal text is parsed).
 * Throws QuantityParseError with Kubernetes' message on malformed input.
 */
export function parseQuantity(input: string | number): Quantity {
  const str = typeof input === "number" ? numberToQuantityText(input) : input;
  if (str.length === 0) throw new QuantityParseError(ERR_FORMAT_WRONG);
  if (str === "0") return new Quantity(0n, "DecimalSI", "0");
  const { positive, num, denom, suffix } = scan(str);
  const { base, exponent, format: parsedFormat } = interpretSuffix(suffix);
  let format = parsedFormat;
  const digits = BigInt(num + denom);
  const sign = positive ? 1n : -1n;
  let nanos: bigint;
  if (base === 10) {
    const scale = exponent - denom.length + 9;
    if (scale > MAX_DECIMAL_EXPONENT) throw new QuantityParseError(ERR_NUMERIC);
    if (scale >= 0) nanos = digits * pow10(scale);
    else if (digits === 0n) nanos = 0n;
    else if (-scale > num.length + denom.length)
      nanos = 1n; // below 1n: rounds up to 1n
    else nanos = divAwayFromZero(digits, pow10(-scale));
  } else {
    const scaled = digits * (1n << BigInt(exponent)) * NANO;
    nanos = divAwayFromZero(scaled, pow10(denom.length));
  }
  if (format === "BinarySI" && nanos > MAX_INT64 * NANO) nanos = MAX_INT64 * NANO;
  if (format === "BinarySI" && nanos > 0n && nanos < NANO) format = "DecimalSI";
  nanos *= sign;
  return new Quantity(nanos, format, reusableString(str, num, denom, base, exponent));
}

/**
 * Kubernetes keeps the input string (and so prints it back unchanged, sign and all) when it parsed
 * on the int64 fast path and already looks canonical; mirror its exact conditions.
 */
function reusableString(
  str: string,
  num: string,
  denom: string,
  base: 2 | 10,
  exponent: number,
): string | undefined {
  const shifted = num + denom;
  if (base === 2) {
    if (denom.length > 0) return undefined;
    const precision = 15 - num.length - Math.trunc((exponent * 3) / 10) - 1;
    if (precision < 0) return undefined;
    const value = BigInt(shifted);
    if (value << BigInt(exponent) > MAX_INT64) return undefined;
    return (value & 7n) !== 0n ? str : undefined;
  }
  if (18 - shifted.length < 0) return undefined;
  const scale = exponent - denom.length;
  if (scale < -9) return undefined;
  if (scale % 3 === 0 && !shifted.endsWith("000") && shifted[0] !== "0") return str;
  return undefined;
}

function numberToQuantityText(n: number): string {
  if (!Number.isFinite(n)) throw new QuantityParseError(ERR_FORMAT_WRONG);
  return String(n).replace("e+", "e");
}

/** Like parseQuantity, but returns undefined instead of throwing. */
export function tryParseQuantity(input: unknown): Quantity | undefined {
  if (typeof input !== "string" && typeof input !== "number") return undefined;
  try {
    return parseQuantity(input);
  } catch {
    return undefined;
  }
}

export function isValidQuantity(input: unknown): boolean {
  return tryParseQuantity(input) !== undefined;
}

/** The parse error message for input, or undefined if it parses. */
export function quantityError(input: unknown): string | undefined {
  if (typeof input !== "string" && typeof input !== "number") return ERR_FORMAT_WRONG;
  try {
    parseQuantity(input);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** resource.NewQuantity: an integer value in the given format. */
export function newQuantity(value: number | bigint, format: QuantityFormat = "DecimalSI"): Quantity {
  return new Quantity(BigInt(value) * NANO, format);
}

/** resource.NewMilliQuantity: value/1000 in the given format (`newMilliQuantity(1500)` is `1500m`). */
export function newMilliQuantity(milli: number | bigint, format: QuantityFormat = "DecimalSI"): Quantity {
  return new Quantity(BigInt(milli) * 1_000_000n, format);
}

/** Canonical text of a quantity given in any accepted form; the input unchanged if it does not parse. */
export function canonicalQuantity(input: string | number): string {
  const q = tryParseQuantity(input);
  return q ? q.toString() : String(input);
}

/** Sum of quantities (zero in DecimalSI for an empty list). */
export function sumQuantities(qs: Iterable<Quantity>): Quantity {
  let total = new Quantity(0n);
  for (const q of qs) total = total.add(q);
  return total;
}

export function maxQuantity(a: Quantity, b: Quantity): Quantity {
  return a.cmp(b) >= 0 ? a : b;
}

export function minQuantity(a: Quantity, b: Quantity): Quantity {
  return a.cmp(b) <= 0 ? a : b;
}
