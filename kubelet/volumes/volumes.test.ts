import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import type Docker from "dockerode";
import type { ConfigMap, PersistentVolume, PersistentVolumeClaim, Pod } from "kubernetes-types/core/v1";
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

test("refresh rewrites configMap and projected volumes in place; the service account token is kept", async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "kubelet-refresh-"));
  let ca = "CA-1";
  let tokensIssued = 0;
  const objects: VolumeObjects = {
    configMap: async (_ns, name): Promise<ConfigMap> =>
      name === "kube-root-ca.crt"
        ? { metadata: { name }, data: { "ca.crt": ca } }
        : { metadata: { name }, data: { greeting: ca === "CA-1" ? "hello" : "bonjour" } },
    secret: async () => undefined,
    pvc: async () => {
      throw new Error("a PVC volume is not refreshed");
    },
    pv: async () => undefined,
    token: async () => `token-${++tokensIssued}`,
  };
  const pod: Pod = {
    metadata: { name: "app", namespace: "default", uid: "uid-r" },
    spec: {
      containers: [{ name: "app" }],
      volumes: [
        { name: "config", configMap: { name: "app-config" } },
        {
          name: "kube-api-access",
          projected: {
            sources: [
              { serviceAccountToken: { path: "token", expirationSeconds: 3607 } },
              { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
            ],
          },
        },
        { name: "data", persistentVolumeClaim: { claimName: "data" } },
      ],
    },
  };
  const facts = {
    podIP: "10.244.0.9",
    hostIP: "",
    nodeAllocatable: { cpuMilli: 1000, memoryBytes: 1 << 30 },
  };
  const vm = new VolumeManager(
    path.join(root, "kubelet"),
    path.join(root, "hostpath"),
    objects,
    {} as Docker,
  );
  const access = path.join(
    root,
    "kubelet",
    "pods",
    "uid-r",
    "volumes",
    "kubernetes.io~projected",
    "kube-api-access",
  );
  const config = path.join(root, "kubelet", "pods", "uid-r", "volumes", "kubernetes.io~configmap", "config");
  assert.deepEqual(await vm.refresh(pod, facts), ["config", "kube-api-access"], "first write");
  assert.equal(readFileSync(path.join(access, "ca.crt"), "utf8"), "CA-1");
  assert.deepEqual(await vm.refresh(pod, facts), [], "nothing changed: nothing rewritten");
  ca = "CA-2";
  assert.deepEqual(await vm.refresh(pod, facts), ["config", "kube-api-access"]);
  assert.equal(readFileSync(path.join(access, "ca.crt"), "utf8"), "CA-2");
  assert.equal(readFileSync(path.join(config, "greeting"), "utf8"), "bonjour");
  assert.equal(readFileSync(path.join(access, "token"), "utf8"), "token-1");
  assert.equal(tokensIssued, 1, "a young token is not requested again");
});
