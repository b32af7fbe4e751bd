// luksa/kubia, luksa/kubia:v1/v2/v3 and luksa/kubia-unhealthy on port 8080 (see respond.ts).
import os from "node:os";
import { listen } from "../shared/server.js";
import { kubiaRespond, kubiaVariant } from "./respond.js";

const variant = kubiaVariant(process.env.KUBIA_VARIANT);
let requestCount = 0;
// The book's image runs `node app.js` as PID 1, where the kernel ignores a SIGTERM the app does not
// handle: a stopped kubia container is SIGKILLed at the end of its grace period and shows exit code 137
// (seeds 002 L1015-1026 explain that figure). tskube's pods share the node's PID namespace
// (ARCHITECTURE.md section 3), so the app is not PID 1 here: it ignores SIGTERM itself to behave the same.
process.on("SIGTERM", () => {});
console.log("Kubia server starting...");
await listen(8080, (req, res) => {
  console.log(`Received request from ${req.socket.remoteAddress}`);
  requestCount++;
  const { status, body } = kubiaRespond(variant, requestCount, os.hostname());
  res.writeHead(status);
  res.end(body);
});
