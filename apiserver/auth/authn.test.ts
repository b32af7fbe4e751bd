import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import type { TLSSocket } from "node:tls";
import { ANONYMOUS, authenticate, certificateUser, userFromCertificate } from "./authn.js";

/** A socket stand-in that counts how often its certificate is read. */
function socket(subject: { CN?: string; O?: string | string[] } | null, authorized = true) {
  const s = {
    authorized,
    reads: 0,
    getPeerCertificate() {
      s.reads++;
      return subject ? { subject } : {};
    },
  };
  return s;
}

const request = (sock: object, authorization?: string) =>
  ({ socket: sock, headers: authorization ? { authorization } : {} }) as unknown as IncomingMessage;

describe("userFromCertificate", () => {
  const cases: [string, Parameters<typeof userFromCertificate>[0], ReturnType<typeof userFromCertificate>][] =
    [
      [
        "CN and one O",
        { subject: { CN: "alice", O: "dev" } },
        { name: "alice", groups: ["dev", "system:authenticated"] },
      ],
      [
        "several O",
        { subject: { CN: "bob", O: ["a", "b"] } },
        { name: "bob", groups: ["a", "b", "system:authenticated"] },
      ],
      ["no CN", { subject: { O: "x" } }, null],
    ];
  for (const [name, cert, want] of cases) it(name, () => assert.deepEqual(userFromCertificate(cert), want));
});

describe("certificateUser", () => {
  it("reads the certificate once per connection", () => {
    const s = socket({ CN: "kubernetes-admin", O: "system:masters" });
    const a = certificateUser(s as unknown as TLSSocket);
    const b = certificateUser(s as unknown as TLSSocket);
    assert.equal(a?.name, "kubernetes-admin");
    assert.equal(b, a);
    assert.equal(s.reads, 1);
  });
  it("remembers a connection without a usable certificate too", () => {
    const s = socket(null);
    assert.equal(certificateUser(s as unknown as TLSSocket), null);
    assert.equal(certificateUser(s as unknown as TLSSocket), null);
    assert.equal(s.reads, 1);
  });
  it("ignores the certificate of an unverified connection", () => {
    const s = socket({ CN: "mallory" }, false);
    assert.equal(certificateUser(s as unknown as TLSSocket), null);
    assert.equal(s.reads, 0);
  });
});

describe("authenticate", () => {
  const token = (t: string) => (t === "good" ? { name: "sa", groups: ["system:authenticated"] } : null);
  it("prefers the certificate, then a bearer token, else anonymous", () => {
    assert.equal(authenticate(request(socket({ CN: "alice" })), [token])?.name, "alice");
    assert.equal(authenticate(request(socket(null), "Bearer good"), [token])?.name, "sa");
    assert.equal(authenticate(request(socket(null), "Bearer bad"), [token]), null);
    assert.equal(authenticate(request(socket(null), "Basic x"), [token]), null);
    assert.equal(authenticate(request({}), [token]), ANONYMOUS);
  });
});
