// The HTTP layer under the REST client: one long-lived connection pool per client, HTTPS with
// keep-alive (HTTP/1.1) or one multiplexed HTTP/2 session, chosen by ALPN when the server offers h2
// (as client-go does). Responses are streams so that watches and plain requests share one path.
import http from "node:http";
import http2 from "node:http2";
import https from "node:https";
import type { Readable } from "node:stream";
import tls from "node:tls";
import type { ClientConfig } from "./kubeconfig.js";

export interface HttpRequest {
  method: string;
  /** Path with query string. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer | string;
  signal?: AbortSignal;
  /** Abort if no response headers (plain requests: and body) arrive in time. Absent ⇒ no limit. */
  timeoutMs?: number;
  /** A watch or other stream that holds its connection for minutes (HTTP/1.1: kept off the request pool). */
  longRunning?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body; consume or destroy it. */
  body: Readable;
}

export interface Transport {
  request(req: HttpRequest): Promise<HttpResponse>;
  /** "http/1.1", "h2", or "auto" before the first connection decided it. */
  readonly protocol: string;
  close(): void;
}

export type HttpVersionPreference = boolean | "auto";

/**
 * PEM data as a string. https.Agent names its connection pools by concatenating the TLS options for every
 * request (Agent.getName): Buffers are decoded again each time (~10% of a small request's CPU), strings are
 * only joined. Anything that is not PEM text (DER) stays a Buffer.
 */
export function pemText(data: Buffer | string): Buffer | string {
  if (typeof data === "string") return data;
  return data.includes("-----BEGIN ") ? data.toString("latin1") : data;
}

export function tlsOptionsFor(config: ClientConfig): tls.ConnectionOptions {
  const opts: tls.ConnectionOptions = {};
  if (config.caData) opts.ca = pemText(config.caData);
  if (config.certData) opts.cert = pemText(config.certData);
  if (config.keyData) opts.key = pemText(config.keyData);
  if (config.insecureSkipTLSVerify) opts.rejectUnauthorized = false;
  if (config.tlsServerName) opts.servername = config.tlsServerName;
  return opts;
}

export class TimeoutError extends Error {
  override readonly name = "TimeoutError";
  readonly code = "ETIMEDOUT";
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error("request aborted");
}

/**
 * Calls `fn` when `signal` aborts; returns the unsubscribe. Every request of a client carries the client's
 * one "closed" signal, and an AbortSignal walks all its listeners on each add and remove (O(n): with
 * hundreds of requests in flight, ~2% of a busy component's CPU). Here each signal gets one listener and
 * a Set of callbacks, O(1) per request.
 */
export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  let fns = abortCallbacks.get(signal);
  if (!fns) {
    const set = new Set<() => void>();
    fns = set;
    abortCallbacks.set(signal, set);
    signal.addEventListener(
      "abort",
      () => {
        abortCallbacks.delete(signal);
        for (const f of set) f();
      },
      { once: true },
    );
  }
  const callbacks = fns;
  callbacks.add(fn);
  return () => {
    callbacks.delete(fn);
  };
}
const abortCallbacks = new WeakMap<AbortSignal, Set<() => void>>();

/** Connections for ordinary requests; more wait for a free one (a burst must not open hundreds of TLS sessions). */
export const MAX_REQUEST_CONNECTIONS = 32;
/** Idle keep-alive connections are closed before the server's idle timeout (Node's default: 5 s) can race a request. */
const IDLE_SOCKET_MS = 4000;

/**
 * HTTP/1.1 over keep-alive agents (https, or http for plain test servers): a bounded pool for ordinary
 * requests and an unbounded one for watches, so that many watches never starve requests.
 */
export class Http1Transport implements Transport {
  readonly protocol = "http/1.1";
  private readonly agent: http.Agent;
  private readonly streamAgent: http.Agent;
  private readonly url: URL;

