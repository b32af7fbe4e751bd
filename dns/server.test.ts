import assert from "node:assert/strict";
import dgram from "node:dgram";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import * as dnsPacket from "dns-packet";
import { newLogger } from "../pkg/util/log.js";
import { ClusterDnsView } from "./records.js";
import { DnsServer } from "./server.js";

function udpQuery(port: number, msg: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket("udp4");
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error("no answer"));
    }, 2000);
    sock.on("message", (m) => {
      clearTimeout(timer);
      sock.close();
      resolve(m);
    });
    sock.send(msg, port, "127.0.0.1");
  });
}

function tcpQuery(port: number, msg: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const conn = net.connect(port, "127.0.0.1");
    let buf = Buffer.alloc(0);
    conn.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        conn.end();
        resolve(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      }
    });
    conn.on("error", reject);
    const framed = Buffer.alloc(2 + msg.length);
    framed.writeUInt16BE(msg.length, 0);
    msg.copy(framed, 2);
    conn.write(framed);
  });
}

// dns-packet decodes the rcode, which its type declarations leave out.
type Decoded = dnsPacket.DecodedPacket & { rcode?: string };
const decode = (b: Buffer): Decoded => dnsPacket.decode(b) as Decoded;

const query = (name: string, type: dnsPacket.RecordType, id = 4242): Buffer =>
  dnsPacket.encode({ type: "query", id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });

