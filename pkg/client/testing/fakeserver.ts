// A minimal in-memory apiserver for unit tests of anything built on pkg/client: HTTPS (HTTP/1.1, and
// HTTP/2 by ALPN when asked), Kubernetes' REST paths for any resource, resourceVersions from one
// counter, watch with history and 410 for compacted versions, and faults on demand. It is not the
// apiserver: no validation, no defaulting beyond metadata, strategic merge ≈ JSON merge.
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import http from "node:http";
import http2 from "node:http2";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import type { Duplex } from "node:stream";
import { fileURLToPath } from "node:url";
import jsonpatch from "fast-json-patch";
import type { ObjectMeta, Status } from "kubernetes-types/meta/v1";
import type { ResourceRef } from "../gvr.js";
import * as gvr from "../gvr.js";
import type { ClientConfig } from "../kubeconfig.js";
import type { ApiObject } from "../types.js";

/** The certs folder next to this file's source, found from wherever the compiled file runs (dist/, .tmp/x/). */
function findCerts(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "pkg", "client", "testing", "certs");
    if (existsSync(join(candidate, "ca.crt"))) return candidate;
    const local = join(dir, "certs");
    if (existsSync(join(local, "ca.crt"))) return local;
    const up = dirname(dir);
    if (up === dir) throw new Error("pkg/client/testing/certs not found");
    dir = up;
  }
}

let certsDir: string | undefined;
function certFile(name: string): Buffer {
  certsDir ??= findCerts();
  return readFileSync(join(certsDir, name));
}

export const testCerts = {
  get ca(): Buffer {
    return certFile("ca.crt");
  },
  get serverCert(): Buffer {
    return certFile("server.crt");
  },
  get serverKey(): Buffer {
    return certFile("server.key");
  },
  get clientCert(): Buffer {
    return certFile("client.crt");
  },
  get clientKey(): Buffer {
    return certFile("client.key");
  },
};

export interface FakeApiServerOptions {
  /** Serve HTTP/2 as well (chosen by ALPN; HTTP/1.1 clients still work). Default false. */
  http2?: boolean;
  /** Plain HTTP instead of HTTPS. Default false. */
  insecure?: boolean;
  /** Watch events kept for resuming. Default 10,000. */
  historySize?: number;
  /** Send a BOOKMARK this often on watches that allow them. Default 0 (never). */
  bookmarkIntervalMs?: number;
  /** Resources the server knows kinds and scope of (any other path still works). Default: the handles in gvr.ts. */
  resources?: ResourceRef[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body?: string;
}

interface Fault {
  code: number;
  count: number;
  match?: (method: string, path: string) => boolean;
  message?: string;
}

interface HistoryEntry {
  rv: number;
  type: "ADDED" | "MODIFIED" | "DELETED";
  collection: string;
  namespace: string;
  object: Record<string, unknown>;
  old?: Record<string, unknown>;
}

interface Target {
  group: string;
  version: string;
  resource: string;
  namespace: string;
  name?: string;
  subresource?: string;
}

interface Watcher {
  collection: string;
  namespace: string;
  labelSelector: Selector;
  fieldSelector: Selector;
  send(type: string, object: unknown): void;
  end(): void;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Obj = Record<string, unknown> & { metadata?: Mutable<ObjectMeta> };

/** Resources with no status subresource: a PUT may change everything. */
const NO_STATUS = new Set([
  "configmaps",
  "secrets",
  "events",
  "endpoints",
  "endpointslices",
  "leases",
  "serviceaccounts",
  "controllerrevisions",
  "limitranges",
]);

// ---- selectors (minimal: the apiserver and pkg/api own the real parsers) ----

type Requirement =
  | { op: "=" | "!="; key: string; value: string }
  | { op: "in" | "notin"; key: string; values: string[] }
  | { op: "exists" | "!exists"; key: string };
type Selector = Requirement[];

export function parseSelector(s: string | undefined): Selector {
  if (!s) return [];
  const out: Selector = [];
  // split on commas not inside parentheses
  const parts: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(cur);
      cur = "";
    } else cur += ch;
  }
  parts.push(cur);
  for (const raw of parts) {
    const p = raw.trim();
    if (!p) continue;
    let m = /^(\S+)\s+(in|notin)\s+\((.*)\)$/.exec(p);
    if (m) {
      out.push({ op: m[2] as "in" | "notin", key: m[1]!, values: m[3]!.split(",").map((v) => v.trim()) });
      continue;
    }
    m = /^([^!=]+?)\s*(==|!=|=)\s*(.*)$/.exec(p);
    if (m) {
      out.push({ op: m[2] === "!=" ? "!=" : "=", key: m[1]!.trim(), value: m[3]!.trim() });
      continue;
    }
    if (p.startsWith("!")) out.push({ op: "!exists", key: p.slice(1).trim() });
    else out.push({ op: "exists", key: p });
  }
  return out;
}

