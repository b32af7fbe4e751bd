// The API server: TLS listener, authentication, authorization, and routing of every request to the
// discovery, OpenAPI, health or resource handlers. The watch cache and etcd store are shared by all.
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer as createHttpsServer, type Server } from "node:https";
import type { ResourceDefinition } from "../pkg/api/resource-definition.js";
import { type Logger, newLogger } from "../pkg/util/log.js";
import { limitRangerAdmission } from "./admission/limit-ranger.js";
import { namespaceLifecycle } from "./admission/namespace-lifecycle.js";
import { rbacEscalationAdmission } from "./admission/rbac-escalation.js";
import { resourceQuotaAdmission } from "./admission/resource-quota.js";
import { serviceAccountAdmission } from "./admission/service-account.js";
import { serviceAllocation } from "./admission/service-allocation.js";
import type { AdmissionPlugin } from "./admission/types.js";
import { ANONYMOUS, authenticate, type TokenAuthenticator, type UserInfo } from "./auth/authn.js";
import { Authorizer, forbiddenMessage, RbacCache } from "./auth/authz.js";
import { runBootstrapPolicy } from "./auth/bootstrap-policy.js";
import { impersonate } from "./auth/impersonation.js";
import { serviceAccountTokenAuthenticator, TokenIssuer } from "./auth/tokens.js";
import { bootstrap } from "./bootstrap.js";
import {
  AGGREGATED_CONTENT_TYPE,
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
} from "./discovery/discovery.js";
import { handleReview, isReviewResource } from "./handlers/authorization.js";
import { handleComponentStatus } from "./handlers/componentstatus.js";
import { handleList } from "./handlers/list.js";
import { wantsAggregatedDiscovery, wantsTable } from "./handlers/negotiation.js";
import { handleGet } from "./handlers/read.js";
import { parseRequestInfo, type ResourceRequestInfo } from "./handlers/request-info.js";
import { addWarnings, writeError, writeJson, writeRaw } from "./handlers/response.js";
import type { ApiContext, RequestScope } from "./handlers/scope.js";
import {
  ApiError,
  forbidden,
  methodNotSupported,
  notFoundPath,
  type StatusBody,
  unauthorized,
} from "./handlers/status.js";
import { handleStreaming, STREAMING_SUBRESOURCES } from "./handlers/streaming.js";
import {
  handleBinding,
  handleEviction,
  handleFinalize,
  handleScale,
  handleStatus,
} from "./handlers/subresources.js";
import { handleTokenRequest } from "./handlers/token.js";
import { handleWatch } from "./handlers/watch.js";
import {
  dryRunOf,
  handleCreate,
  handleDelete,
  handleDeleteCollection,
  handlePatch,
  handleUpdate,
} from "./handlers/write.js";
import {
  type KubeletClientConfig,
  type KubeletClientFiles,
  loadKubeletClientConfig,
} from "./kubeletclient/client.js";
import { Metrics } from "./metrics.js";
import {
  METRICS_GROUP,
  METRICS_VERSION,
  MetricsApi,
  metricsDiscoveryGroup,
  metricsGroup,
  metricsResourceList,
} from "./metricsapi/metrics.js";
import { docBody, OpenApiV3 } from "./openapi/openapi.js";
import { buildSchemaSet, loadModels, validationSchemaSet } from "./openapi/schemas.js";
import { Catalogue } from "./registry/catalogue.js";
import {
  type ComponentTarget,
  componentTargets,
  DEFAULT_CONTROLLER_MANAGER_URLS,
  DEFAULT_SCHEDULER_URLS,
} from "./registry/componentstatus.js";
import { resources as defaultResources } from "./standins/resources.js";
import { EtcdStore } from "./storage/etcd-store.js";
import { DEFAULT_PREFIX } from "./storage/keys.js";
import { WatchCache } from "./watchcache/cache.js";

export const VERSION_INFO = {
  major: "1",
  minor: "32",
  gitVersion: "v1.32.4-tskube",
  gitCommit: "0000000000000000000000000000000000000000",
  gitTreeState: "clean",
  buildDate: "2025-04-22T00:00:00Z",
  goVersion: "go1.23.6",
  compiler: "gc",
  platform: "linux/amd64",
};

