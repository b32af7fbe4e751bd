// kubectl's SPDY/3.1 fallback for exec and attach (kubectl 1.32 retries with it after any refused WebSocket
// upgrade; older kubectls speak nothing else), against the kubelet's server and real Docker containers:
// a small SPDY client (spdy-client.ts) checks the protocol — negotiation, the streams, the v4 Status on the
// error stream, stdin, resize, refusals and their warn logs — and the installed kubectl, through a stand-in
// apiserver that refuses the WebSocket upgrade, checks the fallback end to end.
// Needs the Docker engine and busybox:1.28.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import http from "node:http";
import type net from "node:net";
import { Writable } from "node:stream";
import { after, before, test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1";
import { pino } from "pino";
import { DockerRuntime } from "../../../kubelet/runtime/docker.js";
import type { PodRuntimeStatus } from "../../../kubelet/runtime/types.js";
import { KubeletServer } from "../../../kubelet/server/server.js";
import { StatsProvider } from "../../../kubelet/stats/provider.js";
import { standInKubeconfig } from "./kubeconfig.js";
import { spdyExec } from "./spdy-client.js";

const LABEL = "io.tskube.test=kubelet-exec-spdy";
const IMAGE = "busybox:1.28";
const ALL_PROTOCOLS = [
  "v5.channel.k8s.io",
  "v4.channel.k8s.io",
  "v3.channel.k8s.io",
  "v2.channel.k8s.io",
  "channel.k8s.io",
];
const docker = (...args: string[]) =>
  execFileSync("docker", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();

const hasKubectl = (() => {
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

/** The kubelet's log lines, to check what a refusal leaves in `docker logs` of a node. */
const logLines: Record<string, unknown>[] = [];
const log = pino(
  { level: "info", base: { component: "kubelet-exec-spdy-test" } },
  new Writable({
    write(chunk: Buffer, _e, cb) {
      for (const l of chunk.toString().split("\n").filter(Boolean)) logLines.push(JSON.parse(l));
      cb();
    },
  }),
);
const runtime = new DockerRuntime("kubelet-exec-spdy-test", "node-1", log);
/** pod name → the container its "c" is, reported running */
const containerOf = new Map<string, string>();
runtime.podStatus = async (uid: string): Promise<PodRuntimeStatus | undefined> => {
  const id = containerOf.get(uid);
  if (!id) return undefined;
  return {
    uid,
    name: uid,
    namespace: "default",
    sandboxes: [],
    containers: [
      {
        id,
        name: "c",
        state: "running",
        createdAt: Date.now(),
        image: IMAGE,
        imageRef: "",
        restartCount: 0,
        hash: "",
        isInit: false,
      },
    ],
  };
};

function podOf(name: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", uid: name },
    spec: { nodeName: "node-1", containers: [{ name: "c", image: IMAGE }] },
    status: {
      phase: "Running",
      containerStatuses: [
        {
          name: "c",
          image: IMAGE,
          imageID: "",
          ready: true,
          restartCount: 0,
          state: { running: { startedAt: new Date().toISOString() } },
        },
      ],
    },
  };
}

const server = new KubeletServer({
  log,
  nodeName: "node-1",
  startTime: Date.now(),
  runtime,
  pods: () => [],
  findPod: (_ns, name) => (containerOf.has(name) || name === "stopped" ? podOf(name) : undefined),
  stats: new StatsProvider(),
  memoryCapacity: () => 0,
});
server.streamCreationTimeoutMs = 1000;
let port = 0;
let kubeletServer: http.Server;
let api: http.Server;
let kubeconfig = "";
/** the Upgrade header of each upgrade the stand-in apiserver saw */
const upgradesSeen: string[] = [];

async function startContainer(
  pod: string,
  cmd: string[],
  extra: { StdinOnce?: boolean } = {},
): Promise<void> {
  const c = await runtime.docker.createContainer({
    Image: IMAGE,
    Cmd: cmd,
    Labels: { "io.tskube.test": "kubelet-exec-spdy" },
    OpenStdin: true,
    ...extra,
  });
  await c.start();
  containerOf.set(pod, c.id);
}

const execPath = (cmd: string[], query: string) =>
  `/exec/default/web/c?${cmd.map((c) => `command=${encodeURIComponent(c)}`).join("&")}&${query}`;

before(async () => {
  try {
    docker("version", "--format", "{{.Server.Version}}");
  } catch {
    throw new Error("Docker is not available: the kubelet integration tests need the Docker engine");
  }
  await startContainer("web", ["sleep", "3600"]);
  kubeletServer = await server.listenPlain(0);
  port = (kubeletServer.address() as net.AddressInfo).port;
  // The stand-in apiserver: the pod, discovery enough for kubectl, a refused WebSocket upgrade (as the
  // transient failure CI saw) and the SPDY upgrade handed to the kubelet, as the apiserver relays it.
  api = http.createServer((req, res) => {
    const url = (req.url ?? "").split("?")[0] ?? "";
    const json = (body: unknown) =>
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    const m = /^\/api\/v1\/namespaces\/default\/pods\/([^/]+)$/.exec(url);
    if (req.method === "GET" && m?.[1] && containerOf.has(m[1])) return json(podOf(m[1]));
    if (url === "/api")
      return json({ kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [] });
    if (url === "/apis") return json({ kind: "APIGroupList", apiVersion: "v1", groups: [] });
    if (url === "/api/v1")
      return json({
        kind: "APIResourceList",
        groupVersion: "v1",
        resources: [
          { name: "pods", singularName: "pod", namespaced: true, kind: "Pod", verbs: ["get", "list"] },
          {
            name: "pods/exec",
            singularName: "",
            namespaced: true,
            kind: "PodExecOptions",
            verbs: ["create", "get"],
          },
        ],
      });
    res
      .writeHead(404, { "content-type": "application/json" })
      .end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", code: 404 }));
  });
  api.on("upgrade", (req, socket, head) => {
    upgradesSeen.push(`${req.method} ${req.headers.upgrade}`);
    if (String(req.headers.upgrade).toLowerCase() === "websocket") {
      socket.end("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    const u = new URL(req.url ?? "/", "http://api");
    const m = /^\/api\/v1\/namespaces\/default\/pods\/([^/]+)\/(exec|attach)$/.exec(u.pathname);
    req.url = `/${m?.[2]}/default/${m?.[1] ?? ""}/${u.searchParams.get("container") ?? "c"}${u.search}`;
    (server as unknown as { upgrade: (r: unknown, s: unknown, h: Buffer) => void }).upgrade(
      req,
      socket,
      head,
    );
  });
  await new Promise<void>((r) => api.listen(0, "127.0.0.1", r));
  kubeconfig = standInKubeconfig(api, "exec-spdy");
});

after(() => {
  kubeletServer?.close();
  api?.close();
  const ids = docker("ps", "-aq", "--filter", `label=${LABEL}`);
  if (ids) docker("rm", "-f", ...ids.split("\n"));
});

test("exec over SPDY: v4 negotiated from kubectl's list, stdout, Success on the error stream", async () => {
  const r = await spdyExec(port, execPath(["echo", "hi"], "output=1&error=1"), {
    protocols: ALL_PROTOCOLS,
    streams: ["error", "stdout", "stderr"],
  });
  assert.equal(r.statusCode, 101);
  assert.deepEqual(r.headers["x-stream-protocol-version"], ["v4.channel.k8s.io"]);
  assert.deepEqual(r.headers.upgrade, ["SPDY/3.1"]);
  assert.deepEqual(r.replied.sort(), ["error", "stderr", "stdout"]);
  assert.equal(r.data.stdout, "hi\n");
  assert.equal(r.data.stderr ?? "", "");
  assert.deepEqual(JSON.parse(r.data.error ?? ""), { metadata: {}, status: "Success" });
  assert.deepEqual(r.finished.sort(), ["error", "stderr", "stdout"]);
  assert.ok(r.goAway, "the session ends with GOAWAY");
});

test("exec over SPDY: stderr on its own stream", async () => {
  const r = await spdyExec(
    port,
    execPath(["sh", "-c", "echo out; echo err >&2"], "stdout=true&stderr=true"),
    {
      protocols: ALL_PROTOCOLS,
      streams: ["error", "stdout", "stderr"],
    },
  );
  assert.equal(r.data.stdout, "out\n");
  assert.equal(r.data.stderr, "err\n");
});

test("exec over SPDY: exit code 3 is a NonZeroExitCode Status with ExitCode cause 3", async () => {
  const r = await spdyExec(port, execPath(["sh", "-c", "exit 3"], "stdout=true&stderr=true"), {
    protocols: ALL_PROTOCOLS,
    streams: ["error", "stdout", "stderr"],
  });
  const status = JSON.parse(r.data.error ?? "");
  assert.equal(status.status, "Failure");
  assert.equal(status.reason, "NonZeroExitCode");
  assert.deepEqual(status.details, { causes: [{ reason: "ExitCode", message: "3" }] });
  assert.match(status.message, /^command terminated with non-zero exit code: .*exit code 3$/);
});

test("exec over SPDY: stdin piped to cat, its FIN closes the process's stdin", async () => {
  const r = await spdyExec(port, execPath(["cat"], "stdin=true&stdout=true&stderr=true"), {
    protocols: ALL_PROTOCOLS,
    streams: ["error", "stdin", "stdout", "stderr"],
    stdin: "data\nmore\n",
  });
  assert.equal(r.data.stdout, "data\nmore\n");
  assert.deepEqual(JSON.parse(r.data.error ?? ""), { metadata: {}, status: "Success" });
  assert.ok(r.finished.includes("stdin"), "the server closes its side of stdin at the end");
});

test("exec over SPDY with a TTY: the resize stream sets the terminal size", async () => {
  const r = await spdyExec(
    port,
    execPath(["sh", "-c", "sleep 1; stty size"], "stdin=true&stdout=true&tty=true"),
    {
      protocols: ALL_PROTOCOLS,
      streams: ["error", "stdin", "stdout", "resize"],
      keepStdinOpen: true,
      resize: { Width: 123, Height: 45 },
    },
  );
  assert.equal(r.data.stdout?.trim(), "45 123");
  assert.deepEqual(JSON.parse(r.data.error ?? ""), { metadata: {}, status: "Success" });
});

test("exec over SPDY v3: the error stream carries only a failure's message, as text", async () => {
  const ok = await spdyExec(port, execPath(["true"], "stdout=true"), {
    protocols: ["v3.channel.k8s.io"],
    streams: ["error", "stdout"],
  });
  assert.deepEqual(ok.headers["x-stream-protocol-version"], ["v3.channel.k8s.io"]);
  assert.equal(ok.data.error ?? "", "");
  const failed = await spdyExec(port, execPath(["sh", "-c", "exit 2"], "stdout=true"), {
    protocols: ["v3.channel.k8s.io"],
    streams: ["error", "stdout"],
  });
  assert.match(failed.data.error ?? "", /^command terminated with non-zero exit code: .*exit code 2$/);
});

test("attach over SPDY: the container's output, then Success when it ends", async () => {
  await startContainer("once", ["sh", "-c", "sleep 1; echo attached"], { StdinOnce: true });
  const r = await spdyExec(port, "/attach/default/once/c?stdin=true&stdout=true&stderr=true", {
    protocols: ALL_PROTOCOLS,
    streams: ["error", "stdin", "stdout", "stderr"],
    keepStdinOpen: true,
  });
  assert.equal(r.data.stdout, "attached\n");
  assert.deepEqual(JSON.parse(r.data.error ?? ""), { metadata: {}, status: "Success" });
});

test("no common protocol: 403 with upstream's message and the accepted versions, logged at warn", async () => {
  logLines.length = 0;
  const r = await spdyExec(port, execPath(["true"], "stdout=true"), {
    protocols: ["v9.channel.k8s.io", "x.example"],
    streams: [],
  });
  assert.equal(r.statusCode, 403);
  assert.equal(
    r.body,
    "unable to upgrade: unable to negotiate protocol: client supports [v9.channel.k8s.io x.example], server accepts [v4.channel.k8s.io v3.channel.k8s.io v2.channel.k8s.io channel.k8s.io]\n",
  );
  assert.deepEqual(r.headers["x-accepted-stream-protocol-versions"], [
    "v4.channel.k8s.io",
    "v3.channel.k8s.io",
    "v2.channel.k8s.io",
    "channel.k8s.io",
  ]);
  const warn = logLines.find((l) => l.msg === "upgrade rejected");
  assert.ok(warn, "the refusal is logged");
  assert.equal(warn.level, 40);
  assert.equal(warn.pod, "default/web");
  assert.equal(warn.container, "c");
  assert.equal(warn.method, "POST");
  assert.equal(warn.upgrade, "SPDY/3.1");
  assert.match(String(warn.reason), /unable to negotiate protocol/);
});

test("refusals before the upgrade are logged: unknown pod, container not running", async () => {
  logLines.length = 0;
  const missing = await spdyExec(port, "/exec/default/nope/c?command=true&stdout=true", {
    protocols: ALL_PROTOCOLS,
    streams: [],
  });
  assert.equal(missing.statusCode, 404);
  const stopped = await spdyExec(port, "/exec/default/stopped/c?command=true&stdout=true", {
    protocols: ALL_PROTOCOLS,
    streams: [],
  });
  assert.equal(stopped.statusCode, 400);
  assert.match(JSON.parse(stopped.body).message, /container c is not running in pod stopped/);
  const warns = logLines.filter((l) => l.msg === "upgrade rejected");
  assert.deepEqual(
    warns.map((w) => [w.pod, w.code, w.method, w.upgrade]),
    [
      ["default/nope", 404, "POST", "SPDY/3.1"],
      ["default/stopped", 400, "POST", "SPDY/3.1"],
    ],
  );
});

test("a client that does not open its streams in time: the session is closed and logged", async () => {
  logLines.length = 0;
  const r = await spdyExec(port, execPath(["true"], "stdin=true&stdout=true"), {
    protocols: ALL_PROTOCOLS,
    streams: ["error"],
    keepStdinOpen: true,
  });
  assert.equal(r.statusCode, 101);
  assert.ok(r.goAway);
  assert.ok(logLines.some((l) => l.msg === "SPDY streams not created" && l.pod === "default/web"));
});

test("a plain POST or GET to /exec without Upgrade: 400 Upgrade request required", async () => {
  for (const method of ["POST", "GET"]) {
    const r = await new Promise<{ code?: number; body: string }>((resolve, reject) => {
      const req = http.request(
        { port, host: "127.0.0.1", method, path: execPath(["true"], "stdout=true") },
        (res) => {
          let body = "";
          res.on("data", (d) => {
            body += d;
          });
          res.on("end", () => resolve({ code: res.statusCode, body }));
        },
      );
      req.on("error", reject);
      req.end();
    });
    assert.equal(r.code, 400);
    assert.equal(JSON.parse(r.body).message, "Upgrade request required");
  }
});

/** Runs the installed kubectl against the stand-in apiserver. */
function kubectl(args: string[], stdin = ""): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const c = spawn("kubectl", ["--kubeconfig", kubeconfig, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    c.stdout.on("data", (d) => {
      out += d;
    });
    c.stderr.on("data", (d) => {
      err += d;
    });
    c.stdin.end(stdin);
    const timer = setTimeout(() => c.kill(), 30_000);
    c.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

test("kubectl exec falls back to SPDY when the WebSocket upgrade is refused: output, exit code 3", async () => {
  assert.ok(hasKubectl, "kubectl is not installed: run deploy/scripts/host-setup.sh");
  upgradesSeen.length = 0;
  const r = await kubectl(["exec", "web", "--", "sh", "-c", "echo hi; echo err >&2; exit 3"]);
  assert.deepEqual(upgradesSeen, ["GET websocket", "POST SPDY/3.1"]);
  assert.equal(r.code, 3, r.err);
  assert.equal(r.out, "hi\n");
  assert.match(r.err, /err\n/);
  assert.match(r.err, /command terminated with exit code 3/);
});

test("kubectl exec -i over SPDY pipes stdin", async () => {
  assert.ok(hasKubectl, "kubectl is not installed: run deploy/scripts/host-setup.sh");
  const r = await kubectl(["exec", "-i", "web", "--", "cat"], "piped\n");
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, "piped\n");
});

test("kubectl exec -it over SPDY (in a pseudo-terminal): a TTY with the resize stream", async () => {
  assert.ok(hasKubectl, "kubectl is not installed: run deploy/scripts/host-setup.sh");
  // script(1) gives kubectl a terminal; kubectl then asks for tty=true and opens the resize stream. The
  // size reaches the process a moment after it started (Docker resizes a running exec), hence the sleep.
  const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const c = spawn(
      "script",
      [
        "-qec",
        `stty cols 91 rows 17; kubectl --kubeconfig ${kubeconfig} exec -it web -- sh -c 'tty; sleep 1; stty size'`,
        "/dev/null",
      ],
      { stdio: ["pipe", "pipe", "pipe"] },
    );
    let out = "";
    c.stdout.on("data", (d) => {
      out += d;
    });
    const timer = setTimeout(() => c.kill(), 30_000);
    c.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /\/dev\/pts\/\d+/);
  assert.match(r.out, /17 91/);
});
