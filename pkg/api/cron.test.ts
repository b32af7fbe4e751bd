import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cronError, nextActivation, parseCron } from "./cron.js";

describe("cron schedules", () => {
  const next: [string, string, string][] = [
    ["*/1 * * * *", "2024-01-01T00:00:30Z", "2024-01-01T00:01:00.000Z"],
    ["*/5 * * * *", "2024-01-01T00:01:00Z", "2024-01-01T00:05:00.000Z"],
    ["0 * * * *", "2024-01-01T00:00:00Z", "2024-01-01T01:00:00.000Z"],
    ["30 2 * * 1", "2024-01-01T03:00:00Z", "2024-01-08T02:30:00.000Z"],
    ["0 0 1 jan *", "2024-03-01T00:00:00Z", "2025-01-01T00:00:00.000Z"],
    ["@hourly", "2024-01-01T00:10:00Z", "2024-01-01T01:00:00.000Z"],
    ["@daily", "2024-01-01T00:10:00Z", "2024-01-02T00:00:00.000Z"],
    ["0 0 13 * 5", "2024-09-01T00:00:00Z", "2024-09-06T00:00:00.000Z"],
  ];
  for (const [spec, after, want] of next) {
    it(`${spec} after ${after}`, () =>
      assert.equal(nextActivation(parseCron(spec), new Date(after))?.toISOString(), want));
  }
  const errors: [string, string][] = [
    ["every minute", "expected exactly 5 fields, found 2: [every minute]"],
    ["60 * * * *", "end of range (60) above maximum (59): 60"],
    ["* * * * 7", "end of range (7) above maximum (6): 7"],
    ["5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"],
    ["@fortnightly", "unrecognized descriptor: @fortnightly"],
    ["*/0 * * * *", "step of range should be a positive number: */0"],
  ];
  for (const [spec, want] of errors) it(`error ${spec}`, () => assert.equal(cronError(spec), want));
  it("valid", () => assert.equal(cronError("*/1 * * * *"), undefined));
});
