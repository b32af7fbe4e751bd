import assert from "node:assert/strict";
import { test } from "node:test";
import {
  attachClosingStatus,
  clientProtocols,
  errorStreamPayload,
  exitStatus,
  expectedStreams,
  knownStreamType,
  negotiateProtocol,
  SPDY_STREAM_PROTOCOLS,
  type StreamOptions,
  statusJson,
  streamOptions,
  takeTerminalSizes,
} from "./remotecommand.js";

test("streamOptions: the kubelet's names (input/output/error=1) and the subresource's (stdin/stdout/stderr=true)", () => {
  const cases: [string, StreamOptions | { error: string }][] = [
    ["output=1&error=1", { stdin: false, stdout: true, stderr: true, tty: false }],
    ["stdin=true&stdout=true&stderr=true", { stdin: true, stdout: true, stderr: true, tty: false }],
    ["input=1&output=1&tty=1", { stdin: true, stdout: true, stderr: false, tty: true }],
    // a TTY has no separate stderr
    ["stdout=true&stderr=true&tty=true", { stdin: false, stdout: true, stderr: false, tty: true }],
    ["stdout=false&stderr=0", { error: "you must specify at least 1 of stdin, stdout, stderr" }],
    ["tty=true", { error: "you must specify at least 1 of stdin, stdout, stderr" }],
  ];
  for (const [q, want] of cases) assert.deepEqual(streamOptions(new URLSearchParams(q)), want, q);
});

test("negotiateProtocol: the client's first protocol the server accepts, else upstream's 400/403", () => {
  const kubectl132 = [
    "v5.channel.k8s.io",
    "v4.channel.k8s.io",
    "v3.channel.k8s.io",
    "v2.channel.k8s.io",
    "channel.k8s.io",
  ];
  const cases: [string | string[] | undefined, ReturnType<typeof negotiateProtocol>][] = [
    [kubectl132.join(", "), { protocol: "v4.channel.k8s.io" }],
    [kubectl132, { protocol: "v4.channel.k8s.io" }],
    // kubectl 1.20 as it prints its headers
    [
      "v4.channel.k8s.io, v3.channel.k8s.io, v2.channel.k8s.io, channel.k8s.io",
      { protocol: "v4.channel.k8s.io" },
    ],
    // the client's preference wins over the server's order
    [["v2.channel.k8s.io", "v4.channel.k8s.io"], { protocol: "v2.channel.k8s.io" }],
    ["channel.k8s.io", { protocol: "channel.k8s.io" }],
    [undefined, { code: 400, message: "unable to upgrade: X-Stream-Protocol-Version is required" }],
    [" , ", { code: 400, message: "unable to upgrade: X-Stream-Protocol-Version is required" }],
    [
      ["v5.channel.k8s.io", "v9"],
      {
        code: 403,
        message:
          "unable to upgrade: unable to negotiate protocol: client supports [v5.channel.k8s.io v9], server accepts [v4.channel.k8s.io v3.channel.k8s.io v2.channel.k8s.io channel.k8s.io]",
      },
    ],
  ];
  for (const [header, want] of cases) {
    assert.deepEqual(negotiateProtocol(header, SPDY_STREAM_PROTOCOLS), want, String(header));
  }
  assert.deepEqual(clientProtocols(["a, b", "c"]), ["a", "b", "c"]);
});

test("expectedStreams: error always, the requested ones, resize with a TTY from v3 on", () => {
  const o = (stdin: boolean, stdout: boolean, stderr: boolean, tty: boolean): StreamOptions => ({
    stdin,
    stdout,
    stderr,
    tty,
  });
  const cases: [StreamOptions, string, string[]][] = [
    [o(false, true, true, false), "v4.channel.k8s.io", ["error", "stdout", "stderr"]],
    [o(true, true, true, false), "v4.channel.k8s.io", ["error", "stdin", "stdout", "stderr"]],
    [o(true, true, false, true), "v4.channel.k8s.io", ["error", "stdin", "stdout", "resize"]],
    [o(true, true, false, true), "v3.channel.k8s.io", ["error", "stdin", "stdout", "resize"]],
    [o(true, true, false, true), "v2.channel.k8s.io", ["error", "stdin", "stdout"]],
    [o(true, true, false, true), "channel.k8s.io", ["error", "stdin", "stdout"]],
  ];
  for (const [opts, protocol, want] of cases) {
    assert.deepEqual(expectedStreams(opts, protocol), want, `${protocol} ${JSON.stringify(opts)}`);
  }
  assert.equal(knownStreamType("v2.channel.k8s.io", "resize"), false);
  assert.equal(knownStreamType("v4.channel.k8s.io", "data"), false);
  assert.equal(knownStreamType("v4.channel.k8s.io", undefined), false);
});