export interface ApiServerOptions {
  etcdServers: string[];
  securePort: number;
  bindAddress: string;
  advertiseAddress: string;
  tlsCertFile: string;
  tlsPrivateKeyFile: string;
  clientCAFile: string;
  serviceAccountKeyFile?: string;
  serviceAccountSigningKeyFile?: string;
  serviceAccountIssuer?: string;
  serviceClusterIPRange: string;
  serviceNodePortRange: string;
  etcdPrefix: string;
  resources?: ResourceDefinition[];
  /** --kubelet-client-certificate / --kubelet-client-key / --kubelet-certificate-authority. */
  kubeletClient?: KubeletClientFiles;
  /** The /healthz URLs `kubectl get componentstatuses` probes (default: the compose cluster's). */
  schedulerHealthzUrls?: string[];
  controllerManagerHealthzUrls?: string[];
  log?: Logger;
}

export class ApiServer {
  readonly ctx: ApiContext;
  readonly log: Logger;
  private server: Server | null = null;
  private readonly openapi: OpenApiV3;
  private bootstrapped = false;
  private readonly tokens: TokenAuthenticator[] = [];
  readonly metrics = new Metrics();
  readonly tokenIssuer: TokenIssuer | null;
  /** metrics.k8s.io/v1beta1, from the kubelets' summaries. */
  readonly metricsApi: MetricsApi;
  /** What componentstatuses reports on. */
  readonly components: ComponentTarget[];
  /** RBAC on the watch cache's roles and bindings (auth/authz.ts). */
  readonly rbac: RbacCache;
  readonly authorizer: Authorizer;

  constructor(readonly opts: ApiServerOptions) {
    this.log = opts.log ?? newLogger("apiserver");
    const catalogue = new Catalogue(opts.resources ?? defaultResources);
    const prefix = opts.etcdPrefix.replace(/\/+$/, "") || DEFAULT_PREFIX;
    const store = new EtcdStore(opts.etcdServers);
    const cache = new WatchCache(store, {
      prefix,
      namespaced: (s) => catalogue.namespaced(s),
      log: this.log.child({ subsystem: "watchcache" }),
    });
    const [lo, hi] = opts.serviceNodePortRange.split("-").map(Number);
    // Order as kube-apiserver's: mutating (LimitRanger, ServiceAccount) before validating (ResourceQuota last).
    // RBAC escalation prevention first: upstream checks it in the RBAC storage, before admission.
    const admission: AdmissionPlugin[] = [
      rbacEscalationAdmission(() => this.authorizer),
      namespaceLifecycle,
      limitRangerAdmission,
      serviceAccountAdmission,
      serviceAllocation,
      resourceQuotaAdmission,
    ];
    this.ctx = {
      store,
      cache,
      catalogue,
      prefix,
      log: this.log,
      now: () => new Date(),
      serviceClusterIPRange: opts.serviceClusterIPRange,
      serviceNodePortRange: [lo ?? 30000, hi ?? 32767],
      admission,
      schemas: null,
      kubelet: this.kubeletClientConfig(opts.kubeletClient ?? {}),
    };
    // Field validation keeps compact schemas (no doc comments); the described ones `kubectl explain`
    // reads only make the OpenAPI documents, kept compressed (openapi.ts).
    const defs = catalogue.all.map((r) => r.def);
    const models = loadModels(this.log);
    this.ctx.schemas = models ? validationSchemaSet(models, defs) : null;
    this.openapi = OpenApiV3.build(catalogue, models ? buildSchemaSet(models, defs) : null);
    this.metricsApi = new MetricsApi(this.ctx, this.log.child({ subsystem: "metrics-api" }));
    this.rbac = new RbacCache(cache, () => store.lastWriteRevision);
    this.authorizer = new Authorizer({
      source: () => this.rbac.source(),
      catchUp: () => this.rbac.catchUp(),
    });
    this.components = componentTargets({
      scheduler: opts.schedulerHealthzUrls ?? DEFAULT_SCHEDULER_URLS,
      controllerManager: opts.controllerManagerHealthzUrls ?? DEFAULT_CONTROLLER_MANAGER_URLS,
      etcdServers: opts.etcdServers,
    });
    this.tokenIssuer = opts.serviceAccountSigningKeyFile
      ? new TokenIssuer(readFileSync(opts.serviceAccountSigningKeyFile, "utf8"), opts.serviceAccountIssuer)
      : null;
    if (opts.serviceAccountKeyFile) {
      this.tokens.push(
        serviceAccountTokenAuthenticator(readFileSync(opts.serviceAccountKeyFile, "utf8"), this.ctx),
      );
    }
  }

