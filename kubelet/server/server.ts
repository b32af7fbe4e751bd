// The kubelet API on :10250 (HTTPS, client certificates from the cluster CA only), reached by the
// apiserver: /pods, /runningpods, /containerLogs, /exec and /attach (WebSocket channel protocols
// v5/v4.channel.k8s.io, or SPDY/3.1 with v4/v3/v2/channel.k8s.io: kubectl's fallback), /portForward,
// /stats/summary, /metrics/resource and /healthz, on the real kubelet's paths. Every refused upgrade is
// logged at warn with the pod, container, reason and the request's method and Upgrade header.
import { readFileSync } from "node:fs";
import type http from "node:http";
import { STATUS_CODES } from "node:http";
import https from "node:https";
import { type Duplex, PassThrough, Writable } from "node:stream";
import type { Pod } from "kubernetes-types/core/v1";
import { createWebSocketStream, WebSocketServer } from "ws";
import type { Logger } from "../../pkg/util/log.js";
import type { DockerRuntime } from "../runtime/docker.js";
import { containerHistory } from "../runtime/types.js";
import { resourceMetrics, type StatsProvider, summary } from "../stats/provider.js";
import { type StreamChannels, spdyChannels, webSocketChannels } from "./channels.js";
import { dialPod, servePortForward } from "./portforward.js";
import {
  attachClosingStatus,
  clientProtocols,
  exitStatus,
  negotiateProtocol,
  SPDY_STREAM_PROTOCOLS,
  STREAM_CREATION_TIMEOUT_MS,
  type StreamOptions,
  streamOptions,
} from "./remotecommand.js";
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
  /** how long a SPDY client has to open its streams (upstream's 30 s; shorter in tests) */
  streamCreationTimeoutMs = STREAM_CREATION_TIMEOUT_MS;
  constructor(private d: KubeletServerDeps) {
    // A handshake ws refuses (bad method, key or version) is answered and logged here, as every refusal.
    for (const wss of [this.wss, this.pfWss]) {
      wss.on("wsClientError", (err: Error, socket: Duplex, req: http.IncomingMessage) =>
        this.rejectUpgrade(req, socket, {
          code: /method/i.test(err.message) ? 405 : 400,
          message: err.message,
          plain: true,
        }),
      );
    }
  }

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

  private upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? "/", "http://kubelet");
    const parts = url.pathname.split("/").filter(Boolean);
    const kind = parts[0] ?? "";
    const reject = (r: Rejection) => this.rejectUpgrade(req, socket, r);
    if (kind === "portForward" || kind === "portforward") {
      this.portForward(parts.slice(1), req, socket, head, reject);
      return;
    }
    if (kind !== "exec" && kind !== "attach") {
      reject({ code: 404, message: "the server could not find the requested resource", reason: "NotFound" });
      return;
    }
    const pc = this.podAndContainer(parts.slice(1), url.searchParams);
    if ("code" in pc) {
      reject(pc);
      return;
    }
    const opts = streamOptions(url.searchParams);
    if ("error" in opts) {
      reject({ code: 400, message: opts.error, reason: "BadRequest" });
      return;
    }
    const session: SessionFields = {
      kind,
      pod: `${pc.pod.metadata?.namespace}/${pc.pod.metadata?.name}`,
      container: pc.container,
      method: req.method,
      upgrade: req.headers.upgrade,
    };
    void this.d.runtime.podStatus(pc.pod.metadata?.uid ?? "").then(
      (rt) => {
        const running = rt?.containers.find((c) => c.name === pc.container && c.state === "running");
        if (!running) {
          reject({
            code: 400,
            message: `container ${pc.container} is not running in pod ${pc.pod.metadata?.name}`,
            reason: "BadRequest",
          });
          return;
        }
        void this.serveRemoteCommand(req, socket, head, opts, running.id, session, reject);
      },
      (e: Error) => reject({ code: 400, message: e.message, reason: "BadRequest" }),
    );
  }

  /** Upgrades to the transport the client asked for, then runs the exec or attach over it. */
  private async serveRemoteCommand(
    req: http.IncomingMessage,
    socket: Duplex,
    head: Buffer,
    opts: StreamOptions,
    containerId: string,
    session: SessionFields,
    reject: (r: Rejection) => void,
  ): Promise<void> {
    const channels = isWebSocketRequest(req)
      ? await this.webSocketUpgrade(req, socket, head, opts, reject)
      : await this.spdyUpgrade(req, socket, head, opts, reject, session);
    if (!channels) return;
    const command = new URL(req.url ?? "/", "http://kubelet").searchParams.getAll("command");
    try {
      if (session.kind === "exec") await this.exec(channels, containerId, opts, command);
      else await this.attach(channels, containerId, opts);
    } catch (e) {
      const message = (e as Error).message;
      this.d.log.warn({ ...session, err: message }, `${session.kind} failed`);
      await channels
        .sendStatus({ status: "Failure", reason: "InternalError", message })
        .catch(() => undefined);
    }
  }

  /** Writes a refused upgrade's answer, and logs it: the next "unable to upgrade" is read in the node's log. */
  private rejectUpgrade(req: http.IncomingMessage, socket: Duplex, r: Rejection): void {
    const url = new URL(req.url ?? "/", "http://kubelet");
    const [kind, namespace, name, container] = url.pathname.split("/").filter(Boolean);
    this.d.log.warn(
      {
        kind,
        pod: namespace && name ? `${namespace}/${name}` : undefined,
        container: container ?? url.searchParams.get("container") ?? undefined,
        code: r.code,
        reason: r.message,
        method: req.method,
        upgrade: req.headers.upgrade,
        protocols: req.headers["x-stream-protocol-version"] ?? req.headers["sec-websocket-protocol"],
      },
      "upgrade rejected",
    );
    if (!socket.writable) return;
    socket.on("error", () => undefined);
    socket.end(rejectionResponse(r));
  }

  /** The WebSocket channel protocols; undefined when the handshake was refused. */
  private webSocketUpgrade(
    req: http.IncomingMessage,
    socket: Duplex,
    head: Buffer,
    opts: StreamOptions,
    reject: (r: Rejection) => void,
  ): Promise<StreamChannels | undefined> {
    const offered = clientProtocols(req.headers["sec-websocket-protocol"]);
    if (offered.length > 0 && !offered.some((p) => CHANNEL_PROTOCOLS.includes(p))) {
      // wsstream's handshake: a client that offers only protocols we do not speak is refused (kubectl
      // then falls back to SPDY) rather than upgraded without one.
      reject({
        code: 400,
        message: `requested protocol(s) are not supported: [${offered.join(" ")}]; supports [${CHANNEL_PROTOCOLS.join(" ")}]`,
        reason: "BadRequest",
      });
      return Promise.resolve(undefined);
    }
    return new Promise((resolve) => {
      const refused = () => resolve(undefined);
      socket.once("close", refused);
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        socket.off("close", refused);
        resolve(webSocketChannels(ws, opts));
      });
    });
  }

  /**
   * SPDY/3.1 after `Upgrade: SPDY/3.1`, as upstream's createHTTPStreamStreams: the sub-protocol is
   * negotiated, the 101 names it, and the client's streams are awaited; undefined when refused or when the
   * client did not open its streams in time.
   */
  private async spdyUpgrade(
    req: http.IncomingMessage,
    socket: Duplex,
    head: Buffer,
    opts: StreamOptions,
    reject: (r: Rejection) => void,
    session: SessionFields,
  ): Promise<StreamChannels | undefined> {
    const negotiated = negotiateProtocol(req.headers["x-stream-protocol-version"], SPDY_STREAM_PROTOCOLS);
    if ("code" in negotiated) {
      reject({
        ...negotiated,
        plain: true,
        ...(negotiated.code === 403 ? { acceptedProtocols: SPDY_STREAM_PROTOCOLS } : {}),
      });
      return undefined;
    }
    if (!isSpdyUpgrade(req)) {
      reject({
        code: 400,
        plain: true,
        message: `unable to upgrade: missing upgrade headers in request: ${goHeaderMap(req, ["Connection", "Upgrade"])}`,
      });
      return undefined;
    }
    const { protocol } = negotiated;
    socket.on("error", () => undefined);
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`,
    );
    const spdy = new SpdySession(socket, head);
    try {
      return await spdyChannels(spdy, { protocol, opts, timeoutMs: this.streamCreationTimeoutMs });
    } catch (e) {
      this.d.log.warn({ ...session, protocol, err: (e as Error).message }, "SPDY streams not created");
      return undefined;
    }
  }

  /** /portForward/<ns>/<pod>: SPDY over a WebSocket (kubectl 1.31+) or straight after `Upgrade: SPDY/3.1`. */
  private portForward(
    parts: string[],
    req: http.IncomingMessage,
    socket: Duplex,
    head: Buffer,
    reject: (r: Rejection) => void,
  ): void {
    const [namespace, name] = parts;
    const pod = namespace && name ? this.d.findPod(namespace, name) : undefined;
    if (!pod) {
      reject({ code: 404, message: `pod "${name}" not found`, reason: "NotFound" });
      return;
    }
    const podIP = pod.status?.podIP;
    if (!podIP) {
      reject({
        code: 400,
        message: `pod ${name} does not have an IP address assigned`,
        reason: "BadRequest",
      });
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
        reject({
          code: 400,
          message: `unable to upgrade: the client does not offer ${PORT_FORWARD_WS_PROTOCOL}`,
          reason: "BadRequest",
        });
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
      reject({ code: 400, message: "Upgrade request required", reason: "BadRequest" });
      return;
    }
    const negotiated = negotiateProtocol(req.headers["x-stream-protocol-version"], [PORT_FORWARD_PROTOCOL]);
    if ("code" in negotiated) {
      reject({
        ...negotiated,
        plain: true,
        ...(negotiated.code === 403 ? { acceptedProtocols: [PORT_FORWARD_PROTOCOL] } : {}),
      });
      return;
    }
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${PORT_FORWARD_PROTOCOL}\r\n\r\n`,
    );
    socket.on("error", () => undefined);
    servePortForward(new SpdySession(socket, head), target, pfLog);
  }

  private async exec(
    ch: StreamChannels,
    containerId: string,
    opts: StreamOptions,
    cmd: string[],
  ): Promise<void> {
    const { stdin, stdout, stderr, tty } = opts;
    const docker = this.d.runtime.docker;
    const ex = await docker.getContainer(containerId).exec({
      Cmd: cmd,
      AttachStdin: stdin,
      AttachStdout: stdout,
      AttachStderr: stderr && !tty,
      Tty: tty,
    });
    const stream = (await ex.start({ hijack: true, stdin, Tty: tty })) as Duplex;
    await this.pump(ch, stream, tty, stdin, (size) => ex.resize(size).catch(() => undefined));
    const info = await ex.inspect();
    await ch.sendStatus(exitStatus(info.ExitCode ?? 0, cmd));
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
  private async attach(ch: StreamChannels, containerId: string, opts: StreamOptions): Promise<void> {
    const { stdin, tty } = opts;
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
      // WebSocket clients always get both; over SPDY only the streams the client opened
      stdout: ch.stdout !== undefined,
      stderr: ch.stderr !== undefined,
      hijack: true,
    })) as unknown as Duplex;
    let received = 0;
    stream.on("data", (d: Buffer) => {
      received += d.length;
    });
    const stopWatching = new AbortController();
    const ended = this.pump(ch, stream, tty, stdin, (size) => c.resize(size).catch(() => undefined)).then(
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
    const streamEnded = outcome !== "stuck";
    const info = received === 0 ? await c.inspect().catch(() => undefined) : undefined;
    const containerStopped = info === undefined || info.State?.Running !== true;
    const closing = attachClosingStatus({
      received,
      streamEnded,
      containerStopped,
      outputBeforeAttach:
        received === 0 && streamEnded && containerStopped && (await this.hasLogs(containerId)),
    });
    if (closing === "ContainerExited") {
      const state = info?.State?.Status === "created" ? "CONTAINER_CREATED" : "CONTAINER_EXITED";
      await ch.sendStatus({
        status: "Failure",
        reason: "InternalError",
        message: `container is in ${state} state`,
      });
      return;
    }
    await ch.sendStatus({ status: "Success" });
  }

  /** Whether a container has printed anything at all (its last log line, if any). */
  private async hasLogs(containerId: string): Promise<boolean> {
    const c = this.d.runtime.docker.getContainer(containerId);
    const buf = (await c
      .logs({ stdout: true, stderr: true, tail: 1, follow: false })
      .catch(() => Buffer.alloc(0))) as unknown as Buffer;
    return buf.length > 0;
  }

  /** Moves bytes between the client's channels and Docker's hijacked stream until the process ends. */
  private pump(
    ch: StreamChannels,
    stream: Duplex,
    tty: boolean,
    stdin: boolean,
    resize: (s: { h: number; w: number }) => void,
  ): Promise<void> {
    if (tty) stream.on("data", (d: Buffer) => ch.stdout?.write(d));
    else this.d.runtime.docker.modem.demuxStream(stream, ch.stdout ?? discard(), ch.stderr ?? discard());
    // The client's stdin ending (v5 close signal, SPDY FIN) ends the process's stdin.
    if (stdin && ch.stdin) ch.stdin.pipe(stream);
    ch.onResize((s) => resize({ h: s.Height, w: s.Width }));
    ch.onClose(() => stream.destroy());
    return new Promise((resolve) => {
      stream.on("end", resolve);
      stream.on("close", resolve);
      stream.on("error", () => resolve());
    });
  }
}