function matches(sel: Selector, get: (key: string) => string | undefined): boolean {
  for (const r of sel) {
    const v = get(r.key);
    switch (r.op) {
      case "=":
        if (v !== r.value) return false;
        break;
      case "!=":
        if (v === r.value) return false;
        break;
      case "in":
        if (v === undefined || !r.values.includes(v)) return false;
        break;
      case "notin":
        if (v !== undefined && r.values.includes(v)) return false;
        break;
      case "exists":
        if (v === undefined) return false;
        break;
      case "!exists":
        if (v !== undefined) return false;
        break;
    }
  }
  return true;
}

function fieldValue(obj: Obj, path: string): string | undefined {
  let cur: unknown = obj;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return path === "spec.nodeName" ? "" : undefined;
  return String(cur);
}

function objectMatches(obj: Obj, labels: Selector, fields: Selector): boolean {
  const l = (obj.metadata?.labels ?? {}) as Record<string, string>;
  return matches(labels, (k) => l[k]) && matches(fields, (k) => fieldValue(obj, k));
}

// ---- merge patch (RFC 7386) ----

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    target !== null && typeof target === "object" && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

const clone = <T>(x: T): T => structuredClone(x);

function status(code: number, reason: string, message: string, details?: Status["details"]): Status {
  const s: Status = {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    code,
  };
  if (details) s.details = details;
  return s;
}

class HttpError extends Error {
  constructor(readonly status: Status) {
    super(status.message);
  }
}

const GENERATE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

type Req = http.IncomingMessage | http2.Http2ServerRequest;
type Res = http.ServerResponse | http2.Http2ServerResponse;

export class FakeApiServer {
  /** Every request, in order. */
  readonly requests: RecordedRequest[] = [];
  private readonly objects = new Map<string, Obj>();
  private readonly history: HistoryEntry[] = [];
  private rv = 1;
  private compactedRV = 0;
  private readonly watchers = new Set<Watcher>();
  private readonly faults: Fault[] = [];
  private readonly sockets = new Set<Duplex>();
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  private readonly kinds = new Map<string, { kind: string; namespaced: boolean }>();
  private server!: http.Server | https.Server | http2.Http2SecureServer;
  url = "";

  private constructor(private readonly opts: FakeApiServerOptions) {
    const refs =
      opts.resources ??
      (Object.values(gvr) as unknown[]).filter(
        (v): v is ResourceRef => typeof v === "object" && v !== null && "resource" in v,
      );
    for (const r of refs)
      this.kinds.set(`${r.group}/${r.resource}`, { kind: r.kind, namespaced: r.namespaced });
  }

  static async start(opts: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    const s = new FakeApiServer(opts);
    await s.listen();
    return s;
  }