  /** Unreadable kubelet client files leave the kubelets reachable only anonymously, not a dead apiserver. */
  private kubeletClientConfig(files: KubeletClientFiles): KubeletClientConfig {
    try {
      return loadKubeletClientConfig(files);
    } catch (err) {
      this.log.warn(
        { err: String(err) },
        "kubelet client certificate unreadable; connecting to kubelets without it",
      );
      return {};
    }
  }

  async start(): Promise<void> {
    const o = this.opts;
    this.server = createHttpsServer(
      {
        cert: readFileSync(o.tlsCertFile),
        key: readFileSync(o.tlsPrivateKeyFile),
        ca: readFileSync(o.clientCAFile),
        requestCert: true,
        rejectUnauthorized: false,
        requestTimeout: 0,
        keepAliveTimeout: 60_000,
      },
      (req, res) => void this.handle(req, res),
    );
    this.server.on("upgrade", (req, socket, head) => {
      void this.handleUpgrade(req, socket, head);
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(o.securePort, o.bindAddress, () => resolve());
    });
    this.log.info({ port: this.port(), bind: o.bindAddress }, "apiserver listening");
    void this.ctx.cache.start().then(() => {
      this.metricsApi.start();
      void runBootstrapPolicy(
        this.ctx,
        () => this.rbac.markPolicyStored(),
        () => this.server === null,
      );
      return this.runBootstrap();
    });
  }

  port(): number {
    const a = this.server?.address();
    return typeof a === "object" && a ? a.port : this.opts.securePort;
  }

