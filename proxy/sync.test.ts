import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { pino } from "pino";
import type { Logger } from "../pkg/util/log.js";
import type { ConntrackFilter } from "./conntrack.js";
import { clearConntrack } from "./sync.js";

// A stand-in for the conntrack binary that answers as conntrack-tools 1.4.7 does, by endpoint address.
const dir = mkdtempSync(path.join(tmpdir(), "tskube-conntrack-"));
const calls = path.join(dir, "calls");
const fake = path.join(dir, "conntrack");
writeFileSync(
  fake,
  `#!/bin/sh
echo "$*" >> ${calls}
case "$*" in
  *10.244.0.1*) echo "conntrack v1.4.7 (conntrack-tools): 2 flow entries have been deleted." >&2 ;;
  *10.244.0.2*) echo "conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted." >&2; exit 1 ;;
  *10.244.0.3*) echo "conntrack v1.4.7 (conntrack-tools): Operation failed: Operation not permitted" >&2; exit 1 ;;
  *10.244.0.4*) exec sleep 5 ;;
esac
`,
);
chmodSync(fake, 0o755);

function capture(): { log: Logger; lines: () => { msg: string; err?: string }[] } {
  const out: string[] = [];
  const log: Logger = pino({ level: "debug" }, { write: (s: string) => void out.push(s) });
  return { log, lines: () => out.map((l) => JSON.parse(l) as { msg: string; err?: string }) };
}

const filter = (ep: string): ConntrackFilter => ({
  protocol: "udp",
  origDst: "10.96.0.10",
  origPortDst: 53,
  dstNat: ep,
});

describe("conntrack deletions", () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("runs each deletion; 'no entries' is not a failure, a refusal and a hang are logged, none throws", async () => {
    const { log, lines } = capture();
    const t0 = Date.now();
    const failures = await clearConntrack(
      ["10.244.0.1", "10.244.0.2", "10.244.0.3", "10.244.0.4"].map(filter),
      log,
      { binary: fake, timeoutMs: 300, concurrency: 2 },
    );
    assert.ok(Date.now() - t0 < 3000, "a hung conntrack is killed at the timeout");
    assert.equal(failures, 2);
    const ran = readFileSync(calls, "utf8").trim().split("\n").sort();
    assert.deepEqual(ran, [
      "-D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53 --dst-nat 10.244.0.1",
      "-D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53 --dst-nat 10.244.0.2",
      "-D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53 --dst-nat 10.244.0.3",
      "-D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53 --dst-nat 10.244.0.4",
    ]);
    const warnings = lines().filter((l) => l.msg === "failed to delete stale conntrack entries");
    assert.equal(warnings.length, 2);
    assert.ok(warnings.some((w) => w.err?.includes("Operation not permitted")));
    assert.ok(warnings.some((w) => w.err?.includes("no answer in 300 ms")));
  });

  it("logs, not throws, when there is no conntrack binary", async () => {
    const { log, lines } = capture();
    const failures = await clearConntrack([filter("10.244.0.1")], log, {
      binary: path.join(dir, "missing"),
    });
    assert.equal(failures, 1);
    assert.match(lines()[0]?.err ?? "", /ENOENT/);
  });

  it("does nothing for no filters", async () => {
    const { log, lines } = capture();
    assert.equal(await clearConntrack([], log, { binary: path.join(dir, "missing") }), 0);
    assert.equal(lines().length, 0);
  });
});