/** What the log says about one exec/attach session. */
interface SessionFields {
  kind: string;
  pod: string;
  container: string;
  method?: string;
  upgrade?: string;
}

export interface Rejection {
  code: number;
  message: string;
  /** a metav1.Status reason; the answer is a Status unless `plain` */
  reason?: string;
  /** text/plain, as Go's http.Error writes it (what httpstream.Handshake answers) */
  plain?: boolean;
  /** X-Accepted-Stream-Protocol-Versions, on a failed negotiation */
  acceptedProtocols?: readonly string[];
}

/** The HTTP answer to a refused upgrade, written on the raw socket. */
export function rejectionResponse(r: Rejection): string {
  const body = r.plain
    ? `${r.message}\n`
    : JSON.stringify({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: r.message,
        ...(r.reason ? { reason: r.reason } : {}),
        code: r.code,
      });
  const headers = [
    `HTTP/1.1 ${r.code} ${STATUS_CODES[r.code] ?? "Error"}`,
    r.plain ? "Content-Type: text/plain; charset=utf-8" : "Content-Type: application/json",
    ...(r.plain ? ["X-Content-Type-Options: nosniff"] : []),
    ...(r.acceptedProtocols ?? []).map((p) => `X-Accepted-Stream-Protocol-Versions: ${p}`),
    `Content-Length: ${Buffer.byteLength(body)}`,
    "Connection: close",
  ];
  return `${headers.join("\r\n")}\r\n\r\n${body}`;
}

