// A SPDY/3.1 server session, enough for kubectl port-forward (and the SPDY fallback of the streaming
// protocols): SYN_STREAM in, SYN_REPLY/DATA/RST_STREAM out, PING echoed, GOAWAY honoured. It runs over
// any byte stream: a TCP/TLS socket after `Upgrade: SPDY/3.1`, or a WebSocket whose binary messages
// carry raw SPDY (`SPDY/3.1+portforward.k8s.io`), as client-go's tunneling dialer sends it.
//
// Header blocks are zlib streams with SPDY's preset dictionary, one stream per direction per session.
// Incoming: the compressed bytes seen so far are re-inflated at once (header blocks are tens of bytes,
// so this stays cheap) and the new output is the next block, which keeps decoding synchronous. Outgoing:
// each block is written as a zlib "stored" block after one zlib header, which any zlib reader accepts.
import { EventEmitter } from "node:events";
import { Duplex } from "node:stream";
import { constants, inflateSync } from "node:zlib";

// The SPDY/3 header compression dictionary (draft-mbelshe-httpbis-spdy-00 section 2.6.10.1), 1423 bytes:
// length-prefixed words, then a run of raw text.
const DICT_WORDS = [
  ..."options head post put delete trace accept accept-charset accept-encoding accept-language accept-ranges age allow authorization cache-control connection content-base content-encoding content-language content-length content-location content-md5 content-range content-type date etag expect expires from host if-match if-modified-since if-none-match if-range if-unmodified-since last-modified location max-forwards pragma proxy-authenticate proxy-authorization range referer retry-after server te trailer transfer-encoding upgrade user-agent vary via warning www-authenticate method get status".split(
    " ",
  ),
  "200 OK",
  "version",
  "HTTP/1.1",
  "url",
  "public",
  "set-cookie",
  "keep-alive",
  "origin",
];
const DICT_TAIL =
  "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505" +
  "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized" +
  "403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable" +
  "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT" +
  "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain," +
  "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";

export const SPDY_DICTIONARY: Buffer = Buffer.concat([
  ...DICT_WORDS.map((w) => {
    const b = Buffer.alloc(4 + w.length);
    b.writeUInt32BE(w.length, 0);
    b.write(w, 4, "latin1");
    return b;
  }),
  Buffer.from(DICT_TAIL, "latin1"),
]);

export const FrameType = {
  SYN_STREAM: 1,
  SYN_REPLY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PING: 6,
  GOAWAY: 7,
  HEADERS: 8,
  WINDOW_UPDATE: 9,
} as const;
export const FLAG_FIN = 0x01;
export const RST_CANCEL = 5;
export const RST_PROTOCOL_ERROR = 1;
export const RST_REFUSED_STREAM = 3;
const MAX_DATA = 32 * 1024;

export type Headers = Record<string, string>;

export type Frame =
  | { control: true; type: number; flags: number; payload: Buffer }
  | { control: false; streamId: number; flags: number; payload: Buffer };

/** Splits complete frames off the front of `buf`; returns them and the unconsumed rest. */
export function parseFrames(buf: Buffer): { frames: Frame[]; rest: Buffer } {
  const frames: Frame[] = [];
  let off = 0;
  while (buf.length - off >= 8) {
    const len = buf.readUIntBE(off + 5, 3);
    if (buf.length - off < 8 + len) break;
    const flags = buf[off + 4] as number;
    const payload = buf.subarray(off + 8, off + 8 + len);
    if ((buf[off] as number) & 0x80) {
      frames.push({ control: true, type: buf.readUInt16BE(off + 2), flags, payload });
    } else {
      frames.push({ control: false, streamId: buf.readUInt32BE(off) & 0x7fffffff, flags, payload });
    }
    off += 8 + len;
  }
  return { frames, rest: buf.subarray(off) };
}

export function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8003, 0);
  h.writeUInt16BE(type, 2);
  h[4] = flags;
  h.writeUIntBE(payload.length, 5, 3);
  return Buffer.concat([h, payload]);
}

export function dataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt32BE(streamId & 0x7fffffff, 0);
  h[4] = flags;
  h.writeUIntBE(data.length, 5, 3);
  return Buffer.concat([h, data]);
}

/** The uncompressed name/value block. */
export function encodeHeaderBlock(headers: Headers): Buffer {
  const parts: Buffer[] = [];
  const n = Buffer.alloc(4);
  n.writeUInt32BE(Object.keys(headers).length, 0);
  parts.push(n);
  for (const [k, v] of Object.entries(headers)) {
    for (const s of [k.toLowerCase(), v]) {
      const b = Buffer.from(s, "utf8");
      const l = Buffer.alloc(4);
      l.writeUInt32BE(b.length, 0);
      parts.push(l, b);
    }
  }
  return Buffer.concat(parts);
}

