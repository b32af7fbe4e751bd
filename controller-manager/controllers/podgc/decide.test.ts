import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "kubernetes-types/core/v1";
import { podsToDelete } from "./decide.js";

const pod = (
  name: string,
  opts: { node?: string; phase?: string; created?: number; deleting?: boolean } = {},
): Pod => ({
  metadata: {
    name,
    namespace: "default",
    creationTimestamp: new Date(Date.UTC(2024, 0, 1, 0, 0, opts.created ?? 0)).toISOString(),
    ...(opts.deleting ? { deletionTimestamp: "2024-01-02T00:00:00Z" } : {}),
  },
  spec: { containers: [], nodeName: opts.node },
  status: { phase: opts.phase ?? "Running" },
});

describe("podsToDelete", () => {
  const cases: { name: string; pods: Pod[]; gone: string[]; threshold: number; want: string[] }[] = [
    { name: "nothing to do", pods: [pod("a", { node: "n1" })], gone: [], threshold: 10, want: [] },
    {
      name: "oldest terminated beyond the threshold",
      pods: [
        pod("new", { node: "n1", phase: "Succeeded", created: 3 }),
        pod("old", { node: "n1", phase: "Failed", created: 1 }),
        pod("mid", { node: "n1", phase: "Succeeded", created: 2 }),
        pod("run", { node: "n1", created: 0 }),
      ],
      gone: [],
      threshold: 1,
      want: ["old:terminated", "mid:terminated"],
    },
    {
      name: "threshold 0 keeps all",
      pods: [pod("t", { node: "n1", phase: "Succeeded" })],
      gone: [],
      threshold: 0,
      want: [],
    },
    {
      name: "orphaned on a deleted node",
      pods: [pod("o", { node: "gone" }), pod("k", { node: "n1" })],
      gone: ["gone"],
      threshold: 0,
      want: ["o:orphaned"],
    },
    {
      name: "unscheduled and terminating",
      pods: [pod("u", { deleting: true }), pod("pending")],
      gone: [],
      threshold: 0,
      want: ["u:unscheduledTerminating"],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = podsToDelete(c.pods, (n) => c.gone.includes(n), c.threshold);
      assert.deepEqual(
        got.map((d) => `${d.pod.metadata?.name}:${d.reason}`),
        c.want,
      );
    });
  }
});
