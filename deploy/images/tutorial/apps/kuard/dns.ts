// kuard's "DNS Query" tab: one query to the pod's nameserver, through the search domains of
// /etc/resolv.conf, with the answer printed as the original prints it (Go's miekg/dns Msg.String(),
// which the KUAR notes show). The image must stay dependency-free, hence this small codec of our own
// rather than the dns-packet package the cluster DNS uses.

export const dnsTypes: Readonly<Record<string, number>> = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  ANY: 255,
};
const typeNames = new Map(Object.entries(dnsTypes).map(([k, v]) => [v, k]));
const classNames = new Map([
  [1, "IN"],
  [3, "CH"],
  [4, "HS"],
  [254, "NONE"],
  [255, "ANY"],
]);
const rcodeNames = [
  "NOERROR",
  "FORMERR",
  "SERVFAIL",
  "NXDOMAIN",
  "NOTIMP",
  "REFUSED",
  "YXDOMAIN",
  "YXRRSET",
  "NXRRSET",
  "NOTAUTH",
  "NOTZONE",
];
const opcodeNames = new Map([
  [0, "QUERY"],
  [1, "IQUERY"],
  [2, "STATUS"],
  [4, "NOTIFY"],
  [5, "UPDATE"],
]);

export interface DnsQuestion {
  name: string;
  type: number;
  class: number;
}

export interface DnsRecord extends DnsQuestion {
  ttl: number;
  /** The record data in presentation format ("10.0.0.1", "0 100 80 web-0.nginx.default.svc."). */
  data: string;
}

export interface DnsMessage {
  id: number;
  response: boolean;
  opcode: number;
  authoritative: boolean;
  truncated: boolean;
  recursionDesired: boolean;
  recursionAvailable: boolean;
  zero: boolean;
  authenticatedData: boolean;
  checkingDisabled: boolean;
  rcode: number;
  question: DnsQuestion[];
  answer: DnsRecord[];
  ns: DnsRecord[];
  extra: DnsRecord[];
}

export interface ResolvConf {
  servers: string[];
  search: string[];
  port: number;
}

export function parseResolvConf(text: string): ResolvConf {
  const conf: ResolvConf = { servers: [], search: [], port: 53 };
  for (const line of text.split("\n")) {
    const [key, ...rest] = line.trim().split(/\s+/);
    if (key === "nameserver" && rest[0]) conf.servers.push(rest[0]);
    else if (key === "search" || key === "domain") conf.search = rest;
  }
  return conf;
}

export function fqdn(name: string): string {
  return name.endsWith(".") ? name : `${name}.`;
}

/** The names kuard tries, in order: each search domain appended, then the name itself. */
export function queryNames(name: string, search: readonly string[]): string[] {
  const n = name === "" ? "." : name;
  if (n.endsWith(".")) return [n];
  return [...search.map((s) => `${n}.${s}`), n].map(fqdn);
}

/** A standard query with recursion desired. Throws on a label longer than 63 bytes. */
export function encodeQuery(id: number, name: string, type: number): Buffer {
  const labels = fqdn(name) === "." ? [] : fqdn(name).slice(0, -1).split(".");
  const parts: Buffer[] = [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id & 0xffff, 0);
  header.writeUInt16BE(0x0100, 2); // RD
  header.writeUInt16BE(1, 4);
  parts.push(header);
  for (const label of labels) {
    const b = Buffer.from(label, "utf8");
    if (b.length === 0 || b.length > 63) throw new Error(`bad domain name: ${name}`);
    parts.push(Buffer.from([b.length]), b);
  }
  const tail = Buffer.alloc(5);
  tail.writeUInt16BE(type, 1);
  tail.writeUInt16BE(1, 3); // class IN
  parts.push(tail);
  return Buffer.concat(parts);
}

class Reader {
  constructor(
    readonly buf: Buffer,
    public off = 0,
  ) {}

  need(n: number): void {
    if (this.off + n > this.buf.length) throw new Error("dns: overflow unpacking message");
  }
  u8(): number {
    this.need(1);
    return this.buf[this.off++]!;
  }
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.off);
    this.off += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.off);
    this.off += 4;
    return v;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return b;
  }

  /** A domain name, following compression pointers (at most 64 of them: no loops). */
  name(): string {
    const labels: string[] = [];
    let off = this.off;
    let jumped = false;
    for (let hops = 0; ; ) {
      if (off >= this.buf.length) throw new Error("dns: overflow unpacking domain name");
      const len = this.buf[off]!;
      if ((len & 0xc0) === 0xc0) {
        if (off + 1 >= this.buf.length) throw new Error("dns: overflow unpacking domain name");
        if (++hops > 64) throw new Error("dns: too many compression pointers");
        if (!jumped) this.off = off + 2;
        jumped = true;
        off = ((len & 0x3f) << 8) | this.buf[off + 1]!;
        continue;
      }
      if (len === 0) {
        if (!jumped) this.off = off + 1;
        break;
      }
      if (off + 1 + len > this.buf.length) throw new Error("dns: overflow unpacking domain name");
      labels.push(escapeLabel(this.buf.subarray(off + 1, off + 1 + len)));
      off += 1 + len;
    }
    return labels.length === 0 ? "." : `${labels.join(".")}.`;
  }
}

