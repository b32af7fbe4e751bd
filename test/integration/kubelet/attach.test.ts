// Attach ends with the container (kubectl run -i --rm waits on it): the kubelet's attach server against
// real Docker containers, over the v5.channel.k8s.io WebSocket protocol as kubectl speaks it, and with the
// installed kubectl through a stand-in apiserver. The race that used to hang — the container exits between
// the kubelet's "is it running" check and Docker's attach, which then waits for a next start for ever —
// is made certain by a runtime that still reports the container running.
// Needs the Docker engine and busybox:1.28.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import http from "node:http";
import type net from "node:net";
import { after, before, test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1";
import WebSocket from "ws";
import { DockerRuntime } from "../../../kubelet/runtime/docker.js";
import type { PodRuntimeStatus } from "../../../kubelet/runtime/types.js";
import { KubeletServer } from "../../../kubelet/server/server.js";
import { StatsProvider } from "../../../kubelet/stats/provider.js";
import { newLogger } from "../../../pkg/util/log.js";
import { standInKubeconfig } from "./kubeconfig.js";

const LABEL = "io.tskube.test=kubelet-attach";
const IMAGE = "busybox:1.28";
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

const log = newLogger("kubelet-attach-test");
const runtime = new DockerRuntime("kubelet-attach-test", "node-1", log);
/** the container each pod's "c" is, as the (stale) runtime view reports it: always running */
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
    spec: {
      nodeName: "node-1",
      restartPolicy: "Never",
      containers: [{ name: "c", image: IMAGE, stdin: true, stdinOnce: true }],
    },
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
  findPod: (_ns, name) => (containerOf.has(name) ? podOf(name) : undefined),
  stats: new StatsProvider(),
  memoryCapacity: () => 0,
});
let kubeletPort = 0;
let kubeletServer: http.Server;
let api: http.Server;
let kubeconfig = "";

/** A container as the kubelet makes one for `kubectl run -i` (stdin, stdinOnce), started. */
async function startContainer(pod: string, script: string, tty = false): Promise<string> {
  const c = await runtime.docker.createContainer({
    Image: IMAGE,
    Cmd: ["sh", "-c", script],
    Labels: { "io.tskube.test": "kubelet-attach" },
    OpenStdin: true,
    StdinOnce: true,
    Tty: tty,
  });
  await c.start();
  containerOf.set(pod, c.id);
  return c.id;
}

async function waitExited(id: string): Promise<void> {
  await runtime.docker.getContainer(id).wait({ condition: "not-running" });
}

interface AttachResult {
  stdout: string;
  status?: { status?: string; message?: string };
  closedAfterMs: number;
}

/**
 * The WebSocket side of kubectl attach: v5 channels. Without a TTY stdin is closed at once (as
 * `kubectl run -i </dev/null`); with one it stays open, as a terminal's does.
 */