/** Reads one name/value block from the front of `buf`; returns it and its length, or undefined if short. */
export function decodeHeaderBlock(buf: Buffer): { headers: Headers; length: number } | undefined {
  if (buf.length < 4) return undefined;
  const count = buf.readUInt32BE(0);
  let off = 4;
  const headers: Headers = {};
  const str = (): string | undefined => {
    if (buf.length < off + 4) return undefined;
    const l = buf.readUInt32BE(off);
    if (buf.length < off + 4 + l) return undefined;
    const s = buf.toString("utf8", off + 4, off + 4 + l);
    off += 4 + l;
    return s;
  };
  for (let i = 0; i < count; i++) {
    const k = str();
    const v = str();
    if (k === undefined || v === undefined) return undefined;
    // Several values of one name are NUL-separated; the first is what the protocol headers need.
    headers[k.toLowerCase()] = v.split("\0")[0] ?? "";
  }
  return { headers, length: off };
}

/** Outgoing header compression: a zlib header naming the dictionary, then one stored block per call. */
export class HeaderEncoder {
  private started = false;
  encode(headers: Headers): Buffer {
    const block = encodeHeaderBlock(headers);
    const parts: Buffer[] = [];
    if (!this.started) {
      this.started = true;
      // CMF 0x78 (deflate, 32K window), FLG 0x20 (FDICT; 0x7820 is a multiple of 31), then DICTID.
      const h = Buffer.from([0x78, 0x20, 0, 0, 0, 0]);
      h.writeUInt32BE(adler32Of(SPDY_DICTIONARY), 2);
      parts.push(h);
    }
    for (let off = 0; off < block.length || off === 0; off += 0xffff) {
      const chunk = block.subarray(off, off + 0xffff);
      const hdr = Buffer.alloc(5);
      hdr[0] = 0; // BFINAL=0, BTYPE=00 (stored), padded to the byte
      hdr.writeUInt16LE(chunk.length, 1);
      hdr.writeUInt16LE(~chunk.length & 0xffff, 3);
      parts.push(hdr, chunk);
      if (block.length === 0) break;
    }
    // The empty stored block a zlib sync flush ends with: Go's inflater hands out a block's bytes only
    // when it reaches it, and would otherwise read past the frame and fail the next one.
    parts.push(Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]));
    return Buffer.concat(parts);
  }
}

export function adler32Of(buf: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of buf) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** Incoming header decompression over the whole session's compressed bytes (see the file comment). */
export function inflateHeaders(all: Buffer): Buffer {
  return inflateSync(all, { dictionary: SPDY_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH });
}

export class HeaderDecoder {
  private compressed: Buffer[] = [];
  private consumed = 0;
  constructor(private inflate: (all: Buffer) => Buffer = inflateHeaders) {}
  decode(block: Buffer): Headers {
    this.compressed.push(block);
    const all = Buffer.concat(this.compressed);
    this.compressed = [all];
    const out = this.inflate(all);
    const next = out.subarray(this.consumed);
    const parsed = decodeHeaderBlock(next);
    if (!parsed) throw new Error("incomplete SPDY header block");
    this.consumed += parsed.length;
    return parsed.headers;
  }
}

export class SpdyStream extends Duplex {
  private finSent = false;
  constructor(
    readonly id: number,
    readonly headers: Headers,
    private session: SpdySession,
  ) {
    super({ allowHalfOpen: true });
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.session.sendData(this.id, chunk, false, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.finSent = true;
    this.session.sendData(this.id, Buffer.alloc(0), true, cb);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (!this.finSent && err) this.session.reset(this.id, RST_CANCEL);
    this.session.forget(this.id);
    cb(err);
  }

  /** SYN_REPLY: accepts the stream (spdystream's clients wait for it). */
  reply(headers: Headers = {}): void {
    this.session.sendReply(this.id, headers);
  }
}

export interface SpdySessionEvents {
  stream: [SpdyStream];
  /** why the session ended: a protocol error, or the transport's end or error */
  close: [reason: string];
}

/** The server side of one SPDY/3.1 connection over `transport`. Emits "stream" for each SYN_STREAM. */
export class SpdySession extends EventEmitter<SpdySessionEvents> {
  private buf: Buffer = Buffer.alloc(0);
  private streams = new Map<number, SpdyStream>();
  private encoder = new HeaderEncoder();
  private decoder: HeaderDecoder;
  private closed = false;
  private goneAway = false;
  constructor(
    private transport: Duplex,
    head?: Buffer,
  ) {
    super();
    this.decoder = new HeaderDecoder();
    transport.on("data", (d: Buffer) => this.receive(d));
    transport.on("end", () => this.close("transport ended"));
    transport.on("close", () => this.close("transport closed"));
    transport.on("error", (e: Error) => this.close(`transport error: ${e.message}`));
    if (head?.length) setImmediate(() => this.receive(head));
  }

