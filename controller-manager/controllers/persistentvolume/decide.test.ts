import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PersistentVolume, PersistentVolumeClaim } from "kubernetes-types/core/v1";
import {
  claimClass,
  defaultStorageClass,
  findBestMatch,
  findDefaultClass,
  provisionedVolume,
  reclaimAction,
  volumePhase,
} from "./decide.js";

const claim = (opts: Partial<NonNullable<PersistentVolumeClaim["spec"]>> = {}): PersistentVolumeClaim => ({
  metadata: { name: "www-web-0", namespace: "default", uid: "c1" },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, ...opts },
});
const pv = (
  name: string,
  size: string,
  opts: Partial<NonNullable<PersistentVolume["spec"]>> = {},
  labels?: Record<string, string>,
): PersistentVolume => ({
  metadata: { name, labels },
  spec: {
    capacity: { storage: size },
    accessModes: ["ReadWriteOnce", "ReadOnlyMany"],
    storageClassName: "standard",
    ...opts,
  },
});

describe("findBestMatch", () => {
  const cases: {
    name: string;
    claim: PersistentVolumeClaim;
    pvs: PersistentVolume[];
    cls: string;
    want?: string;
  }[] = [
    {
      name: "smallest big enough",
      claim: claim(),
      pvs: [pv("big", "10Gi"), pv("small", "500Mi"), pv("fit", "2Gi")],
      cls: "standard",
      want: "fit",
    },
    {
      name: "class must match",
      claim: claim(),
      pvs: [pv("a", "2Gi", { storageClassName: "fast" })],
      cls: "standard",
    },
    {
      name: "access modes must be covered",
      claim: claim({ accessModes: ["ReadWriteMany"] }),
      pvs: [pv("a", "2Gi")],
      cls: "standard",
    },
    {
      name: "already claimed volumes are skipped",
      claim: claim(),
      pvs: [pv("a", "2Gi", { claimRef: { name: "other", namespace: "default", uid: "x" } })],
      cls: "standard",
    },
    {
      name: "pre-bound volume wins",
      claim: claim(),
      pvs: [pv("fit", "1Gi"), pv("pre", "5Gi", { claimRef: { name: "www-web-0", namespace: "default" } })],
      cls: "standard",
      want: "pre",
    },
    {
      name: "selector",
      claim: claim({ selector: { matchLabels: { tier: "db" } } }),
      pvs: [pv("a", "1Gi", {}, { tier: "web" }), pv("b", "3Gi", {}, { tier: "db" })],
      cls: "standard",
      want: "b",
    },
    { name: "volume mode", claim: claim({ volumeMode: "Block" }), pvs: [pv("a", "1Gi")], cls: "standard" },
  ];
  for (const c of cases)
    it(c.name, () => assert.equal(findBestMatch(c.claim, c.pvs, c.cls)?.metadata?.name, c.want));
});

describe("classes", () => {
  it("default class and retroactive default for claims without one", () => {
    const sc = defaultStorageClass();
    assert.equal(
      findDefaultClass([{ metadata: { name: "x" }, provisioner: "p" }, sc])?.metadata?.name,
      "standard",
    );
    assert.equal(claimClass(claim(), "standard"), "standard");
    assert.equal(claimClass(claim({ storageClassName: "" }), "standard"), "");
    assert.equal(claimClass(claim({ storageClassName: "fast" }), "standard"), "fast");
  });
});

describe("volume phases and reclaim", () => {
  const c = claim({ volumeName: "v" });
  const bound = pv("v", "1Gi", { claimRef: { name: "www-web-0", namespace: "default", uid: "c1" } });
  it("phases", () => {
    assert.equal(volumePhase(pv("v", "1Gi"), undefined), "Available");
    assert.equal(volumePhase(bound, c), "Bound");
    assert.equal(volumePhase(bound, undefined), "Released");
    assert.equal(volumePhase(bound, { ...c, metadata: { ...c.metadata, uid: "c2" } }), "Released");
    assert.equal(
      volumePhase(pv("v", "1Gi", { claimRef: { name: "later", namespace: "default" } }), undefined),
      "Available",
    );
  });
  it("reclaim policies", () => {
    const prov = provisionedVolume(claim(), defaultStorageClass());
    assert.equal(reclaimAction(prov), "delete");
    assert.equal(
      reclaimAction({ ...prov, spec: { ...prov.spec, persistentVolumeReclaimPolicy: "Retain" } }),
      "none",
    );
    assert.equal(reclaimAction(pv("m", "1Gi", { persistentVolumeReclaimPolicy: "Delete" })), "fail");
  });
  it("provisions a hostPath volume pre-bound to the claim", () => {
    const v = provisionedVolume(claim(), defaultStorageClass());
    assert.equal(v.metadata?.name, "pvc-c1");
    assert.deepEqual(v.spec?.hostPath, { path: "/var/lib/tskube/volumes/pvc-c1", type: "DirectoryOrCreate" });
    assert.equal(v.spec?.claimRef?.uid, "c1");
    assert.equal(v.spec?.capacity?.storage, "1Gi");
    assert.equal(v.spec?.storageClassName, "standard");
  });
});
