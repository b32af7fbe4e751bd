// What every tutorial app needs around node:http: Go-style log lines, handlers that never take the
// process down, and a prompt exit on SIGTERM (an app is PID 1 in its container, where an unhandled
// SIGTERM is ignored and a pod would take its whole grace period to stop).
import http from "node:http";
import type { AddressInfo } from "node:net";

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

/** "2006/01/02 15:04:05", the prefix of Go's standard logger, in the container's local time. */
export function goLogTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A line as Go's log.Printf writes it (to stderr). */
export function goLog(message: string): void {
  process.stderr.write(`${goLogTime(new Date())} ${message}\n`);
}

/** Wraps a handler so that a throw or a rejected promise answers 500 instead of crashing the app. */
export function safe(handler: Handler): Handler {
  return async (req, res) => {
    try {
      await handler(req, res);
    } catch (err) {
      process.stderr.write(`error serving ${req.method} ${req.url}: ${String(err)}\n`);
      if (!res.headersSent) {
        res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" });
      }
      res.end();
    }
  };
}

/** Starts an HTTP server on the port; resolves once it listens. */
export function listen(port: number, handler: Handler, host?: string): Promise<http.Server> {
  const server = http.createServer(safe(handler));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

export function boundPort(server: http.Server): number {
  return (server.address() as AddressInfo).port;
}

/** Exits at once on SIGTERM and SIGINT, as the tutorials' original (Go, Python) apps effectively do. */
export function exitOnSignals(): void {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => process.exit(0));
  }
}

/** Reads a request body as text, up to a limit (bytes beyond it are dropped). */
export async function readBody(req: http.IncomingMessage, limit = 1 << 20): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    if (size < limit) chunks.push(buf.subarray(0, limit - size));
    size += buf.length;
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** An integer from an environment variable, or the fallback when it is unset or not a number. */
export function envInt(name: string, fallback: number): number {
  const n = Number.parseInt(process.env[name] ?? "", 10);
  return Number.isFinite(n) ? n : fallback;
}
