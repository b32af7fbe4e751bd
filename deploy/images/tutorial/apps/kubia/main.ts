// luksa/kubia, luksa/kubia:v1/v2/v3 and luksa/kubia-unhealthy on port 8080 (see respond.ts).
import os from "node:os";
import { listen } from "../shared/server.js";
import { kubiaRespond, kubiaVariant } from "./respond.js";

const variant = kubiaVariant(process.env.KUBIA_VARIANT);
let requestCount = 0;
// No SIGTERM handler, as in the book's image (`ENTRYPOINT ["node", "app.js"]`): node is PID 1, where an
// unhandled SIGTERM is ignored, so a stopped kubia container is SIGKILLed at the end of its grace period
// and shows exit code 137 (seeds 002 L1015-1026 explain that figure).
console.log("Kubia server starting...");
await listen(8080, (req, res) => {
  console.log(`Received request from ${req.socket.remoteAddress}`);
  requestCount++;
  const { status, body } = kubiaRespond(variant, requestCount, os.hostname());
  res.writeHead(status);
  res.end(body);
});
