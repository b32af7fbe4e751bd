import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type LoadReport,
  latencyOf,
  type Measurement,
  manifests,
  median,
  orderOf,
  parseLoadReport,
  ratio,
  ratioOfMode,
  rowsOf,
  table,
  tcpExtCounter,
} from "./figures.js";

const report = (rps: number, extra: Partial<LoadReport> = {}): LoadReport => ({
  responses: rps * 10,
  seconds: 10,
  rps,
  p50Ms: 1,
  p99Ms: 5,
  errors: 0,
  timeouts: 0,
  non2xx: 0,
  sent: rps * 10 + 12,
  ...extra,
});

describe("manifests", () => {
  it("pins one nginx replica to the server node behind a ClusterIP on port 80", () => {
    const [ns, deploy, svc] = manifests("cipbench-1", "node-2", "nginx:1.14.2");
    assert.equal(ns.metadata?.name, "cipbench-1");
    assert.equal(deploy.metadata?.namespace, "cipbench-1");
    assert.equal(deploy.spec?.replicas, 1);
    const pod = deploy.spec?.template.spec;
    assert.deepEqual(pod?.nodeSelector, { "kubernetes.io/hostname": "node-2" });
    assert.equal(pod?.containers[0]?.image, "nginx:1.14.2");
    assert.deepEqual(deploy.spec?.selector.matchLabels, deploy.spec?.template.metadata?.labels);
    assert.deepEqual(svc.spec?.selector, deploy.spec?.template.metadata?.labels);
    assert.equal(svc.spec?.type, "ClusterIP");
    assert.deepEqual(svc.spec?.ports, [{ name: "http", port: 80, targetPort: 80 }]);
  });
});

describe("manifests with the pod-IP runs on nginx's own port", () => {
  it("adds no second server block when the direct port is 80", () => {
    const [, deploy] = manifests("n", "node-2", "nginx:1.14.2", 80);
    const c = deploy.spec?.template.spec?.containers[0];
    assert.equal(c?.command, undefined);
    assert.deepEqual(c?.ports, [{ containerPort: 80, name: "http" }]);
  });
  it("serves the same files on the direct port from a second server block", () => {
    const [, deploy, svc] = manifests("n", "node-2", "nginx:1.14.2", 8080);
    const c = deploy.spec?.template.spec?.containers[0];
    assert.deepEqual(c?.ports?.[1], { containerPort: 8080, name: "direct" });
    assert.match(
      c?.command?.[2] ?? "",
      /listen 8080;.*root \/usr\/share\/nginx\/html;.*exec nginx -g 'daemon off;'$/,
    );
    assert.equal(svc.spec?.ports?.[0]?.targetPort, 80);
  });
});

describe("tcpExtCounter", () => {
  const netstat = [
    "TcpExt: SyncookiesSent TCPSynRetrans TW",
    "TcpExt: 0 2132 18649",
    "IpExt: InNoRoutes InTruncatedPkts",
    "IpExt: 0 0",
    "",
  ].join("\n");
  it("reads a counter by name", () => {
    assert.equal(tcpExtCounter(netstat, "TCPSynRetrans"), 2132);
    assert.equal(tcpExtCounter(netstat, "TW"), 18649);
  });
  it("is NaN for an unknown counter or empty input", () => {
    assert.ok(Number.isNaN(tcpExtCounter(netstat, "InNoRoutes")));
    assert.ok(Number.isNaN(tcpExtCounter("", "TCPSynRetrans")));
    assert.ok(Number.isNaN(tcpExtCounter(netstat, "TcpExt:")));
  });
});

describe("orderOf", () => {
  it("alternates which target goes first (ABBA)", () => {
    assert.deepEqual([0, 1, 2, 3].map(orderOf), [
      ["pod", "clusterip"],
      ["clusterip", "pod"],
      ["pod", "clusterip"],
      ["clusterip", "pod"],
    ]);
  });
});

