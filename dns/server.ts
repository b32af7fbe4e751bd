// The DNS server: UDP and TCP on one port, answering `cluster.local` (and the reverse names of cluster
// addresses) from the ClusterDnsView, forwarding everything else to the upstream resolver. Encoded
// answers are cached, each until the part of the view it was computed from changes (a service and its
// endpoints, a namespace, an address), so a query costs a map lookup and a copy, and a change to one
// service re-encodes that service's answers only: a busy cluster changes the view many times a second.
import dgram from "node:dgram";
import dns from "node:dns";
import net from "node:net";
import * as dnsPacket from "dns-packet";
import type { Logger } from "../pkg/util/log.js";
import { type ClusterDnsView, DEFAULT_TTL, type RecordData } from "./records.js";

export interface DnsServerOptions {
  port: number;
  host?: string;
  /** Upstream resolvers (`ip` or `ip:port`) for names outside the cluster. */
  upstreams: string[];
  ttl?: number;
  logger: Logger;
  /**
   * SO_RCVBUF of the UDP socket (bytes; the kernel caps it at net.core.rmem_max and doubles it). The
   * default 208 KiB holds only ~190 queries: a burst, or a 10 ms pause at 20k qps, overflowed it and the
   * dropped queries cost their clients a 5 s resolver retry. 1 MiB holds ~100 ms of queries at 20k qps.
   */
  recvBufferSize?: number;
}

const DEFAULT_RECV_BUFFER = 1 << 20;

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
// Header flag bits (RFC 1035 4.1.1).
const QR = 0x8000;
const AA = 0x0400;
const TC = 0x0200;
const RD = 0x0100;
const RA = 0x0080;

type Transport = "udp" | "tcp";

export class DnsServer {
  private udp?: dgram.Socket;
  private tcp?: net.Server;
  private upstreamSocket?: dgram.Socket;
  private readonly pending = new Map<
    number,
    { reply: (buf: Buffer) => void; timer: NodeJS.Timeout; id: number }
  >();
  private nextUpstreamId = 1;
  /** Answers by `type|name|transport`, for decoded questions. */
  private readonly cache = new Map<string, CachedAnswer>();
  /** The same answers by the question's wire bytes (lower-cased), for the decode-free fast path. */
  private readonly rawCache = new Map<string, CachedAnswer>();
  readonly stats = { queries: 0, answered: 0, forwarded: 0, formerr: 0, servfail: 0 };

  constructor(
    private readonly view: ClusterDnsView,
    private readonly opts: DnsServerOptions,
  ) {}

  async start(): Promise<void> {
    const host = this.opts.host ?? "0.0.0.0";
    this.udp = dgram.createSocket({
      type: "udp4",
      reuseAddr: true,
      lookup: literalLookup,
      recvBufferSize: this.opts.recvBufferSize ?? DEFAULT_RECV_BUFFER,
    });
    this.udp.on("message", (msg, rinfo) => {
      this.handle(msg, "udp", (out) => this.udp?.send(out, rinfo.port, rinfo.address));
    });
    this.udp.on("error", (err) => this.opts.logger.error({ err: err.message }, "udp socket error"));
    await new Promise<void>((resolve, reject) => {
      this.udp?.once("error", reject);
      this.udp?.bind(this.opts.port, host, () => resolve());
    });

    this.tcp = net.createServer((conn) => this.serveTcp(conn));
    await new Promise<void>((resolve, reject) => {
      this.tcp?.once("error", reject);
      this.tcp?.listen(this.opts.port, host, () => resolve());
    });

    this.upstreamSocket = dgram.createSocket("udp4");
    this.upstreamSocket.on("message", (msg) => this.onUpstreamAnswer(msg));
    this.upstreamSocket.on("error", (err) =>
      this.opts.logger.warn({ err: err.message }, "upstream socket error"),
    );
    await new Promise<void>((resolve) => this.upstreamSocket?.bind(0, () => resolve()));
  }

  address(): { udp: number; tcp: number } {
    const u = this.udp?.address();
    const t = this.tcp?.address();
    return { udp: u?.port ?? 0, tcp: typeof t === "object" && t ? t.port : 0 };
  }

