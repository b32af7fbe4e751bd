import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Service } from "kubernetes-types/core/v1";
import { assignLoadBalancerIPs, intToIp, ipToInt, parsePool } from "./loadbalancer.js";

const lb = (name: string, created: string, extra: Partial<Service> = {}): Service => ({
  metadata: { namespace: "default", name, creationTimestamp: created },
  spec: { type: "LoadBalancer", ports: [{ port: 80 }], ...(extra.spec ?? {}) },
  status: extra.status,
});

describe("LoadBalancer address assignment", () => {
  const pool = parsePool("172.28.1.0/24");

  it("parses pools", () => {
    assert.equal(intToIp(pool.first), "172.28.1.1");
    assert.equal(intToIp(pool.last), "172.28.1.254");
    assert.deepEqual(parsePool("172.28.1.10-172.28.1.12"), {
      first: ipToInt("172.28.1.10"),
      last: ipToInt("172.28.1.12"),
    });
  });

  it("gives the lowest free address, oldest service first", () => {
    const got = assignLoadBalancerIPs(
      [lb("b", "2026-01-02T00:00:00Z"), lb("a", "2026-01-01T00:00:00Z")],
      pool,
    );
    assert.deepEqual(
      [...got],
      [
        ["default/a", "172.28.1.1"],
        ["default/b", "172.28.1.2"],
      ],
    );
  });

  it("keeps the address a service has, and honours spec.loadBalancerIP", () => {
    const got = assignLoadBalancerIPs(
      [
        lb("old", "2026-01-01T00:00:00Z", { status: { loadBalancer: { ingress: [{ ip: "172.28.1.7" }] } } }),
        lb("wants", "2026-01-02T00:00:00Z", { spec: { type: "LoadBalancer", loadBalancerIP: "172.28.1.9" } }),
        lb("new", "2026-01-03T00:00:00Z"),
      ],
      pool,
    );
    assert.equal(got.get("default/old"), "172.28.1.7");
    assert.equal(got.get("default/wants"), "172.28.1.9");
    assert.equal(got.get("default/new"), "172.28.1.1");
  });

  it("leaves a service pending when its requested address is taken or the pool is empty", () => {
    const tiny = parsePool("172.28.1.1-172.28.1.1");
    const got = assignLoadBalancerIPs(
      [lb("a", "2026-01-01T00:00:00Z"), lb("b", "2026-01-02T00:00:00Z")],
      tiny,
    );
    assert.equal(got.get("default/a"), "172.28.1.1");
    assert.equal(got.has("default/b"), false);
  });

  it("ignores other service types", () => {
    const cip: Service = { metadata: { namespace: "default", name: "c" }, spec: { type: "ClusterIP" } };
    assert.equal(assignLoadBalancerIPs([cip], pool).size, 0);
  });
});
