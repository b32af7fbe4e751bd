// The portforward.k8s.io protocol on a SPDY session, as the kubelet's server/portforward/httpstream.go:
// per forwarded connection the client opens an "error" and a "data" stream sharing a requestID; the data
// stream is joined to a TCP connection to the pod's port, and a failure is written on the error stream.
import { spawn } from "node:child_process";
import net from "node:net";
import { Duplex } from "node:stream";
import type { SpdySession, SpdyStream } from "./spdy.js";

export interface PortForwardTarget {
  /** the pod as "name_namespace" for messages, and its uid */
  pod: string;
  uid: string;
  /** opens a connection to the pod's port; rejects with the reason it could not */
  dial: (port: number) => Promise<Duplex>;
}

interface Pair {
  error?: SpdyStream;
  data?: SpdyStream;
  failure?: string;
}

/** The message upstream writes on the error stream. */
export function forwardError(port: number, pod: string, uid: string, err: string): string {
  return `error forwarding port ${port} to pod ${pod}, uid ${uid}: ${err}`;
}

export function servePortForward(
  session: SpdySession,
  target: PortForwardTarget,
  log?: (msg: string, fields: Record<string, unknown>) => void,
): void {
  const pairs = new Map<string, Pair>();
  const pairOf = (id: string): Pair => {
    let p = pairs.get(id);
    if (!p) {
      p = {};
      pairs.set(id, p);
    }
    return p;
  };
  const finish = (id: string, p: Pair) => {
    if (p.error && !p.error.writableEnded) {
      if (p.failure) p.error.write(p.failure);
      p.error.end();
    }
    pairs.delete(id);
  };
  session.on("stream", (s) => {
    s.reply();
    s.on("error", () => undefined);
    const type = s.headers.streamtype;
    const requestId = s.headers.requestid ?? String(s.id);
    const pair = pairOf(requestId);
    if (type === "error") {
      pair.error = s;
      // The client never writes here; its FIN must not leave the stream paused.
      s.resume();
      return;
    }
    if (type !== "data") {
      s.destroy(new Error(`invalid stream type "${type}"`));
      return;
    }
    pair.data = s;
    const port = Number(s.headers.port);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) {
      pair.failure = `invalid port "${s.headers.port}"`;
      s.end();
      finish(requestId, pair);
      return;
    }
    target.dial(port).then(
      (conn) => {
        s.pipe(conn);
        conn.pipe(s);
        conn.on("error", (e: Error) => {
          pair.failure = forwardError(port, target.pod, target.uid, e.message);
          if (!s.writableEnded) s.end();
        });
        conn.on("close", () => {
          if (!s.writableEnded) s.end();
          // The error stream is closed once the data stream is done, as upstream's deferred Close.
          setImmediate(() => finish(requestId, pair));
        });
        s.on("close", () => conn.destroy());
      },
      (e: Error) => {
        pair.failure = forwardError(port, target.pod, target.uid, e.message);
        if (!s.writableEnded) s.end();
        finish(requestId, pair);
      },
    );
  });
  session.on("close", (reason) => {
    pairs.clear();
    log?.("port-forward session ended", { pod: target.pod, reason });
  });
}

/** A TCP connection as a promise: resolved once connected. */
export function connectTcp(host: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    sock.setNoDelay(true);
    sock.once("connect", () => {
      sock.removeListener("error", reject);
      resolve(sock);
    });
    sock.once("error", reject);
  });
}

// Runs in the pod's network namespace (nsenter): connects to localhost:port, says so on stderr, then
// relays stdin/stdout, as upstream's port-forward inside the sandbox's namespace.
const NETNS_RELAY = `const net=require("net");const s=net.connect(Number(process.argv[1]),"127.0.0.1");
s.on("connect",()=>{process.stderr.write("connected\\n");process.stdin.pipe(s);s.pipe(process.stdout);});
s.on("error",(e)=>{process.stderr.write(e.message);process.exit(1);});s.on("close",()=>process.exit(0));`;

/** A connection to localhost:port inside the network namespace of the process `pid` (as the node sees it). */
export function connectInNetns(pid: number, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "nsenter",
      [`--net=/proc/${pid}/ns/net`, process.execPath, "-e", NETNS_RELAY, String(port)],
      {
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    let err = "";
    let connected = false;
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
      if (!connected && err.includes("connected\n")) {
        connected = true;
        const duplex = Duplex.from({ readable: child.stdout, writable: child.stdin });
        child.on("exit", () => duplex.destroy());
        duplex.on("close", () => child.kill());
        resolve(duplex);
      }
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (!connected) reject(new Error(err.trim() || `nsenter exited ${code}`));
    });
  });
}

/** The pod's IP first (cheap); a port only bound to localhost in the pod is reached through its netns. */
export async function dialPod(
  podIP: string,
  port: number,
  sandboxPid: () => Promise<number | undefined>,
): Promise<Duplex> {
  try {
    return await connectTcp(podIP, port);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ECONNREFUSED") throw e;
    const pid = await sandboxPid();
    if (!pid) throw e;
    return connectInNetns(pid, port).catch((inner: Error) => {
      throw new Error(
        `failed to connect to localhost:${port} inside the pod's network namespace: ${inner.message}`,
      );
    });
  }
}
