import assert from "node:assert/strict";
import { test } from "node:test";
import { type KubiaVariant, kubiaRespond, kubiaVariant } from "./respond.js";

test("each kubia version answers as the book shows", () => {
  const cases: [KubiaVariant, number, number, string][] = [
    ["latest", 1, 200, "You've hit kubia-hst84\n"],
    ["latest", 100, 200, "You've hit kubia-hst84\n"],
    ["v1", 1, 200, "This is v1 running in pod kubia-hst84\n"],
    ["v2", 9, 200, "This is v2 running in pod kubia-hst84\n"],
    ["v3", 4, 200, "This is v3 running in pod kubia-hst84\n"],
    ["v3", 5, 500, "Some internal error has occurred! This is pod kubia-hst84\n"],
    ["unhealthy", 5, 200, "You've hit kubia-hst84\n"],
    ["unhealthy", 6, 500, "I'm not well. Please restart me!"],
  ];
  for (const [variant, count, status, body] of cases) {
    assert.deepEqual(kubiaRespond(variant, count, "kubia-hst84"), { status, body }, `${variant} #${count}`);
  }
});

test("unknown variants fall back to the plain kubia", () => {
  assert.equal(kubiaVariant(undefined), "latest");
  assert.equal(kubiaVariant("v9"), "latest");
  assert.equal(kubiaVariant("v3"), "v3");
});