function escapeLabel(b: Buffer): string {
  let s = "";
  for (const c of b) {
    const ch = String.fromCharCode(c);
    if (`.\\"();@$ `.includes(ch)) s += `\\${ch}`;
    else if (c < 0x21 || c > 0x7e) s += `\\${String(c).padStart(3, "0")}`;
    else s += ch;
  }
  return s;
}

export function formatIPv6(b: Buffer): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i));
  // The longest run of two or more zero groups becomes "::" (RFC 5952).
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

function quoteTxt(b: Buffer): string {
  let s = "";
  for (const c of b) {
    if (c === 0x22 || c === 0x5c) s += `\\${String.fromCharCode(c)}`;
    else if (c < 0x20 || c > 0x7e) s += `\\${String(c).padStart(3, "0")}`;
    else s += String.fromCharCode(c);
  }
  return `"${s}"`;
}

function rdata(r: Reader, type: number, length: number): string {
  const end = r.off + length;
  r.need(length);
  const sub = new Reader(r.buf, r.off);
  let out: string;
  switch (type) {
    case 1:
      out = length === 4 ? [...sub.bytes(4)].join(".") : generic(sub.bytes(length));
      break;
    case 28:
      out = length === 16 ? formatIPv6(sub.bytes(16)) : generic(sub.bytes(length));
      break;
    case 2:
    case 5:
    case 12:
      out = sub.name();
      break;
    case 15: {
      const pref = sub.u16();
      out = `${pref} ${sub.name()}`;
      break;
    }
    case 16: {
      const strings: string[] = [];
      while (sub.off < end) strings.push(quoteTxt(sub.bytes(sub.u8())));
      out = strings.join(" ");
      break;
    }
    case 33: {
      const [prio, weight, port] = [sub.u16(), sub.u16(), sub.u16()];
      out = `${prio} ${weight} ${port} ${sub.name()}`;
      break;
    }
    case 6: {
      const [ns, mbox] = [sub.name(), sub.name()];
      const nums = [sub.u32(), sub.u32(), sub.u32(), sub.u32(), sub.u32()];
      out = `${ns} ${mbox} ${nums.join(" ")}`;
      break;
    }
    default:
      out = generic(sub.bytes(length));
  }
  r.off = end;
  return out;
}

/** RFC 3597's generic form, which miekg/dns prints for types it has no presentation of. */
function generic(b: Buffer): string {
  return `\\# ${b.length} ${b.toString("hex")}`;
}

export function decodeMessage(buf: Buffer): DnsMessage {
  const r = new Reader(buf);
  const id = r.u16();
  const flags = r.u16();
  const counts = [r.u16(), r.u16(), r.u16(), r.u16()] as const;
  const question: DnsQuestion[] = [];
  for (let i = 0; i < counts[0]; i++) question.push({ name: r.name(), type: r.u16(), class: r.u16() });
  const records = (n: number) => {
    const out: DnsRecord[] = [];
    for (let i = 0; i < n; i++) {
      const name = r.name();
      const [type, cls, ttl, length] = [r.u16(), r.u16(), r.u32(), r.u16()];
      out.push({ name, type, class: cls, ttl, data: rdata(r, type, length) });
    }
    return out;
  };
  return {
    id,
    response: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    authoritative: (flags & 0x0400) !== 0,
    truncated: (flags & 0x0200) !== 0,
    recursionDesired: (flags & 0x0100) !== 0,
    recursionAvailable: (flags & 0x0080) !== 0,
    zero: (flags & 0x0040) !== 0,
    authenticatedData: (flags & 0x0020) !== 0,
    checkingDisabled: (flags & 0x0010) !== 0,
    rcode: flags & 0xf,
    question,
    answer: records(counts[1]),
    ns: records(counts[2]),
    extra: records(counts[3]),
  };
}

const typeName = (t: number) => typeNames.get(t) ?? `TYPE${t}`;
const className = (c: number) => classNames.get(c) ?? `CLASS${c}`;

/** The message as miekg/dns prints it (what kuard shows). */
export function formatMessage(m: DnsMessage): string {
  const flags = [
    [m.response, "qr"],
    [m.authoritative, "aa"],
    [m.truncated, "tc"],
    [m.recursionDesired, "rd"],
    [m.recursionAvailable, "ra"],
    [m.zero, "z"],
    [m.authenticatedData, "ad"],
    [m.checkingDisabled, "cd"],
  ]
    .filter(([on]) => on)
    .map(([, name]) => ` ${name}`)
    .join("");
  let s = `;; opcode: ${opcodeNames.get(m.opcode) ?? String(m.opcode)}, status: ${rcodeNames[m.rcode] ?? String(m.rcode)}, id: ${m.id}\n`;
  s += `;; flags:${flags}; QUERY: ${m.question.length}, ANSWER: ${m.answer.length}, AUTHORITY: ${m.ns.length}, ADDITIONAL: ${m.extra.length}\n`;
  if (m.question.length > 0) {
    s += "\n;; QUESTION SECTION:\n";
    for (const q of m.question) s += `;${q.name}\t${className(q.class)}\t ${typeName(q.type)}\n`;
  }
  const section = (title: string, rrs: DnsRecord[]) => {
    if (rrs.length === 0) return;
    s += `\n;; ${title} SECTION:\n`;
    for (const rr of rrs)
      s += `${rr.name}\t${rr.ttl}\t${className(rr.class)}\t${typeName(rr.type)}\t${rr.data}\n`;
  };
  section("ANSWER", m.answer);
  section("AUTHORITY", m.ns);
  section("ADDITIONAL", m.extra);
  return s;
}
