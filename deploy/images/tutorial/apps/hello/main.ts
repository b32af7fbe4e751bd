// tsouche/learn-kubernetes:part3 (HELLO_VERSION=1) and :part3v2 (HELLO_VERSION=2), on port 80.
import os from "node:os";
import { envInt, exitOnSignals, listen } from "../shared/server.js";
import { helloPage, helloVersion, notFoundPage, werkzeugLogLine } from "./page.js";

const version = helloVersion(process.env.HELLO_VERSION);
const port = envInt("PORT", 80);
exitOnSignals();

await listen(port, (req, res) => {
  const path = new URL(req.url ?? "/", "http://x").pathname;
  const ok = path === "/" && (req.method === "GET" || req.method === "HEAD");
  const body = ok ? helloPage(version, process.env.NAME ?? "world", os.hostname()) : notFoundPage;
  const status = ok ? 200 : path === "/" ? 405 : 404;
  res.writeHead(status, {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(req.method === "HEAD" ? undefined : body);
  const remote = (req.socket.remoteAddress ?? "-").replace(/^::ffff:/, "");
  process.stderr.write(
    `${werkzeugLogLine(remote, new Date(), `${req.method} ${req.url} HTTP/${req.httpVersion}`, status)}\n`,
  );
});
process.stderr.write(` * Running on http://0.0.0.0:${port}/ (Press CTRL+C to quit)\n`);