function attachWs(pod: string, query: string, timeoutMs = 15_000): Promise<AttachResult> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${kubeletPort}/attach/default/${pod}/c?${query}`, [
      "v5.channel.k8s.io",
    ]);
    let stdout = "";
    let status: AttachResult["status"];
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`attach still open after ${timeoutMs} ms; output so far: ${JSON.stringify(stdout)}`));
    }, timeoutMs);
    ws.on("open", () => {
      if (query.includes("stdin=true") && !query.includes("tty=true")) ws.send(Buffer.from([255, 0]));
    });
    ws.on("message", (data: Buffer) => {
      if (data[0] === 1) stdout += data.subarray(1).toString();
      if (data[0] === 3) status = JSON.parse(data.subarray(1).toString());
    });
    ws.on("close", () => {
      clearTimeout(timer);
      resolve({ stdout, status, closedAfterMs: Date.now() - t0 });
    });
    ws.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

before(async () => {
  try {
    docker("version", "--format", "{{.Server.Version}}");
  } catch {
    throw new Error("Docker is not available: the kubelet integration tests need the Docker engine");
  }
  kubeletServer = await server.listenPlain(0);
  kubeletPort = (kubeletServer.address() as net.AddressInfo).port;
  // The stand-in apiserver: GET of the pod, discovery enough for kubectl, and the attach upgrade handed
  // to the kubelet server, as the apiserver's proxy does.
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
            name: "pods/attach",
            singularName: "",
            namespaced: true,
            kind: "PodAttachOptions",
            verbs: ["create", "get"],
          },
        ],
      });
    res
      .writeHead(404, { "content-type": "application/json" })
      .end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", code: 404 }));
  });
  api.on("upgrade", (req, socket, head) => {
    const u = new URL(req.url ?? "/", "http://api");
    const m = /^\/api\/v1\/namespaces\/default\/pods\/([^/]+)\/attach$/.exec(u.pathname);
    req.url = `/attach/default/${m?.[1] ?? ""}/${u.searchParams.get("container") ?? "c"}${u.search}`;
    (server as unknown as { upgrade: (r: unknown, s: unknown, h: Buffer) => void }).upgrade(
      req,
      socket,
      head,
    );
  });
  await new Promise<void>((r) => api.listen(0, "127.0.0.1", r));
  kubeconfig = standInKubeconfig(api, "attach");
});

after(() => {
  kubeletServer?.close();
  api?.close();
  const ids = docker("ps", "-aq", "--filter", `label=${LABEL}`);
  if (ids) docker("rm", "-f", ...ids.split("\n"));
});

test("attach to a running container streams its output and closes with Success when it exits", async () => {
  await startContainer("running", "sleep 1; echo hi; exit 3");
  const r = await attachWs("running", "stdin=true&stdout=true&stderr=true");
  assert.equal(r.stdout, "hi\n");
  assert.deepEqual(r.status, { metadata: {}, status: "Success" });
  assert.ok(r.closedAfterMs < 5000, `closed after ${r.closedAfterMs} ms`);
});

test("attach with a TTY ends with the container too", async () => {
  await startContainer("tty", "sleep 1; echo hi", true);
  const r = await attachWs("tty", "stdin=true&stdout=true&tty=true");
  assert.match(r.stdout, /hi/);
  assert.equal(r.status?.status, "Success");
});

test("a run -i container (stdinOnce) that exited before the attach: its output, then Success, no hang", async () => {
  const id = await startContainer("gone", "echo hi");
  await waitExited(id);
  const r = await attachWs("gone", "stdin=true&stdout=true&stderr=true");
  assert.equal(r.stdout, "hi\n");
  assert.deepEqual(r.status, { metadata: {}, status: "Success" });
  assert.ok(r.closedAfterMs < 5000, `closed after ${r.closedAfterMs} ms`);
});

test("a container that exited silently before the attach: Failure at once (kubectl falls back to its logs)", async () => {
  const id = await startContainer("gone-silent", "true");
  await waitExited(id);
  const r = await attachWs("gone-silent", "stdin=true&stdout=true&stderr=true");
  assert.equal(r.stdout, "");
  assert.deepEqual(r.status, {
    metadata: {},
    status: "Failure",
    reason: "InternalError",
    message: "container is in CONTAINER_EXITED state",
  });
  assert.ok(r.closedAfterMs < 5000, `closed after ${r.closedAfterMs} ms`);
});

test("kubectl attach -i returns when the container ends", async () => {
  assert.ok(hasKubectl, "kubectl is not installed: run deploy/scripts/host-setup.sh");
  await startContainer("kubectl", "sleep 2; echo from-attach");
  const started = Date.now();
  const r = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const c = spawn("kubectl", ["--kubeconfig", kubeconfig, "attach", "-i", "kubectl", "-c", "c"], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    c.stdout.on("data", (d) => {
      out += d;
    });
    c.stderr.on("data", (d) => {
      err += d;
    });
    // stdin stays open, as a terminal's would: the end must come from the container.
    const timer = setTimeout(() => c.kill(), 20_000);
    c.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /from-attach/);
  assert.ok(Date.now() - started < 15_000);
});

test("kubectl attach to a container that is already gone does not hang", async () => {
  assert.ok(hasKubectl, "kubectl is not installed: run deploy/scripts/host-setup.sh");
  const id = await startContainer("kubectl-gone", "true");
  await waitExited(id);
  const r = await new Promise<{ code: number | null; err: string; ms: number }>((resolve) => {
    const t0 = Date.now();
    const c = spawn("kubectl", ["--kubeconfig", kubeconfig, "attach", "-i", "kubectl-gone", "-c", "c"], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let err = "";
    c.stderr.on("data", (d) => {
      err += d;
    });
    const timer = setTimeout(() => c.kill(), 20_000);
    c.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, err, ms: Date.now() - t0 });
    });
  });
  assert.notEqual(r.code, null, "kubectl was still attached after 20 s");
  assert.match(r.err, /container is in CONTAINER_EXITED state/);
  assert.ok(r.ms < 10_000, `kubectl took ${r.ms} ms`);
});
