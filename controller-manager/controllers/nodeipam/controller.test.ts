import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatCidr, nextPodCidr, parseCidr } from "./controller.js";

describe("node IPAM", () => {
  const cluster = parseCidr("10.244.0.0/16");
  it("parses and formats CIDRs", () => {
    assert.equal(formatCidr(cluster), "10.244.0.0/16");
  });
  it("hands out the lowest free /24", () => {
    assert.equal(nextPodCidr(cluster, 24, new Set()), "10.244.0.0/24");
    assert.equal(nextPodCidr(cluster, 24, new Set(["10.244.0.0/24", "10.244.2.0/24"])), "10.244.1.0/24");
  });
  it("says when the cluster CIDR is full", () => {
    const small = parseCidr("10.244.0.0/23");
    assert.equal(nextPodCidr(small, 24, new Set(["10.244.0.0/24", "10.244.1.0/24"])), undefined);
  });
});