  private receive(d: Buffer): void {
    if (this.closed) return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    const { frames, rest } = parseFrames(this.buf);
    this.buf = Buffer.from(rest);
    for (const f of frames) {
      try {
        this.handle(f);
      } catch (e) {
        this.goAway(RST_PROTOCOL_ERROR, `protocol error: ${(e as Error).message}`);
        return;
      }
    }
  }

  private handle(f: Frame): void {
    if (!f.control) {
      const s = this.streams.get(f.streamId);
      if (!s) return;
      if (f.payload.length) s.push(Buffer.from(f.payload));
      if (f.flags & FLAG_FIN) s.push(null);
      return;
    }
    switch (f.type) {
      case FrameType.SYN_STREAM: {
        const id = f.payload.readUInt32BE(0) & 0x7fffffff;
        const headers = this.decoder.decode(f.payload.subarray(10));
        if (this.goneAway) {
          this.reset(id, RST_REFUSED_STREAM);
          return;
        }
        const s = new SpdyStream(id, headers, this);
        this.streams.set(id, s);
        if (f.flags & FLAG_FIN) s.push(null);
        this.emit("stream", s);
        return;
      }
      case FrameType.HEADERS:
        // Header blocks must still go through the decoder to keep the zlib stream in step.
        this.decoder.decode(f.payload.subarray(4));
        return;
      case FrameType.RST_STREAM: {
        const s = this.streams.get(f.payload.readUInt32BE(0) & 0x7fffffff);
        if (s) {
          this.streams.delete(s.id);
          s.destroy();
        }
        return;
      }
      case FrameType.PING:
        this.write(controlFrame(FrameType.PING, 0, Buffer.from(f.payload)));
        return;
      case FrameType.GOAWAY:
        this.close("GOAWAY from the client");
        return;
      default:
        // SETTINGS, WINDOW_UPDATE: spdystream does no flow control; nothing to do.
        return;
    }
  }

  private write(frame: Buffer, cb?: (err?: Error | null) => void): void {
    if (this.closed || this.transport.destroyed) {
      cb?.(null);
      return;
    }
    if (this.transport.write(frame)) cb?.(null);
    else if (cb) this.transport.once("drain", () => cb(null));
  }

  sendReply(id: number, headers: Headers): void {
    const sid = Buffer.alloc(4);
    sid.writeUInt32BE(id, 0);
    this.write(controlFrame(FrameType.SYN_REPLY, 0, Buffer.concat([sid, this.encoder.encode(headers)])));
  }

  sendData(id: number, data: Buffer, fin: boolean, cb: (err?: Error | null) => void): void {
    if (data.length <= MAX_DATA) {
      this.write(dataFrame(id, fin ? FLAG_FIN : 0, data), cb);
      return;
    }
    for (let off = 0; off < data.length; off += MAX_DATA) {
      const last = off + MAX_DATA >= data.length;
      this.write(
        dataFrame(id, last && fin ? FLAG_FIN : 0, data.subarray(off, off + MAX_DATA)),
        last ? cb : undefined,
      );
    }
  }

  reset(id: number, status: number): void {
    const p = Buffer.alloc(8);
    p.writeUInt32BE(id, 0);
    p.writeUInt32BE(status, 4);
    this.write(controlFrame(FrameType.RST_STREAM, 0, p));
  }

  forget(id: number): void {
    this.streams.delete(id);
  }

  /**
   * GOAWAY, then the end of the connection: at once, or (`lingerMs`) once the client has closed it, as
   * spdystream's Close waits for the client to finish reading; new streams are refused meanwhile.
   */
  goAway(status = 0, reason = "GOAWAY", lingerMs = 0): void {
    const p = Buffer.alloc(8);
    p.writeUInt32BE(0, 0);
    p.writeUInt32BE(status, 4);
    this.write(controlFrame(FrameType.GOAWAY, 0, p));
    if (lingerMs <= 0 || this.closed) {
      this.close(reason);
      return;
    }
    this.goneAway = true;
    const timer = setTimeout(() => this.close(reason), lingerMs);
    this.once("close", () => clearTimeout(timer));
  }

  close(reason = "closed"): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.destroy();
    this.streams.clear();
    this.transport.end();
    this.emit("close", reason);
  }
}
