// Small pure pieces of kuard's request handling: the request dump on the first tab, and the routing
// of the paths the original serves (also under /a, /b and /c, for the path-based Ingress example).

/** Go's canonical header key: "user-agent" -> "User-Agent". */
export function canonicalHeaderKey(k: string): string {
  return k
    .toLowerCase()
    .split("-")
    .map((p) => (p === "" ? p : p[0]!.toUpperCase() + p.slice(1)))
    .join("-");
}

/** What Go's httputil.DumpRequest(r, false) shows, trimmed: request line, Host, sorted headers. */
export function dumpRequest(
  method: string,
  url: string,
  httpVersion: string,
  rawHeaders: readonly string[],
): string {
  let host = "";
  const headers: [string, string][] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const key = canonicalHeaderKey(rawHeaders[i]!);
    if (key === "Host") host = rawHeaders[i + 1]!;
    else if (key !== "Transfer-Encoding" && key !== "Trailer") headers.push([key, rawHeaders[i + 1]!]);
  }
  headers.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const lines = [
    `${method} ${url} HTTP/${httpVersion}`,
    `Host: ${host}`,
    ...headers.map(([k, v]) => `${k}: ${v}`),
  ];
  return lines.join("\r\n").trim();
}

export type Route =
  | { kind: "page" }
  | { kind: "probe"; probe: "healthy" | "ready"; api: boolean }
  | { kind: "env" }
  | { kind: "mem"; action: "get" | "alloc" | "clear" }
  | { kind: "dns" }
  | { kind: "keygen" }
  | { kind: "memq"; action: "stats" | "queue" | "drain" | "dequeue" | "enqueue"; queue: string }
  | { kind: "fs"; rest: string }
  | { kind: "metrics" };

export interface Routed {
  urlBase: string;
  route: Route;
  /** The methods the path answers to (for 405). */
  methods: string[];
}

/** Which handler serves a path, and with which methods; undefined for 404. */
export function routeOf(pathname: string): Routed | undefined {
  const m = /^(\/[abc])?(\/.*)$/.exec(pathname);
  if (!m) return undefined;
  const urlBase = m[1] ?? "";
  const p = m[2]!;
  const get = ["GET", "HEAD"];
  const routed = (route: Route, methods: string[]) => ({ urlBase, route, methods });
  if (p === "/" || p.startsWith("/-/")) return routed({ kind: "page" }, get);
  if (p.startsWith("/fs/")) return routed({ kind: "fs", rest: p.slice(3) }, get);
  if (p === "/fs") return routed({ kind: "fs", rest: "" }, get);
  const probe = /^\/(healthy|ready)(\/api)?$/.exec(p);
  if (probe) {
    const api = probe[2] !== undefined;
    return routed(
      { kind: "probe", probe: probe[1] as "healthy" | "ready", api },
      api ? [...get, "PUT", "POST"] : get,
    );
  }
  switch (p) {
    case "/env/api":
      return routed({ kind: "env" }, get);
    case "/mem/api":
      return routed({ kind: "mem", action: "get" }, get);
    case "/mem/api/alloc":
      return routed({ kind: "mem", action: "alloc" }, ["POST"]);
    case "/mem/api/clear":
      return routed({ kind: "mem", action: "clear" }, ["POST"]);
    case "/dns/api":
      return routed({ kind: "dns" }, ["POST"]);
    case "/keygen/api":
      return routed({ kind: "keygen" }, [...get, "PUT"]);
    case "/metrics":
      return routed({ kind: "metrics" }, get);
    case "/memq/server/stats":
      return routed({ kind: "memq", action: "stats", queue: "" }, get);
  }
  const q = /^\/memq\/server\/queues\/([^/]+)(?:\/(drain|dequeue|enqueue))?$/.exec(p);
  if (q) {
    const queue = decodeURIComponent(q[1]!);
    const action = (q[2] ?? "queue") as "queue" | "drain" | "dequeue" | "enqueue";
    return routed({ kind: "memq", action, queue }, action === "queue" ? ["PUT", "DELETE"] : ["POST"]);
  }
  return undefined;
}