  constructor(config: ClientConfig, maxConnections = MAX_REQUEST_CONNECTIONS) {
    this.url = new URL(config.server);
    const common = {
      keepAlive: true,
      keepAliveMsecs: 15_000,
      timeout: IDLE_SOCKET_MS,
      scheduling: "lifo" as const,
    };
    const make = (opts: http.AgentOptions) =>
      this.url.protocol === "https:"
        ? new https.Agent({ ...opts, ...tlsOptionsFor(config) })
        : new http.Agent(opts);
    this.agent = make({ ...common, maxSockets: maxConnections, maxFreeSockets: maxConnections });
    this.streamAgent = make({ ...common, maxFreeSockets: 4 });
  }

  request(req: HttpRequest): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const lib = this.url.protocol === "https:" ? https : http;
      const headers: Record<string, string | number> = { ...req.headers };
      if (req.body !== undefined) headers["Content-Length"] = Buffer.byteLength(req.body);
      if (req.signal?.aborted) {
        reject(abortReason(req.signal));
        return;
      }
      const r = lib.request({
        protocol: this.url.protocol,
        hostname: this.url.hostname.replace(/^\[|\]$/g, ""),
        port: this.url.port || (this.url.protocol === "https:" ? 443 : 80),
        method: req.method,
        path: req.path,
        headers,
        agent: req.longRunning ? this.streamAgent : this.agent,
      });
      let timer: NodeJS.Timeout | undefined;
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        unsubscribe?.();
      };
      const signal = req.signal;
      const unsubscribe = signal
        ? onAbort(signal, () => {
            cleanup();
            r.destroy(abortReason(signal));
          })
        : undefined;
      if (req.timeoutMs) {
        timer = setTimeout(() => {
          r.destroy(new TimeoutError(`${req.method} ${req.path}: timed out after ${req.timeoutMs} ms`));
        }, req.timeoutMs);
      }
      r.on("error", (err) => {
        cleanup();
        reject(err);
      });
      r.on("response", (res) => {
        // Headers are in; the body may stream for ever (watch). The timer keeps running for plain
        // requests until the body ends; abort listeners stay until the body closes.
        res.on("close", cleanup);
        // Errors reach whoever reads the body; this keeps one before reading starts from crashing the process.
        res.on("error", () => {});
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
      });
      r.end(req.body);
    });
  }

  close(): void {
    this.agent.destroy();
    this.streamAgent.destroy();
  }
}

/** All requests as streams of one HTTP/2 session, re-dialled when it dies; liveness checked by PING. */
export class Http2Transport implements Transport {
  readonly protocol = "h2";
  private session: http2.ClientHttp2Session | undefined;
  private pinger: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly config: ClientConfig,
    /** A TLS socket already negotiated to h2, used for the first session. */
    private firstSocket?: tls.TLSSocket,
    private readonly pingIntervalMs = 30_000,
  ) {}

  private getSession(): http2.ClientHttp2Session {
    if (this.session && !this.session.closed && !this.session.destroyed) return this.session;
    const socket = this.firstSocket;
    this.firstSocket = undefined;
    const session = http2.connect(this.config.server, {
      ...tlsOptionsFor(this.config),
      ...(socket ? { createConnection: () => socket } : {}),
      settings: { enablePush: false },
    });
    session.on("error", () => {
      // Streams get their own errors; a dead session is replaced on the next request.
    });
    session.on("goaway", () => this.drop(session));
    session.on("close", () => this.drop(session));
    this.session = session;
    this.startPinging(session);
    return session;
  }

  private drop(session: http2.ClientHttp2Session): void {
    if (this.session === session) {
      this.session = undefined;
      if (this.pinger) clearInterval(this.pinger);
      this.pinger = undefined;
    }
  }

  // A connection to a machine that vanished never errors by itself: watches would hang for ever.
  private startPinging(session: http2.ClientHttp2Session): void {
    if (this.pinger) clearInterval(this.pinger);
    this.pinger = setInterval(() => {
      if (session.destroyed) return;
      const deadline = setTimeout(
        () => session.destroy(new Error("HTTP/2 ping timed out")),
        this.pingIntervalMs / 2,
      );
      deadline.unref();
      const ok = session.ping((err) => {
        clearTimeout(deadline);
        if (err && !session.destroyed) session.destroy(err);
      });
      if (!ok) clearTimeout(deadline);
    }, this.pingIntervalMs);
    this.pinger.unref();
  }

  request(req: HttpRequest): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(new Error("transport closed"));
        return;
      }
      if (req.signal?.aborted) {
        reject(abortReason(req.signal));
        return;
      }
      let session: http2.ClientHttp2Session;
      try {
        session = this.getSession();
      } catch (err) {
        reject(err);
        return;
      }
      const headers: http2.OutgoingHttpHeaders = { ":method": req.method, ":path": req.path };
      for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = v;
      if (req.body !== undefined) headers["content-length"] = Buffer.byteLength(req.body);
      let stream: http2.ClientHttp2Stream;
      try {
        stream = session.request(headers, { endStream: req.body === undefined });
      } catch (err) {
        this.drop(session);
        reject(err);
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        unsubscribe?.();
      };
      const signal = req.signal;
      const unsubscribe = signal
        ? onAbort(signal, () => {
            cleanup();
            stream.destroy(abortReason(signal));
          })
        : undefined;
      if (req.timeoutMs) {
        timer = setTimeout(() => {
          stream.destroy(new TimeoutError(`${req.method} ${req.path}: timed out after ${req.timeoutMs} ms`));
        }, req.timeoutMs);
      }
      let responded = false;
      stream.on("error", (err) => {
        cleanup();
        if (!responded) reject(err);
      });
      stream.on("close", cleanup);
      stream.on("response", (h) => {
        responded = true;
        const out: Record<string, string | string[] | undefined> = {};
        for (const [k, v] of Object.entries(h))
          if (!k.startsWith(":")) out[k] = v as string | string[] | undefined;
        resolve({ status: Number(h[":status"] ?? 0), headers: out, body: stream });
      });
      if (req.body !== undefined) stream.end(req.body);
    });
  }

  close(): void {
    this.closed = true;
    if (this.pinger) clearInterval(this.pinger);
    this.session?.close();
    this.session?.destroy();
    this.session = undefined;
  }
}

