import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ControllerRevision, StatefulSet } from "kubernetes-types/apps/v1";
import type { Pod, PodTemplateSpec } from "kubernetes-types/core/v1";
import { labelSelectorAsSelector } from "../../../pkg/api/labels.js";
import { decideRevision } from "../../lib/history.js";
import { calculateSetStatus, decideSet, ordinalOf, REVISION_LABEL, setHistory } from "./decide.js";

function set(
  replicas: number,
  o: { parallel?: boolean; partition?: number; onDelete?: boolean } = {},
): StatefulSet {
  return {
    metadata: { name: "web", generation: 2 },
    spec: {
      replicas,
      serviceName: "nginx",
      selector: { matchLabels: { app: "nginx" } },
      template: {},
      podManagementPolicy: o.parallel ? "Parallel" : "OrderedReady",
      updateStrategy: o.onDelete
        ? { type: "OnDelete" }
        : { type: "RollingUpdate", rollingUpdate: { partition: o.partition ?? 0 } },
    },
  };
}

function pod(
  ord: number,
  o: { ready?: boolean; rev?: string; terminating?: boolean; phase?: string } = {},
): [number, Pod] {
  return [
    ord,
    {
      metadata: {
        name: `web-${ord}`,
        labels: { [REVISION_LABEL]: o.rev ?? "r1" },
        deletionTimestamp: o.terminating ? "2024-01-01T00:00:00Z" : undefined,
      },
      spec: { containers: [] },
      status: {
        phase: o.phase ?? "Running",
        conditions: [{ type: "Ready", status: o.ready === false ? "False" : "True" }],
      },
    },
  ];
}

const show = (a: ReturnType<typeof decideSet>) =>
  a
    .map((x) =>
      x.kind === "create" ? `create ${x.ordinal} ${x.revision}` : `delete ${x.pod.metadata?.name} ${x.why}`,
    )
    .join("; ");

describe("ordinalOf", () => {
  it("parses", () => {
    assert.equal(ordinalOf("web", "web-12"), 12);
    assert.equal(ordinalOf("web", "web-x"), -1);
    assert.equal(ordinalOf("web", "web-01"), -1);
    assert.equal(ordinalOf("web", "webby-1"), -1);
  });
});

describe("decideSet", () => {
  const cases: { name: string; s: StatefulSet; pods: [number, Pod][]; update?: string; want: string }[] = [
    { name: "ordered start: web-0 first", s: set(2), pods: [], want: "create 0 update" },
    { name: "waits for web-0 to be ready", s: set(2), pods: [pod(0, { ready: false })], want: "" },
    { name: "then web-1", s: set(2), pods: [pod(0)], want: "create 1 update" },
    {
      name: "parallel creates all",
      s: set(3, { parallel: true }),
      pods: [],
      want: "create 0 update; create 1 update; create 2 update",
    },
    {
      name: "scale down highest first",
      s: set(1),
      pods: [pod(0), pod(1), pod(2)],
      want: "delete web-2 condemned",
    },
    {
      name: "scale down waits for termination",
      s: set(1),
      pods: [pod(0), pod(1), pod(2, { terminating: true })],
      want: "",
    },
    {
      name: "parallel scale down",
      s: set(1, { parallel: true }),
      pods: [pod(0), pod(1), pod(2)],
      want: "delete web-2 condemned; delete web-1 condemned",
    },
    {
      name: "failed pod is recreated",
      s: set(2),
      pods: [pod(0, { phase: "Failed" }), pod(1)],
      want: "delete web-0 failed",
    },
    {
      name: "rolling update from the top",
      s: set(3),
      pods: [pod(0), pod(1), pod(2)],
      update: "r2",
      want: "delete web-2 update",
    },
    {
      name: "rolling update waits for the new pod",
      s: set(3),
      pods: [pod(0), pod(1), pod(2, { rev: "r2", ready: false })],
      update: "r2",
      want: "",
    },
    {
      name: "rolling update continues",
      s: set(3),
      pods: [pod(0), pod(1), pod(2, { rev: "r2" })],
      update: "r2",
      want: "delete web-1 update",
    },
    {
      name: "partition stops it",
      s: set(3, { partition: 2 }),
      pods: [pod(0), pod(1), pod(2, { rev: "r2" })],
      update: "r2",
      want: "",
    },
    {
      name: "below the partition new pods get the current revision",
      s: set(3, { partition: 2 }),
      pods: [pod(1), pod(2)],
      want: "create 0 current",
    },
    {
      name: "OnDelete never deletes for update",
      s: set(2, { onDelete: true }),
      pods: [pod(0), pod(1)],
      update: "r2",
      want: "",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = decideSet({
        set: c.s,
        pods: new Map(c.pods),
        currentRevision: "r1",
        updateRevision: c.update ?? "r1",
        nowMs: 0,
      });
      assert.equal(show(got), c.want);
    });
  }
});

