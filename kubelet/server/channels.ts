// The client side of one exec/attach session, whatever carries it: the WebSocket channel protocol
// (v5/v4.channel.k8s.io, one message per frame with a channel byte) or SPDY/3.1 (one stream per channel,
// the fallback of kubectl 1.32 and the only transport of older kubectls). server.ts runs the docker side
// against a StreamChannels and never sees the transport.
import { PassThrough, type Readable, Writable } from "node:stream";
import type { WebSocket } from "ws";
import {
  errorStreamPayload,
  expectedStreams,
  knownStreamType,
  type RemoteCommandStatus,
  type StreamOptions,
  type StreamType,
  statusJson,
  type TerminalSize,
  takeTerminalSizes,
} from "./remotecommand.js";
import type { SpdySession, SpdyStream } from "./spdy.js";

/** How long a finished SPDY session waits for the client to close the connection before ending it. */
export const SESSION_LINGER_MS = 30_000;

export interface StreamChannels {
  /** the container's output to the client; absent when the client did not ask for it */
  readonly stdout?: Writable;
  readonly stderr?: Writable;
  /** the client's input; ends when the client closes its stdin */
  readonly stdin?: Readable;
  /** terminal sizes, those that came before the call included */
  onResize(fn: (size: TerminalSize) => void): void;
  /** the final Status: the output is flushed first, the transport is closed after */
  sendStatus(status: RemoteCommandStatus): Promise<void>;
  readonly closed: boolean;
  /** called once the client has gone (at once if it already has) */
  onClose(fn: () => void): void;
}

/** Terminal sizes kept until someone listens: kubectl -t sends the first one before the process runs. */
class ResizeQueue {
  private pending: TerminalSize[] = [];
  private listener: ((s: TerminalSize) => void) | undefined;
  push(size: TerminalSize): void {
    if (this.listener) this.listener(size);
    else this.pending.push(size);
  }
  listen(fn: (s: TerminalSize) => void): void {
    this.listener = fn;
    for (const s of this.pending.splice(0)) fn(s);
  }
}

/** Ends each writable and resolves once all have handed their data on (or were torn down). */
function flushed(writables: (Writable | undefined)[]): Promise<void> {
  return Promise.all(
    writables.map(
      (w) =>
        new Promise<void>((resolve) => {
          if (!w || w.destroyed || w.writableFinished) return resolve();
          w.once("finish", () => resolve());
          w.once("close", () => resolve());
          w.once("error", () => resolve());
          if (!w.writableEnded) w.end();
        }),
    ),
  ).then(() => undefined);
}

/** Calls `fn` once `closed()` holds, at once if it does already. */
function closeHook(closed: () => boolean, subscribe: (cb: () => void) => void): (fn: () => void) => void {
  return (fn) => {
    if (closed()) fn();
    else subscribe(fn);
  };
}

/**
 * The WebSocket channel protocol: 0 stdin, 1 stdout, 2 stderr, 3 status, 4 resize; v5's close signal
 * `[0xFF, 0]` ends stdin. Messages are taken from the moment of the upgrade: kubectl sends stdin at once,
 * and it is kept until the docker side is attached. stdout and stderr are always given (Docker's attach
 * output goes to them whatever the query said), as before.
 */
export function webSocketChannels(ws: WebSocket, opts: StreamOptions): StreamChannels {
  const channel = (n: number) =>
    new Writable({
      write(chunk: Buffer, _e, cb) {
        if (ws.readyState !== ws.OPEN) return cb();
        ws.send(Buffer.concat([Buffer.from([n]), chunk]), { binary: true }, () => cb());
      },
    });
  const stdout = channel(1);
  const stderr = channel(2);
  const stdin = opts.stdin ? new PassThrough() : undefined;
  const resizes = new ResizeQueue();
  ws.on("message", (data: Buffer, isBinary: boolean) => {
    const buf = isBinary ? data : Buffer.from(data);
    if (buf.length === 0) return;
    const ch = buf[0];
    if (ch === 0) {
      if (stdin && !stdin.writableEnded && buf.length > 1) stdin.write(buf.subarray(1));
    } else if (ch === 4) {
      try {
        const s = JSON.parse(buf.subarray(1).toString()) as TerminalSize;
        resizes.push({ Width: s.Width, Height: s.Height });
      } catch {
        // a malformed resize: ignored
      }
    } else if (ch === 255 && buf[1] === 0) stdin?.end();
  });
  const isClosed = () => ws.readyState === ws.CLOSING || ws.readyState === ws.CLOSED;
  return {
    stdout,
    stderr,
    stdin,
    onResize: (fn) => resizes.listen(fn),
    sendStatus: async (status) => {
      await flushed([stdout, stderr]);
      if (ws.readyState !== ws.OPEN) return;
      ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(statusJson(status))]), { binary: true }, () =>
        ws.close(1000),
      );
    },
    get closed() {
      return isClosed();
    },
    onClose: closeHook(isClosed, (cb) => ws.once("close", cb)),
  };
}

