import assert from "node:assert/strict";
import { test } from "node:test";
import { containersToCollect } from "./gc.js";
import type { ContainerState, ContainerStatus, PodRuntimeStatus } from "./types.js";

function c(id: string, name: string, state: ContainerState, createdAt: number): ContainerStatus {
  return {
    id,
    name,
    state,
    createdAt,
    finishedAt: state === "exited" ? createdAt + 1 : undefined,
    image: "busybox",
    imageRef: "sha256:1",
    restartCount: 0,
    hash: "h",
    isInit: false,
  };
}
const pod = (uid: string, containers: ContainerStatus[]): PodRuntimeStatus => ({
  uid,
  name: uid,
  namespace: "default",
  sandboxes: [],
  containers,
});

test("containersToCollect: keeps the newest exited container per pod and name, removes the older ones", () => {
  const cases: { name: string; pods: PodRuntimeStatus[]; want: string[] }[] = [
    { name: "nothing exited", pods: [pod("a", [c("1", "app", "running", 5)])], want: [] },
    {
      name: "running with one exited predecessor (lastState, logs --previous): kept",
      pods: [pod("a", [c("2", "app", "running", 9), c("1", "app", "exited", 5)])],
      want: [],
    },
    {
      name: "a crash loop: every exited one but the newest goes",
      pods: [pod("a", [c("3", "app", "exited", 7), c("1", "app", "exited", 1), c("2", "app", "exited", 4)])],
      want: ["2", "1"],
    },
    {
      name: "per container name and per pod",
      pods: [
        pod("a", [c("1", "app", "exited", 1), c("2", "app", "exited", 2), c("3", "side", "exited", 1)]),
        pod("b", [c("4", "app", "exited", 1), c("5", "app", "running", 3)]),
      ],
      want: ["1"],
    },
    {
      name: "created (never started) and unknown containers are not collected",
      pods: [
        pod("a", [c("1", "app", "created", 1), c("2", "app", "unknown", 2), c("3", "app", "exited", 3)]),
      ],
      want: [],
    },
  ];
  for (const t of cases) assert.deepEqual(containersToCollect(t.pods, 100), t.want, t.name);
});

test("containersToCollect: a minimum age and a larger limit", () => {
  const p = pod("a", [c("1", "app", "exited", 10), c("2", "app", "exited", 50), c("3", "app", "exited", 90)]);
  assert.deepEqual(containersToCollect([p], 100, { maxPerPodContainer: 1, minAgeMs: 60 }), ["1"]);
  assert.deepEqual(containersToCollect([p], 100, { maxPerPodContainer: 2, minAgeMs: 0 }), ["1"]);
  assert.deepEqual(containersToCollect([p], 100, { maxPerPodContainer: 0, minAgeMs: 0 }), ["3", "2", "1"]);
});
