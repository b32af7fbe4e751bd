import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import {
  checkComponent,
  componentTargets,
  conditionOf,
  describeRequestError,
  etcdHealthCheck,
  httpProbe,
  httpProbeOutcome,
  type ProbeResult,
  validated,
} from "./componentstatus.js";

describe("componentstatus decisions", () => {
  it("targets: scheduler, controller-manager, and one etcd-0 for all --etcd-servers", () => {
    const t = componentTargets({
      scheduler: ["http://scheduler:10251/healthz", "http://scheduler-2:10251/healthz"],
      controllerManager: ["http://controller-manager:10252/healthz"],
      etcdServers: ["http://etcd-1:2379", "http://etcd-2:2379/"],
    });
    assert.deepEqual(
      t.map((x) => [x.name, x.urls]),
      [
        ["scheduler", ["http://scheduler:10251/healthz", "http://scheduler-2:10251/healthz"]],
        ["controller-manager", ["http://controller-manager:10252/healthz"]],
        ["etcd-0", ["http://etcd-1:2379/health", "http://etcd-2:2379/health"]],
      ],
    );
    assert.deepEqual(
      componentTargets({ scheduler: [], controllerManager: [], etcdServers: [] }).map((x) => x.name),
      [],
    );
  });

  it("etcd's /health body is validated as EtcdHealthCheck did", () => {
    const cases: [string, string | undefined][] = [
      ['{"health":"true"}', undefined],
      ['{"health":"true","reason":""}', undefined],
      ['{"health":"false"}', "Unhealthy status: false"],
      ["{}", "Unhealthy status: "],
    ];
    for (const [body, want] of cases) assert.equal(etcdHealthCheck(body), want, body);
    assert.match(etcdHealthCheck("ok") ?? "", /JSON/);
  });

  it("HTTP outcomes as pkg/probe/http: 2xx success with the body, 3xx unknown, errors fail", () => {
    const cases: [number, string, ProbeResult][] = [
      [200, "ok", { result: "Success", message: "ok" }],
      [302, "moved", { result: "Unknown", message: "Probe terminated redirects, Response body: moved" }],
      [500, "boom", { result: "Failure", message: "HTTP probe failed with statuscode: 500" }],
      [503, '{"health":"false"}', { result: "Failure", message: "HTTP probe failed with statuscode: 503" }],
    ];
    for (const [code, body, want] of cases) assert.deepEqual(httpProbeOutcome(code, body), want);
  });

  it("validation failure keeps the body as message and reports the error", () => {
    assert.deepEqual(validated({ result: "Success", message: '{"health":"false"}' }, etcdHealthCheck), {
      result: "Failure",
      message: '{"health":"false"}',
      error: "Unhealthy status: false",
    });
    assert.deepEqual(validated({ result: "Success", message: "ok" }), { result: "Success", message: "ok" });
  });

  it("condition: any healthy replica wins; otherwise the first replica's failure", () => {
    const down: ProbeResult = { result: "Failure", message: 'Get "http://a/healthz": refused' };
    const up: ProbeResult = { result: "Success", message: "ok" };
    assert.deepEqual(conditionOf([down, up]), { type: "Healthy", status: "True", message: "ok" });
    assert.deepEqual(conditionOf([down, { result: "Failure", message: "other" }]), {
      type: "Healthy",
      status: "False",
      message: 'Get "http://a/healthz": refused',
    });
    assert.deepEqual(conditionOf([{ result: "Unknown", message: "", error: "bad" }]), {
      type: "Healthy",
      status: "Unknown",
      error: "bad",
    });
  });

  it("request errors are worded like Go's net/http client", () => {
    const url = "http://scheduler:10251/healthz";
    const refused = Object.assign(new Error("x"), {
      code: "ECONNREFUSED",
      address: "172.28.0.20",
      port: 10251,
    });
    assert.equal(
      describeRequestError(url, refused),
      'Get "http://scheduler:10251/healthz": dial tcp 172.28.0.20:10251: connect: connection refused',
    );
    assert.equal(
      describeRequestError(url, Object.assign(new Error("x"), { code: "ENOTFOUND" })),
      'Get "http://scheduler:10251/healthz": dial tcp: lookup scheduler: no such host',
    );
  });

  it("checkComponent answers Healthy as soon as one replica is, without waiting for a slow one", async () => {
    const started = Date.now();
    const status = await checkComponent({ name: "scheduler", urls: ["slow", "fast"] }, (url) =>
      url === "fast"
        ? Promise.resolve({ result: "Success", message: "ok" })
        : new Promise((r) => setTimeout(() => r({ result: "Failure", message: "timeout" }), 5000).unref()),
    );
    assert.ok(Date.now() - started < 2000);
    assert.deepEqual(status, {
      kind: "ComponentStatus",
      apiVersion: "v1",
      metadata: { name: "scheduler", creationTimestamp: null },
      conditions: [{ type: "Healthy", status: "True", message: "ok" }],
    });
  });
});

describe("httpProbe (local HTTP server)", () => {
  let server: Server;
  let base: string;
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === "/healthz") res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      else if (req.url === "/health") res.writeHead(200).end('{"health":"true"}');
      else res.writeHead(500).end("nope");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it("reads the body of a healthy endpoint and fails a 500 or a closed port", async () => {
    assert.deepEqual(await httpProbe(`${base}/healthz`), { result: "Success", message: "ok" });
    assert.deepEqual(await httpProbe(`${base}/other`), {
      result: "Failure",
      message: "HTTP probe failed with statuscode: 500",
    });
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    assert.deepEqual(await httpProbe(`http://127.0.0.1:${port}/healthz`), {
      result: "Failure",
      message: `Get "http://127.0.0.1:${port}/healthz": dial tcp 127.0.0.1:${port}: connect: connection refused`,
    });
  });

  it("etcd-0 is Healthy with the member's /health body when one member answers", async () => {
    const [etcd] = componentTargets({
      scheduler: [],
      controllerManager: [],
      etcdServers: ["http://127.0.0.1:1", base],
    });
    const s = await checkComponent(etcd!);
    assert.deepEqual(s.conditions, [{ type: "Healthy", status: "True", message: '{"health":"true"}' }]);
  });
});
