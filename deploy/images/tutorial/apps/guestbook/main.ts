// gcr.io/google_samples/gb-frontend:v3 on port 80: the guestbook page, and guestbook.php talking to
// redis-master (writes) and redis-slave (reads), or to the hosts from the service environment
// variables when GET_HOSTS_FROM=env, as the original PHP frontend does.
import net from "node:net";
import { exitOnSignals, listen } from "../shared/server.js";
import { guestbookPage } from "./page.js";
import { encodeCommand, parseReply, type RespValue } from "./resp.js";

function redisHost(role: "master" | "slave"): string {
  if (process.env.GET_HOSTS_FROM === "env") {
    return process.env[`REDIS_${role.toUpperCase()}_SERVICE_HOST`] ?? `redis-${role}`;
  }
  return `redis-${role}`;
}

function redis(host: string, args: string[]): Promise<RespValue> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const socket = net.connect({ host, port: 6379, timeout: 5000 });
    socket.on("connect", () => socket.write(encodeCommand(args)));
    socket.on("data", (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      const reply = parseReply(buf);
      if (reply) {
        socket.end();
        resolve(reply.value);
      }
    });
    socket.on("timeout", () => socket.destroy(new Error(`connection to ${host}:6379 timed out`)));
    socket.on("error", reject);
  });
}

function apacheTime(d: Date): string {
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

exitOnSignals();
await listen(80, async (req, res) => {
  const url = new URL(req.url ?? "/", "http://x");
  let status = 200;
  let body: string;
  let type = "text/html; charset=UTF-8";
  if (url.pathname === "/" || url.pathname === "/index.html") {
    body = guestbookPage;
  } else if (url.pathname === "/guestbook.php" && url.searchParams.has("cmd")) {
    type = "application/json";
    const key = url.searchParams.get("key") ?? "";
    try {
      if (url.searchParams.get("cmd") === "set") {
        await redis(redisHost("master"), ["SET", key, url.searchParams.get("value") ?? ""]);
        body = '{"message": "Updated"}';
      } else {
        const value = await redis(redisHost("slave"), ["GET", key]);
        body = `{"data": ${JSON.stringify(typeof value === "string" ? value : "")}}`;
      }
    } catch (err) {
      status = 500;
      body = `{"error": ${JSON.stringify(String(err))}}`;
    }
  } else {
    status = 404;
    body = `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n`;
  }
  res.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(body) });
  res.end(body);
  const remote = (req.socket.remoteAddress ?? "-").replace(/^::ffff:/, "");
  const line = `${req.method} ${req.url} HTTP/${req.httpVersion}`;
  const agent = req.headers["user-agent"] ?? "-";
  console.log(
    `${remote} - - [${apacheTime(new Date())}] "${line}" ${status} ${Buffer.byteLength(body)} "-" "${agent}"`,
  );
});
