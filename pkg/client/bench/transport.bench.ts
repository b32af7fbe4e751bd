// Which transport for many small requests: HTTP/1.1 keep-alive agent or one HTTP/2 session?
// The fake apiserver runs in a child process (its own core); the client runs here.
// Run: node .tmp/client/pkg/client/bench/transport.bench.js
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ConfigMaps } from "../gvr.js";
import { RestClient } from "../rest.js";
import { FakeApiServer, testCerts } from "../testing/fakeserver.js";
import type { ApiObject } from "../types.js";

if (process.argv[2] === "serve") {
  const server = await FakeApiServer.start({ http2: true });
  server.seed(ConfigMaps, { metadata: { name: "small", namespace: "bench" }, data: { k: "v" } } as ApiObject);
  process.send?.(server.url);
} else {
  const child = fork(fileURLToPath(import.meta.url), ["serve"]);
  const url = await new Promise<string>((resolve) => child.once("message", (m) => resolve(String(m))));
  const config = {
    server: url,
    caData: testCerts.ca,
    certData: testCerts.clientCert,
    keyData: testCerts.clientKey,
  };
  const total = Number(process.env.N ?? 4000);
  const rows: string[] = [];
  for (const concurrency of [1, 10, 100]) {
    for (const http2 of [false, true]) {
      const client = new RestClient(config, { http2, qps: 0 });
      const cms = client.resource(ConfigMaps, "bench");
      for (let i = 0; i < 50; i++) await cms.get("small"); // warm up, connect
      const start = process.hrtime.bigint();
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next++ < total) await cms.get("small");
        }),
      );
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      rows.push(
        `${http2 ? "h2      " : "http/1.1"}  concurrency ${String(concurrency).padStart(3)}  ${Math.round((total / ms) * 1000)} req/s  (${(ms / total).toFixed(3)} ms/req)`,
      );
      client.close();
    }
  }
  child.kill();
  console.log(`GET of one small object, ${total} requests per row\n${rows.join("\n")}`);
}