describe("calculateSetStatus", () => {
  it("counts revisions and completes a rolling update", () => {
    const s = set(2);
    const st = calculateSetStatus(
      {
        set: s,
        pods: new Map([pod(0, { rev: "r2" }), pod(1, { rev: "r2" })]),
        currentRevision: "r1",
        updateRevision: "r2",
        nowMs: 0,
      },
      0,
    );
    assert.equal(st.currentRevision, "r2");
    assert.equal(st.updatedReplicas, 2);
    assert.equal(st.readyReplicas, 2);
    assert.equal(st.observedGeneration, 2);
  });
});

describe("setHistory (a set re-created after delete --cascade=orphan)", () => {
  const template = (image: string): PodTemplateSpec => ({
    metadata: { labels: { app: "nginx" } },
    spec: { containers: [{ name: "nginx", image }] },
  });
  const revision = (
    name: string,
    n: number,
    image: string,
    o: { owner?: string; labels?: Record<string, string> } = {},
  ): ControllerRevision => ({
    metadata: {
      name,
      labels: o.labels ?? { app: "nginx", "controller.kubernetes.io/hash": name },
      ownerReferences: o.owner
        ? [{ apiVersion: "apps/v1", kind: "StatefulSet", name: "web", uid: o.owner, controller: true }]
        : undefined,
    },
    data: { spec: { template: { ...template(image), $patch: "replace" } } },
    revision: n,
  });
  const newSet: StatefulSet = {
    metadata: { name: "web", uid: "new" },
    spec: { selector: { matchLabels: { app: "nginx" } }, serviceName: "nginx", template: template("0.8") },
  };
  const sel = labelSelectorAsSelector(newSet.spec?.selector);

  it("takes in the orphans its selector matches, leaves other owners' and unmatched ones", () => {
    const all = [
      revision("web-r3", 3, "0.7"),
      revision("web-r1", 1, "0.8"),
      revision("web-r2", 2, "gcr-0.8"),
      revision("web-mine", 5, "0.9", { owner: "new" }),
      revision("other-x", 1, "0.8", { owner: "someone-else" }),
      revision("db-y", 1, "0.8", { labels: { app: "db" } }),
    ];
    const { history, orphans } = setHistory(newSet, sel, all);
    assert.deepEqual(
      history.map((r) => r.metadata?.name),
      ["web-r1", "web-r2", "web-r3", "web-mine"],
    );
    assert.deepEqual(
      orphans.map((r) => r.metadata?.name),
      ["web-r1", "web-r2", "web-r3"],
    );
  });

  // The wrong decision: with only owned revisions the new set started a history beside the old one
  // (revision 1 = the orphan, used unowned); upstream re-numbers the orphan equal to its template.
  const cases: { name: string; all: ControllerRevision[]; want: ReturnType<typeof decideRevision> }[] = [
    {
      name: "the first revision equal to the template becomes the newest (4)",
      all: [revision("web-r1", 1, "0.8"), revision("web-r2", 2, "gcr-0.8"), revision("web-r3", 3, "0.7")],
      want: { existing: revision("web-r1", 1, "0.8"), renumberTo: 4 },
    },
    {
      name: "the newest orphan equal to the template is kept as it is",
      all: [revision("web-r1", 1, "0.7"), revision("web-r2", 2, "0.8")],
      want: { existing: revision("web-r2", 2, "0.8") },
    },
    {
      name: "no equal orphan: a new revision after them",
      all: [revision("web-r1", 1, "0.6"), revision("web-r2", 2, "0.7")],
      want: { createAs: 3 },
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.deepEqual(decideRevision(newSet.spec?.template, setHistory(newSet, sel, c.all).history), c.want);
    });
});
