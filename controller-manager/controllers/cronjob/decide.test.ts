import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseCron } from "../../../pkg/api/cron.js";
import { mostRecentScheduleTime } from "./decide.js";

const t = (s: string) => Date.parse(s);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe("mostRecentScheduleTime", () => {
  const cases: { spec: string; from: string; now: string; time?: string; missed: number }[] = [
    {
      spec: "*/1 * * * *",
      from: "2024-01-01T00:00:00Z",
      now: "2024-01-01T00:03:30Z",
      time: "2024-01-01T00:03:00.000Z",
      missed: 2,
    },
    { spec: "*/1 * * * *", from: "2024-01-01T00:00:00Z", now: "2024-01-01T00:00:59Z", missed: 0 },
    {
      spec: "*/5 * * * *",
      from: "2024-01-01T00:01:00Z",
      now: "2024-01-01T00:05:00Z",
      time: "2024-01-01T00:05:00.000Z",
      missed: 0,
    },
    {
      spec: "@hourly",
      from: "2024-01-01T00:00:00Z",
      now: "2024-01-01T05:10:00Z",
      time: "2024-01-01T05:00:00.000Z",
      missed: 4,
    },
  ];
  for (const c of cases)
    it(`${c.spec} from ${c.from} at ${c.now}`, () => {
      const r = mostRecentScheduleTime(parseCron(c.spec), t(c.from), t(c.now));
      assert.equal(iso(r.time), c.time);
      assert.equal(r.missed, c.missed);
    });
});
