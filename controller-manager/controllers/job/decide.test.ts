import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Job } from "kubernetes-types/batch/v1";
import type { Pod } from "kubernetes-types/core/v1";
import { COMPLETION_INDEX, decideJob, formatIndexes } from "./decide.js";

const NOW = Date.parse("2024-01-01T00:10:00Z");
const job = (o: Partial<NonNullable<Job["spec"]>> = {}, status?: Job["status"]): Job => ({
  metadata: { name: "oneshot" },
  spec: { template: {}, ...o },
  status,
});
const pod = (phase: string, index?: number, finished = "2024-01-01T00:00:00Z"): Pod => ({
  metadata: {
    name: `p-${Math.random()}`,
    annotations: index === undefined ? {} : { [COMPLETION_INDEX]: String(index) },
  },
  spec: { containers: [] },
  status: {
    phase,
    containerStatuses:
      phase === "Failed"
        ? [
            {
              name: "c",
              image: "",
              imageID: "",
              ready: false,
              restartCount: 0,
              state: { terminated: { exitCode: 1, finishedAt: finished } },
            },
          ]
        : [],
  },
});

describe("decideJob", () => {
  it("completions 5, parallelism 2 starts two", () => {
    assert.equal(decideJob(job({ completions: 5, parallelism: 2 }), [], NOW).create.length, 2);
  });
  it("never more than the completions left", () => {
    const p = decideJob(
      job({ completions: 5, parallelism: 2 }),
      [pod("Succeeded"), pod("Succeeded"), pod("Succeeded"), pod("Succeeded"), pod("Running")],
      NOW,
    );
    assert.equal(p.create.length, 0);
  });
  it("completes with SuccessCriteriaMet and Complete", () => {
    const p = decideJob(job({ completions: 1 }), [pod("Succeeded")], NOW);
    assert.deepEqual(
      p.status.conditions?.map((c) => c.type),
      ["SuccessCriteriaMet", "Complete"],
    );
    assert.equal(p.finished?.type, "Complete");
    assert.ok(p.status.completionTime);
  });
  it("fails past the backoff limit", () => {
    const p = decideJob(job({ backoffLimit: 1 }), [pod("Failed"), pod("Failed")], NOW);
    assert.equal(p.finished?.reason, "BackoffLimitExceeded");
    assert.equal(p.status.conditions?.at(-1)?.message, "Job has reached the specified backoff limit");
  });
  it("backs off after a failure", () => {
    const p = decideJob(job({ backoffLimit: 6 }), [pod("Failed", undefined, "2024-01-01T00:09:55Z")], NOW);
    assert.equal(p.create.length, 0);
    assert.equal(p.recheckAfterMs, 5_000);
  });
  it("fails after activeDeadlineSeconds", () => {
    const p = decideJob(
      job({ activeDeadlineSeconds: 60 }, { startTime: "2024-01-01T00:00:00Z" }),
      [pod("Running")],
      NOW,
    );
    assert.equal(p.finished?.reason, "DeadlineExceeded");
    assert.equal(p.delete.length, 1);
  });
  it("indexed: starts the lowest missing indexes", () => {
    const p = decideJob(
      job({ completionMode: "Indexed", completions: 4, parallelism: 2 }),
      [pod("Succeeded", 0), pod("Running", 1)],
      NOW,
    );
    assert.deepEqual(p.create, [2]);
    assert.equal(p.status.completedIndexes, "0");
  });
  it("work queue (no completions): done when one succeeded and none active", () => {
    assert.equal(decideJob(job({ parallelism: 3 }), [pod("Succeeded")], NOW).finished?.type, "Complete");
  });
  it("formats index ranges", () => assert.equal(formatIndexes([4, 0, 1, 2, 7, 8]), "0-2,4,7-8"));
});
