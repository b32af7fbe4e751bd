// The I/O half of the DNS tab: read /etc/resolv.conf, send the query over UDP, try the names in order.
import dgram from "node:dgram";
import { readFile } from "node:fs/promises";
import { isIPv6 } from "node:net";
import { decodeMessage, dnsTypes, encodeQuery, formatMessage, parseResolvConf, queryNames } from "./dns.js";

export class DnsQueryError extends Error {}

function exchange(server: string, port: number, query: Buffer, id: number, timeoutMs: number) {
  return new Promise<Buffer>((resolve, reject) => {
    const socket = dgram.createSocket(isIPv6(server) ? "udp6" : "udp4");
    const done = (err?: Error, msg?: Buffer) => {
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve(msg!);
    };
    const timer = setTimeout(
      () => done(new DnsQueryError(`read udp ${server}:${port}: i/o timeout`)),
      timeoutMs,
    );
    socket.on("error", (err) => done(err));
    socket.on("message", (msg) => {
      if (msg.length >= 2 && msg.readUInt16BE(0) === id) done(undefined, msg);
    });
    socket.send(query, port, server);
  });
}

/** kuard's dnsQuery(): the first answer that has records, or the last one, as miekg/dns prints it. */
export async function dnsQuery(
  type: string,
  name: string,
  resolvConfPath = "/etc/resolv.conf",
): Promise<string> {
  const qtype = dnsTypes[type.toUpperCase()];
  if (qtype === undefined) throw new DnsQueryError(`Unknown DNS type: ${type}`);
  const conf = parseResolvConf(await readFile(resolvConfPath, "utf8"));
  const server = conf.servers[0];
  if (!server) throw new DnsQueryError(`no nameserver in ${resolvConfPath}`);
  let last = "";
  for (const n of queryNames(name, conf.search)) {
    const id = Math.floor(Math.random() * 0x10000);
    const reply = decodeMessage(await exchange(server, conf.port, encodeQuery(id, n, qtype), id, 2000));
    last = formatMessage(reply);
    if (reply.answer.length > 0) break;
  }
  return last;
}
