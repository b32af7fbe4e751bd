import assert from "node:assert/strict";
import { createHash, generateKeyPairSync } from "node:crypto";
import { test } from "node:test";
import { mpint, progress, sshFingerprintRSA, timeLeft } from "./keygen.js";

test("mpints drop leading zeros and guard the sign bit", () => {
  const cases: [string, string][] = [
    ["010001", "00000003010001"],
    ["0080", "000000020080"],
    ["ff", "0000000200ff"],
    ["00", "00000000"],
  ];
  for (const [input, want] of cases) assert.equal(mpint(Buffer.from(input, "hex")).toString("hex"), want);
});

test("the fingerprint is SHA256 over the ssh-rsa public key blob, unpadded base64", () => {
  // The blob of a key with e=65537 and n=0xc5 is: "ssh-rsa", mpint(e), mpint(n).
  const blob = Buffer.from(
    `00000007${Buffer.from("ssh-rsa").toString("hex")}000000030100010000000200c5`,
    "hex",
  );
  const want = `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
  assert.equal(sshFingerprintRSA(Buffer.from("c5", "hex"), Buffer.from("010001", "hex")), want);
  // And a real key gives the 43-character form ssh-keygen prints.
  const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
  const jwk = publicKey.export({ format: "jwk" });
  const fp = sshFingerprintRSA(Buffer.from(jwk.n ?? "", "base64url"), Buffer.from(jwk.e ?? "", "base64url"));
  assert.match(fp, /^SHA256:[A-Za-z0-9+/]{43}$/);
});

test("progress and time left read as the original's log lines", () => {
  assert.equal(progress(3, 10), " 3/10");
  assert.equal(progress(3, 0), " 3/Inf");
  assert.equal(progress(1, 0, timeLeft(0, 29_600)), " 1/Inf 30 seconds left");
  assert.equal(timeLeft(5000, 0), "5 seconds overdue");
  assert.equal(timeLeft(0, 61_000), "1 minute left");
});