/** wsstream.IsWebSocketRequest: `Connection: Upgrade` and `Upgrade: websocket`. */
export function isWebSocketRequest(req: { headers: http.IncomingHttpHeaders }): boolean {
  return (
    String(req.headers.connection ?? "")
      .toLowerCase()
      .includes("upgrade") && String(req.headers.upgrade ?? "").toLowerCase() === "websocket"
  );
}

/** What spdy.ResponseUpgrader requires: `Connection` naming upgrade, `Upgrade` naming SPDY/3.1. */
export function isSpdyUpgrade(req: { headers: http.IncomingHttpHeaders }): boolean {
  return (
    String(req.headers.connection ?? "")
      .toLowerCase()
      .includes("upgrade") &&
    String(req.headers.upgrade ?? "")
      .toLowerCase()
      .includes("spdy/3.1")
  );
}

/** Some request headers as Go's `%#v` of an http.Header prints them (upstream's error message). */
function goHeaderMap(req: http.IncomingMessage, names: string[]): string {
  const entries = names
    .map((n) => [n, req.headersDistinct[n.toLowerCase()]] as const)
    .filter((e): e is readonly [string, string[]] => e[1] !== undefined)
    .map(([n, vs]) => `${JSON.stringify(n)}:[]string{${vs.map((v) => JSON.stringify(v)).join(", ")}}`);
  return `http.Header{${entries.join(", ")}}`;
}

function discard(): Writable {
  return new Writable({ write: (_c, _e, cb) => cb() });
}