  private async listen(): Promise<void> {
    const handler = (req: Req, res: Res) => {
      this.handle(req, res).catch((err) => {
        try {
          this.sendStatus(res, status(500, "InternalError", String(err)));
        } catch {
          // response already gone
        }
      });
    };
    const tlsOpts = {
      key: testCerts.serverKey,
      cert: testCerts.serverCert,
      ca: testCerts.ca,
      requestCert: true,
      rejectUnauthorized: false,
    };
    if (this.opts.insecure) this.server = http.createServer(handler);
    else if (this.opts.http2) {
      const srv = http2.createSecureServer({ ...tlsOpts, allowHTTP1: true }, handler);
      srv.on("session", (session) => {
        this.sessions.add(session);
        session.on("close", () => this.sessions.delete(session));
      });
      this.server = srv;
    } else this.server = https.createServer(tlsOpts, handler);
    const trackSocket = (socket: Duplex) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    };
    this.server.on(this.opts.insecure ? "connection" : "secureConnection", trackSocket);
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    const port = (this.server.address() as AddressInfo).port;
    this.url = `${this.opts.insecure ? "http" : "https"}://127.0.0.1:${port}`;
  }

  /** A ClientConfig for this server: its CA and the test admin's client certificate. */
  clientConfig(): ClientConfig {
    if (this.opts.insecure) return { server: this.url };
    return {
      server: this.url,
      caData: testCerts.ca,
      certData: testCerts.clientCert,
      keyData: testCerts.clientKey,
    };
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  // ---- faults ----

  /** The next `count` requests (matching `match`, if given) fail with `code`. */
  failNext(fault: {
    code: number;
    count?: number;
    match?: (method: string, path: string) => boolean;
    message?: string;
  }): void {
    this.faults.push({ count: 1, ...fault });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Ends every open watch stream (as an apiserver restart or a load balancer timeout would). */
  closeWatches(): void {
    for (const w of [...this.watchers]) w.end();
  }

  /** Forgets the watch history: watches resuming from an older resourceVersion get 410 Gone. */
  compact(): void {
    this.compactedRV = this.rv;
    this.history.length = 0;
  }

  get watchCount(): number {
    return this.watchers.size;
  }

  async stop(): Promise<void> {
    this.closeWatches();
    for (const s of this.sessions) s.destroy();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- direct access for tests ----

  private storageKey(group: string, resource: string, namespace: string, name: string): string {
    return `${group}/${resource}/${namespace}/${name}`;
  }

  /** Writes objects as if another client created or updated them (watchers see ADDED/MODIFIED). */
  seed(ref: ResourceRef, ...objs: ApiObject[]): void {
    for (const o of objs) {
      const obj = clone(o) as Obj;
      const ns = ref.namespaced ? (obj.metadata?.namespace ?? "default") : "";
      const name = obj.metadata?.name ?? "";
      const key = this.storageKey(ref.group, ref.resource, ns, name);
      const old = this.objects.get(key);
      obj.apiVersion ??= gvr.apiVersionOf(ref);
      obj.kind ??= ref.kind;
      obj.metadata = {
        uid: old?.metadata?.uid ?? randomUUID(),
        creationTimestamp:
          old?.metadata?.creationTimestamp ?? new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
        ...obj.metadata,
        name,
        ...(ns ? { namespace: ns } : {}),
      };
      this.commit(`${ref.group}/${ref.resource}`, ns, key, old ? "MODIFIED" : "ADDED", obj, old);
    }
  }

  /** Deletes as another client would (watchers see DELETED). */
  remove(ref: ResourceRef, namespace: string | undefined, name: string): void {
    const ns = ref.namespaced ? (namespace ?? "default") : "";
    const key = this.storageKey(ref.group, ref.resource, ns, name);
    const old = this.objects.get(key);
    if (old) this.commit(`${ref.group}/${ref.resource}`, ns, key, "DELETED", clone(old), old);
  }

  getObject<T extends ApiObject>(
    ref: ResourceRef<T>,
    namespace: string | undefined,
    name: string,
  ): T | undefined {
    const ns = ref.namespaced ? (namespace ?? "default") : "";
    const obj = this.objects.get(this.storageKey(ref.group, ref.resource, ns, name));
    return obj ? (clone(obj) as T) : undefined;
  }

  listObjects<T extends ApiObject>(ref: ResourceRef<T>, namespace?: string): T[] {
    const prefix = `${ref.group}/${ref.resource}/${ref.namespaced && namespace ? `${namespace}/` : ""}`;
    return [...this.objects.entries()].filter(([k]) => k.startsWith(prefix)).map(([, v]) => clone(v) as T);
  }

  // ---- storage ----

  private commit(
    collection: string,
    namespace: string,
    key: string,
    type: HistoryEntry["type"],
    obj: Obj,
    old?: Obj,
  ): Obj {
    this.rv++;
    obj.metadata = { ...obj.metadata, resourceVersion: String(this.rv) };
    if (type === "DELETED") this.objects.delete(key);
    else this.objects.set(key, obj);
    const entry: HistoryEntry = { rv: this.rv, type, collection, namespace, object: obj, old };
    this.history.push(entry);
    const max = this.opts.historySize ?? 10_000;
    if (this.history.length > max) {
      const dropped = this.history.splice(0, this.history.length - max);
      this.compactedRV = dropped[dropped.length - 1]!.rv;
    }
    for (const w of this.watchers) this.deliver(w, entry);
    return obj;
  }

  private deliver(w: Watcher, e: HistoryEntry): void {
    if (w.collection !== e.collection) return;
    if (w.namespace && w.namespace !== e.namespace) return;
    const now = objectMatches(e.object as Obj, w.labelSelector, w.fieldSelector);
    const before = e.old ? objectMatches(e.old as Obj, w.labelSelector, w.fieldSelector) : false;
    if (e.type === "ADDED") {
      if (now) w.send("ADDED", e.object);
    } else if (e.type === "DELETED") {
      if (before || now) w.send("DELETED", e.object);
    } else if (now && before) w.send("MODIFIED", e.object);
    else if (now) w.send("ADDED", e.object);
    else if (before) w.send("DELETED", e.object);
  }

  // ---- HTTP ----

  private sendJSON(res: Res, code: number, body: unknown): void {
    const text = JSON.stringify(body);
    (res as http.ServerResponse).writeHead(code, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(text),
    });
    res.end(text);
  }

  private sendStatus(res: Res, s: Status): void {
    this.sendJSON(res, s.code ?? 500, s);
  }

  private parsePath(path: string): Target | undefined {
    const seg = path.split("/").filter(Boolean).map(decodeURIComponent);
    let group: string;
    let version: string;
    let rest: string[];
    if (seg[0] === "api" && seg.length >= 2) {
      group = "";
      version = seg[1]!;
      rest = seg.slice(2);
    } else if (seg[0] === "apis" && seg.length >= 3) {
      group = seg[1]!;
      version = seg[2]!;
      rest = seg.slice(3);
    } else return undefined;
    let namespace = "";
    if (
      rest[0] === "namespaces" &&
      rest.length >= 3 &&
      !(rest.length === 3 && ["status", "finalize"].includes(rest[2]!))
    ) {
      namespace = rest[1]!;
      rest = rest.slice(2);
    }
    if (rest.length === 0 || rest.length > 3) return undefined;
    return { group, version, resource: rest[0]!, namespace, name: rest[1], subresource: rest[2] };
  }

  private kindOf(t: Target, body?: Obj): string {
    return (
      this.kinds.get(`${t.group}/${t.resource}`)?.kind ??
      (typeof body?.kind === "string"
        ? body.kind
        : t.resource.replace(/s$/, "").replace(/^./, (c) => c.toUpperCase()))
    );
  }

  private qualified(t: Target): string {
    return t.group ? `${t.resource}.${t.group}` : t.resource;
  }

  private notFound(t: Target, name: string): HttpError {
    return new HttpError(
      status(404, "NotFound", `${this.qualified(t)} "${name}" not found`, {
        name,
        group: t.group,
        kind: t.resource,
      }),
    );
  }

  private async readBody(req: Req): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  }

  private async handle(req: Req, res: Res): Promise<void> {
    const url = new URL(req.url ?? "/", "https://fake");
    const query = Object.fromEntries(url.searchParams.entries());
    const method = req.method ?? "GET";
    const bodyText = method === "GET" ? "" : await this.readBody(req);
    this.requests.push({
      method,
      path: url.pathname,
      query,
      headers: req.headers,
      body: bodyText || undefined,
    });

    const fault = this.faults.find((f) => !f.match || f.match(method, url.pathname));
    if (fault) {
      fault.count--;
      if (fault.count <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
      this.sendStatus(
        res,
        status(
          fault.code,
          fault.code === 410 ? "Expired" : "InternalError",
          fault.message ?? `injected fault ${fault.code}`,
        ),
      );
      return;
    }
    if (url.pathname === "/version") {
      this.sendJSON(res, 200, { major: "1", minor: "32", gitVersion: "v1.32.4-fake" });
      return;
    }
    if (url.pathname === "/healthz" || url.pathname === "/readyz" || url.pathname === "/livez") {
      (res as http.ServerResponse).writeHead(200, { "content-type": "text/plain" });
      res.end("ok");
      return;
    }
    const t = this.parsePath(url.pathname);
    if (!t) {
      this.sendStatus(res, status(404, "NotFound", "the server could not find the requested resource"));
      return;
    }
    let body: unknown;
    if (bodyText) {
      try {
        body = JSON.parse(bodyText);
      } catch {
        this.sendStatus(res, status(400, "BadRequest", "the body of the request was in an unknown format"));
        return;
      }
    }
    try {
      if (method === "GET" && !t.name && query.watch === "true") return this.watch(t, query, req, res);
      const [code, out] = this.dispatch(
        method,
        t,
        query,
        body,
        req.headers["content-type"] as string | undefined,
      );
      this.sendJSON(res, code, out);
    } catch (err) {
      if (err instanceof HttpError) this.sendStatus(res, err.status);
      else throw err;
    }
  }

  private dispatch(
    method: string,
    t: Target,
    query: Record<string, string>,
    body: unknown,
    contentType: string | undefined,
  ): [number, unknown] {
    const collection = `${t.group}/${t.resource}`;
    if (!t.name) {
      if (method === "GET") return [200, this.list(t, query)];
      if (method === "POST") return [201, this.create(t, body as Obj)];
      if (method === "DELETE") {
        const items = this.list(t, query).items as Obj[];
        for (const item of items) this.deleteOne(t, item.metadata?.name ?? "", {});
        return [200, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success" }];
      }
      throw new HttpError(status(405, "MethodNotAllowed", "method not allowed"));
    }
    const key = this.storageKey(t.group, t.resource, t.namespace, t.name);
    if (method === "POST" && t.subresource) return [201, this.createSubresource(t, key, body as Obj)];
    if (method === "GET") {
      const obj = this.objects.get(key);
      if (!obj) throw this.notFound(t, t.name);
      return [200, clone(obj)];
    }
    if (method === "PUT") return [200, this.update(t, key, collection, body as Obj)];
    if (method === "PATCH") return [200, this.patch(t, key, collection, body, contentType ?? "")];
    if (method === "DELETE") return [200, this.deleteOne(t, t.name, (body ?? {}) as Record<string, unknown>)];
    throw new HttpError(status(405, "MethodNotAllowed", "method not allowed"));
  }

  private list(t: Target, query: Record<string, string>): Record<string, unknown> {
    const labels = parseSelector(query.labelSelector);
    const fields = parseSelector(query.fieldSelector);
    const prefix = `${t.group}/${t.resource}/${t.namespace ? `${t.namespace}/` : ""}`;
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
    let start = 0;
    let listRV = this.rv;
    if (query.continue) {
      try {
        const tok = JSON.parse(Buffer.from(query.continue, "base64").toString()) as {
          rv: number;
          after: string;
        };
        start = keys.findIndex((k) => k > tok.after);
        if (start < 0) start = keys.length;
        listRV = tok.rv;
      } catch {
        throw new HttpError(status(400, "BadRequest", "continue key is not valid"));
      }
    }
    const limit = query.limit ? Number(query.limit) : 0;
    const items: Obj[] = [];
    let cont: string | undefined;
    for (let i = start; i < keys.length; i++) {
      const obj = this.objects.get(keys[i]!)!;
      if (!objectMatches(obj, labels, fields)) continue;
      if (limit > 0 && items.length === limit) {
        cont = Buffer.from(JSON.stringify({ rv: listRV, after: keys[i - 1] })).toString("base64");
        break;
      }
      // Real apiservers leave apiVersion/kind out of list items.
      const { apiVersion: _a, kind: _k, ...rest } = clone(obj);
      items.push(rest as Obj);
    }
    const metadata: Record<string, unknown> = { resourceVersion: String(listRV) };
    if (cont) metadata.continue = cont;
    return {
      kind: `${this.kindOf(t)}List`,
      apiVersion: t.group ? `${t.group}/${t.version}` : t.version,
      metadata,
      items,
    };
  }

  private prepareNew(t: Target, body: Obj): Obj {
    const obj = clone(body ?? {}) as Obj;
    obj.metadata = { ...(obj.metadata ?? {}) };
    const meta = obj.metadata;
    if (!meta.name && meta.generateName) {
      let suffix = "";
      for (let i = 0; i < 5; i++)
        suffix += GENERATE_ALPHABET[Math.floor(Math.random() * GENERATE_ALPHABET.length)];
      meta.name = meta.generateName + suffix;
    }
    if (!meta.name) throw new HttpError(status(422, "Invalid", "name or generateName is required"));
    if (t.namespace) meta.namespace = t.namespace;
    meta.uid = randomUUID();
    meta.creationTimestamp = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    if (!NO_STATUS.has(t.resource)) meta.generation = 1;
    delete meta.resourceVersion;
    obj.apiVersion ??= t.group ? `${t.group}/${t.version}` : t.version;
    obj.kind ??= this.kindOf(t);
    return obj;
  }

  private create(t: Target, body: Obj): Obj {
    const obj = this.prepareNew(t, body);
    const name = obj.metadata!.name!;
    const key = this.storageKey(t.group, t.resource, t.namespace, name);
    if (this.objects.has(key)) {
      throw new HttpError(
        status(409, "AlreadyExists", `${this.qualified(t)} "${name}" already exists`, {
          name,
          group: t.group,
          kind: t.resource,
        }),
      );
    }
    return clone(this.commit(`${t.group}/${t.resource}`, t.namespace, key, "ADDED", obj));
  }

  private createSubresource(t: Target, key: string, body: Obj): unknown {
    const obj = this.objects.get(key);
    if (!obj) throw this.notFound(t, t.name!);
    if (t.resource === "pods" && t.subresource === "binding") {
      const spec = (obj.spec ?? {}) as Record<string, unknown>;
      if (spec.nodeName) {
        throw new HttpError(
          status(
            409,
            "Conflict",
            `Operation cannot be fulfilled on pods/binding "${t.name}": pod ${t.name} is already assigned to node "${spec.nodeName}"`,
          ),
        );
      }
      const target = (body as { target?: { name?: string } }).target;
      const next = clone(obj);
      next.spec = { ...spec, nodeName: target?.name };
      this.commit(`${t.group}/${t.resource}`, t.namespace, key, "MODIFIED", next, obj);
      return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 };
    }
    if (t.resource === "pods" && t.subresource === "eviction") {
      this.deleteOne(t, t.name!, {});
      return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 };
    }
    throw new HttpError(status(404, "NotFound", "the server could not find the requested resource"));
  }

  private conflict(t: Target): HttpError {
    return new HttpError(
      status(
        409,
        "Conflict",
        `Operation cannot be fulfilled on ${this.qualified(t)} "${t.name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name: t.name, group: t.group, kind: t.resource },
      ),
    );
  }

  /** Applies a write of `next` over `old` with the status-subresource rules and metadata bookkeeping. */
  private write(t: Target, key: string, collection: string, old: Obj, incoming: Obj): Obj {
    let next: Obj;
    const hasStatus = !NO_STATUS.has(t.resource);
    if (t.subresource === "status") {
      next = clone(old);
      if (incoming.status === undefined) delete next.status;
      else next.status = incoming.status;
    } else {
      next = clone(incoming);
      if (hasStatus) {
        if (old.status === undefined) delete next.status;
        else next.status = old.status;
      }
      next.metadata = {
        ...next.metadata,
        name: old.metadata!.name,
        uid: old.metadata!.uid,
        creationTimestamp: old.metadata!.creationTimestamp,
        ...(old.metadata!.deletionTimestamp ? { deletionTimestamp: old.metadata!.deletionTimestamp } : {}),
        ...(old.metadata!.namespace ? { namespace: old.metadata!.namespace } : {}),
      };
      if (hasStatus) {
        const gen = old.metadata!.generation ?? 1;
        next.metadata.generation = JSON.stringify(next.spec) === JSON.stringify(old.spec) ? gen : gen + 1;
      }
    }
    next.apiVersion ??= old.apiVersion;
    next.kind ??= old.kind;
    // A terminating object whose last finalizer is gone is deleted.
    if (next.metadata?.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0) {
      return clone(this.commit(collection, t.namespace, key, "DELETED", next, old));
    }
    return clone(this.commit(collection, t.namespace, key, "MODIFIED", next, old));
  }

  private update(t: Target, key: string, collection: string, body: Obj): Obj {
    const old = this.objects.get(key);
    if (!old) throw this.notFound(t, t.name!);
    const rv = body?.metadata?.resourceVersion;
    if (rv && rv !== old.metadata?.resourceVersion) throw this.conflict(t);
    return this.write(t, key, collection, old, body);
  }

  private patch(t: Target, key: string, collection: string, patch: unknown, contentType: string): Obj {
    const old = this.objects.get(key);
    if (!old) {
      if (contentType.startsWith("application/apply-patch")) {
        const created = this.prepareNew(t, {
          ...(patch as Obj),
          metadata: { ...(patch as Obj).metadata, name: t.name },
        });
        return clone(this.commit(collection, t.namespace, key, "ADDED", created));
      }
      throw this.notFound(t, t.name!);
    }
    let next: Obj;
    if (contentType.startsWith("application/json-patch+json")) {
      try {
        next = jsonpatch.applyPatch(clone(old), patch as jsonpatch.Operation[], true, false)
          .newDocument as Obj;
      } catch (err) {
        throw new HttpError(
          status(
            422,
            "Invalid",
            `the server rejected our request due to an error in our request: ${(err as Error).message}`,
          ),
        );
      }
    } else {
      next = mergePatch(clone(old), patch) as Obj;
    }
    const rv = (patch as Obj | undefined)?.metadata?.resourceVersion;
    if (typeof rv === "string" && rv !== old.metadata?.resourceVersion) throw this.conflict(t);
    return this.write(t, key, collection, old, next);
  }

  private deleteOne(t: Target, name: string, opts: Record<string, unknown>): Obj {
    const key = this.storageKey(t.group, t.resource, t.namespace, name);
    const old = this.objects.get(key);
    if (!old) throw this.notFound({ ...t, name }, name);
    const pre = opts.preconditions as { uid?: string; resourceVersion?: string } | undefined;
    if (pre?.uid && pre.uid !== old.metadata?.uid) {
      throw new HttpError(
        status(
          409,
          "Conflict",
          `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata?.uid}`,
        ),
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata?.resourceVersion)
      throw this.conflict({ ...t, name });
    const collection = `${t.group}/${t.resource}`;
    if ((old.metadata?.finalizers ?? []).length > 0) {
      if (old.metadata?.deletionTimestamp) return clone(old);
      const next = clone(old);
      next.metadata = {
        ...next.metadata,
        deletionTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
      };
      return clone(this.commit(collection, t.namespace, key, "MODIFIED", next, old));
    }
    return clone(this.commit(collection, t.namespace, key, "DELETED", clone(old), old));
  }

  private watch(t: Target, query: Record<string, string>, req: Req, res: Res): void {
    const collection = `${t.group}/${t.resource}`;
    const fromRV = query.resourceVersion ? Number(query.resourceVersion) : 0;
    (res as http.ServerResponse).writeHead(200, { "content-type": "application/json" });
    const kind = this.kindOf(t);
    const apiVersion = t.group ? `${t.group}/${t.version}` : t.version;
    let timers: NodeJS.Timeout[] = [];
    const w: Watcher = {
      collection,
      namespace: t.namespace,
      labelSelector: parseSelector(query.labelSelector),
      fieldSelector: parseSelector(query.fieldSelector),
      send: (type, object) => {
        (res as http.ServerResponse).write(`${JSON.stringify({ type, object })}\n`);
      },
      end: () => {
        if (!this.watchers.delete(w)) return;
        for (const tm of timers) clearTimeout(tm);
        timers = [];
        res.end();
      },
    };
    req.on("close", () => w.end());
    if (fromRV > 0 && fromRV < this.compactedRV) {
      w.send("ERROR", status(410, "Expired", `too old resource version: ${fromRV} (${this.compactedRV})`));
      res.end();
      return;
    }
    this.watchers.add(w);
    if (fromRV === 0) {
      // No resourceVersion: the current state as ADDED events, then changes.
      const prefix = `${collection}/${t.namespace ? `${t.namespace}/` : ""}`;
      for (const [k, obj] of this.objects) {
        if (k.startsWith(prefix) && objectMatches(obj, w.labelSelector, w.fieldSelector))
          w.send("ADDED", obj);
      }
    } else {
      for (const e of this.history) if (e.rv > fromRV) this.deliver(w, e);
    }
    if (query.timeoutSeconds) timers.push(setTimeout(() => w.end(), Number(query.timeoutSeconds) * 1000));
    if (query.allowWatchBookmarks === "true" && this.opts.bookmarkIntervalMs) {
      const tick = () => {
        w.send("BOOKMARK", { kind, apiVersion, metadata: { resourceVersion: String(this.rv) } });
        timers.push(setTimeout(tick, this.opts.bookmarkIntervalMs));
      };
      timers.push(setTimeout(tick, this.opts.bookmarkIntervalMs));
    }
  }
}
