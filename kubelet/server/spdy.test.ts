import assert from "node:assert/strict";
import net from "node:net";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { constants, createDeflate, inflateSync } from "node:zlib";
import { connectTcp, servePortForward } from "./portforward.js";
import {
  adler32Of,
  controlFrame,
  dataFrame,
  decodeHeaderBlock,
  encodeHeaderBlock,
  FLAG_FIN,
  FrameType,
  HeaderDecoder,
  HeaderEncoder,
  parseFrames,
  SPDY_DICTIONARY,
  SpdySession,
} from "./spdy.js";

/** A client-side header compressor as Go's framer: one zlib stream, a sync flush per block. */
function clientCompressor(): (h: Record<string, string>) => Promise<Buffer> {
  const z = createDeflate({ dictionary: SPDY_DICTIONARY });
  return (h) =>
    new Promise((resolve) => {
      const chunks: Buffer[] = [];
      const onData = (d: Buffer) => chunks.push(d);
      z.on("data", onData);
      z.write(encodeHeaderBlock(h));
      z.flush(constants.Z_SYNC_FLUSH, () =>
        setImmediate(() => {
          z.off("data", onData);
          resolve(Buffer.concat(chunks));
        }),
      );
    });
}

function synStream(id: number, flags: number, block: Buffer): Buffer {
  const p = Buffer.alloc(10);
  p.writeUInt32BE(id, 0);
  return controlFrame(FrameType.SYN_STREAM, flags, Buffer.concat([p, block]));
}

test("spdy: the dictionary is SPDY/3's (1423 bytes)", () => {
  assert.equal(SPDY_DICTIONARY.length, 1423);
  assert.equal(SPDY_DICTIONARY.subarray(0, 11).toString("latin1"), "\0\0\0\x07options");
  assert.equal(adler32Of(Buffer.from("Wikipedia")), 0x11e60398);
});

test("spdy: header blocks round-trip both ways", async () => {
  const block = { streamtype: "data", port: "8080", requestid: "0" };
  const plain = encodeHeaderBlock(block);
  assert.deepEqual(decodeHeaderBlock(plain), { headers: block, length: plain.length });
  // incoming: a continuous client zlib stream, decoded block by block
  const compress = clientCompressor();
  const dec = new HeaderDecoder();
  assert.deepEqual(dec.decode(await compress(block)), block);
  assert.deepEqual(dec.decode(await compress({ streamtype: "error", port: "80" })), {
    streamtype: "error",
    port: "80",
  });
  // outgoing: stored blocks after one zlib header naming the dictionary
  const enc = new HeaderEncoder();
  const a = enc.encode({});
  const b = enc.encode({ status: "ok" });
  const out = inflateSync(Buffer.concat([a, b]), {
    dictionary: SPDY_DICTIONARY,
    finishFlush: constants.Z_SYNC_FLUSH,
  });
  const first = decodeHeaderBlock(out);
  assert.deepEqual(first?.headers, {});
  assert.deepEqual(decodeHeaderBlock(out.subarray(first?.length))?.headers, { status: "ok" });
});

test("spdy: frames split across reads", () => {
  const f = Buffer.concat([
    dataFrame(3, FLAG_FIN, Buffer.from("hi")),
    controlFrame(FrameType.PING, 0, Buffer.alloc(4)),
  ]);
  const a = parseFrames(f.subarray(0, 13));
  assert.equal(a.frames.length, 1);
  assert.deepEqual(a.frames[0], { control: false, streamId: 3, flags: FLAG_FIN, payload: Buffer.from("hi") });
  const b = parseFrames(Buffer.concat([a.rest, f.subarray(13)]));
  assert.equal(b.frames.length, 1);
  assert.equal(b.frames[0]?.control && b.frames[0].type, FrameType.PING);
});

test("portforward: data stream joined to a TCP port, errors on the error stream, pings echoed", async () => {
  const echo = net.createServer((c) => c.pipe(c));
  await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
  const port = (echo.address() as net.AddressInfo).port;
  const toServer = new PassThrough();
  const fromServer = new PassThrough();
  const transport = new (await import("node:stream")).Duplex({
    read() {},
    write(chunk, _e, cb) {
      fromServer.write(chunk);
      cb();
    },
  });
  toServer.on("data", (d) => transport.push(d));
  const session = new SpdySession(transport);
  servePortForward(session, {
    pod: "web_default",
    uid: "u1",
    dial: (p) => connectTcp("127.0.0.1", p),
  });
  let buf = Buffer.alloc(0);
  const frames: ReturnType<typeof parseFrames>["frames"] = [];
  fromServer.on("data", (d: Buffer) => {
    const r = parseFrames(Buffer.concat([buf, d]));
    buf = Buffer.from(r.rest);
    frames.push(...r.frames);
  });
  const until = async (pred: () => boolean) => {
    for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(pred());
  };
  const compress = clientCompressor();
  toServer.write(
    synStream(1, FLAG_FIN, await compress({ streamtype: "error", port: String(port), requestid: "0" })),
  );
  toServer.write(synStream(3, 0, await compress({ streamtype: "data", port: String(port), requestid: "0" })));
  toServer.write(dataFrame(3, 0, Buffer.from("hello")));
  toServer.write(controlFrame(FrameType.PING, 0, Buffer.from([0, 0, 0, 1])));
  await until(() => frames.some((f) => !f.control && f.streamId === 3 && f.payload.toString() === "hello"));
  assert.equal(frames.filter((f) => f.control && f.type === FrameType.SYN_REPLY).length, 2);
  assert.ok(frames.some((f) => f.control && f.type === FrameType.PING));
  toServer.write(dataFrame(3, FLAG_FIN, Buffer.alloc(0)));
  await until(() => frames.some((f) => !f.control && f.streamId === 1 && f.flags & FLAG_FIN));
  // a closed port: the error stream carries upstream's message
  toServer.write(synStream(5, FLAG_FIN, await compress({ streamtype: "error", port: "1", requestid: "1" })));
  toServer.write(synStream(7, 0, await compress({ streamtype: "data", port: "1", requestid: "1" })));
  await until(() => frames.some((f) => !f.control && f.streamId === 5 && f.payload.length > 0));
  const msg = frames.find((f) => !f.control && f.streamId === 5 && f.payload.length > 0);
  assert.match(
    msg?.payload.toString() ?? "",
    /^error forwarding port 1 to pod web_default, uid u1: .*ECONNREFUSED/,
  );
  session.close();
  echo.close();
});
