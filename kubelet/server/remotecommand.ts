// The decisions of the kubelet's remote command protocols (exec and attach), free of I/O: which streams a
// request asks for, which SPDY sub-protocol to speak (httpstream.Handshake), which streams to wait for
// (kubelet/pkg/cri/streaming/remotecommand/httpstream.go) and what the error stream carries at the end
// (v4: a JSON metav1.Status; v1-v3: the failure's message as text). The transports are in channels.ts.

/** The SPDY sub-protocols the kubelet serves for exec and attach, newest first (upstream's list). */
export const SPDY_STREAM_PROTOCOLS = [
  "v4.channel.k8s.io",
  "v3.channel.k8s.io",
  "v2.channel.k8s.io",
  "channel.k8s.io",
] as const;
export type SpdyStreamProtocol = (typeof SPDY_STREAM_PROTOCOLS)[number];

/** How long the client has to open its streams after the upgrade (upstream DefaultStreamCreationTimeout). */
export const STREAM_CREATION_TIMEOUT_MS = 30_000;

export interface StreamOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/**
 * The streams a request asks for. The kubelet's own names are `input`, `output`, `error` and `tty` with
 * "1" (what kube-apiserver sends it); the pod subresource's `stdin`, `stdout`, `stderr` with "true" (what
 * tskube's apiserver relays unchanged) are taken too. A TTY has no separate stderr, as upstream's NewOptions.
 */
export function streamOptions(q: URLSearchParams): StreamOptions | { error: string } {
  const flag = (name: string, alias: string) =>
    [q.get(name), q.get(alias)].some((v) => v === "true" || v === "1");
  const tty = flag("tty", "tty");
  const opts = {
    stdin: flag("stdin", "input"),
    stdout: flag("stdout", "output"),
    stderr: flag("stderr", "error") && !tty,
    tty,
  };
  if (!opts.stdin && !opts.stdout && !opts.stderr) {
    return { error: "you must specify at least 1 of stdin, stdout, stderr" };
  }
  return opts;
}

/** The protocols of an `X-Stream-Protocol-Version` header: repeated headers and comma lists alike. */
export function clientProtocols(header: string | string[] | undefined): string[] {
  const values = Array.isArray(header) ? header : header === undefined ? [] : [header];
  return values.flatMap((v) => v.split(",").map((p) => p.trim())).filter((p) => p.length > 0);
}

export type Negotiation = { protocol: string } | { code: 400 | 403; message: string };

/**
 * httpstream.Handshake: the first of the client's protocols (in its order of preference) that the server
 * accepts; none offered is a 400, none in common a 403 with upstream's message (Go prints slices as
 * `[a b]`).
 */
export function negotiateProtocol(
  header: string | string[] | undefined,
  serverProtocols: readonly string[],
): Negotiation {
  const client = clientProtocols(header);
  if (client.length === 0) {
    return { code: 400, message: "unable to upgrade: X-Stream-Protocol-Version is required" };
  }
  const protocol = client.find((p) => serverProtocols.includes(p));
  if (protocol) return { protocol };
  return {
    code: 403,
    message: `unable to upgrade: unable to negotiate protocol: client supports [${client.join(" ")}], server accepts [${serverProtocols.join(" ")}]`,
  };
}

export type StreamType = "error" | "stdin" | "stdout" | "stderr" | "resize";

/** Whether `protocol` has a stream of this type: resize came with v3. */
export function knownStreamType(protocol: string, type: string | undefined): type is StreamType {
  switch (type) {
    case "error":
    case "stdin":
    case "stdout":
    case "stderr":
      return true;
    case "resize":
      return protocol === "v4.channel.k8s.io" || protocol === "v3.channel.k8s.io";
    default:
      return false;
  }
}

/** The streams the client opens for `opts`: always an error stream, a resize stream with a TTY (v3+). */
export function expectedStreams(opts: StreamOptions, protocol: string): StreamType[] {
  const types: StreamType[] = ["error"];
  if (opts.stdin) types.push("stdin");
  if (opts.stdout) types.push("stdout");
  if (opts.stderr) types.push("stderr");
  if (opts.tty && knownStreamType(protocol, "resize")) types.push("resize");
  return types;
}

