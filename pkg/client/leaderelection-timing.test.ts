import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LeaderElector } from "./leaderelection.js";
import type { RestClient } from "./rest.js";

describe("LeaderElector timings", () => {
  it("rounds fractional durations (AbortSignal.timeout rejects them, crashing the renew loop)", () => {
    const client = { resource: () => ({}), logger: undefined } as unknown as RestClient;
    const e = new LeaderElector({
      client,
      namespace: "kube-system",
      name: "kube-scheduler",
      leaseDurationMs: 8000,
      renewDeadlineMs: (8000 * 2) / 3,
      retryPeriodMs: 8000 / 7.5,
      onStartedLeading() {},
    });
    const timings = e as unknown as { renewDeadlineMs: number; retryPeriodMs: number };
    assert.equal(timings.renewDeadlineMs, 5333);
    assert.equal(timings.retryPeriodMs, 1067);
    assert.doesNotThrow(() => AbortSignal.timeout(timings.renewDeadlineMs));
  });
});
