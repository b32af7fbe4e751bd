// The typed REST client (client-go's rest.RESTClient + dynamic client in one): JSON in and out,
// paths from ResourceRefs, client-side rate limiting, errors as ApiError. One RestClient per process
// is the norm; ResourceClients are cheap views onto it.
import { readFileSync } from "node:fs";
import type { DeleteOptions as MetaDeleteOptions, Status } from "kubernetes-types/meta/v1";
import type { Logger } from "../util/log.js";
import { ApiError, errorFromResponse } from "./errors.js";
import { apiVersionOf, type ResourceRef, resourcePath } from "./gvr.js";
import type { ClientConfig } from "./kubeconfig.js";
import { sleep, TokenBucket } from "./ratelimit.js";
import { type HttpResponse, type HttpVersionPreference, newTransport, type Transport } from "./transport.js";
import type { ApiObject, ObjectList, WatchEvent } from "./types.js";
import { type WatchOptions, watchStream } from "./watch.js";

export { ApiError };

export type Query = Record<string, string | number | boolean | undefined>;

export interface RestClientOptions {
  /** Client-side rate limit, as client-go's rest.Config QPS/Burst. Default 1000 / 2000 (components must be fast). */
  qps?: number;
  burst?: number;
  userAgent?: string;
  /** Limit for non-watch requests (headers and body). Default 60 s. */
  timeoutMs?: number;
  /** false (default): HTTP/1.1 keep-alive, measured faster for small requests (bench/transport.bench.ts);
   *  true: HTTP/2 only; "auto": whatever the server picks by ALPN. */
  http2?: HttpVersionPreference;
  logger?: Logger;
  /** Replace the HTTP layer (tests). */
  transport?: Transport;
}

export interface RawRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  query?: Query;
  /** Serialized as JSON unless it is already a string or Buffer. */
  body?: unknown;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
  /** Overrides the client's timeout; 0 = none (a long-running stream: watches). */
  timeoutMs?: number;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: "Exact" | "NotOlderThan";
  timeoutSeconds?: number;
  signal?: AbortSignal;
}

export interface GetOptions {
  resourceVersion?: string;
  signal?: AbortSignal;
}

export interface WriteOptions {
  fieldManager?: string;
  dryRun?: boolean;
  fieldValidation?: "Strict" | "Warn" | "Ignore";
  signal?: AbortSignal;
}

export type PatchType = "json" | "merge" | "strategic" | "apply";

export const patchContentTypes: Record<PatchType, string> = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
};

export interface PatchOptions extends WriteOptions {
  subresource?: string;
  /** Server-side apply: take ownership of conflicting fields. */
  force?: boolean;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
  signal?: AbortSignal;
}

const DEFAULT_QPS = 1000;
const DEFAULT_BURST = 2000;
const DEFAULT_TIMEOUT_MS = 60_000;
const TOKEN_FILE_REFRESH_MS = 60_000;
const RESET_RETRIES = 4;

function isConnectionReset(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === "ECONNRESET" || code === "EPIPE" || (err as Error)?.message === "socket hang up";
}

function queryString(query: Query | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== "") params.append(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : "";
}

async function readBody(res: HttpResponse): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res.body) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}

export class RestClient {
  readonly config: ClientConfig;
  private readonly transport: Transport;
  private readonly limiter: TokenBucket;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  readonly logger: Logger | undefined;
  private token: { value: string; readAt: number } | undefined;
  private readonly closing = new AbortController();

  constructor(config: ClientConfig, opts: RestClientOptions = {}) {
    this.config = config;
    this.transport = opts.transport ?? newTransport(config, opts.http2 ?? false);
    this.limiter = new TokenBucket(opts.qps ?? DEFAULT_QPS, opts.burst ?? DEFAULT_BURST);
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.userAgent = opts.userAgent ?? "tskube";
    this.logger = opts.logger;
  }

  /** Aborts when close() is called: loops built on this client (informers, leader election) stop with it. */
  get closedSignal(): AbortSignal {
    return this.closing.signal;
  }

  /** "h2", "http/1.1", or "auto" before the first request. */
  get protocol(): string {
    return this.transport.protocol;
  }

  resource<T extends ApiObject>(ref: ResourceRef<T>, namespace?: string): ResourceClient<T> {
    return new ResourceClient<T>(this, ref, namespace);
  }

  private bearerToken(): string | undefined {
    if (this.config.token) return this.config.token;
    if (!this.config.tokenFile) return undefined;
    const now = Date.now();
    if (!this.token || now - this.token.readAt > TOKEN_FILE_REFRESH_MS) {
      try {
        this.token = { value: readFileSync(this.config.tokenFile, "utf8").trim(), readAt: now };
      } catch (err) {
        // Keep the last good token: the file is being rotated or briefly absent.
        this.logger?.warn({ err: (err as Error).message }, "cannot read token file");
        if (!this.token) return undefined;
      }
    }
    return this.token.value;
  }

