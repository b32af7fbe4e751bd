import assert from "node:assert/strict";
import { test } from "node:test";
import {
  decodeMessage,
  dnsTypes,
  encodeQuery,
  formatIPv6,
  formatMessage,
  parseResolvConf,
  queryNames,
} from "./dns.js";

/** A response to `query`: its header flags set, and the answer records (already in wire form) appended. */
function respond(query: Buffer, flags: number, answers: Buffer[], rcode = 0): Buffer {
  const msg = Buffer.concat([query, ...answers]);
  msg.writeUInt16BE(flags | rcode, 2);
  msg.writeUInt16BE(answers.length, 6);
  return msg;
}

/** An answer whose owner name points at the question's name (offset 12). */
function rr(type: number, ttl: number, data: Buffer): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt16BE(0xc00c, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt16BE(1, 4);
  head.writeUInt32BE(ttl, 6);
  head.writeUInt16BE(data.length, 10);
  return Buffer.concat([head, data]);
}

const qrAaRdRa = 0x8580;

test("an A answer prints exactly as the KUAR notes show it", () => {
  const query = encodeQuery(12071, "alpaca-prod.default.svc.cluster.local.", dnsTypes.A!);
  const msg = respond(query, qrAaRdRa, [rr(1, 30, Buffer.from([10, 115, 245, 13]))]);
  assert.equal(
    formatMessage(decodeMessage(msg)),
    [
      ";; opcode: QUERY, status: NOERROR, id: 12071",
      ";; flags: qr aa rd ra; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 0",
      "",
      ";; QUESTION SECTION:",
      ";alpaca-prod.default.svc.cluster.local.\tIN\t A",
      "",
      ";; ANSWER SECTION:",
      "alpaca-prod.default.svc.cluster.local.\t30\tIN\tA\t10.115.245.13",
      "",
    ].join("\n"),
  );
});

test("SRV, CNAME, AAAA and TXT data, and NXDOMAIN", () => {
  const query = encodeQuery(7, "web.nginx.default.svc.cluster.local", dnsTypes.SRV!);
  const target = Buffer.concat([
    Buffer.from([0, 10, 0, 100, 0, 80]),
    Buffer.from([5]),
    Buffer.from("web-0"),
    Buffer.from([0xc0, 12]),
  ]);
  const aaaa = Buffer.alloc(16);
  aaaa.writeUInt16BE(0xfd00, 0);
  aaaa.writeUInt16BE(1, 14);
  const txt = Buffer.concat([Buffer.from([5]), Buffer.from('a "b"')]);
  const m = decodeMessage(
    respond(query, qrAaRdRa, [
      rr(33, 5, target),
      rr(5, 5, Buffer.from([0xc0, 12])),
      rr(28, 5, aaaa),
      rr(16, 5, txt),
    ]),
  );
  assert.deepEqual(
    m.answer.map((a) => a.data),
    [
      "10 100 80 web-0.web.nginx.default.svc.cluster.local.",
      "web.nginx.default.svc.cluster.local.",
      "fd00::1",
      '"a \\"b\\""',
    ],
  );
  const nx = formatMessage(decodeMessage(respond(encodeQuery(9, "nope.", 1), 0x8180, [], 3)));
  assert.equal(
    nx,
    ";; opcode: QUERY, status: NXDOMAIN, id: 9\n;; flags: qr rd ra; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 0\n\n;; QUESTION SECTION:\n;nope.\tIN\t A\n",
  );
});

test("malformed messages and pointer loops are errors, not crashes", () => {
  assert.throws(() => decodeMessage(Buffer.from([0, 1, 0])));
  const loop = Buffer.alloc(14);
  loop.writeUInt16BE(1, 4);
  loop.writeUInt16BE(0xc00c, 12);
  assert.throws(() => decodeMessage(loop), /compression pointers|overflow/);
});

test("search domains come first, as kuard tries them", () => {
  const conf = parseResolvConf(
    "nameserver 10.96.0.10\nsearch default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n",
  );
  assert.deepEqual(conf, {
    servers: ["10.96.0.10"],
    search: ["default.svc.cluster.local", "svc.cluster.local", "cluster.local"],
    port: 53,
  });
  assert.deepEqual(queryNames("alpaca-prod", conf.search), [
    "alpaca-prod.default.svc.cluster.local.",
    "alpaca-prod.svc.cluster.local.",
    "alpaca-prod.cluster.local.",
    "alpaca-prod.",
  ]);
  assert.deepEqual(queryNames("kubernetes.io.", conf.search), ["kubernetes.io."]);
  assert.deepEqual(queryNames("", conf.search), ["."]);
});

test("IPv6 addresses are compressed as Go prints them", () => {
  const cases: [string, string][] = [
    ["00000000000000000000000000000001", "::1"],
    ["20010db8000000000001000000000001", "2001:db8::1:0:0:1"],
    ["20010db8000100010001000100010001", "2001:db8:1:1:1:1:1:1"],
    ["00000000000000000000000000000000", "::"],
  ];
  for (const [hex, want] of cases) assert.equal(formatIPv6(Buffer.from(hex, "hex")), want);
});
