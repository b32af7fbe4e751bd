// kubectl port-forward (the installed kubectl, 1.32) against the kubelet's port-forward server, with no
// cluster: a small stand-in apiserver answers kubectl's GET of the pod and hands the upgrade to the
// KubeletServer, which forwards to a local echo server. Covers the WebSocket tunnel (SPDY inside
// WebSocket) and the SPDY/3.1 fallback. Skips when kubectl is absent.
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import http from "node:http";
import net from "node:net";
import { after, before, test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1";
import type { DockerRuntime } from "../../../kubelet/runtime/docker.js";
import { KubeletServer } from "../../../kubelet/server/server.js";
import { StatsProvider } from "../../../kubelet/stats/provider.js";
import { newLogger } from "../../../pkg/util/log.js";
import { standInKubeconfig } from "./kubeconfig.js";

const hasKubectl = (() => {
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

const pod: Pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web", namespace: "default", uid: "uid-1" },
  spec: { nodeName: "node-1", containers: [{ name: "web", image: "nginx" }] },
  status: { phase: "Running", podIP: "127.0.0.1" },
};

let api: http.Server;
let echo: net.Server;
let echoPort = 0;
let kubeconfig = "";
const children: ChildProcess[] = [];

before(async () => {
  echo = net.createServer((c) => {
    c.on("data", (d) => c.write(`echo:${d}`));
    c.on("error", () => undefined);
  });
  await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
  echoPort = (echo.address() as net.AddressInfo).port;
  const kubelet = new KubeletServer({
    log: newLogger("kubelet-test"),
    nodeName: "node-1",
    startTime: Date.now(),
    runtime: {} as DockerRuntime,
    pods: () => [pod],
    findPod: (ns, name) => (ns === "default" && name === "web" ? pod : undefined),
    stats: new StatsProvider(),
    memoryCapacity: () => 0,
  });
  api = http.createServer((req, res) => {
    if (req.method === "GET" && req.url?.startsWith("/api/v1/namespaces/default/pods/web")) {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(pod));
      return;
    }
    const url = (req.url ?? "").split("?")[0];
    // just enough discovery for kubectl to resolve "pods"
    const json = (body: unknown) =>
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    if (url === "/api")
      return json({ kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [] });
    if (url === "/apis") return json({ kind: "APIGroupList", apiVersion: "v1", groups: [] });
    if (url === "/api/v1")
      return json({
        kind: "APIResourceList",
        groupVersion: "v1",
        resources: [
          {
            name: "pods",
            singularName: "pod",
            namespaced: true,
            kind: "Pod",
            verbs: ["get", "list"],
            shortNames: ["po"],
          },
          {
            name: "pods/portforward",
            singularName: "",
            namespaced: true,
            kind: "PodPortForwardOptions",
            verbs: ["create", "get"],
          },
        ],
      });
    // a non-upgrade POST to portforward: what the apiserver answers
    res.writeHead(400, { "content-type": "application/json" }).end(
      JSON.stringify({
        kind: "Status",
        apiVersion: "v1",
        status: "Failure",
        message: "Upgrade request required",
        code: 400,
      }),
    );
  });
  api.on("upgrade", (req, socket, head) => {
    req.url = "/portForward/default/web";
    (kubelet as unknown as { upgrade: (r: unknown, s: unknown, h: Buffer) => void }).upgrade(
      req,
      socket,
      head,
    );
  });
  await new Promise<void>((r) => api.listen(0, "127.0.0.1", r));
  kubeconfig = standInKubeconfig(api, "pf");
});

after(() => {
  for (const c of children) c.kill();
  api?.close();
  echo?.close();
});

async function forward(localPort: number, env: Record<string, string>): Promise<ChildProcess> {
  const c = spawn(
    "kubectl",
    [
      ...(process.env.PF_DEBUG ? ["-v=9"] : []),
      "--kubeconfig",
      kubeconfig,
      "port-forward",
      "pod/web",
      `${localPort}:${echoPort}`,
    ],
    {
      env: { ...process.env, ...env, ...(process.env.PF_DEBUG ? { DEBUG: "1" } : {}) },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  children.push(c);
  c.stderr?.on("data", (d) => process.env.PF_DEBUG && process.stderr.write(d));
  await new Promise<void>((resolve, reject) => {
    let out = "";
    c.stdout?.on("data", (d) => {
      out += d;
      if (out.includes("Forwarding from")) resolve();
    });
    let err = "";
    c.stderr?.on("data", (d) => {
      err += d;
    });
    c.on("exit", (code) => reject(new Error(`kubectl exited ${code}: ${out}${err}`)));
  });
  return c;
}

function roundTrip(port: number, msg: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1", () => s.write(msg));
    s.on("data", (d) => {
      resolve(d.toString());
      s.end();
    });
    s.on("error", reject);
    setTimeout(() => reject(new Error("timeout")), 5000).unref();
  });
}

for (const [name, env, port] of [
  ["WebSocket tunnel", {}, 28431],
  ["SPDY/3.1 fallback", { KUBECTL_PORT_FORWARD_WEBSOCKETS: "false" }, 28432],
] as const) {
  test(`kubectl port-forward: ${name}`, { skip: !hasKubectl }, async () => {
    const c = await forward(port, env);
    assert.equal(await roundTrip(port, "one"), "echo:one");
    assert.equal(await roundTrip(port, "two"), "echo:two");
    c.kill();
  });
}