/**
 * Decides on the first request: dials TLS offering h2 and http/1.1 and keeps whatever the server
 * chose. A failed h2 session makes the next request decide again (the server may have changed).
 */
export class AutoTransport implements Transport {
  private chosen: Transport | undefined;
  private deciding: Promise<Transport> | undefined;

  constructor(private readonly config: ClientConfig) {}

  get protocol(): string {
    return this.chosen?.protocol ?? "auto";
  }

  private decide(): Promise<Transport> {
    if (this.chosen) return Promise.resolve(this.chosen);
    this.deciding ??= new Promise<Transport>((resolve, reject) => {
      const url = new URL(this.config.server);
      const socket = tls.connect({
        ...tlsOptionsFor(this.config),
        host: url.hostname.replace(/^\[|\]$/g, ""),
        port: Number(url.port || 443),
        ALPNProtocols: ["h2", "http/1.1"],
      });
      const onError = (err: Error) => {
        // Not reachable now: this request fails, the next one decides again.
        this.deciding = undefined;
        reject(err);
      };
      socket.once("error", onError);
      socket.once("secureConnect", () => {
        socket.off("error", onError);
        socket.on("error", () => {}); // the HTTP/2 session reports its socket's errors
        this.chosen =
          socket.alpnProtocol === "h2"
            ? new Http2Transport(this.config, socket)
            : new Http1Transport(this.config);
        if (this.chosen.protocol !== "h2") socket.destroy();
        this.deciding = undefined;
        resolve(this.chosen);
      });
    });
    return this.deciding;
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const t = await this.decide();
    try {
      return await t.request(req);
    } catch (err) {
      if (
        t === this.chosen &&
        t.protocol === "h2" &&
        (err as NodeJS.ErrnoException).code === "ERR_HTTP2_ERROR"
      ) {
        this.chosen = undefined;
        t.close();
      }
      throw err;
    }
  }

  close(): void {
    this.chosen?.close();
    this.chosen = undefined;
  }
}

export function newTransport(config: ClientConfig, http2Pref: HttpVersionPreference = "auto"): Transport {
  const isTLS = new URL(config.server).protocol === "https:";
  if (!isTLS || http2Pref === false) return new Http1Transport(config);
  if (http2Pref === true) return new Http2Transport(config);
  return new AutoTransport(config);
}
