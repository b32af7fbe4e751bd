import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mostRecentScheduleTime, nextAfter, parseSchedule } from "./cron.js";

const t = (s: string) => Date.parse(s);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe("cron", () => {
  const cases: [string, string, string][] = [
    ["*/1 * * * *", "2024-01-01T00:00:30Z", "2024-01-01T00:01:00.000Z"],
    ["*/5 * * * *", "2024-01-01T00:01:00Z", "2024-01-01T00:05:00.000Z"],
    ["0 * * * *", "2024-01-01T00:00:00Z", "2024-01-01T01:00:00.000Z"],
    ["@daily", "2024-01-01T12:00:00Z", "2024-01-02T00:00:00.000Z"],
    ["30 2 * * mon", "2024-01-01T03:00:00Z", "2024-01-08T02:30:00.000Z"],
    ["0 0 1 feb *", "2024-01-15T00:00:00Z", "2024-02-01T00:00:00.000Z"],
    ["0 9-17/4 * * *", "2024-01-01T10:00:00Z", "2024-01-01T13:00:00.000Z"],
  ];
  for (const [spec, after, want] of cases)
    it(`${spec} after ${after}`, () => assert.equal(iso(nextAfter(parseSchedule(spec), t(after))), want));
  it("rejects malformed schedules", () => {
    assert.throws(() => parseSchedule("* * *"), /expected exactly 5 fields/);
    assert.throws(() => parseSchedule("61 * * * *"));
  });
  it("finds the most recent missed time", () => {
    const r = mostRecentScheduleTime(
      parseSchedule("*/1 * * * *"),
      t("2024-01-01T00:00:00Z"),
      t("2024-01-01T00:03:30Z"),
    );
    assert.equal(iso(r.time), "2024-01-01T00:03:00.000Z");
    assert.equal(r.missed, 2);
  });
});
