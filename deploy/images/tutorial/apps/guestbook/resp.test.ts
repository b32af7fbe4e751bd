import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeCommand, parseReply } from "./resp.js";

test("commands are RESP arrays of bulk strings", () => {
  assert.equal(
    encodeCommand(["SET", "messages", "héllo"]).toString(),
    "*3\r\n$3\r\nSET\r\n$8\r\nmessages\r\n$6\r\nhéllo\r\n",
  );
});

test("replies parse, or ask for more bytes", () => {
  const cases: [string, ReturnType<typeof parseReply>][] = [
    ["+OK\r\n", { value: "OK", length: 5 }],
    ["-ERR wrong\r\n", { value: { error: "ERR wrong" }, length: 12 }],
    [":42\r\n", { value: "42", length: 5 }],
    ["$5\r\nhello\r\n", { value: "hello", length: 11 }],
    ["$-1\r\n", { value: null, length: 5 }],
    ["$5\r\nhel", undefined],
    ["+OK", undefined],
  ];
  for (const [input, want] of cases) {
    assert.deepEqual(parseReply(Buffer.from(input)), want, JSON.stringify(input));
  }
});
