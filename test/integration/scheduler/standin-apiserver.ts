// A tiny in-memory apiserver (plain HTTP) with just what kube-scheduler uses: list+watch of pods, nodes
// and the optional kinds, pod create/delete, pods/binding, pods/status merge patch, events. It stands in
// until apiserver/ can run without etcd in tests, and it is the apiserver of the scheduler benchmark.
// Run alone: `node standin-apiserver.js <port>` (prints "listening <port>").
import http from "node:http";

type Obj = {
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    uid?: string;
    [k: string]: unknown;
  };
  [k: string]: unknown;
};
interface Watcher {
  resource: string;
  res: http.ServerResponse;
}

export class StandinApiServer {
  private rv = 1;
  private readonly store = new Map<string, Map<string, Obj>>();
  private readonly watchers = new Set<Watcher>();
  readonly server: http.Server;
  bindings = 0;
  events = 0;

  constructor() {
    this.server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        try {
          this.handle(req, res, body);
        } catch (err) {
          this.status(res, 500, "InternalError", (err as Error).message);
        }
      });
    });
    this.server.keepAliveTimeout = 60_000;
  }

  listen(port = 0): Promise<number> {
    return new Promise((resolve) =>
      this.server.listen(port, "127.0.0.1", () => resolve((this.server.address() as { port: number }).port)),
    );
  }

  close(): Promise<void> {
    for (const w of this.watchers) w.res.end();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private bucket(resource: string): Map<string, Obj> {
    let m = this.store.get(resource);
    if (!m) {
      m = new Map();
      this.store.set(resource, m);
    }
    return m;
  }

  get(resource: string, key: string): Obj | undefined {
    return this.store.get(resource)?.get(key);
  }

  list(resource: string): Obj[] {
    return [...(this.store.get(resource)?.values() ?? [])];
  }

  put(resource: string, obj: Obj, type: "ADDED" | "MODIFIED"): Obj {
    obj.metadata.resourceVersion = String(++this.rv);
    obj.metadata.uid ??= `uid-${this.rv}`;
    const key = obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name;
    this.bucket(resource).set(key, obj);
    this.notify(resource, type, obj);
    return obj;
  }

  remove(resource: string, key: string): Obj | undefined {
    const obj = this.store.get(resource)?.get(key);
    if (!obj) return undefined;
    this.store.get(resource)!.delete(key);
    obj.metadata.resourceVersion = String(++this.rv);
    this.notify(resource, "DELETED", obj);
    return obj;
  }

  private notify(resource: string, type: string, obj: Obj): void {
    const line = `${JSON.stringify({ type, object: obj })}\n`;
    for (const w of this.watchers) if (w.resource === resource) w.res.write(line);
  }

  private status(res: http.ServerResponse, code: number, reason: string, message: string): void {
    res.writeHead(code, { "content-type": "application/json" });
    res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", code, reason, message }));
  }

  private json(res: http.ServerResponse, code: number, obj: unknown): void {
    res.writeHead(code, { "content-type": "application/json" });
    res.end(JSON.stringify(obj));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): unknown {
    const url = new URL(req.url ?? "/", "http://x");
    // /api/v1/[namespaces/<ns>/]<resource>[/<name>[/<sub>]] or /apis/<g>/<v>/...
    const parts = url.pathname.split("/").filter(Boolean);
    const rest = parts[0] === "api" ? parts.slice(2) : parts.slice(3);
    let ns: string | undefined;
    if (rest[0] === "namespaces" && rest.length >= 3) {
      ns = rest[1];
      rest.splice(0, 2);
    }
    const [resource, name, sub] = rest;
    const key = ns ? `${ns}/${name}` : name;
    const method = req.method ?? "GET";
    if (method === "GET" && !name) {
      if (url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1") {
        res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
        const w = { resource, res };
        this.watchers.add(w);
        res.on("close", () => this.watchers.delete(w));
        return;
      }
      const items = this.list(resource).filter((o) => !ns || o.metadata.namespace === ns);
      this.json(res, 200, {
        kind: "List",
        apiVersion: "v1",
        metadata: { resourceVersion: String(this.rv) },
        items,
      });
      return;
    }
    if (method === "GET") {
      const o = this.get(resource, key);
      if (!o) return this.status(res, 404, "NotFound", `${resource} "${name}" not found`);
      return this.json(res, 200, o);
    }
    if (method === "POST" && resource === "pods" && sub === "binding") {
      const pod = this.get("pods", key);
      if (!pod) return this.status(res, 404, "NotFound", `pods "${name}" not found`);
      const spec = pod.spec as { nodeName?: string };
      if (spec.nodeName) {
        return this.status(
          res,
          409,
          "Conflict",
          `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is already assigned to node "${spec.nodeName}"`,
        );
      }
      const target = (JSON.parse(body) as { target: { name: string } }).target.name;
      const next = structuredClone(pod);
      (next.spec as { nodeName?: string }).nodeName = target;
      next.status ??= {};
      const st = next.status as { conditions?: { type: string }[] };
      st.conditions = [
        ...(st.conditions ?? []).filter((c) => c.type !== "PodScheduled"),
        { type: "PodScheduled", status: "True" } as { type: string },
      ];
      this.put("pods", next, "MODIFIED");
      this.bindings++;
      return this.json(res, 201, { kind: "Status", apiVersion: "v1", status: "Success", code: 201 });
    }
    if (method === "POST" && (resource === "events" || !name)) {
      const obj = JSON.parse(body) as Obj;
      if (resource === "events") {
        this.events++;
        return this.json(res, 201, { ...obj, metadata: { ...obj.metadata, resourceVersion: "1" } });
      }
      if (ns) obj.metadata.namespace = ns;
      if (this.get(resource, ns ? `${ns}/${obj.metadata.name}` : obj.metadata.name)) {
        return this.status(res, 409, "AlreadyExists", `${resource} "${obj.metadata.name}" already exists`);
      }
      return this.json(res, 201, this.put(resource, obj, "ADDED"));
    }
    if (method === "PATCH") {
      if (resource === "events") return this.json(res, 200, JSON.parse(body));
      const o = this.get(resource, key);
      if (!o) return this.status(res, 404, "NotFound", `${resource} "${name}" not found`);
      const patch = JSON.parse(body) as Record<string, Record<string, unknown>>;
      const next = structuredClone(o);
      for (const [k, v] of Object.entries(patch)) {
        if (k === "metadata") continue;
        const cur = (next[k] ?? {}) as Record<string, unknown>;
        for (const [f, fv] of Object.entries(v)) {
          if (fv === null) delete cur[f];
          else cur[f] = fv;
        }
        next[k] = cur;
      }
      return this.json(res, 200, this.put(resource, next, "MODIFIED"));
    }
    if (method === "PUT") {
      const obj = JSON.parse(body) as Obj;
      return this.json(res, 200, this.put(resource, obj, "MODIFIED"));
    }
    if (method === "DELETE") {
      const o = this.remove(resource, key);
      if (!o) return this.status(res, 404, "NotFound", `${resource} "${name}" not found`);
      return this.json(res, 200, o);
    }
    this.status(res, 405, "MethodNotAllowed", `${method} ${url.pathname}`);
  }
}

if (process.argv[1]?.endsWith("standin-apiserver.js") && process.argv[2]) {
  const s = new StandinApiServer();
  const port = await s.listen(Number(process.argv[2]));
  process.stdout.write(`listening ${port}\n`);
}
