import assert from "node:assert/strict";
import { test } from "node:test";
import { isSpdyUpgrade, isWebSocketRequest, rejectionResponse } from "./server.js";

test("upgrade kinds: WebSocket (kubectl 1.31+) and SPDY/3.1 (its fallback, and older kubectls)", () => {
  const req = (connection: string, upgrade: string) => ({ headers: { connection, upgrade } });
  assert.equal(isWebSocketRequest(req("Upgrade", "websocket")), true);
  assert.equal(isWebSocketRequest(req("keep-alive, Upgrade", "WebSocket")), true);
  assert.equal(isWebSocketRequest(req("Upgrade", "SPDY/3.1")), false);
  assert.equal(isSpdyUpgrade(req("Upgrade", "SPDY/3.1")), true);
  assert.equal(isSpdyUpgrade(req("close", "SPDY/3.1")), false);
  assert.equal(isSpdyUpgrade(req("Upgrade", "h2c")), false);
});

test("rejectionResponse: a Status, or Go's http.Error text with the accepted protocol versions", () => {
  const status = rejectionResponse({ code: 404, message: 'pod "x" not found', reason: "NotFound" });
  const [head, body] = status.split("\r\n\r\n");
  assert.match(head ?? "", /^HTTP\/1\.1 404 Not Found\r\nContent-Type: application\/json\r\n/);
  assert.deepEqual(JSON.parse(body ?? ""), {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: 'pod "x" not found',
    reason: "NotFound",
    code: 404,
  });
  const message =
    "unable to upgrade: unable to negotiate protocol: client supports [a], server accepts [b c]";
  const plain = rejectionResponse({
    code: 403,
    message,
    plain: true,
    acceptedProtocols: ["b", "c"],
  });
  assert.equal(
    plain,
    [
      "HTTP/1.1 403 Forbidden",
      "Content-Type: text/plain; charset=utf-8",
      "X-Content-Type-Options: nosniff",
      "X-Accepted-Stream-Protocol-Versions: b",
      "X-Accepted-Stream-Protocol-Versions: c",
      `Content-Length: ${message.length + 1}`,
      "Connection: close",
      "",
      `${message}\n`,
    ].join("\r\n"),
  );
});