test("status: Success, NonZeroExitCode with the ExitCode cause, as Go marshals metav1.Status", () => {
  assert.equal(statusJson(exitStatus(0, ["echo", "hi"])), '{"metadata":{},"status":"Success"}');
  assert.equal(
    statusJson(exitStatus(3, ["sh", "-c", "exit 3"])),
    '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}',
  );
  assert.equal(
    statusJson({
      status: "Failure",
      reason: "InternalError",
      message: "container is in CONTAINER_EXITED state",
    }),
    '{"metadata":{},"status":"Failure","message":"container is in CONTAINER_EXITED state","reason":"InternalError"}',
  );
});

test("errorStreamPayload: v4 the JSON Status, older protocols a failure's message only", () => {
  const failed = exitStatus(2, ["false"]);
  assert.equal(
    errorStreamPayload("v4.channel.k8s.io", { status: "Success" })?.toString(),
    statusJson({ status: "Success" }),
  );
  assert.equal(errorStreamPayload("v4.channel.k8s.io", failed)?.toString(), statusJson(failed));
  for (const p of ["v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io"]) {
    assert.equal(errorStreamPayload(p, { status: "Success" }), undefined, p);
    assert.equal(errorStreamPayload(p, failed)?.toString(), failed.message, p);
  }
});

test("takeTerminalSizes: JSON objects as a json.Decoder reads them, across reads", () => {
  assert.deepEqual(takeTerminalSizes('{"Width":80,"Height":24}\n{"Width":100,"Height":40}\n'), {
    sizes: [
      { Width: 80, Height: 24 },
      { Width: 100, Height: 40 },
    ],
    rest: "",
  });
  // no newline needed; an unfinished object is kept for the next read
  const a = takeTerminalSizes('{"Width":1,"Height":2}{"Width":3,');
  assert.deepEqual(a, { sizes: [{ Width: 1, Height: 2 }], rest: '{"Width":3,' });
  assert.deepEqual(takeTerminalSizes(`${a.rest}"Height":4}`), { sizes: [{ Width: 3, Height: 4 }], rest: "" });
  // braces inside strings do not count; malformed or foreign objects are skipped
  assert.deepEqual(takeTerminalSizes('{"x":"}{"}\n{"Width":5,"Height":6}x{bad}'), {
    sizes: [{ Width: 5, Height: 6 }],
    rest: "",
  });
});

test("attachClosingStatus: an attach that saw nothing of a container done before it sends kubectl to the logs", () => {
  const base = { received: 0, streamEnded: true, containerStopped: true, outputBeforeAttach: true };
  // `kubectl run -i` of an echo: printed and exited before the attach; kubectl falls back to its logs
  assert.equal(attachClosingStatus(base), "ContainerExited");
  // output streamed while attached: what the user saw is the session
  assert.equal(attachClosingStatus({ ...base, received: 12 }), "Success");
  // a silent container that exited while attached, or a client that went away from a running one
  assert.equal(attachClosingStatus({ ...base, outputBeforeAttach: false }), "Success");
  assert.equal(
    attachClosingStatus({ ...base, containerStopped: false, outputBeforeAttach: false }),
    "Success",
  );
  // Docker held the stream of a stopped container (it waits for a restart) and nothing came
  assert.equal(
    attachClosingStatus({ ...base, streamEnded: false, outputBeforeAttach: false }),
    "ContainerExited",
  );
  assert.equal(attachClosingStatus({ ...base, streamEnded: false, received: 3 }), "Success");
});