export interface SpdyChannelsOptions {
  protocol: string;
  opts: StreamOptions;
  timeoutMs: number;
}

/**
 * The SPDY side of httpstream.go: every stream the client opens is accepted (SYN_REPLY); once as many
 * streams of known types as `expectedStreams` names have come, the channels are ready. Rejects when the
 * client is too slow ("timed out waiting for client to create streams") or goes away first.
 */
export function spdyChannels(session: SpdySession, o: SpdyChannelsOptions): Promise<StreamChannels> {
  const expected = expectedStreams(o.opts, o.protocol).length;
  const streams = new Map<StreamType, SpdyStream>();
  let received = 0;
  let closed = false;
  const closeListeners: (() => void)[] = [];
  session.once("close", () => {
    closed = true;
    for (const fn of closeListeners.splice(0)) fn();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error("timed out waiting for client to create streams"));
      session.goAway(0, "timed out waiting for client to create streams");
    }, o.timeoutMs);
    const onEarlyClose = (reason: string) => {
      clearTimeout(timer);
      reject(new Error(`connection closed before the client created its streams: ${reason}`));
    };
    session.once("close", onEarlyClose);
    session.on("stream", (s) => {
      s.reply();
      s.on("error", () => undefined);
      const type = s.headers.streamtype;
      if (received >= expected || !knownStreamType(o.protocol, type)) {
        // upstream logs and otherwise ignores it; what the client writes there is dropped
        s.resume();
        return;
      }
      streams.set(type, s);
      received++;
      if (received < expected) return;
      clearTimeout(timer);
      session.off("close", onEarlyClose);
      resolve(readyChannels(session, o.protocol, streams, () => closed, closeListeners));
    });
  });
}

function readyChannels(
  session: SpdySession,
  protocol: string,
  streams: Map<StreamType, SpdyStream>,
  isClosed: () => boolean,
  closeListeners: (() => void)[],
): StreamChannels {
  const error = streams.get("error");
  const stdin = streams.get("stdin");
  const stdout = streams.get("stdout");
  const stderr = streams.get("stderr");
  const resize = streams.get("resize");
  // The client reads nothing from these: their data must not pile up unread.
  error?.resume();
  stdout?.resume();
  stderr?.resume();
  const resizes = new ResizeQueue();
  if (resize) {
    let pending = "";
    resize.setEncoding("utf8");
    resize.on("data", (text: string) => {
      const { sizes, rest } = takeTerminalSizes(pending + text);
      pending = rest;
      for (const s of sizes) resizes.push(s);
    });
  }
  if (protocol === "channel.k8s.io") {
    // What 1.0 kubelets did, kept by upstream for v1: the error stream is reset once the streams are in
    // (so no status is ever sent) and the server's side of stdin is closed.
    error?.destroy(new Error("v1 error stream reset"));
    stdin?.end();
  }
  return {
    stdout,
    stderr,
    // stdin's readable side: the client's FIN ends it
    stdin,
    onResize: (fn) => resizes.listen(fn),
    sendStatus: async (status) => {
      await flushed([stdout, stderr]);
      const payload = errorStreamPayload(protocol, status);
      if (error && !error.destroyed && !error.writableEnded && payload) error.write(payload);
      // The client reads stdin's stream until the server closes it, and the error stream to its end.
      await flushed([error, stdin, resize]);
      // As upstream's conn.Close(): GOAWAY, and the connection ends once the client has read everything
      // and closed it (a relay in between may tear down both sides when ours ends first).
      session.goAway(0, "remote command finished", SESSION_LINGER_MS);
    },
    get closed() {
      return isClosed();
    },
    onClose: closeHook(isClosed, (cb) => closeListeners.push(cb)),
  };
}
