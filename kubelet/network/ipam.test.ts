import assert from "node:assert/strict";
import { test } from "node:test";
import { attachScripts } from "./bridge.js";
import { Ipam } from "./ipam.js";

test("ipam: skips network and gateway, does not reuse a freed address at once, recovers", () => {
  const ipam = new Ipam("10.244.1.0/24");
  assert.equal(ipam.allocate(), "10.244.1.2");
  assert.equal(ipam.allocate(), "10.244.1.3");
  ipam.release("10.244.1.2");
  assert.equal(ipam.allocate(), "10.244.1.4");
  const again = new Ipam("10.244.1.0/24");
  again.reserve("10.244.1.2");
  again.reserve("10.9.9.9");
  assert.deepEqual(again.inUse(), ["10.244.1.2"]);
  const small = new Ipam("10.0.0.0/30");
  assert.equal(small.allocate(), "10.0.0.2");
  assert.throws(() => small.allocate(), /no IP addresses available/);
});

test("veth wiring scripts", () => {
  const s = attachScripts("vethab", 42, "10.244.1.7", "10.244.1.0/24", "cni0", 1500);
  assert.match(s.node, /link add vethab mtu 1500 type veth peer name eth0 mtu 1500 netns 42/);
  assert.match(s.pod, /addr add 10.244.1.7\/24 dev eth0/);
  assert.match(s.pod, /route add default via 10.244.1.1 dev eth0/);
});