  /**
   * Sends a request and returns the response stream for any 2xx; throws ApiError otherwise. A GET that
   * hits a connection reset (a keep-alive connection closed by the server as we reused it) is retried.
   */
  async stream(req: RawRequest): Promise<HttpResponse> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.streamOnce(req);
      } catch (err) {
        if (
          req.method !== "GET" ||
          attempt >= RESET_RETRIES ||
          req.signal?.aborted ||
          !isConnectionReset(err)
        )
          throw err;
        await sleep(10 * 2 ** attempt, req.signal);
      }
    }
  }

  private async streamOnce(req: RawRequest): Promise<HttpResponse> {
    if (this.closing.signal.aborted) throw new Error("client closed");
    const signal = req.signal ? AbortSignal.any([req.signal, this.closing.signal]) : this.closing.signal;
    await this.limiter.wait(signal);
    const headers: Record<string, string> = {
      Accept: req.accept ?? "application/json",
      "User-Agent": this.userAgent,
    };
    const token = this.bearerToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    let body: string | Buffer | undefined;
    if (req.body !== undefined) {
      body = typeof req.body === "string" || Buffer.isBuffer(req.body) ? req.body : JSON.stringify(req.body);
      headers["Content-Type"] = req.contentType ?? "application/json";
    }
    const path = req.path + queryString(req.query);
    const res = await this.transport.request({
      method: req.method,
      path,
      headers,
      body,
      signal,
      timeoutMs: req.timeoutMs ?? this.timeoutMs,
      longRunning: req.timeoutMs === 0,
    });
    const warning = res.headers.warning;
    if (warning) this.logger?.warn({ warning, path }, "apiserver warning");
    if (res.status >= 200 && res.status < 300) return res;
    const text = await readBody(res).catch(() => "");
    throw errorFromResponse(res.status, text, req.method, path);
  }

  /** Sends a request and decodes the JSON answer. */
  async request<R = unknown>(req: RawRequest): Promise<R> {
    const res = await this.stream(req);
    const text = await readBody(res);
    if (text === "") return undefined as R;
    try {
      return JSON.parse(text) as R;
    } catch {
      // /healthz and friends answer plain text
      return text as R;
    }
  }

  /** Ends every request and stream, and the loops built on this client; further requests fail. */
  close(): void {
    this.closing.abort(new Error("client closed"));
    this.transport.close();
  }
}

export class ResourceClient<T extends ApiObject> {
  constructor(
    readonly client: RestClient,
    readonly ref: ResourceRef<T>,
    readonly namespace?: string,
  ) {}

  /** The same resource in another namespace (undefined = all namespaces / cluster-scoped). */
  inNamespace(namespace: string | undefined): ResourceClient<T> {
    return new ResourceClient<T>(this.client, this.ref, namespace);
  }

  private nsFor(obj?: ApiObject): string | undefined {
    if (!this.ref.namespaced) return undefined;
    const ns = this.namespace ?? obj?.metadata?.namespace;
    if (!ns) throw new Error(`${this.ref.resource}: a namespace is required`);
    return ns;
  }

  private objectPath(name: string, subresource?: string, obj?: ApiObject): string {
    return resourcePath(this.ref, { namespace: this.nsFor(obj), name, subresource });
  }

  private collectionPath(): string {
    return resourcePath(this.ref, { namespace: this.ref.namespaced ? this.namespace : undefined });
  }

  private nameOf(obj: ApiObject): string {
    const name = obj.metadata?.name;
    if (!name) throw new Error(`${this.ref.resource}: metadata.name is required`);
    return name;
  }

  private withTypeMeta(obj: T): T {
    if (obj.apiVersion && obj.kind) return obj;
    return { ...obj, apiVersion: obj.apiVersion ?? apiVersionOf(this.ref), kind: obj.kind ?? this.ref.kind };
  }

  private writeQuery(opts: WriteOptions): Query {
    return {
      fieldManager: opts.fieldManager,
      dryRun: opts.dryRun ? "All" : undefined,
      fieldValidation: opts.fieldValidation,
    };
  }

  get(name: string, opts: GetOptions = {}): Promise<T> {
    return this.client.request<T>({
      method: "GET",
      path: this.objectPath(name),
      query: { resourceVersion: opts.resourceVersion },
      signal: opts.signal,
    });
  }

  /** One page. Items get apiVersion and kind (the server leaves them out of list items). */
  async list(opts: ListOptions = {}): Promise<ObjectList<T>> {
    const list = await this.client.request<ObjectList<T>>({
      method: "GET",
      path: this.collectionPath(),
      query: {
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
        limit: opts.limit,
        continue: opts.continue,
        resourceVersion: opts.resourceVersion,
        resourceVersionMatch: opts.resourceVersionMatch,
        timeoutSeconds: opts.timeoutSeconds,
      },
      signal: opts.signal,
    });
    list.items ??= [];
    const apiVersion = apiVersionOf(this.ref);
    for (const item of list.items) {
      item.apiVersion ??= apiVersion;
      item.kind ??= this.ref.kind;
    }
    return list;
  }