  async stop(): Promise<void> {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    this.udp?.close();
    this.upstreamSocket?.close();
    await new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve()));
  }

  private serveTcp(conn: net.Socket): void {
    let buffered: Buffer = Buffer.alloc(0);
    conn.setTimeout(10_000, () => conn.destroy());
    conn.on("error", () => conn.destroy());
    conn.on("data", (chunk: Buffer) => {
      buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
      while (buffered.length >= 2) {
        const len = buffered.readUInt16BE(0);
        if (buffered.length < 2 + len) break;
        const msg = buffered.subarray(2, 2 + len);
        buffered = buffered.subarray(2 + len);
        this.handle(msg, "tcp", (out) => {
          if (conn.destroyed) return;
          const framed = Buffer.allocUnsafe(2 + out.length);
          framed.writeUInt16BE(out.length, 0);
          out.copy(framed, 2);
          conn.write(framed);
        });
      }
    });
  }

  /** One query in, one answer out through `reply` (now, or later for forwarded names). Never throws. */
  handle(msg: Buffer, transport: Transport, reply: (buf: Buffer) => void): void {
    this.stats.queries++;
    if (msg.length < 12) {
      // Not even a header: nothing to answer to (no ID to echo); drop as real servers do.
      this.stats.formerr++;
      return;
    }
    const id = msg.readUInt16BE(0);
    const flags = msg.readUInt16BE(2);
    if (flags & QR) return; // a response, not a query
    // Fast path: a plain one-question query whose answer is cached is answered without decoding.
    if ((flags & 0x7800) === 0 && msg.readUInt16BE(4) === 1) {
      const qkey = questionKey(msg);
      const hit = qkey !== undefined ? this.rawCache.get(transport === "udp" ? qkey : `t${qkey}`) : undefined;
      if (hit && this.isFresh(hit)) {
        this.answer(hit, id, flags, reply);
        return;
      }
    }
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      this.stats.formerr++;
      reply(errorResponse(id, flags, RCODE.FORMERR));
      return;
    }
    const opcode = (flags >> 11) & 0xf;
    if (opcode !== 0) {
      reply(errorResponse(id, flags, RCODE.NOTIMP));
      return;
    }
    const questions = query.questions ?? [];
    if (questions.length !== 1) {
      this.stats.formerr++;
      reply(errorResponse(id, flags, RCODE.FORMERR));
      return;
    }
    const q = questions[0];
    const qname = q.name.toLowerCase().replace(/\.$/, "");
    const qtype = String(q.type);
    if (!this.view.isInZone(qname)) {
      this.forward(msg, reply);
      return;
    }
    const cacheKey = `${qtype}|${qname}|${transport}`;
    let entry = this.cache.get(cacheKey);
    if (!entry || !this.isFresh(entry)) {
      const r = this.view.resolve(qname, qtype);
      if (r.rcode === "NOTOURS") {
        this.forward(msg, reply);
        return;
      }
      entry = {
        ...this.encodeAnswer(q, r.rcode, r.answers, transport),
        dependsOn: r.dependsOn,
        version: this.view.versionOf(r.dependsOn),
        checkedAt: this.view.generation,
      };
      if (this.cache.size >= MAX_CACHED || this.rawCache.size >= MAX_CACHED) {
        this.cache.clear();
        this.rawCache.clear();
      }
      this.cache.set(cacheKey, entry);
    }
    const qkey = questionKey(msg);
    if (qkey !== undefined) this.rawCache.set(transport === "udp" ? qkey : `t${qkey}`, entry);
    this.answer(entry, id, flags, reply);
  }

  private isFresh(entry: CachedAnswer): boolean {
    // Between changes to the view no lookup is needed: the common case at any query rate.
    if (entry.checkedAt === this.view.generation) return true;
    if (this.view.versionOf(entry.dependsOn) !== entry.version) return false;
    entry.checkedAt = this.view.generation;
    return true;
  }

  /** Sends a cached answer: the same for every client but for the query's ID and RD bit (and the serial). */
  private answer(entry: CachedAnswer, id: number, flags: number, reply: (buf: Buffer) => void): void {
    const out = Buffer.from(entry.wire);
    out.writeUInt16BE(id, 0);
    out.writeUInt16BE((out.readUInt16BE(2) & ~RD) | (flags & RD), 2);
    if (entry.serialAt >= 0) out.writeUInt32BE(this.view.modified >>> 0, entry.serialAt);
    this.stats.answered++;
    reply(out);
  }

  private encodeAnswer(
    q: dnsPacket.Question,
    rcode: "NOERROR" | "NXDOMAIN",
    records: RecordData[],
    transport: Transport,
  ): Pick<CachedAnswer, "wire" | "serialAt"> {
    const ttl = this.opts.ttl ?? DEFAULT_TTL;
    const answers = records.map((r) => ({ ...r, ttl, class: "IN" as const })) as dnsPacket.Answer[];
    const authorities: dnsPacket.Answer[] =
      answers.length === 0
        ? [
            {
              type: "SOA",
              name: this.view.zone,
              ttl,
              class: "IN",
              data: {
                mname: `ns.dns.${this.view.zone}`,
                rname: `hostmaster.${this.view.zone}`,
                serial: this.view.modified >>> 0,
                refresh: 7200,
                retry: 1800,
                expire: 86400,
                minimum: ttl,
              },
            },
          ]
        : [];
    const wire = dnsPacket.encode({
      type: "response",
      id: 0,
      flags: QR | AA | RA | (rcode === "NXDOMAIN" ? RCODE.NXDOMAIN : RCODE.NOERROR),
      questions: [{ type: q.type, name: q.name, class: q.class ?? "IN" }],
      answers,
      authorities,
    });
    if (transport === "udp" && wire.length > 512) {
      // Too big for plain UDP: send what fits with TC set so that the client retries over TCP.
      const truncated = dnsPacket.encode({
        type: "response",
        id: 0,
        flags: QR | AA | RA | TC,
        questions: [{ type: q.type, name: q.name, class: q.class ?? "IN" }],
      });
      return { wire: truncated, serialAt: -1 };
    }
    // The SOA is the last record, and its serial is followed by four more 32-bit fields.
    return { wire, serialAt: authorities.length ? wire.length - 20 : -1 };
  }

  private forward(msg: Buffer, reply: (buf: Buffer) => void): void {
    const upstream = this.opts.upstreams[0];
    if (!upstream || !this.upstreamSocket) {
      this.stats.servfail++;
      reply(errorResponse(msg.readUInt16BE(0), msg.readUInt16BE(2), RCODE.SERVFAIL));
      return;
    }
    const [host, portStr] = upstream.includes(":") ? upstream.split(":") : [upstream, "53"];
    const clientId = msg.readUInt16BE(0);
    let upstreamId = this.nextUpstreamId;
    while (this.pending.has(upstreamId)) upstreamId = (upstreamId % 65535) + 1;
    this.nextUpstreamId = (upstreamId % 65535) + 1;
    const out = Buffer.from(msg);
    out.writeUInt16BE(upstreamId, 0);
    const timer = setTimeout(() => {
      this.pending.delete(upstreamId);
      this.stats.servfail++;
      reply(errorResponse(clientId, msg.readUInt16BE(2), RCODE.SERVFAIL));
    }, 5000);
    // Forwarded over UDP whatever the client used; a truncated answer is passed on as is.
    this.pending.set(upstreamId, { id: clientId, timer, reply });
    this.stats.forwarded++;
    this.upstreamSocket.send(out, Number(portStr), host);
  }

  private onUpstreamAnswer(msg: Buffer): void {
    if (msg.length < 12) return;
    const upstreamId = msg.readUInt16BE(0);
    const p = this.pending.get(upstreamId);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(upstreamId);
    const out = Buffer.from(msg);
    out.writeUInt16BE(p.id, 0);
    p.reply(out);
  }
}

