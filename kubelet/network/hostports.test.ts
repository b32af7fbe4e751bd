import assert from "node:assert/strict";
import { test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1";
import { podHostPorts, renderHostPortRules } from "./hostports.js";

const pod = (hostNetwork = false): Pod => ({
  metadata: { name: "web", namespace: "default" },
  spec: {
    hostNetwork,
    containers: [
      {
        name: "nginx",
        ports: [
          { containerPort: 80, hostPort: 8080 },
          { containerPort: 53, hostPort: 5353, protocol: "UDP", hostIP: "172.28.0.101" },
          { containerPort: 9000 },
        ],
      },
    ],
  },
});

test("hostports: mappings from the pod spec", () => {
  assert.deepEqual(podHostPorts(pod(), "10.244.0.5"), [
    { hostPort: 8080, protocol: "tcp", podIP: "10.244.0.5", containerPort: 80, pod: "default/web" },
    {
      hostPort: 5353,
      hostIP: "172.28.0.101",
      protocol: "udp",
      podIP: "10.244.0.5",
      containerPort: 53,
      pod: "default/web",
    },
  ]);
  assert.deepEqual(podHostPorts(pod(true), "172.28.0.101"), []);
  assert.deepEqual(podHostPorts(pod(), ""), []);
});

test("hostports: rules DNAT to the pod and masquerade hairpin traffic", () => {
  const text = renderHostPortRules(podHostPorts(pod(), "10.244.0.5"));
  assert.match(text, /^\*nat\n:TSKUBE-HOSTPORTS - \[0:0\]\n:TSKUBE-HOSTPORTS-MASQ - \[0:0\]\n/);
  assert.match(text, /-A TSKUBE-HOSTPORTS -p tcp .* --dport 8080 -j DNAT --to-destination 10.244.0.5:80/);
  assert.match(
    text,
    /-A TSKUBE-HOSTPORTS -d 172.28.0.101\/32 -p udp .* --dport 5353 -j DNAT --to-destination 10.244.0.5:53/,
  );
  assert.match(
    text,
    /-A TSKUBE-HOSTPORTS-MASQ -s 10.244.0.5\/32 -d 10.244.0.5\/32 -p tcp .* --dport 80 -j MASQUERADE/,
  );
  assert.match(text, /COMMIT\n$/);
  assert.equal(
    renderHostPortRules([]),
    "*nat\n:TSKUBE-HOSTPORTS - [0:0]\n:TSKUBE-HOSTPORTS-MASQ - [0:0]\nCOMMIT\n",
  );
});