  /** Every page, following `continue` (page size opts.limit, default 500). Restarts once on 410 for an expired token. */
  async listAll(opts: ListOptions = {}): Promise<ObjectList<T>> {
    const limit = opts.limit ?? 500;
    const first = await this.list({ ...opts, limit });
    const items = first.items;
    let cont = first.metadata?.continue;
    while (cont) {
      const page = await this.list({ ...opts, limit, continue: cont, resourceVersion: undefined });
      items.push(...page.items);
      cont = page.metadata?.continue;
      first.metadata = {
        ...first.metadata,
        resourceVersion: page.metadata?.resourceVersion ?? first.metadata?.resourceVersion,
      };
    }
    if (first.metadata) delete first.metadata.continue;
    first.items = items;
    return first;
  }

  create(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.client.request<T>({
      method: "POST",
      path: resourcePath(this.ref, { namespace: this.nsFor(obj) }),
      query: this.writeQuery(opts),
      body: this.withTypeMeta(obj),
      signal: opts.signal,
    });
  }

  update(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.client.request<T>({
      method: "PUT",
      path: this.objectPath(this.nameOf(obj), undefined, obj),
      query: this.writeQuery(opts),
      body: this.withTypeMeta(obj),
      signal: opts.signal,
    });
  }

  updateStatus(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.client.request<T>({
      method: "PUT",
      path: this.objectPath(this.nameOf(obj), "status", obj),
      query: this.writeQuery(opts),
      body: this.withTypeMeta(obj),
      signal: opts.signal,
    });
  }

  /** PATCH; type defaults to a JSON merge patch. "apply" needs opts.fieldManager. */
  patch(name: string, patch: unknown, type: PatchType = "merge", opts: PatchOptions = {}): Promise<T> {
    if (type === "apply" && !opts.fieldManager) throw new Error("server-side apply needs a fieldManager");
    return this.client.request<T>({
      method: "PATCH",
      path: this.objectPath(name, opts.subresource),
      query: { ...this.writeQuery(opts), force: opts.force === undefined ? undefined : String(opts.force) },
      body: patch,
      contentType: patchContentTypes[type],
      signal: opts.signal,
    });
  }

  private deleteBody(opts: DeleteOptions): MetaDeleteOptions & { kind: string; apiVersion: string } {
    const body: MetaDeleteOptions & { kind: string; apiVersion: string } = {
      kind: "DeleteOptions",
      apiVersion: "v1",
    };
    if (opts.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = opts.gracePeriodSeconds;
    if (opts.propagationPolicy) body.propagationPolicy = opts.propagationPolicy;
    if (opts.preconditions) body.preconditions = opts.preconditions;
    if (opts.dryRun) body.dryRun = ["All"];
    return body;
  }

  /** The deleted object (or one still being deleted: finalizers, grace period) or a success Status. */
  delete(name: string, opts: DeleteOptions = {}): Promise<T | Status> {
    return this.client.request<T | Status>({
      method: "DELETE",
      path: this.objectPath(name),
      body: this.deleteBody(opts),
      signal: opts.signal,
    });
  }

  deleteCollection(opts: ListOptions & DeleteOptions = {}): Promise<unknown> {
    return this.client.request({
      method: "DELETE",
      path: this.collectionPath(),
      query: { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector },
      body: this.deleteBody(opts),
      signal: opts.signal,
    });
  }

  getSubresource<R = unknown>(name: string, subresource: string, signal?: AbortSignal): Promise<R> {
    return this.client.request<R>({ method: "GET", path: this.objectPath(name, subresource), signal });
  }

  /** POST to a subresource: pods/binding, pods/eviction, serviceaccounts/token. */
  createSubresource<R = unknown>(
    name: string,
    subresource: string,
    body: unknown,
    opts: WriteOptions = {},
  ): Promise<R> {
    return this.client.request<R>({
      method: "POST",
      path: this.objectPath(name, subresource),
      query: this.writeQuery(opts),
      body,
      signal: opts.signal,
    });
  }

  /** PUT to a subresource: deployments/scale. */
  updateSubresource<R = unknown>(
    name: string,
    subresource: string,
    body: unknown,
    opts: WriteOptions = {},
  ): Promise<R> {
    return this.client.request<R>({
      method: "PUT",
      path: this.objectPath(name, subresource),
      query: this.writeQuery(opts),
      body,
      signal: opts.signal,
    });
  }

  /** One watch stream, no resume (see listAndWatch for that). An ERROR event is thrown as ApiError. */
  watch(opts: WatchOptions = {}): AsyncGenerator<WatchEvent<T>> {
    return watchStream<T>(this.client, this.collectionPath(), opts);
  }
}
