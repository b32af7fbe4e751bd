// Small pure helpers for the apiserver benchmark: percentiles, summaries, and the text of one figure line
// (value, goal or ceiling, ratio) so that the console and RESULTS.md say the same thing.

/** The p-th percentile (0..100) by the nearest-rank method; NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(samples: readonly number[]): Summary {
  return {
    n: samples.length,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    max: samples.length ? Math.max(...samples) : Number.NaN,
  };
}

/** "12.3" for small numbers, "1234" for large ones: figures a reader can compare at a glance. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return "n/a";
  const a = Math.abs(x);
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

export type GoalKind = "atLeast" | "atMost";

/** Whether a value meets its goal: "atLeast" (throughput, ratios) or "atMost" (latency, memory). */
export function meets(value: number, goal: number, kind: GoalKind): boolean {
  if (!Number.isFinite(value)) return false;
  return kind === "atLeast" ? value >= goal : value <= goal;
}

/** One row of the results: a figure, its goal, and what it is compared with (ceiling) in the same run. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  goal?: { value: number; kind: GoalKind; unit?: string; ratioGoal?: boolean };
  ceiling?: { value: number; label: string };
  note?: string;
}

export function ratioOf(f: Figure): number | undefined {
  if (!f.ceiling || f.ceiling.value === 0) return undefined;
  return f.value / f.ceiling.value;
}

/** Is the goal met? For ratio goals the goal applies to value/ceiling. */
export function figureMeets(f: Figure): boolean | undefined {
  if (!f.goal) return undefined;
  const v = f.goal.ratioGoal ? ratioOf(f) : f.value;
  return v === undefined ? false : meets(v, f.goal.value, f.goal.kind);
}

function goalText(f: Figure): string {
  if (!f.goal) return "—";
  const sign = f.goal.kind === "atLeast" ? "≥" : "<";
  return f.goal.ratioGoal
    ? `ratio ${sign} ${f.goal.value}`
    : `${sign} ${fmt(f.goal.value)} ${f.goal.unit ?? f.unit}`;
}

function verdict(f: Figure): string {
  const ok = figureMeets(f);
  return ok === undefined ? "" : ok ? "met" : "MISSED";
}

/** The console line for a figure. */
export function figureLine(f: Figure): string {
  const r = ratioOf(f);
  const parts = [`${f.name}: ${fmt(f.value)} ${f.unit}`];
  if (f.ceiling)
    parts.push(`${f.ceiling.label} ${fmt(f.ceiling.value)} ${f.unit}`, `ratio ${fmt(r ?? Number.NaN)}`);
  if (f.goal) parts.push(`goal ${goalText(f)} ${verdict(f)}`);
  return parts.join("   ");
}

/** The markdown table of every figure. */
export function figuresTable(figures: readonly Figure[]): string {
  const rows = [
    "| figure | value | ceiling (same run) | ratio | goal | |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const f of figures) {
    const r = ratioOf(f);
    const ceiling = f.ceiling ? `${fmt(f.ceiling.value)} ${f.unit} (${f.ceiling.label})` : "—";
    const name = f.note ? `${f.name} (${f.note})` : f.name;
    rows.push(
      `| ${name} | ${fmt(f.value)} ${f.unit} | ${ceiling} | ${r === undefined ? "—" : fmt(r)} | ${goalText(f)} | ${verdict(f)} |`,
    );
  }
  return rows.join("\n");
}
