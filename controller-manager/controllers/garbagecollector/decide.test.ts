import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ObjectMeta, OwnerReference } from "kubernetes-types/meta/v1";
import {
  type ClassifiedOwner,
  type DependentAction,
  decideDependent,
  decideOwner,
  type OwnerAction,
  type OwnerState,
  ownerState,
} from "./decide.js";

const ref = (uid: string, block = false): OwnerReference => ({
  apiVersion: "apps/v1",
  kind: "ReplicaSet",
  name: uid,
  uid,
  controller: true,
  blockOwnerDeletion: block,
});
const owner = (uid: string, state: OwnerState, block = false): ClassifiedOwner => ({
  ref: ref(uid, block),
  state,
});
const DELETING = "2024-01-01T00:00:00Z";

describe("ownerState", () => {
  it("classifies owners", () => {
    assert.equal(ownerState(undefined, ref("a")), "dangling");
    assert.equal(ownerState({ uid: "b" }, ref("a")), "dangling");
    assert.equal(ownerState({ uid: "a" }, ref("a")), "solid");
    assert.equal(
      ownerState({ uid: "a", deletionTimestamp: DELETING, finalizers: ["orphan"] }, ref("a")),
      "solid",
    );
    assert.equal(
      ownerState({ uid: "a", deletionTimestamp: DELETING, finalizers: ["foregroundDeletion"] }, ref("a")),
      "waiting",
    );
  });
});

describe("decideDependent", () => {
  const cases: {
    name: string;
    meta: ObjectMeta;
    owners: ClassifiedOwner[];
    hasDeps: boolean;
    want: DependentAction;
  }[] = [
    { name: "no owners", meta: {}, owners: [], hasDeps: false, want: { kind: "none" } },
    { name: "solid owner", meta: {}, owners: [owner("a", "solid")], hasDeps: false, want: { kind: "none" } },
    {
      name: "owner gone: background delete",
      meta: {},
      owners: [owner("a", "dangling")],
      hasDeps: true,
      want: { kind: "delete", policy: "Background" },
    },
    {
      name: "one solid, one gone: drop the gone reference",
      meta: {},
      owners: [owner("a", "dangling"), owner("b", "solid"), owner("c", "waiting")],
      hasDeps: false,
      want: { kind: "removeOwnerRefs", uids: ["a", "c"] },
    },
    {
      name: "waiting owner, own dependents: foreground",
      meta: {},
      owners: [owner("a", "waiting", true)],
      hasDeps: true,
      want: { kind: "delete", policy: "Foreground" },
    },
    {
      name: "waiting owner, no dependents: background",
      meta: {},
      owners: [owner("a", "waiting", true)],
      hasDeps: false,
      want: { kind: "delete", policy: "Background" },
    },
    {
      name: "own orphan finalizer kept",
      meta: { finalizers: ["orphan"] },
      owners: [owner("a", "dangling")],
      hasDeps: false,
      want: { kind: "delete", policy: "Orphan" },
    },
    {
      name: "already being deleted",
      meta: { deletionTimestamp: DELETING },
      owners: [owner("a", "dangling")],
      hasDeps: false,
      want: { kind: "none" },
    },
  ];
  for (const c of cases)
    it(c.name, () => assert.deepEqual(decideDependent(c.meta, c.owners, c.hasDeps), c.want));
});

describe("decideOwner", () => {
  const dep = (uid: string, block: boolean, deleting = false) => ({ uid, ref: ref("o", block), deleting });
  const fg: ObjectMeta = { uid: "o", deletionTimestamp: DELETING, finalizers: ["foregroundDeletion"] };
  const orphan: ObjectMeta = { uid: "o", deletionTimestamp: DELETING, finalizers: ["orphan"] };
  const cases: { name: string; meta: ObjectMeta; deps: ReturnType<typeof dep>[]; want: OwnerAction }[] = [
    { name: "not deleting", meta: { uid: "o" }, deps: [dep("d", true)], want: { kind: "none" } },
    {
      name: "orphan with dependents",
      meta: orphan,
      deps: [dep("d1", true), dep("d2", false)],
      want: { kind: "orphan", dependents: ["d1", "d2"] },
    },
    { name: "orphan done", meta: orphan, deps: [], want: { kind: "removeFinalizer", finalizer: "orphan" } },
    {
      name: "foreground: delete dependents not yet going",
      meta: fg,
      deps: [dep("d1", true, true), dep("d2", false)],
      want: { kind: "deleteDependents", dependents: ["d2"] },
    },
    {
      name: "foreground: blocking dependent still there",
      meta: fg,
      deps: [dep("d1", true, true)],
      want: { kind: "none" },
    },
    {
      name: "foreground: only non-blocking ones left",
      meta: fg,
      deps: [dep("d1", false, true)],
      want: { kind: "removeFinalizer", finalizer: "foregroundDeletion" },
    },
    {
      name: "foreground: none left",
      meta: fg,
      deps: [],
      want: { kind: "removeFinalizer", finalizer: "foregroundDeletion" },
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(decideOwner(c.meta, c.deps), c.want));
});
