import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ControllerRevision } from "kubernetes-types/apps/v1";
import type { PodTemplateSpec } from "kubernetes-types/core/v1";
import { decideRevision, newRevision, revisionsToTruncate, templateOfRevision } from "./history.js";

const template = (image: string): PodTemplateSpec => ({
  metadata: { labels: { app: "web" } },
  spec: { containers: [{ name: "c", image }] },
});
const owner = (image: string) => ({
  metadata: {
    name: "web",
    namespace: "default",
    uid: "u1",
    annotations: { "kubernetes.io/change-cause": "x" },
  },
  spec: { template: template(image) },
});
const ref = { apiVersion: "apps/v1", kind: "DaemonSet", name: "web", uid: "u1", controller: true };
const rev = (image: string, revision: number): ControllerRevision =>
  newRevision(owner(image), ref, revision, 0, "h");

describe("ControllerRevision history", () => {
  it("records the template as a replace patch, named and labelled by its hash", () => {
    const r = newRevision(owner("a"), ref, 1, 0, "controller-revision-hash", true);
    const hash = r.metadata?.labels?.["controller-revision-hash"];
    assert.equal(r.metadata?.name, `web-${hash}`);
    assert.equal(r.metadata?.labels?.app, "web");
    assert.equal(r.metadata?.annotations?.["kubernetes.io/change-cause"], "x");
    assert.equal((r.data as { spec: { template: { $patch: string } } }).spec.template.$patch, "replace");
    assert.deepEqual(templateOfRevision(r), template("a"));
    assert.equal(newRevision(owner("a"), ref, 1, 0, "h").metadata?.annotations, undefined);
  });
  const cases: { name: string; revs: ControllerRevision[]; image: string; want: object }[] = [
    { name: "first template: create revision 1", revs: [], image: "a", want: { createAs: 1 } },
    {
      name: "new template: create max+1",
      revs: [rev("a", 1), rev("b", 2)],
      image: "c",
      want: { createAs: 3 },
    },
    {
      name: "live template already newest: nothing",
      revs: [rev("a", 1), rev("b", 2)],
      image: "b",
      want: { renumberTo: undefined, createAs: undefined },
    },
    {
      name: "rollback to an old template: renumber it",
      revs: [rev("a", 1), rev("b", 2)],
      image: "a",
      want: { renumberTo: 3, createAs: undefined },
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const got = decideRevision(template(c.image), c.revs);
      for (const [k, v] of Object.entries(c.want)) assert.equal(got[k as keyof typeof got], v, k);
    });
  it("truncates the oldest unused revisions beyond the limit", () => {
    const revs = [rev("a", 1), rev("b", 2), rev("c", 3), rev("d", 4)];
    const inUse = new Set([revs[0].metadata?.name, revs[3].metadata?.name]);
    assert.deepEqual(
      revisionsToTruncate(revs, inUse, 1).map((r) => r.revision),
      [2],
    );
    assert.deepEqual(revisionsToTruncate(revs, inUse, 10), []);
  });
});
