import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  allocate,
  decodeRange,
  dynamicBand,
  encodeRange,
  intToIp,
  ipOffset,
  isAllocated,
  parseCidr,
  pickFree,
  release,
} from "./allocator.js";

describe("range allocator", () => {
  const cidr = parseCidr("10.96.0.0/12");
  it("maps IPs to offsets within the usable range", () => {
    assert.equal(cidr.size, 1 << 20);
    assert.equal(ipOffset(cidr, "10.96.0.1"), 1);
    assert.equal(ipOffset(cidr, "10.96.0.0"), null, "network address");
    assert.equal(ipOffset(cidr, "10.111.255.255"), null, "broadcast");
    assert.equal(ipOffset(cidr, "10.112.0.1"), null, "outside");
    assert.equal(intToIp(cidr.base + 1), "10.96.0.1");
    assert.deepEqual(dynamicBand(cidr), [256, (1 << 20) - 2]);
  });
  it("allocates, releases and round-trips through its etcd value", () => {
    let s = allocate({ allocated: [] }, 5);
    s = allocate(s, 2);
    assert.ok(isAllocated(s, 2) && isAllocated(s, 5));
    assert.deepEqual(decodeRange(encodeRange("r", s)), s);
    assert.deepEqual(release(s, [2]).allocated, [5]);
    assert.deepEqual(decodeRange("garbage"), { allocated: [] });
  });
  it("picks free offsets, and null when full", () => {
    assert.equal(
      pickFree({ allocated: [0, 1] }, 0, 2, () => 0),
      2,
    );
    assert.equal(pickFree({ allocated: [0, 1, 2] }, 0, 2), null);
  });
});
