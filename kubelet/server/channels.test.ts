import assert from "node:assert/strict";
import { Duplex } from "node:stream";
import { test } from "node:test";
import { spdyChannels } from "./channels.js";
import type { StreamOptions } from "./remotecommand.js";
import {
  controlFrame,
  dataFrame,
  FLAG_FIN,
  type Frame,
  FrameType,
  HeaderEncoder,
  parseFrames,
  SpdySession,
} from "./spdy.js";

/** A SPDY session on an in-memory transport, and the client's end of it. */
function pair() {
  const frames: Frame[] = [];
  let buf = Buffer.alloc(0);
  let ended = false;
  const transport = new Duplex({
    read() {},
    write(chunk: Buffer, _e, cb) {
      const r = parseFrames(Buffer.concat([buf, chunk]));
      buf = Buffer.from(r.rest);
      frames.push(...r.frames);
      cb();
    },
    final(cb) {
      ended = true;
      cb();
    },
  });
  const session = new SpdySession(transport);
  const encoder = new HeaderEncoder();
  let nextId = 1;
  const client = {
    open(streamtype: string): number {
      const id = nextId;
      nextId += 2;
      const p = Buffer.alloc(10);
      p.writeUInt32BE(id, 0);
      transport.push(
        controlFrame(FrameType.SYN_STREAM, 0, Buffer.concat([p, encoder.encode({ streamtype })])),
      );
      return id;
    },
    send(id: number, data: string, fin = false) {
      transport.push(dataFrame(id, fin ? FLAG_FIN : 0, Buffer.from(data)));
    },
    dataOf: (id: number) =>
      frames
        .filter((f) => !f.control && f.streamId === id)
        .map((f) => f.payload.toString())
        .join(""),
    finished: (id: number) => frames.some((f) => !f.control && f.streamId === id && f.flags & FLAG_FIN),
    controls: (type: number) => frames.filter((f) => f.control && f.type === type),
    ended: () => ended,
    /** the client closes the connection */
    close: () => transport.push(null),
  };
  return { session, client };
}

const opts = (o: Partial<StreamOptions>): StreamOptions => ({
  stdin: false,
  stdout: false,
  stderr: false,
  tty: false,
  ...o,
});
const tick = () => new Promise((r) => setImmediate(r));

test("spdy channels: ready once the expected streams are open; output, v4 Status, FINs, then GOAWAY", async () => {
  const { session, client } = pair();
  const ready = spdyChannels(session, {
    protocol: "v4.channel.k8s.io",
    opts: opts({ stdin: true, stdout: true, stderr: true }),
    timeoutMs: 5000,
  });
  const error = client.open("error");
  const stdin = client.open("stdin");
  const other = client.open("data"); // not a remote command stream: accepted, not counted
  const stdout = client.open("stdout");
  client.send(stdin, "typed ");
  const stderr = client.open("stderr");
  const ch = await ready;
  assert.equal(client.controls(FrameType.SYN_REPLY).length, 5);
  assert.ok(other > 0);
  client.send(stdin, "early", true);
  let typed = "";
  ch.stdin?.on("data", (d: Buffer) => {
    typed += d.toString();
  });
  await new Promise((r) => ch.stdin?.on("end", r));
  assert.equal(typed, "typed early");
  ch.stdout?.write("out");
  ch.stderr?.write("err");
  await ch.sendStatus({ status: "Success" });
  assert.equal(client.dataOf(stdout), "out");
  assert.equal(client.dataOf(stderr), "err");
  assert.equal(client.dataOf(error), '{"metadata":{},"status":"Success"}');
  for (const id of [error, stdin, stdout, stderr]) assert.ok(client.finished(id), `stream ${id} ended`);
  assert.equal(client.controls(FrameType.GOAWAY).length, 1);
  // the connection is left for the client to close once it has read everything; new streams are refused
  assert.ok(!client.ended() && !ch.closed);
  const late = client.open("stdout");
  await tick();
  assert.deepEqual(
    client.controls(FrameType.RST_STREAM).map((f) => [f.payload.readUInt32BE(0), f.payload.readUInt32BE(4)]),
    [[late, 3]],
  );
  let closed = false;
  ch.onClose(() => {
    closed = true;
  });
  client.close();
  await tick();
  assert.ok(client.ended() && ch.closed && closed);
});

test("spdy channels: resize sizes from the resize stream, kept until someone listens", async () => {
  const { session, client } = pair();
  const ready = spdyChannels(session, {
    protocol: "v3.channel.k8s.io",
    opts: opts({ stdout: true, tty: true }),
    timeoutMs: 5000,
  });
  client.open("error");
  client.open("stdout");
  const resize = client.open("resize");
  const ch = await ready;
  client.send(resize, '{"Width":80,"Height":24}\n{"Width":100,');
  client.send(resize, '"Height":40}\n');
  await tick();
  const sizes: unknown[] = [];
  ch.onResize((s) => sizes.push(s));
  assert.deepEqual(sizes, [
    { Width: 80, Height: 24 },
    { Width: 100, Height: 40 },
  ]);
  // v3: nothing on the error stream for a success, its message for a failure
  await ch.sendStatus({ status: "Failure", message: "boom" });
  assert.equal(client.dataOf(1), "boom");
});

test("spdy channels: channel.k8s.io resets the error stream and closes the server's side of stdin at once", async () => {
  const { session, client } = pair();
  const ready = spdyChannels(session, {
    protocol: "channel.k8s.io",
    opts: opts({ stdin: true, stdout: true }),
    timeoutMs: 5000,
  });
  const error = client.open("error");
  const stdin = client.open("stdin");
  client.open("stdout");
  await ready;
  await tick();
  const rst = client.controls(FrameType.RST_STREAM).map((f) => f.payload.readUInt32BE(0));
  assert.deepEqual(rst, [error]);
  assert.ok(client.finished(stdin));
});

test("spdy channels: a client too slow to open its streams, or gone, is an error", async () => {
  const slow = pair();
  const late = spdyChannels(slow.session, {
    protocol: "v4.channel.k8s.io",
    opts: opts({ stdout: true }),
    timeoutMs: 20,
  });
  slow.client.open("error");
  await assert.rejects(late, /timed out waiting for client to create streams/);
  assert.equal(slow.client.controls(FrameType.GOAWAY).length, 1);
  const gone = pair();
  const closed = spdyChannels(gone.session, {
    protocol: "v4.channel.k8s.io",
    opts: opts({ stdout: true }),
    timeoutMs: 5000,
  });
  gone.session.close("transport ended");
  await assert.rejects(closed, /connection closed before the client created its streams: transport ended/);
});