/** One encoded answer (ID 0) and what it was computed from, to tell when the view has made it stale. */
interface CachedAnswer {
  wire: Buffer;
  dependsOn: string;
  version: number;
  /** The view's generation when the entry was last known fresh. */
  checkedAt: number;
  /** Where the SOA serial of a negative answer is, to give it the zone's current serial; -1 for none. */
  serialAt: number;
}

/** Bound on each answer cache (distinct questions); past it both are emptied. */
const MAX_CACHED = 50_000;

/**
 * dgram's address lookup for replies: addresses are the clients' own (IP literals), answered at once
 * instead of through dns.lookup and a tick of the event loop per reply; names still go to dns.lookup.
 */
function literalLookup(
  host: string,
  options: dns.LookupOneOptions | number, // dgram passes the family (4)
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  if (net.isIPv4(host)) callback(null, host, 4);
  else dns.lookup(host, typeof options === "number" ? { family: options } : options, callback);
}

/**
 * The question section's bytes (name lower-cased, type, class) as a string key, or undefined when the
 * name uses compression or runs past the message (then the slow path decodes it properly).
 */
function questionKey(msg: Buffer): string | undefined {
  let i = 12;
  while (i < msg.length) {
    const len = msg[i];
    if (len === 0) break;
    if (len > 63) return undefined;
    i += len + 1;
  }
  if (i + 5 > msg.length) return undefined;
  return msg.toString("latin1", 12, i + 5).toLowerCase();
}

/** A header-only response with the query's ID and RD bit and the given rcode. */
function errorResponse(id: number, queryFlags: number, rcode: number): Buffer {
  const buf = Buffer.alloc(12);
  buf.writeUInt16BE(id, 0);
  buf.writeUInt16BE(QR | RA | (queryFlags & RD) | rcode, 2);
  return buf;
}
