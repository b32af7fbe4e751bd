// The kubelet API on :10250 (HTTPS, client certificates from the cluster CA only), reached by the
// apiserver: /pods, /runningpods, /containerLogs, /exec and /attach (WebSocket channel protocols
// v5/v4.channel.k8s.io), /stats/summary, /metrics/resource and /healthz, on the real kubelet's paths.
import { readFileSync } from "node:fs";
import type http from "node:http";
import https from "node:https";
import { PassThrough, Writable } from "node:stream";
import type { Pod } from "kubernetes-types/core/v1";
import { createWebSocketStream, type WebSocket, WebSocketServer } from "ws";
import type { Logger } from "../../pkg/util/log.js";
import type { DockerRuntime } from "../runtime/docker.js";
import { containerHistory } from "../runtime/types.js";
import { resourceMetrics, type StatsProvider, summary } from "../stats/provider.js";
import { dialPod, servePortForward } from "./portforward.js";
import { SpdySession } from "./spdy.js";

export interface KubeletServerDeps {
  log: Logger;
  nodeName: string;
  startTime: number;
  runtime: DockerRuntime;
  pods: () => Pod[];
  findPod: (namespace: string, name: string) => Pod | undefined;
  stats: StatsProvider;
  memoryCapacity: () => number;
}

export interface TlsFiles {
  cert: string;
  key: string;
  clientCA?: string;
  /** requests without a verified client certificate are served too (upstream --anonymous-auth) */
  anonymous?: boolean;
}

/** Whether a request may be served: a client certificate the CA verified, or anonymous access allowed. */
export function authenticated(socket: unknown, anonymous: boolean): boolean {
  if (anonymous) return true;
  const tls = socket as { authorized?: boolean; encrypted?: boolean };
  return tls.encrypted !== true || tls.authorized === true;
}

function status(res: http.ServerResponse, code: number, message: string, reason = "BadRequest"): void {
  res.writeHead(code, { "content-type": "application/json" }).end(
    JSON.stringify({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message,
      reason,
      code,
    }),
  );
}

const CHANNEL_PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io"];
/** How long an attach stream may stay open once its container has stopped (its last output in flight). */
export const ATTACH_DRAIN_MS = 1000;
/** kubectl 1.31+ tunnels SPDY in a WebSocket for port-forward; older ones upgrade straight to SPDY. */
const PORT_FORWARD_WS_PROTOCOL = "SPDY/3.1+portforward.k8s.io";
const PORT_FORWARD_PROTOCOL = "portforward.k8s.io";

