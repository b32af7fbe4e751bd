import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSummary, parseVerbose } from "./dnsperf.js";

const output = `DNS Performance Testing Tool
[Status] Command line: dnsperf -s 127.0.0.1 -p 40000 -v
> NOERROR svc-0.ns0.svc.cluster.local A 0.000081
> NXDOMAIN missing-0.ns0.svc.cluster.local A 0.012500
> NOERROR _http._tcp.svc-0.ns0.svc.cluster.local SRV 0.000100
> T web-1.svc-0.ns0.svc.cluster.local A
Statistics:

  Queries sent:         4
  Queries completed:    3 (75.00%)
  Queries lost:         1 (25.00%)
  Queries per second:   19994.152716
`;

describe("dnsperf output", () => {
  it("gives every answered query's latency in ms and counts the timed-out ones", () => {
    const { latencies, lost } = parseVerbose(output);
    assert.deepEqual(
      latencies.map((l) => Number(l.toFixed(3))),
      [0.081, 12.5, 0.1],
    );
    assert.equal(lost, 1);
  });

  it("reads the summary", () => {
    assert.deepEqual(parseSummary(output), { qps: 19994.152716, lost: 1 });
    assert.ok(Number.isNaN(parseSummary("").qps));
  });
});
