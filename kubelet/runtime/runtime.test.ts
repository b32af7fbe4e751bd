import assert from "node:assert/strict";
import { test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1";
import {
  appContainerCreateOptions,
  containerResources,
  hostsFileContent,
  podDnsSettings,
  sandboxCreateOptions,
} from "./container-config.js";

const ctx = {
  cluster: "tskube",
  nodeName: "node-1",
  nodeContainerId: "nodeid",
  cgroupParent: "/docker/nodeid",
  pauseImage: "tskube/pause:3.10",
  clusterDNS: ["10.96.0.10"],
  clusterDomain: "cluster.local",
  hostDNS: { nameservers: ["127.0.0.11", "8.8.8.8"], searches: [] },
};
const pod: Pod = {
  metadata: { name: "web-0", namespace: "shop", uid: "u" },
  spec: {
    hostname: "web-0",
    subdomain: "nginx",
    containers: [{ name: "c", image: "nginx:1.14.2", command: ["nginx"], args: ["-g", "daemon off;"] }],
  },
};

test("resources become cgroup settings", () => {
  assert.deepEqual(
    containerResources({
      name: "c",
      resources: { requests: { cpu: "250m" }, limits: { cpu: "500m", memory: "128Mi" } },
    }),
    {
      CpuShares: 256,
      CpuQuota: 50000,
      CpuPeriod: 100000,
      Memory: 134217728,
      MemorySwap: 134217728,
    },
  );
  assert.deepEqual(containerResources({ name: "c" }), { CpuShares: 2 });
});

test("sandbox: hostname, DNS, namespaces, labels", () => {
  const o = sandboxCreateOptions(pod, 0, "10.244.1.5", ctx);
  assert.equal(o.Hostname, "web-0");
  assert.equal(o.HostConfig?.NetworkMode, "none");
  assert.equal(o.HostConfig?.PidMode, "container:nodeid");
  assert.equal(o.HostConfig?.IpcMode, "shareable");
  assert.deepEqual(o.HostConfig?.DnsSearch, ["shop.svc.cluster.local", "svc.cluster.local", "cluster.local"]);
  assert.equal(o.Labels?.["io.tskube.pod.ip"], "10.244.1.5");
  assert.deepEqual(podDnsSettings({ spec: { containers: [], dnsPolicy: "Default" } }, ctx).servers, [
    "8.8.8.8",
  ]);
  assert.match(
    hostsFileContent(pod, "10.244.1.5", "cluster.local"),
    /10\.244\.1\.5\tweb-0\.nginx\.shop\.svc\.cluster\.local\tweb-0\n$/,
  );
});

test("app container: command replaces ENTRYPOINT, args CMD, joins the sandbox", () => {
  const o = appContainerCreateOptions(
    {
      pod,
      container: pod.spec?.containers[0] ?? { name: "c" },
      isInit: false,
      sandboxId: "sb",
      restartCount: 2,
      env: [["A", "1"]],
      command: ["nginx"],
      args: ["-g", "daemon off;"],
      binds: [],
    },
    ctx,
  );
  assert.deepEqual(o.Entrypoint, ["nginx"]);
  assert.deepEqual(o.Cmd, ["-g", "daemon off;"]);
  assert.equal(o.HostConfig?.NetworkMode, "container:sb");
  assert.equal(o.Labels?.["io.kubernetes.container.restartCount"], "2");
  assert.equal(o.name, "k8s_c_web-0_shop_u_2");
  assert.deepEqual(o.Env, ["A=1"]);
});