export class KubeletServer {
  private wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => CHANNEL_PROTOCOLS.find((p) => protocols.has(p)) ?? false,
  });
  private pfWss = new WebSocketServer({ noServer: true, perMessageDeflate: false }).on("headers", (h) =>
    h.push(`Sec-WebSocket-Protocol: ${PORT_FORWARD_WS_PROTOCOL}`),
  );
  private anonymous = true;
  constructor(private d: KubeletServerDeps) {}

  listen(port: number, tls: TlsFiles, host = "0.0.0.0"): http.Server {
    // The certificate is asked for but not required at the TLS layer, so that an unauthenticated
    // request gets the kubelet's 401 rather than a failed handshake.
    const opts: https.ServerOptions = {
      cert: readFileSync(tls.cert),
      key: readFileSync(tls.key),
      ...(tls.clientCA
        ? { ca: readFileSync(tls.clientCA), requestCert: true, rejectUnauthorized: false }
        : {}),
    };
    this.anonymous = tls.anonymous ?? !tls.clientCA;
    const server = https.createServer(opts, (q, s) => {
      if (!authenticated(q.socket, this.anonymous)) {
        s.writeHead(401, { "content-type": "text/plain" }).end("Unauthorized");
        return;
      }
      this.handle(q, s);
    });
    server.on("upgrade", (req, socket, head) => {
      if (!authenticated(req.socket, this.anonymous)) {
        socket.end(
          "HTTP/1.1 401 Unauthorized\r\nContent-Length: 12\r\nConnection: close\r\n\r\nUnauthorized",
        );
        return;
      }
      this.upgrade(req, socket, head);
    });
    server.listen(port, host);
    return server;
  }

  /** Plain HTTP (tests, or behind something that terminates TLS). */
  async listenPlain(port: number, host = "127.0.0.1"): Promise<http.Server> {
    const { createServer } = await import("node:http");
    const server = createServer((q, s) => this.handle(q, s));
    server.on("upgrade", (req, socket, head) => this.upgrade(req, socket, head));
    await new Promise<void>((r) => server.listen(port, host, r));
    return server;
  }

  handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://kubelet");
    const parts = url.pathname.split("/").filter(Boolean);
    const route = parts[0] ?? "";
    try {
      switch (route) {
        case "healthz":
          res.writeHead(200, { "content-type": "text/plain" }).end("ok");
          return;
        case "pods":
          res
            .writeHead(200, { "content-type": "application/json" })
            .end(JSON.stringify({ kind: "PodList", apiVersion: "v1", metadata: {}, items: this.d.pods() }));
          return;
        case "runningpods":
          res.writeHead(200, { "content-type": "application/json" }).end(
            JSON.stringify({
              kind: "PodList",
              apiVersion: "v1",
              metadata: {},
              items: this.d.pods().filter((p) => p.status?.phase === "Running"),
            }),
          );
          return;
        case "stats":
          res
            .writeHead(200, { "content-type": "application/json" })
            .end(
              JSON.stringify(
                summary(this.d.nodeName, this.d.startTime, this.d.stats, this.d.memoryCapacity()),
              ),
            );
          return;
        case "metrics":
          if (parts[1] === "resource") {
            res
              .writeHead(200, { "content-type": "text/plain; version=0.0.4" })
              .end(resourceMetrics(this.d.stats));
            return;
          }
          break;
        case "containerLogs":
          void this.logs(parts.slice(1), url.searchParams, req, res).catch((e: Error) => {
            if (!res.headersSent) status(res, 500, e.message, "InternalError");
            else res.end();
          });
          return;
        case "exec":
        case "attach":
        case "portForward":
          // Only reachable as an upgrade; a plain request is what kubectl's SPDY fallback sends.
          status(res, 400, "Upgrade request required");
          return;
      }
      status(res, 404, `the server could not find the requested resource (${url.pathname})`, "NotFound");
    } catch (e) {
      status(res, 500, (e as Error).message, "InternalError");
    }
  }

  private podAndContainer(
    parts: string[],
    q: URLSearchParams,
  ): { pod: Pod; container: string } | { code: number; message: string; reason: string } {
    const [namespace, name, c] = parts;
    const pod = namespace && name ? this.d.findPod(namespace, name) : undefined;
    if (!pod) return { code: 404, message: `pod "${name}" not found`, reason: "NotFound" };
    const container = c ?? q.get("container") ?? pod.spec?.containers?.[0]?.name ?? "";
    const all = [
      ...(pod.spec?.containers ?? []),
      ...(pod.spec?.initContainers ?? []),
      ...(pod.spec?.ephemeralContainers ?? []),
    ];
    if (!all.some((x) => x.name === container)) {
      return {
        code: 400,
        message: `container ${container} is not valid for pod ${name}`,
        reason: "BadRequest",
      };
    }
    return { pod, container };
  }

  private async logs(
    parts: string[],
    q: URLSearchParams,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> {
    const pc = this.podAndContainer(parts, q);
    if ("code" in pc) return status(res, pc.code, pc.message, pc.reason);
    const { pod, container } = pc;
    const podName = pod.metadata?.name;
    const runtime = await this.d.runtime.podStatus(pod.metadata?.uid ?? "");
    const history = containerHistory(runtime, container);
    const previous = q.get("previous") === "true";
    const target = previous ? history[1] : history[0];
    if (!target) {
      if (previous)
        return status(res, 400, `previous terminated container "${container}" in pod "${podName}" not found`);
      const st = [
        ...(pod.status?.containerStatuses ?? []),
        ...(pod.status?.initContainerStatuses ?? []),
      ].find((s) => s.name === container);
      const reason = st?.state?.waiting?.reason ?? "ContainerCreating";
      return status(res, 400, `container "${container}" in pod "${podName}" is waiting to start: ${reason}`);
    }
    const follow = q.get("follow") === "true" && !previous;
    const tail = q.get("tailLines");
    const sinceSeconds = q.get("sinceSeconds");
    const sinceTime = q.get("sinceTime");
    const limitBytes = Number(q.get("limitBytes") ?? 0);
    let since = 0;
    if (sinceSeconds) since = Math.floor(Date.now() / 1000) - Number(sinceSeconds);
    else if (sinceTime) since = Math.floor(Date.parse(sinceTime) / 1000);
    const c = this.d.runtime.docker.getContainer(target.id);
    const info = await c.inspect();
    const opts = {
      follow,
      stdout: true,
      stderr: true,
      timestamps: q.get("timestamps") === "true",
      ...(tail !== null && Number(tail) >= 0 ? { tail: Number(tail) } : {}),
      ...(since ? { since } : {}),
    };
    res.writeHead(200, { "content-type": "text/plain", "transfer-encoding": "chunked" });
    let written = 0;
    const out = new Writable({
      write(chunk: Buffer, _e, cb) {
        if (limitBytes > 0) {
          const room = limitBytes - written;
          if (room <= 0) return cb();
          chunk = chunk.subarray(0, room);
        }
        written += chunk.length;
        res.write(chunk, () => cb());
      },
    });
    if (follow) {
      const stream = (await c.logs({ ...opts, follow: true })) as NodeJS.ReadableStream & { destroy(): void };
      req.on("close", () => stream.destroy());
      if (info.Config.Tty) stream.pipe(out);
      else this.d.runtime.docker.modem.demuxStream(stream, out, out);
      await new Promise<void>((r) => {
        stream.on("end", r);
        stream.on("close", r);
        stream.on("error", () => r());
      });
      res.end();
      return;
    }
    const buf = (await c.logs({ ...opts, follow: false })) as unknown as Buffer;
    if (info.Config.Tty) out.write(buf);
    else {
      const pt = new PassThrough();
      this.d.runtime.docker.modem.demuxStream(pt, out, out);
      pt.end(buf);
      await new Promise((r) => pt.on("end", r));
    }
    out.end(() => res.end());
  }

  private upgrade(req: http.IncomingMessage, socket: import("node:stream").Duplex, head: Buffer): void {
    const url = new URL(req.url ?? "/", "http://kubelet");
    const parts = url.pathname.split("/").filter(Boolean);
    const kind = parts[0];
    const reject = (code: number, message: string) => {
      const body = JSON.stringify({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message,
        code,
      });
      socket.end(
        `HTTP/1.1 ${code} ${code === 404 ? "Not Found" : "Bad Request"}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    };
    if (kind === "portForward" || kind === "portforward") {
      this.portForward(parts.slice(1), req, socket, head, reject);
      return;
    }
    if (kind !== "exec" && kind !== "attach") {
      reject(404, "the server could not find the requested resource");
      return;
    }
    const pc = this.podAndContainer(parts.slice(1), url.searchParams);
    if ("code" in pc) {
      reject(pc.code, pc.message);
      return;
    }
    void this.d.runtime
      .podStatus(pc.pod.metadata?.uid ?? "")
      .then((rt) => {
        const running = rt?.containers.find((c) => c.name === pc.container && c.state === "running");
        if (!running) {
          return reject(400, `container ${pc.container} is not running in pod ${pc.pod.metadata?.name}`);
        }
        this.wss.handleUpgrade(req, socket, head, (ws) => {
          // kubectl sends stdin at once: it is kept until the docker exec is attached.
          inboxOf(ws);
          const run =
            kind === "exec"
              ? this.exec(ws, running.id, url.searchParams)
              : this.attach(ws, running.id, url.searchParams);
          run.catch((e: Error) => {
            this.d.log.warn({ err: e.message }, `${kind} failed`);
            sendStatus(ws, { status: "Failure", reason: "InternalError", message: e.message });
          });
        });
      })
      .catch((e: Error) => reject(400, e.message));
  }

  /** /portForward/<ns>/<pod>: SPDY over a WebSocket (kubectl 1.31+) or straight after `Upgrade: SPDY/3.1`. */
  private portForward(
    parts: string[],
    req: http.IncomingMessage,
    socket: import("node:stream").Duplex,
    head: Buffer,
    reject: (code: number, message: string) => void,
  ): void {
    const [namespace, name] = parts;
    const pod = namespace && name ? this.d.findPod(namespace, name) : undefined;
    if (!pod) {
      reject(404, `pod "${name}" not found`);
      return;
    }
    const podIP = pod.status?.podIP;
    if (!podIP) {
      reject(400, `pod ${name} does not have an IP address assigned`);
      return;
    }
    const target = {
      pod: `${name}_${namespace}`,
      uid: pod.metadata?.uid ?? "",
      dial: (port: number) =>
        dialPod(podIP, port, async () => {
          const rt = await this.d.runtime.podStatus(pod.metadata?.uid ?? "");
          const sandbox = rt?.sandboxes.find((s) => s.ready);
          return sandbox ? this.d.runtime.pidInNode(sandbox.id) : undefined;
        }),
    };
    const pfLog = (msg: string, fields: Record<string, unknown>) => this.d.log.info(fields, msg);
    const upgrade = String(req.headers.upgrade ?? "").toLowerCase();
    if (upgrade === "websocket") {
      // "SPDY/3.1+portforward.k8s.io" is not an RFC 6455 token ("/"), which ws refuses: the header is
      // taken off before the handshake and put back on the 101 (see the "headers" listener).
      const offeredWs = String(req.headers["sec-websocket-protocol"] ?? "")
        .split(",")
        .map((p) => p.trim());
      if (!offeredWs.includes(PORT_FORWARD_WS_PROTOCOL)) {
        reject(400, `unable to upgrade: the client does not offer ${PORT_FORWARD_WS_PROTOCOL}`);
        return;
      }
      delete req.headers["sec-websocket-protocol"];
      this.pfWss.handleUpgrade(req, socket, head, (ws) => {
        const stream = createWebSocketStream(ws, { allowHalfOpen: false });
        stream.on("error", () => undefined);
        servePortForward(new SpdySession(stream), target, pfLog);
      });
      return;
    }
    if (upgrade !== "spdy/3.1") {
      reject(400, "Upgrade request required");
      return;
    }
    const offered = String(req.headers["x-stream-protocol-version"] ?? "")
      .split(",")
      .map((p) => p.trim());
    if (!offered.includes(PORT_FORWARD_PROTOCOL)) {
      reject(
        403,
        `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(" ")}], server accepts [${PORT_FORWARD_PROTOCOL}]`,
      );
      return;
    }
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${PORT_FORWARD_PROTOCOL}\r\n\r\n`,
    );
    socket.on("error", () => undefined);
    servePortForward(new SpdySession(socket, head), target, pfLog);
  }

  private async exec(ws: WebSocket, containerId: string, q: URLSearchParams): Promise<void> {
    const flag = (a: string, b: string) =>
      q.get(a) === "true" || q.get(a) === "1" || q.get(b) === "1" || q.get(b) === "true";
    const stdin = flag("stdin", "input");
    const stdout = flag("stdout", "output");
    const stderr = flag("stderr", "error");
    const tty = flag("tty", "tty");
    const cmd = q.getAll("command");
    const docker = this.d.runtime.docker;
    const ex = await docker.getContainer(containerId).exec({
      Cmd: cmd,
      AttachStdin: stdin,
      AttachStdout: stdout,
      AttachStderr: stderr && !tty,
      Tty: tty,
    });
    const stream = (await ex.start({ hijack: true, stdin, Tty: tty })) as import("node:stream").Duplex;
    await this.pump(ws, stream, tty, stdin, (size) => ex.resize(size).catch(() => undefined));
    const info = await ex.inspect();
    const code = info.ExitCode ?? 0;
    if (code === 0) sendStatus(ws, { status: "Success" });
    else {
      sendStatus(ws, {
        status: "Failure",
        reason: "NonZeroExitCode",
        message: `command terminated with non-zero exit code: error executing command [${cmd.join(" ")}], exit code ${code}`,
        details: { causes: [{ reason: "ExitCode", message: String(code) }] },
      });
    }
  }

  /**
   * Attach ends with the container, as Kubernetes' does: Docker's attach to a container that is no longer
   * running waits for its next start (`docker start -a`), so a container that exits between the
   * "is it running" check and the attach would hold the stream (and `kubectl run -i`) open for ever.
   * The container is watched alongside: once it has stopped, its last output gets a moment to arrive and
   * the stream is closed. Attach reports Success (kubectl reads the exit code from the pod status); a
   * container that was already gone before anything was attached is a Failure, on which kubectl falls
   * back to its logs, as it does with upstream's "container is in CONTAINER_EXITED state".
   */
  private async attach(ws: WebSocket, containerId: string, q: URLSearchParams): Promise<void> {
    const stdin = q.get("stdin") === "true" || q.get("input") === "1";
    const tty = q.get("tty") === "true" || q.get("tty") === "1";
    const c = this.d.runtime.docker.getContainer(containerId);
    // A container made for one attach session (`stdinOnce`: `kubectl run -i/-it`) gets its output from its
    // start: kubectl attaches only once the pod is Running, and a short command (`nslookup`, `echo`) has
    // often printed everything, or even exited, by then. Docker replays the log and then streams without
    // a gap or a duplicate.
    const once = (await c.inspect().catch(() => undefined))?.Config?.StdinOnce === true;
    const stream = (await c.attach({
      stream: true,
      logs: once,
      stdin,
      stdout: true,
      stderr: true,
      hijack: true,
    })) as unknown as import("node:stream").Duplex;
    let received = 0;
    stream.on("data", (d: Buffer) => {
      received += d.length;
    });
    const stopWatching = new AbortController();
    const ended = this.pump(ws, stream, tty, stdin, (size) => c.resize(size).catch(() => undefined)).then(
      () => "ended" as const,
    );
    // Resolves once the container is not running (or gone); on any other error only the stream decides.
    const exited = c.wait({ condition: "not-running", abortSignal: stopWatching.signal }).then(
      () => "exited" as const,
      (e: { statusCode?: number }) =>
        e?.statusCode === 404 ? ("exited" as const) : new Promise<never>(() => undefined),
    );
    let outcome: "ended" | "exited" | "stuck" = await Promise.race([ended, exited]);
    if (outcome === "exited") {
      outcome = await Promise.race([
        ended,
        new Promise<"stuck">((r) => setTimeout(() => r("stuck"), ATTACH_DRAIN_MS).unref()),
      ]);
      if (outcome === "stuck") stream.destroy();
    }
    stopWatching.abort();
    if (outcome === "stuck" && received === 0) {
      const info = await c.inspect().catch(() => undefined);
      const state = info?.State?.Status === "created" ? "CONTAINER_CREATED" : "CONTAINER_EXITED";
      sendStatus(ws, {
        status: "Failure",
        reason: "InternalError",
        message: `container is in ${state} state`,
      });
      return;
    }
    sendStatus(ws, { status: "Success" });
  }

  /** Moves bytes between the WebSocket channels and Docker's hijacked stream until the process ends. */
  private pump(
    ws: WebSocket,
    stream: import("node:stream").Duplex,
    tty: boolean,
    stdin: boolean,
    resize: (s: { h: number; w: number }) => void,
  ): Promise<void> {
    const channel = (n: number) =>
      new Writable({
        write(chunk: Buffer, _e, cb) {
          if (ws.readyState !== ws.OPEN) return cb();
          ws.send(Buffer.concat([Buffer.from([n]), chunk]), { binary: true }, () => cb());
        },
      });
    if (tty)
      stream.on(
        "data",
        (d: Buffer) => ws.readyState === ws.OPEN && ws.send(Buffer.concat([Buffer.from([1]), d])),
      );
    else this.d.runtime.docker.modem.demuxStream(stream, channel(1), channel(2));
    inboxOf(ws).deliver((buf) => {
      if (buf.length === 0) return;
      const ch = buf[0];
      if (ch === 0 && stdin) stream.write(buf.subarray(1));
      else if (ch === 4) {
        try {
          const s = JSON.parse(buf.subarray(1).toString()) as { Width: number; Height: number };
          resize({ h: s.Height, w: s.Width });
        } catch {
          // a malformed resize: ignore
        }
      } else if (ch === 255 && buf[1] === 0) stream.end();
    });
    ws.on("close", () => stream.destroy());
    if (ws.readyState !== ws.OPEN) stream.destroy();
    return new Promise((resolve) => {
      stream.on("end", resolve);
      stream.on("close", resolve);
      stream.on("error", () => resolve());
    });
  }
}

/** Messages of a WebSocket from the moment it opens, queued until a consumer takes them. */
const inboxes = new WeakMap<WebSocket, { deliver: (fn: (b: Buffer) => void) => void }>();
function inboxOf(ws: WebSocket): { deliver: (fn: (b: Buffer) => void) => void } {
  let inbox = inboxes.get(ws);
  if (inbox) return inbox;
  const pending: Buffer[] = [];
  let consumer: ((b: Buffer) => void) | undefined;
  ws.on("message", (data: Buffer, isBinary) => {
    const buf = isBinary ? data : Buffer.from(data);
    if (consumer) consumer(buf);
    else pending.push(buf);
  });
  inbox = {
    deliver: (fn) => {
      consumer = fn;
      for (const b of pending.splice(0)) fn(b);
    },
  };
  inboxes.set(ws, inbox);
  return inbox;
}

function sendStatus(ws: WebSocket, s: Record<string, unknown>): void {
  if (ws.readyState !== ws.OPEN) return;
  ws.send(
    Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify({ metadata: {}, ...s }))]),
    { binary: true },
    () => ws.close(1000),
  );
}
