// A small client of the kubelet's exec/attach over SPDY/3.1, as client-go's remotecommand executor
// (spdy.go, v2-v4.go) speaks it: POST with `Upgrade: SPDY/3.1` and the X-Stream-Protocol-Version headers,
// then one SYN_STREAM per channel (header `streamtype`), stdin written and closed with FIN, resize as
// JSON lines. Framing and header compression are kubelet/server/spdy.ts's.
import net from "node:net";
import {
  controlFrame,
  dataFrame,
  FLAG_FIN,
  FrameType,
  HeaderDecoder,
  HeaderEncoder,
  parseFrames,
} from "../../../kubelet/server/spdy.js";

export type ClientStreamType = "error" | "stdin" | "stdout" | "stderr" | "resize";

export interface SpdyExecOptions {
  /** X-Stream-Protocol-Version headers, one each, in the client's order of preference */
  protocols: string[];
  /** the streams to open, in this order (client-go: error, stdin, stdout, stderr, resize) */
  streams: ClientStreamType[];
  stdin?: string;
  /** keep stdin open (no FIN) until the server ends the session */
  keepStdinOpen?: boolean;
  resize?: { Width: number; Height: number };
  timeoutMs?: number;
}

export interface SpdyExecResult {
  statusCode: number;
  headers: Record<string, string[]>;
  /** the body of a refused upgrade */
  body: string;
  /** what the server wrote on each stream */
  data: Partial<Record<ClientStreamType, string>>;
  /** streams the server accepted (SYN_REPLY) and ended (FIN) */
  replied: ClientStreamType[];
  finished: ClientStreamType[];
  goAway: boolean;
}

/** Runs one exec/attach request against `port` + `path` and collects everything until the server ends. */
export function spdyExec(port: number, path: string, o: SpdyExecOptions): Promise<SpdyExecResult> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, "127.0.0.1");
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`SPDY session still open after ${o.timeoutMs ?? 15_000} ms`));
    }, o.timeoutMs ?? 15_000);
    const result: SpdyExecResult = {
      statusCode: 0,
      headers: {},
      body: "",
      data: {},
      replied: [],
      finished: [],
      goAway: false,
    };
    const typeOf = new Map<number, ClientStreamType>();
    const encoder = new HeaderEncoder();
    const decoder = new HeaderDecoder();
    let pending = Buffer.alloc(0);
    let phase: "head" | "body" | "spdy" = "head";
    const lines = [
      `POST ${path} HTTP/1.1`,
      "Host: 127.0.0.1",
      "Connection: Upgrade",
      "Upgrade: SPDY/3.1",
      ...o.protocols.map((p) => `X-Stream-Protocol-Version: ${p}`),
      "Content-Length: 0",
    ];
    sock.write(`${lines.join("\r\n")}\r\n\r\n`);
    const openStreams = () => {
      o.streams.forEach((type, i) => {
        const id = 2 * i + 1;
        typeOf.set(id, type);
        const p = Buffer.alloc(10);
        p.writeUInt32BE(id, 0);
        sock.write(
          controlFrame(FrameType.SYN_STREAM, 0, Buffer.concat([p, encoder.encode({ streamtype: type })])),
        );
      });
      const idOf = (type: ClientStreamType) => [...typeOf].find(([, t]) => t === type)?.[0];
      const resizeId = idOf("resize");
      if (resizeId && o.resize)
        sock.write(dataFrame(resizeId, 0, Buffer.from(`${JSON.stringify(o.resize)}\n`)));
      const stdinId = idOf("stdin");
      if (stdinId) {
        if (o.stdin) sock.write(dataFrame(stdinId, 0, Buffer.from(o.stdin)));
        if (!o.keepStdinOpen) sock.write(dataFrame(stdinId, FLAG_FIN, Buffer.alloc(0)));
      }
    };
    const onFrames = (buf: Buffer) => {
      const { frames, rest } = parseFrames(buf);
      pending = Buffer.from(rest);
      for (const f of frames) {
        if (f.control) {
          if (f.type === FrameType.SYN_REPLY) {
            const type = typeOf.get(f.payload.readUInt32BE(0) & 0x7fffffff);
            decoder.decode(f.payload.subarray(4));
            if (type) result.replied.push(type);
          } else if (f.type === FrameType.GOAWAY) {
            // everything has been sent: the client closes, as client-go's executor does once it has read
            // the error stream
            result.goAway = true;
            sock.end();
          }
          continue;
        }
        const type = typeOf.get(f.streamId);
        if (!type) continue;
        result.data[type] = (result.data[type] ?? "") + f.payload.toString();
        if (f.flags & FLAG_FIN) result.finished.push(type);
      }
    };
    sock.on("data", (d: Buffer) => {
      pending = Buffer.concat([pending, d]);
      if (phase === "spdy") return onFrames(pending);
      if (phase === "body") return;
      const end = pending.indexOf("\r\n\r\n");
      if (end < 0) return;
      const [status = "", ...headerLines] = pending.subarray(0, end).toString("latin1").split("\r\n");
      result.statusCode = Number(status.split(" ")[1]);
      for (const l of headerLines) {
        const i = l.indexOf(":");
        const k = l.slice(0, i).trim().toLowerCase();
        result.headers[k] = [...(result.headers[k] ?? []), l.slice(i + 1).trim()];
      }
      pending = pending.subarray(end + 4);
      if (result.statusCode !== 101) {
        phase = "body";
        return;
      }
      phase = "spdy";
      openStreams();
      onFrames(pending);
    });
    sock.on("end", () => {
      if (phase === "body") result.body = pending.toString();
      sock.end();
    });
    sock.on("close", () => {
      clearTimeout(timer);
      resolve(result);
    });
    sock.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
