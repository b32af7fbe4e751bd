import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "kubernetes-types/core/v1";
import { mountServiceAccountToken, SERVICE_ACCOUNT_MOUNT_PATH } from "./serviceaccount.js";

const pod = (extra: Partial<Pod["spec"]> = {}): Pod => ({
  metadata: { name: "p", namespace: "default" },
  spec: {
    containers: [
      { name: "a", image: "nginx" },
      { name: "b", image: "busybox" },
    ],
    initContainers: [{ name: "i", image: "busybox" }],
    ...extra,
  },
});

describe("ServiceAccount admission", () => {
  it("adds the projected token volume and mounts it in every container", () => {
    const p = pod();
    assert.equal(mountServiceAccountToken(p, "x7k2q"), true);
    assert.equal(p.spec?.volumes?.[0]?.name, "kube-api-access-x7k2q");
    assert.deepEqual(
      p.spec?.volumes?.[0]?.projected?.sources?.map((s) => Object.keys(s)[0]),
      ["serviceAccountToken", "configMap", "downwardAPI"],
    );
    for (const c of [...(p.spec?.containers ?? []), ...(p.spec?.initContainers ?? [])]) {
      assert.deepEqual(c.volumeMounts, [
        { name: "kube-api-access-x7k2q", mountPath: SERVICE_ACCOUNT_MOUNT_PATH, readOnly: true },
      ]);
    }
  });

  it("respects automountServiceAccountToken: false on the pod or the account", () => {
    assert.equal(mountServiceAccountToken(pod({ automountServiceAccountToken: false }), "a"), false);
    assert.equal(mountServiceAccountToken(pod(), "a", false), false);
    assert.equal(mountServiceAccountToken(pod({ automountServiceAccountToken: true }), "a", false), true);
  });

  it("leaves a pod alone when something is already mounted at the token path", () => {
    const p = pod();
    p.spec!.containers[0].volumeMounts = [{ name: "mine", mountPath: SERVICE_ACCOUNT_MOUNT_PATH }];
    assert.equal(mountServiceAccountToken(p, "a"), false);
    assert.equal(p.spec?.volumes, undefined);
  });
});
