// The chaos suite's figures, kept in docs/RELIABILITY.md: one row per scenario (the latest run replaces
// the previous one, so the table always reads as "what the cluster does today"), between two markers
// so that the prose around the table stays the author's. The table logic is pure (tested); only
// recordResult touches the file.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository: the first folder up from this file with a docker-compose.yml (the suite may run from
 *  dist/ or from a helper's own output folder). */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, "docker-compose.yml")) && path.dirname(dir) !== dir)
    dir = path.dirname(dir);
  return dir;
}

export const RELIABILITY_MD =
  process.env.TSKUBE_RELIABILITY_MD ?? path.join(repoRoot(), "docs", "RELIABILITY.md");
export const TABLE_START = "<!-- chaos-results:start (written by test/chaos/report.ts) -->";
export const TABLE_END = "<!-- chaos-results:end -->";
const HEADER = [
  "| scenario | run at (UTC) | time to detect | time to recover | goal | objects lost | result | notes |",
  "| --- | --- | --- | --- | --- | --- | --- | --- |",
];

export interface ChaosResult {
  scenario: string;
  /** ms from the fault to its detection (node NotReady, new etcd leader, ...); undefined = not measured. */
  detectMs?: number | undefined;
  /** ms from the fault to convergence (pods ready again, writes resumed, ...); undefined = never. */
  recoverMs?: number | undefined;
  goal: string;
  /** Objects lost; undefined = the scenario did not get as far as counting them. */
  lost: number | undefined;
  passed: boolean;
  notes?: string;
  at?: Date;
}

export function formatSeconds(ms: number | undefined): string {
  return ms === undefined ? "—" : `${(ms / 1000).toFixed(1)} s`;
}

/** One table row; pipes in free text would break the table, so they are escaped. */
export function formatRow(r: ChaosResult): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const at = (r.at ?? new Date()).toISOString().replace("T", " ").slice(0, 16);
  return `| ${[
    r.scenario,
    at,
    formatSeconds(r.detectMs),
    formatSeconds(r.recoverMs),
    r.goal,
    r.lost === undefined ? "not counted" : String(r.lost),
    r.passed ? "pass" : "FAIL",
    r.notes ?? "",
  ]
    .map(cell)
    .join(" | ")} |`;
}

const scenarioOf = (row: string) => row.split("|")[1]?.trim() ?? "";

/** The document with `row` in the results table: replacing that scenario's row, else appended. Creates
 *  the table (at the end) when the markers are missing. */
export function upsertRow(doc: string, row: string): string {
  const start = doc.indexOf(TABLE_START);
  const end = doc.indexOf(TABLE_END);
  if (start < 0 || end < start) {
    const sep = doc === "" || doc.endsWith("\n") ? "" : "\n";
    return `${doc}${sep}\n${TABLE_START}\n${[...HEADER, row].join("\n")}\n${TABLE_END}\n`;
  }
  const inside = doc
    .slice(start + TABLE_START.length, end)
    .split("\n")
    .filter((l) => l.startsWith("|"));
  const rows = inside.slice(2);
  const name = scenarioOf(row);
  const at = rows.findIndex((r) => scenarioOf(r) === name);
  if (at >= 0) rows[at] = row;
  else rows.push(row);
  return `${doc.slice(0, start)}${TABLE_START}\n${[...HEADER, ...rows].join("\n")}\n${doc.slice(end)}`;
}

/** Prints the figures and writes them into docs/RELIABILITY.md. Never throws: a report that cannot be
 *  written must not hide the scenario's own verdict. */
export function recordResult(r: ChaosResult): void {
  const row = formatRow(r);
  console.log(`[chaos] ${row}`);
  try {
    const doc = existsSync(RELIABILITY_MD) ? readFileSync(RELIABILITY_MD, "utf8") : "";
    writeFileSync(RELIABILITY_MD, upsertRow(doc, row));
  } catch (err) {
    console.error(`[chaos] could not write ${RELIABILITY_MD}: ${String(err)}`);
  }
}
