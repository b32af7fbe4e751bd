import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import type Docker from "dockerode";
import type { PersistentVolume, PersistentVolumeClaim, Pod } from "kubernetes-types/core/v1";
import { persistentVolumeHostPath, VolumeManager, type VolumeObjects } from "./manager.js";

test("persistentVolumeHostPath: a PV's data is in the shared directory, the same on every node", () => {
  const cases: Array<[string, string, string]> = [
    // the provisioner's volumes: already in the shared directory, used as they are
    ["/var/lib/tskube/volumes/pvc-1", "/var/lib/tskube", "/var/lib/tskube/volumes/pvc-1"],
    ["/var/lib/tskube/volumes/pvc-1/", "/var/lib/tskube/", "/var/lib/tskube/volumes/pvc-1"],
    // a hand-made PV elsewhere: under the shared directory, not on one node's hostPath tree
    ["/mnt/data", "/var/lib/tskube", "/var/lib/tskube/persistentvolumes/mnt/data"],
    // a sibling whose name only starts like the root is not inside it
    [
      "/var/lib/tskube-other/x",
      "/var/lib/tskube",
      "/var/lib/tskube/persistentvolumes/var/lib/tskube-other/x",
    ],
    // no way out of the shared directory
    ["../../etc", "/var/lib/tskube", "/var/lib/tskube/persistentvolumes/etc"],
  ];
  for (const [pv, root, want] of cases) assert.equal(persistentVolumeHostPath(pv, root), want, pv);
});

test("a PVC-backed volume mounts the PV's directory, whichever node sets it up (StatefulSet pod moved)", async () => {
  const shared = mkdtempSync(path.join(os.tmpdir(), "kubelet-pv-"));
  const pvPath = path.join(shared, "volumes", "pvc-www-web-1");
  const pvc: PersistentVolumeClaim = {
    metadata: { name: "www-web-1", namespace: "default" },
    spec: { volumeName: "pvc-www-web-1" },
    status: { phase: "Bound" },
  };
  const pv: PersistentVolume = {
    metadata: { name: "pvc-www-web-1" },
    spec: { hostPath: { path: pvPath, type: "DirectoryOrCreate" } },
  };
  const objects: VolumeObjects = {
    configMap: async () => undefined,
    secret: async () => undefined,
    pvc: async (ns, name) => (ns === "default" && name === "www-web-1" ? pvc : undefined),
    pv: async (name) => (name === "pvc-www-web-1" ? pv : undefined),
    token: async () => undefined,
  };
  const pod = (uid: string): Pod => ({
    metadata: { name: "web-1", namespace: "default", uid },
    spec: {
      containers: [{ name: "nginx", volumeMounts: [{ name: "www", mountPath: "/usr/share/nginx/html" }] }],
      volumes: [{ name: "www", persistentVolumeClaim: { claimName: "www-web-1" } }],
    },
  });
  const facts = { podIP: "", hostIP: "", nodeAllocatable: { cpuMilli: 1000, memoryBytes: 1 << 30 } };
  const nodeManager = (node: string) =>
    new VolumeManager(
      path.join(shared, "kubelet", node),
      path.join(shared, "kubelet", "hostpath", node),
      objects,
      {} as Docker,
      shared,
    );
  const onNode1 = await nodeManager("node-1").setUp(pod("uid-a"), facts);
  assert.equal(onNode1.get("www")?.hostPath, pvPath);
  writeFileSync(path.join(pvPath, "index.html"), "web-1\n");
  const onNode2 = await nodeManager("node-2").setUp(pod("uid-b"), facts);
  assert.equal(onNode2.get("www")?.hostPath, pvPath);
  assert.equal(readFileSync(path.join(onNode2.get("www")?.hostPath ?? "", "index.html"), "utf8"), "web-1\n");
});
