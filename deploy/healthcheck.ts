// Container health check: exits 0 when every URL given answers 2xx within 2 s, else 1 with the reason.
// HTTPS URLs are checked against the cluster CA (mounted at /etc/tskube/pki/ca.crt) when present.
// Used by docker-compose's healthcheck, where no curl is installed.
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";

function readCa(): Buffer | undefined {
  try {
    return readFileSync(process.env.TSKUBE_CA ?? "/etc/tskube/pki/ca.crt");
  } catch {
    return undefined;
  }
}

function check(url: string, ca: Buffer | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const get = u.protocol === "https:" ? https.get : http.get;
    const req = get(u, { timeout: 2000, ca, servername: "localhost" }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      if (code >= 200 && code < 300) resolve();
      else reject(new Error(`${url}: HTTP ${code}`));
    });
    req.on("timeout", () => req.destroy(new Error(`${url}: timed out`)));
    req.on("error", reject);
  });
}

const urls = process.argv.slice(2);
const ca = readCa();
Promise.all(urls.map((u) => check(u, ca))).then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err.message);
    process.exit(1);
  },
);
