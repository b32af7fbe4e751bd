// gcr.io/google-samples/hello-app:1.0 and :2.0 (HELLO_APP_VERSION=1.0.0 or 2.0.0): a Go app in the
// original, answering every path on $PORT (8080) with a greeting, its version and the hostname.
import os from "node:os";
import { envInt, exitOnSignals, goLog, listen } from "../shared/server.js";

function helloAppBody(version: string, hostname: string): string {
  return `Hello, world!\nVersion: ${version}\nHostname: ${hostname}\n`;
}

const version = process.env.HELLO_APP_VERSION ?? "1.0.0";
const port = envInt("PORT", 8080);
exitOnSignals();
goLog(`Server listening on port ${port}`);
await listen(port, (req, res) => {
  goLog(`Serving request: ${new URL(req.url ?? "/", "http://x").pathname}`);
  res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(helloAppBody(version, os.hostname()));
});