  private async runBootstrap(): Promise<void> {
    let delay = 200;
    while (!this.bootstrapped) {
      try {
        await bootstrap(this.ctx, { advertiseAddress: this.opts.advertiseAddress, securePort: this.port() });
        this.bootstrapped = true;
        this.log.info("bootstrap done");
      } catch (err) {
        this.log.warn({ err: String(err) }, "bootstrap failed; retrying");
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.metricsApi.stop();
    if (server) {
      server.close();
      server.closeAllConnections();
    }
    // Cancelling the etcd watch can wait on a dead connection: give it a moment, then close anyway.
    await Promise.race([this.ctx.cache.stop(), new Promise((r) => setTimeout(r, 1000).unref())]);
    this.ctx.store.close();
  }

  // ------------------------------------------------------------------ request path

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const url = requestURL(req.url);
    const info = parseRequestInfo(req.method ?? "GET", url.pathname, url.searchParams);
    let code = 200;
    try {
      const requester = authenticate(req, this.tokens);
      if (!requester) throw unauthorized();
      const user = impersonate(req, requester, (u, a) => this.authorizer.authorize(u, a));
      const attrs = info.isResourceRequest
        ? {
            verb: info.verb,
            group: info.group,
            resource: info.resource,
            subresource: info.subresource,
            namespace: info.namespace,
            name: info.name,
          }
        : { verb: info.verb, path: url.pathname };
      let decision = this.authorizer.authorize(user, attrs);
      if (!decision.allowed) decision = await this.authorizer.authorizeFresh(user, attrs);
      if (!decision.allowed) {
        if (user === ANONYMOUS && !info.isResourceRequest) throw unauthorized();
        const msg = forbiddenMessage(user, attrs, decision.reason);
        if (info.isResourceRequest)
          throw forbidden({ group: info.group, resource: info.resource }, info.name, msg);
        throw new ApiError({
          kind: "Status",
          apiVersion: "v1",
          metadata: {},
          status: "Failure",
          message: msg,
          reason: "Forbidden",
          details: {},
          code: 403,
        } as StatusBody);
      }
      if (info.isResourceRequest) await this.handleResource(req, res, info, url.searchParams, user);
      else await this.handleNonResource(req, res, url);
      code = res.statusCode;
    } catch (err) {
      const e = writeError(res, err);
      code = e.status.code;
      if (code >= 500)
        this.log.error(
          { err: err instanceof Error ? err.stack : String(err), url: req.url },
          "request failed",
        );
    } finally {
      const resource = info.isResourceRequest ? info.resource : "";
      const verb = info.verb.toUpperCase();
      this.metrics.observe(verb, resource, code, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  private async handleNonResource(req: IncomingMessage, res: ServerResponse, url: RequestURL): Promise<void> {
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const accept = req.headers.accept;
    const cat = this.ctx.catalogue;
    switch (path) {
      case "/version":
        writeJson(res, 200, VERSION_INFO);
        return;
      case "/healthz":
      case "/livez":
      case "/readyz":
        this.health(res, path, url.searchParams);
        return;
      case "/metrics":
        writeRaw(res, 200, await this.metrics.render(), this.metrics.contentType);
        return;
      case "/":
        writeJson(res, 200, { paths: this.rootPaths() });
        return;
      case "/api":
        if (wantsAggregatedDiscovery(accept))
          writeJson(res, 200, aggregatedDiscovery(cat, true), AGGREGATED_CONTENT_TYPE);
        else writeJson(res, 200, apiVersions(`${this.opts.advertiseAddress}:${this.port()}`));
        return;
      case "/apis": {
        const metrics = this.metricsApi.available();
        if (wantsAggregatedDiscovery(accept)) {
          const list = aggregatedDiscovery(cat, false) as { items: unknown[] };
          if (metrics) list.items = [...list.items, metricsDiscoveryGroup()];
          writeJson(res, 200, list, AGGREGATED_CONTENT_TYPE);
        } else {
          const list = apiGroupList(cat) as { groups: unknown[] };
          if (metrics) list.groups = [...list.groups, metricsGroup()];
          writeJson(res, 200, list);
        }
        return;
      }
      case "/api/v1":
        writeJson(res, 200, apiResourceList(cat, "", "v1"));
        return;
      case "/openapi/v3":
        writeJson(res, 200, this.openapi.index());
        return;
      case "/openapi/v2":
        res.writeHead(200, {
          "Content-Type": "application/com.github.proto-openapi.spec.v2.v1.0+protobuf",
          "Content-Length": 0,
        });
        res.end();
        return;
    }
    if (path.startsWith("/openapi/v3/")) {
      const doc = this.openapi.doc(path.slice("/openapi/v3/".length));
      if (!doc) throw notFoundPath();
      // Gzip for clients that take it (kubectl does), as kube-apiserver compresses large responses.
      const { body, gzip } = docBody(doc, req.headers["accept-encoding"]);
      const headers: Record<string, string> = {
        "Content-Type": "application/json",
        "Content-Length": String(body.length),
      };
      if (gzip) {
        headers["Content-Encoding"] = "gzip";
        headers.Vary = "Accept-Encoding";
      }
      if (url.searchParams.get("hash") === doc.hash) headers["Cache-Control"] = "public, immutable";
      headers.Etag = `"${doc.hash}"`;
      res.writeHead(200, headers);
      res.end(body);
      return;
    }
    const m = /^\/apis\/([^/]+)(?:\/([^/]+))?$/.exec(path);
    if (m?.[1] === METRICS_GROUP && this.metricsApi.available()) {
      if (!m[2]) writeJson(res, 200, { kind: "APIGroup", apiVersion: "v1", ...metricsGroup() });
      else if (m[2] === METRICS_VERSION) writeJson(res, 200, metricsResourceList());
      else throw notFoundPath();
      return;
    }
    if (m) {
      const [, group, version] = m;
      if (!version) {
        const g = apiGroup(cat, group!);
        if (!g) throw notFoundPath();
        writeJson(res, 200, g);
        return;
      }
      if (!cat.hasGroupVersion(group!, version)) throw notFoundPath();
      writeJson(res, 200, apiResourceList(cat, group!, version));
      return;
    }
    if (/^\/(healthz|livez|readyz)\/[a-z-]+$/.test(path)) {
      const [, base, check] = path.split("/");
      const ok = this.checks().find((c) => c.name === check);
      if (!ok) throw notFoundPath();
      if (base === "livez" && check !== "ping") {
        writeRaw(res, 200, "ok", "text/plain; charset=utf-8");
        return;
      }
      writeRaw(
        res,
        ok.ok ? 200 : 500,
        ok.ok ? "ok" : `internal server error: ${check} check failed`,
        "text/plain; charset=utf-8",
      );
      return;
    }
    throw notFoundPath();
  }

  private checks(): { name: string; ok: boolean }[] {
    return [
      { name: "ping", ok: true },
      { name: "etcd", ok: this.ctx.cache.ready },
      { name: "informer-sync", ok: this.ctx.cache.ready },
      { name: "poststarthook/bootstrap-controller", ok: this.bootstrapped },
      { name: "poststarthook/rbac/bootstrap-roles", ok: this.rbac.policyInPlace },
    ];
  }

  private health(res: ServerResponse, path: string, q: URLSearchParams): void {
    const checks = path === "/livez" ? [{ name: "ping", ok: true }] : this.checks();
    const failed = checks.filter((c) => !c.ok);
    if (q.has("verbose")) {
      const lines = checks.map(
        (c) => `[${c.ok ? "+" : "-"}]${c.name} ${c.ok ? "ok" : "failed: reason withheld"}`,
      );
      const tail = failed.length ? `${path.slice(1)} check failed` : `${path.slice(1)} check passed`;
      writeRaw(res, failed.length ? 500 : 200, `${lines.join("\n")}\n${tail}\n`, "text/plain; charset=utf-8");
      return;
    }
    if (failed.length) {
      const lines = checks.map(
        (c) => `[${c.ok ? "+" : "-"}]${c.name} ${c.ok ? "ok" : "failed: reason withheld"}`,
      );
      writeRaw(res, 500, `${lines.join("\n")}\n${path.slice(1)} check failed\n`, "text/plain; charset=utf-8");
      return;
    }
    writeRaw(res, 200, "ok", "text/plain; charset=utf-8");
  }

  private rootPaths(): string[] {
    const paths = [
      "/api",
      "/api/v1",
      "/apis",
      "/healthz",
      "/livez",
      "/readyz",
      "/metrics",
      "/openapi/v2",
      "/openapi/v3",
      "/version",
    ];
    for (const g of this.ctx.catalogue.groups) {
      if (!g.name) continue;
      paths.push(`/apis/${g.name}`);
      for (const v of g.versions) paths.push(`/apis/${g.name}/${v}`);
    }
    for (const c of this.checks()) paths.push(`/healthz/${c.name}`, `/readyz/${c.name}`);
    return paths.sort();
  }

  private async handleResource(
    req: IncomingMessage,
    res: ServerResponse,
    info: ResourceRequestInfo,
    query: URLSearchParams,
    user: UserInfo,
  ): Promise<void> {
    if (info.group === METRICS_GROUP && info.version === METRICS_VERSION && !info.subresource) {
      writeJson(res, 200, this.metricsApi.serve(info.resource, info.namespace, info.name, query, info.verb));
      return;
    }
    const served = this.ctx.catalogue.lookup(info.group, info.version, info.resource);
    if (!served) throw notFoundPath();
    const def = served.def;
    if (
      def.namespaced &&
      !info.namespace &&
      (info.name || info.verb === "create" || info.verb === "deletecollection")
    ) {
      throw notFoundPath();
    }
    if (!def.namespaced && info.namespace && info.resource !== "namespaces") throw notFoundPath();
    const scope: RequestScope = {
      req,
      res,
      info,
      query,
      user,
      served,
      gr: { group: def.group, resource: info.subresource ? def.resource : def.resource },
      warnings: [],
      table: wantsTable(req.headers.accept),
      dryRun: dryRunOf(query),
    };
    if (def.deprecationWarning) scope.warnings.push(def.deprecationWarning);
    const origWriteHead = res.writeHead.bind(res);
    res.writeHead = ((...args: Parameters<ServerResponse["writeHead"]>) => {
      addWarnings(res, scope.warnings);
      return origWriteHead(...args);
    }) as ServerResponse["writeHead"];
    const ctx = this.ctx;
    if (info.subresource) {
      const sub = info.subresource;
      if (!def.subresources?.some((s) => s.name === sub)) throw notFoundPath();
      switch (sub) {
        case "status":
          return handleStatus(ctx, scope);
        case "scale":
          return handleScale(ctx, scope);
        case "binding":
          return handleBinding(ctx, scope);
        case "eviction":
          return handleEviction(ctx, scope);
        case "finalize":
          return handleFinalize(ctx, scope);
        case "token":
          return handleTokenRequest(ctx, scope, this.tokenIssuer);
      }
      if (STREAMING_SUBRESOURCES.has(sub)) return handleStreaming(ctx, scope);
      throw notFoundPath();
    }
    if (def.group === "" && def.resource === "componentstatuses") {
      return handleComponentStatus(ctx, scope, this.components);
    }
    if (!def.verbs.includes(info.verb) && !(info.verb === "watch" && def.verbs.includes("list"))) {
      throw methodNotSupported(scope.gr, info.verb);
    }
    if (isReviewResource(def.group, def.resource)) return handleReview(ctx, scope, this.authorizer);
    switch (info.verb) {
      case "get":
        return handleGet(ctx, scope);
      case "list":
        return handleList(ctx, scope);
      case "watch":
        return handleWatch(ctx, scope);
      case "create":
        if (info.name) throw methodNotSupported(scope.gr, "create");
        return handleCreate(ctx, scope);
      case "update":
        return handleUpdate(ctx, scope);
      case "patch":
        return handlePatch(ctx, scope);
      case "delete":
        return handleDelete(ctx, scope);
      case "deletecollection":
        return handleDeleteCollection(ctx, scope);
    }
    throw methodNotSupported(scope.gr, info.verb);
  }

  private async handleUpgrade(
    req: IncomingMessage,
    socket: import("node:stream").Duplex,
    head: Buffer,
  ): Promise<void> {
    const url = new URL(req.url ?? "/", "https://apiserver");
    const info = parseRequestInfo(req.method ?? "GET", url.pathname, url.searchParams);
    const requester = authenticate(req, this.tokens);
    const reply = (code: number, status: StatusBody | { message: string; code: number }) => {
      const body = JSON.stringify(status);
      socket.end(
        `HTTP/1.1 ${code} ${code === 400 ? "Bad Request" : code === 401 ? "Unauthorized" : code === 403 ? "Forbidden" : code === 404 ? "Not Found" : "Service Unavailable"}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    };
    if (!requester) return reply(401, unauthorized().status);
    let user: UserInfo;
    try {
      user = impersonate(req, requester, (u, a) => this.authorizer.authorize(u, a));
    } catch (err) {
      const e = err instanceof ApiError ? err : null;
      return reply(e?.status.code ?? 500, e?.status ?? { message: String(err), code: 500 });
    }
    if (!info.isResourceRequest || !STREAMING_SUBRESOURCES.has(info.subresource))
      return reply(404, notFoundPath().status);
    const attrs = {
      verb: info.verb === "get" ? "get" : "create",
      group: info.group,
      resource: info.resource,
      subresource: info.subresource,
      namespace: info.namespace,
      name: info.name,
    };
    const decision = await this.authorizer.authorizeFresh(user, attrs);
    if (!decision.allowed) {
      const msg = forbiddenMessage(user, attrs, decision.reason);
      return reply(403, forbidden({ group: info.group, resource: info.resource }, info.name, msg).status);
    }
    const { proxyUpgrade } = await import("./handlers/streaming.js");
    try {
      await proxyUpgrade(this.ctx, info, url, req, socket, head);
    } catch (err) {
      const e = err instanceof ApiError ? err : null;
      reply(e?.status.code ?? 503, e?.status ?? { message: String(err), code: 503 });
    }
  }
}

/** What the request path holds: the (normalized) path and the query. */
export type RequestURL = Pick<URL, "pathname" | "searchParams">;

/** Characters that WHATWG URL parsing leaves as they are in a path and query (no %, no "\\", no "#"). */
const PLAIN_URL = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/?]*$/;

/**
 * The request's path and query, as `new URL(raw, base)` gives them. Every API request goes through
 * here; a plain path (no percent-encoding, no "." or ".." segment) is split by hand, which is what URL
 * parsing would return for it at a fraction of the cost. Pure.
 */
export function requestURL(raw: string | undefined): RequestURL {
  const s = raw ?? "/";
  const q = s.indexOf("?");
  const path = q < 0 ? s : s.slice(0, q);
  if (PLAIN_URL.test(s) && !path.includes("/.") && !path.includes("//")) {
    return { pathname: path, searchParams: new URLSearchParams(q < 0 ? "" : s.slice(q + 1)) };
  }
  return new URL(s, "https://apiserver");
}

export function parseEtcdServers(s: string): string[] {
  return s
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "");
}
