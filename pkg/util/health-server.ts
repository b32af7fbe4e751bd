// The small HTTP endpoint every component serves for its container health check and for Prometheus:
// /healthz and /livez (the process is alive), /readyz (the component says it is ready), /metrics.
import http from "node:http";
import { register } from "prom-client";

export interface HealthServerOptions {
  port: number;
  host?: string;
  /** Returns an error message when not ready; undefined when ready. */
  ready?: () => string | undefined;
}

export function startHealthServer(opts: HealthServerOptions): http.Server {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz" || path === "/livez") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    } else if (path === "/readyz") {
      const problem = opts.ready?.();
      if (problem === undefined) res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      else res.writeHead(503, { "content-type": "text/plain" }).end(problem);
    } else if (path === "/metrics") {
      register.metrics().then(
        (body) => res.writeHead(200, { "content-type": register.contentType }).end(body),
        (err: Error) => res.writeHead(500).end(err.message),
      );
    } else {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  server.listen(opts.port, opts.host ?? "0.0.0.0");
  return server;
}
