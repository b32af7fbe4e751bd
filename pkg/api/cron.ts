// CronJob schedules, parsed as Kubernetes does (github.com/robfig/cron/v3 ParseStandard: five fields,
// names for months and weekdays, `?`, ranges, steps, and the @hourly-style descriptors), with the
// same error messages, and the next activation time after a given moment (UTC or a fixed zone offset
// is the caller's business: times are computed in UTC here).

export interface CronSchedule {
  minutes: Set<number>;
  hours: Set<number>;
  daysOfMonth: Set<number>;
  months: Set<number>;
  daysOfWeek: Set<number>;
  /** Whether day-of-month / day-of-week was `*` or `?` (cron ORs the two only when both are restricted). */
  domStar: boolean;
  dowStar: boolean;
  /** For `@every <duration>`: the period in seconds. */
  everySeconds?: number;
}

export class CronParseError extends Error {
  override name = "CronParseError";
}

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTHS: Bounds = {
  min: 1,
  max: 12,
  names: {
    jan: 1,
    feb: 2,
    mar: 3,
    apr: 4,
    may: 5,
    jun: 6,
    jul: 7,
    aug: 8,
    sep: 9,
    oct: 10,
    nov: 11,
    dec: 12,
  },
};
const DOW: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

function parseIntOrName(expr: string, b: Bounds): number {
  const named = b.names?.[expr.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^[+-]?[0-9]+$/.test(expr))
    throw new CronParseError(
      `failed to parse int from ${expr}: strconv.Atoi: parsing "${expr}": invalid syntax`,
    );
  const n = Number(expr);
  if (n < 0) throw new CronParseError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function parseRange(expr: string, b: Bounds, out: Set<number>): boolean {
  const rangeAndStep = expr.split("/");
  const lowAndHigh = rangeAndStep[0].split("-");
  const singleDigit = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === "*" || lowAndHigh[0] === "?") {
    start = b.min;
    end = b.max;
    star = true;
  } else {
    start = parseIntOrName(lowAndHigh[0], b);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1], b);
    else throw new CronParseError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = Number(rangeAndStep[1]);
    if (!/^[+-]?[0-9]+$/.test(rangeAndStep[1])) {
      throw new CronParseError(
        `failed to parse int from ${rangeAndStep[1]}: strconv.Atoi: parsing "${rangeAndStep[1]}": invalid syntax`,
      );
    }
    if (singleDigit) end = b.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    throw new CronParseError(`too many slashes: ${expr}`);
  }
  if (start < b.min)
    throw new CronParseError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new CronParseError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end)
    throw new CronParseError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step <= 0) throw new CronParseError(`step of range should be a positive number: ${expr}`);
  for (let v = start; v <= end; v += step) out.add(v);
  return star;
}

function parseField(field: string, b: Bounds): { values: Set<number>; star: boolean } {
  const values = new Set<number>();
  let star = true;
  for (const part of field.split(",")) {
    if (!parseRange(part, b, values)) star = false;
  }
  return { values, star };
}

const DESCRIPTORS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** Go time.ParseDuration for its unsigned forms (`1h30m`, `90s`, `5m`, `1m0s`), in seconds. */
export function parseDuration(s: string): number | undefined {
  const re = /([0-9]+(?:\.[0-9]*)?)(ns|us|µs|ms|s|m|h)/g;
  const units: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let total = 0;
  let consumed = 0;
  for (const m of s.matchAll(re)) {
    if (m.index !== consumed) return undefined;
    total += Number(m[1]) * units[m[2]];
    consumed += m[0].length;
  }
  return consumed === s.length && consumed > 0 ? total : undefined;
}

/** Parse a schedule; throws CronParseError with robfig/cron's message. */
export function parseCron(spec: string): CronSchedule {
  const trimmed = spec.trim();
  if (trimmed.length === 0) throw new CronParseError("empty spec string");
  if (trimmed.startsWith("@")) {
    if (trimmed.startsWith("@every ")) {
      const secs = parseDuration(trimmed.slice("@every ".length).trim());
      if (secs === undefined)
        throw new CronParseError(`failed to parse duration ${trimmed}: time: invalid duration`);
      const all = parseCron("* * * * *");
      return { ...all, everySeconds: Math.max(1, Math.floor(secs)) };
    }
    const expanded = DESCRIPTORS[trimmed];
    if (!expanded) throw new CronParseError(`unrecognized descriptor: ${trimmed}`);
    return parseCron(expanded);
  }
  const fields = trimmed.split(/\s+/);
  if (fields.length !== 5) {
    throw new CronParseError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(" ")}]`);
  }
  const minutes = parseField(fields[0], MINUTES);
  const hours = parseField(fields[1], HOURS);
  const dom = parseField(fields[2], DOM);
  const months = parseField(fields[3], MONTHS);
  const dow = parseField(fields[4], DOW);
  return {
    minutes: minutes.values,
    hours: hours.values,
    daysOfMonth: dom.values,
    months: months.values,
    daysOfWeek: dow.values,
    domStar: dom.star,
    dowStar: dow.star,
  };
}

function dayMatches(s: CronSchedule, d: Date): boolean {
  const domOk = s.daysOfMonth.has(d.getUTCDate());
  const dowOk = s.daysOfWeek.has(d.getUTCDay());
  if (s.domStar || s.dowStar) return domOk && dowOk;
  return domOk || dowOk;
}

/** The first activation strictly after `after` (UTC), or undefined if none within five years. */
export function nextActivation(s: CronSchedule, after: Date): Date | undefined {
  if (s.everySeconds !== undefined) {
    const base = Math.floor(after.getTime() / 1000) * 1000;
    return new Date(base + s.everySeconds * 1000);
  }
  const t = new Date(Math.floor(after.getTime() / 60000) * 60000 + 60000);
  const limit = after.getTime() + 5 * 366 * 24 * 3600 * 1000;
  while (t.getTime() <= limit) {
    if (!s.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!dayMatches(s, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!s.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!s.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    return new Date(t.getTime());
  }
  return undefined;
}

/** The error message for an invalid schedule, or undefined. */
export function cronError(spec: string): string | undefined {
  try {
    parseCron(spec);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