describe("parseLoadReport", () => {
  it("reads the last line and turns null (NaN in JSON) back into NaN", () => {
    const r = report(1000, { p50Ms: Number.NaN });
    const parsed = parseLoadReport(`warming up\n${JSON.stringify(r)}\n\n`);
    assert.equal(parsed.rps, 1000);
    assert.ok(Number.isNaN(parsed.p50Ms));
  });
  it("rejects output without a report or with a missing figure", () => {
    const cases = ["", "Error: connect ECONNREFUSED", "[1,2]", JSON.stringify({ ...report(1), rps: "x" })];
    for (const out of cases) assert.throws(() => parseLoadReport(out), /load (worker|report)/, out);
  });
});

describe("median, ratio, latencyOf", () => {
  it("medians", () => {
    const cases: [number[], number][] = [
      [[], Number.NaN],
      [[3], 3],
      [[4, 2], 3],
      [[5, 1, 3], 3],
      [[9, 1, 2, 8], 5],
    ];
    for (const [xs, want] of cases) assert.deepEqual(median(xs), want, JSON.stringify(xs));
  });
  it("ratio is NaN without a pod figure", () => {
    assert.equal(ratio(900, 1000), 0.9);
    assert.ok(Number.isNaN(ratio(900, 0)));
    assert.ok(Number.isNaN(ratio(Number.NaN, 1000)));
  });
  it("latency p50 and p99 by nearest rank", () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.deepEqual(latencyOf(samples), { p50Ms: 50, p99Ms: 99 });
    assert.ok(Number.isNaN(latencyOf([]).p99Ms));
  });
});

describe("rows and table", () => {
  const ms: Measurement[] = [
    { keepAlive: "off", target: "pod", round: 0, report: report(1000), synRetrans: 0 },
    { keepAlive: "off", target: "clusterip", round: 0, report: report(850, { errors: 2 }), synRetrans: 3 },
    { keepAlive: "off", target: "clusterip", round: 1, report: report(950), synRetrans: 4 },
    { keepAlive: "off", target: "pod", round: 1, report: report(1000, { p99Ms: 7 }), synRetrans: 0 },
    { keepAlive: "on", target: "pod", round: 0, report: report(4000), synRetrans: 0 },
    { keepAlive: "on", target: "clusterip", round: 0, report: report(3900), synRetrans: 0 },
  ];
  const rows = rowsOf(ms);

  it("takes the medians per mode and target, in round order", () => {
    assert.deepEqual(
      rows.map((r) => [
        r.keepAlive,
        r.target,
        r.rounds,
        r.rps,
        r.p99Ms,
        r.rpsByRound,
        r.failures,
        r.synRetrans,
      ]),
      [
        ["off", "pod", 2, 1000, 6, [1000, 1000], 0, 0],
        ["off", "clusterip", 2, 900, 5, [850, 950], 2, 7],
        ["on", "pod", 1, 4000, 5, [4000], 0, 0],
        ["on", "clusterip", 1, 3900, 5, [3900], 0, 0],
      ],
    );
    assert.equal(ratioOfMode(rows, "off"), 0.9);
    assert.equal(ratioOfMode(rows, "on"), 0.975);
    assert.ok(Number.isNaN(ratioOfMode(rows.slice(0, 1), "off")));
  });

  it("prints the ratio and the verdict on the ClusterIP rows", () => {
    const lines = table(rows).split("\n");
    assert.equal(lines.length, 6);
    assert.equal(lines[2], "| off | pod IP | 1000 | 1000, 1000 | 1.00 | 6.00 | 0 | 0 |  |  |");
    assert.equal(lines[3], "| off | ClusterIP | 900 | 850, 950 | 1.00 | 5.00 | 2 | 7 | 0.900 | ≥ 0.9 met |");
    assert.match(table(rows, 0.99).split("\n")[5] ?? "", /0\.975 \| ≥ 0\.99 MISSED \|$/);
  });
});