describe("DnsServer", () => {
  const view = new ClusterDnsView();
  view.upsertService({
    metadata: { namespace: "default", name: "kubernetes" },
    spec: { clusterIP: "10.96.0.1" },
  });
  let upstream: dgram.Socket;
  let server: DnsServer;
  let port = 0;

  before(async () => {
    // A stand-in upstream resolver on loopback: answers every A question with 192.0.2.1.
    upstream = dgram.createSocket("udp4");
    upstream.on("message", (m, r) => {
      const q = dnsPacket.decode(m);
      const answer = dnsPacket.encode({
        type: "response",
        id: q.id,
        flags: dnsPacket.RECURSION_AVAILABLE,
        questions: q.questions,
        answers: [{ type: "A", name: q.questions?.[0]?.name ?? "", ttl: 60, data: "192.0.2.1" }],
      });
      upstream.send(answer, r.port, r.address);
    });
    await new Promise<void>((r) => upstream.bind(0, "127.0.0.1", () => r()));
    server = new DnsServer(view, {
      port: 0,
      host: "127.0.0.1",
      upstreams: [`127.0.0.1:${upstream.address().port}`],
      logger: newLogger("dns-test", "silent"),
    });
    await server.start();
    port = server.address().udp;
  });
  after(async () => {
    await server.stop();
    upstream.close();
  });

  it("answers a cluster name over UDP, authoritatively, with TTL 30", async () => {
    const r = decode(await udpQuery(port, query("kubernetes.default.svc.cluster.local", "A")));
    assert.equal(r.id, 4242);
    assert.equal(r.rcode, "NOERROR");
    assert.equal(r.flag_aa, true);
    assert.equal(r.flag_rd, true);
    assert.deepEqual(
      r.answers?.map((a) => [a.type, "ttl" in a ? a.ttl : undefined, "data" in a ? a.data : undefined]),
      [["A", 30, "10.96.0.1"]],
    );
  });

  it("answers over TCP too", async () => {
    const tcpPort = server.address().tcp;
    const r = decode(await tcpQuery(tcpPort, query("kubernetes.default.svc.cluster.local", "A", 7)));
    assert.equal(r.id, 7);
    assert.equal(r.answers?.[0]?.type, "A");
  });

  it("gives NXDOMAIN with the zone's SOA for unknown names", async () => {
    const r = decode(await udpQuery(port, query("nope.default.svc.cluster.local", "A")));
    assert.equal(r.rcode, "NXDOMAIN");
    assert.equal(r.answers?.length, 0);
    assert.equal(r.authorities?.[0]?.type, "SOA");
    assert.equal(r.authorities?.[0]?.name, "cluster.local");
  });

  it("forwards other names upstream and relays the answer with the client's ID", async () => {
    const r = decode(await udpQuery(port, query("www.example.org", "A", 999)));
    assert.equal(r.id, 999);
    assert.equal(r.answers?.[0] && "data" in r.answers[0] ? r.answers[0].data : undefined, "192.0.2.1");
  });

  it("answers a malformed query with FORMERR and keeps serving", async () => {
    const garbage = Buffer.from([
      0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff,
    ]);
    const r = await udpQuery(port, garbage);
    assert.equal(r.readUInt16BE(0), 0x1234);
    assert.equal(r.readUInt16BE(2) & 0xf, 1, "rcode FORMERR");
    const ok = decode(await udpQuery(port, query("kubernetes.default.svc.cluster.local", "A")));
    assert.equal(ok.rcode, "NOERROR");
  });

  it("sees changes to the view at once", async () => {
    view.upsertService({ metadata: { namespace: "default", name: "web" }, spec: { clusterIP: "10.96.5.5" } });
    const r = decode(await udpQuery(port, query("web.default.svc.cluster.local", "A")));
    assert.equal(r.answers?.[0] && "data" in r.answers[0] ? r.answers[0].data : undefined, "10.96.5.5");
  });

  it("re-resolves only the names whose part of the view changed", async () => {
    const ask = async (name: string, type: dnsPacket.RecordType = "A"): Promise<string[]> => {
      const r = decode(await udpQuery(port, query(name, type)));
      return (r.answers ?? []).map((a) => ("data" in a ? String(a.data) : ""));
    };
    view.upsertService({ metadata: { namespace: "default", name: "api" }, spec: { clusterIP: "10.96.6.6" } });
    view.upsertService({ metadata: { namespace: "default", name: "db" }, spec: { clusterIP: "None" } });
    const dbSlice = (ip: string) => ({
      addressType: "IPv4",
      metadata: { namespace: "default", name: "db-x", labels: { "kubernetes.io/service-name": "db" } },
      endpoints: [{ addresses: [ip], conditions: { ready: true } }],
    });
    view.upsertEndpointSlice(dbSlice("10.244.1.1"));
    assert.deepEqual(await ask("api.default.svc.cluster.local"), ["10.96.6.6"]);
    assert.deepEqual(await ask("db.default.svc.cluster.local"), ["10.244.1.1"]);

    const resolved: string[] = [];
    const resolve = view.resolve.bind(view);
    view.resolve = (name, type) => {
      resolved.push(name);
      return resolve(name, type);
    };
    try {
      view.upsertEndpointSlice(dbSlice("10.244.2.2"));
      assert.deepEqual(await ask("api.default.svc.cluster.local"), ["10.96.6.6"]);
      assert.deepEqual(await ask("db.default.svc.cluster.local"), ["10.244.2.2"]);
      assert.deepEqual(await ask("db.default.svc.cluster.local"), ["10.244.2.2"]);
      assert.deepEqual(resolved, ["db.default.svc.cluster.local"]);
    } finally {
      view.resolve = resolve;
    }
  });

  it("gives cached negative answers the zone's current serial (the time of the last change)", async () => {
    const serial = (r: Decoded): number | undefined => {
      const soa = r.authorities?.[0];
      return soa?.type === "SOA" ? soa.data.serial : undefined;
    };
    const first = decode(await udpQuery(port, query("gone.default.svc.cluster.local", "A")));
    assert.equal(serial(first), view.modified);
    const modified = view.modified;
    view.modified = 1_000; // as a change elsewhere in the zone sets it: the cached answer follows
    const again = decode(await udpQuery(port, query("gone.default.svc.cluster.local", "A")));
    view.modified = modified;
    assert.equal(again.rcode, "NXDOMAIN");
    assert.equal(serial(again), 1_000);
  });
});
