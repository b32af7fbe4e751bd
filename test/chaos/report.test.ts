import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatRow, formatSeconds, TABLE_END, TABLE_START, upsertRow } from "./report.js";

const at = new Date("2026-01-02T03:04:05Z");
const row = (scenario: string, lost = 0) =>
  formatRow({
    scenario,
    detectMs: 12_340,
    recoverMs: 40_000,
    goal: "20 s / 45 s",
    lost,
    passed: lost === 0,
    at,
  });

describe("chaos report", () => {
  it("formats seconds and rows", () => {
    assert.equal(formatSeconds(undefined), "—");
    assert.equal(formatSeconds(1234), "1.2 s");
    assert.equal(
      formatRow({ scenario: "a|b", goal: "g", lost: 1, passed: false, notes: "x\ny", at }),
      "| a\\|b | 2026-01-02 03:04 | — | — | g | 1 | FAIL | x y |",
    );
  });

  const cases: { name: string; doc: string; add: string; wantRows: string[]; keeps?: string[] }[] = [
    {
      name: "empty document: creates the table",
      doc: "",
      add: row("node loss"),
      wantRows: [row("node loss")],
    },
    {
      name: "no markers: appends the table after the prose",
      doc: "# Reliability\nprose",
      add: row("x"),
      wantRows: [row("x")],
      keeps: ["# Reliability\nprose\n"],
    },
    {
      name: "new scenario: appended",
      doc: upsertRow("intro\n", row("a")),
      add: row("b"),
      wantRows: [row("a"), row("b")],
      keeps: ["intro\n"],
    },
    {
      name: "same scenario: replaced in place",
      doc: `${upsertRow(upsertRow("intro\n", row("a")), row("b"))}after\n`,
      add: row("a", 3),
      wantRows: [row("a", 3), row("b")],
      keeps: ["intro\n", `${TABLE_END}\nafter\n`],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const out = upsertRow(c.doc, c.add);
      const table = out.slice(out.indexOf(TABLE_START) + TABLE_START.length, out.indexOf(TABLE_END));
      const rows = table
        .split("\n")
        .filter((l) => l.startsWith("|"))
        .slice(2);
      assert.deepEqual(rows, c.wantRows);
      for (const k of c.keeps ?? []) assert.ok(out.includes(k), `lost ${JSON.stringify(k)}`);
      assert.equal(upsertRow(out, c.add), out, "idempotent");
    });
});
