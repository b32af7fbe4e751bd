import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { onAbort, pemText } from "./transport.js";

describe("onAbort", () => {
  it("calls every subscriber once on abort, and none that unsubscribed", () => {
    const ac = new AbortController();
    const calls: string[] = [];
    onAbort(ac.signal, () => calls.push("a"));
    const unsubscribe = onAbort(ac.signal, () => calls.push("b"));
    onAbort(ac.signal, () => calls.push("c"));
    unsubscribe();
    ac.abort();
    ac.abort();
    assert.deepEqual(calls, ["a", "c"]);
  });

  it("keeps one listener on the signal however many requests subscribe", () => {
    const ac = new AbortController();
    let added = 0;
    const add = ac.signal.addEventListener.bind(ac.signal);
    ac.signal.addEventListener = ((...args: Parameters<typeof add>) => {
      added++;
      return add(...args);
    }) as typeof ac.signal.addEventListener;
    const offs = Array.from({ length: 100 }, () => onAbort(ac.signal, () => {}));
    for (const off of offs) off();
    onAbort(ac.signal, () => {});
    assert.equal(added, 1);
  });
});

describe("pemText", () => {
  it("turns PEM bytes into a string and leaves other bytes alone", () => {
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    assert.equal(pemText(Buffer.from(pem)), pem);
    assert.equal(pemText(Buffer.from(`Bag Attributes\n${pem}`)), `Bag Attributes\n${pem}`);
    const der = Buffer.from([0x30, 0x82, 0x01, 0x0a]);
    assert.equal(pemText(der), der);
    assert.equal(pemText(pem), pem);
  });
});