/** The end of a remote command, as the metav1.Status of the v4 error stream / WebSocket channel 3. */
export interface RemoteCommandStatus {
  status: "Success" | "Failure";
  message?: string;
  reason?: string;
  details?: { causes: { reason: string; message: string }[] };
}

/** How an exec ended: Success, or upstream's NonZeroExitCode with the code as the ExitCode cause. */
export function exitStatus(code: number, cmd: string[]): RemoteCommandStatus {
  if (code === 0) return { status: "Success" };
  return {
    status: "Failure",
    message: `command terminated with non-zero exit code: error executing command [${cmd.join(" ")}], exit code ${code}`,
    reason: "NonZeroExitCode",
    details: { causes: [{ reason: "ExitCode", message: String(code) }] },
  };
}

/** The JSON of a metav1.Status as Go marshals it (field order of the struct, empty fields left out). */
export function statusJson(s: RemoteCommandStatus): string {
  return JSON.stringify({
    metadata: {},
    status: s.status,
    ...(s.message ? { message: s.message } : {}),
    ...(s.reason ? { reason: s.reason } : {}),
    ...(s.details ? { details: s.details } : {}),
  });
}

/**
 * What the SPDY error stream carries: v4 the JSON Status (v4WriteStatusFunc); older protocols only a
 * failure's message (v1WriteStatusFunc), nothing on success.
 */
export function errorStreamPayload(protocol: string, s: RemoteCommandStatus): Buffer | undefined {
  if (protocol === "v4.channel.k8s.io") return Buffer.from(statusJson(s));
  if (s.status === "Success") return undefined;
  return Buffer.from(s.message ?? "");
}

export interface TerminalSize {
  Width: number;
  Height: number;
}

/**
 * Splits the JSON objects off the front of a resize stream's text, as Go's json.Decoder reads them (the
 * client's encoder ends each with a newline, but none is needed). Returns the sizes and the unfinished rest;
 * a malformed object is skipped.
 */
export function takeTerminalSizes(text: string): { sizes: TerminalSize[]; rest: string } {
  const sizes: TerminalSize[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (depth === 0) {
      // anything between objects (newlines, garbage) is passed over
      if (c === "{") {
        start = i;
        depth = 1;
      }
      continue;
    }
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) {
      try {
        const v = JSON.parse(text.slice(start, i + 1)) as Partial<TerminalSize>;
        if (typeof v.Width === "number" && typeof v.Height === "number") {
          sizes.push({ Width: v.Width, Height: v.Height });
        }
      } catch {
        // a malformed object is skipped
      }
    }
  }
  return { sizes, rest: depth > 0 ? text.slice(start) : "" };
}

/** How an attach session went, as the decision of its closing status needs it. */
export interface AttachSession {
  /** Bytes the container's streams carried while attached. */
  received: number;
  /** The stream ended on its own (the container exited) rather than being cut after the drain time. */
  streamEnded: boolean;
  /** The container is no longer running. */
  containerStopped: boolean;
  /** The container's log had output from before the attach was made. */
  outputBeforeAttach: boolean;
}

/**
 * Whether an attach reports Success or upstream's "container is in CONTAINER_EXITED state", on which kubectl
 * falls back to the container's logs. A container that had printed everything and exited by the time the
 * attach was made (`kubectl run -i` of an `echo` without stdin: the pod shows Running, then the command is
 * done before kubectl attaches) would otherwise show nothing at all; upstream's runtime answers such an
 * attach with CONTAINER_EXITED, and Docker's stream just ends empty, so the kubelet says so itself.
 */
export function attachClosingStatus(s: AttachSession): "Success" | "ContainerExited" {
  if (s.received > 0) return "Success";
  if (!s.streamEnded) return "ContainerExited";
  return s.containerStopped && s.outputBeforeAttach ? "ContainerExited" : "Success";
}
