// The streaming pod subresources (log, exec, attach, portforward) and the proxies (pods, services,
// nodes). They are relayed to the kubelet on the pod's node (InternalIP:10250), as kube-apiserver
// does; upgrade requests (WebSocket v5.channel.k8s.io, SPDY/3.1) are relayed byte for byte so the
// kubelet negotiates the protocol itself. When no kubelet answers: a clean 503 Status.
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import * as net from "node:net";
import type { Duplex } from "node:stream";
import { type ConnectionOptions, connect as tlsConnect } from "node:tls";
import type { StoredObject } from "../../pkg/api/types.js";
import { kubeletEndpointOf, kubeletTlsOptions } from "../kubeletclient/client.js";
import { objectKey } from "../storage/keys.js";
import { decodeStored } from "../watchcache/cache.js";
import type { ResourceRequestInfo } from "./request-info.js";
import type { ApiContext, RequestScope } from "./scope.js";
import { badRequest, notFound, serviceUnavailable } from "./status.js";

export const STREAMING_SUBRESOURCES = new Set(["log", "exec", "attach", "portforward", "proxy"]);

async function load(
  ctx: ApiContext,
  resource: string,
  namespace: string,
  name: string,
): Promise<StoredObject> {
  const served = ctx.catalogue.lookup("", "v1", resource)!;
  const kv = await ctx.store.get(objectKey(ctx.prefix, served.storage, namespace, name));
  const obj = kv ? decodeStored(kv) : null;
  if (!obj) throw notFound({ group: "", resource }, name);
  return obj;
}

/** The address the kubelet of `nodeName` listens on: its InternalIP, else its name. */
export async function kubeletAddress(
  ctx: ApiContext,
  nodeName: string,
): Promise<{ host: string; port: number; nodeName: string }> {
  return kubeletEndpointOf(await load(ctx, "nodes", "", nodeName));
}

function podContainers(pod: StoredObject): string[] {
  const spec = (pod.spec ?? {}) as { containers?: { name: string }[] };
  return (spec.containers ?? []).map((c) => c.name);
}

/** Chooses the container for logs/exec/attach as kube-apiserver does, or throws its 400. */
export function pickContainer(pod: StoredObject, requested: string | null): string {
  const names = podContainers(pod);
  const initNames = (((pod.spec ?? {}) as { initContainers?: { name: string }[] }).initContainers ?? []).map(
    (c) => c.name,
  );
  if (requested) {
    if (!names.includes(requested) && !initNames.includes(requested)) {
      throw badRequest(`container ${requested} is not valid for pod ${pod.metadata.name}`);
    }
    return requested;
  }
  if (names.length === 1) return names[0]!;
  const def = pod.metadata.annotations?.["kubectl.kubernetes.io/default-container"];
  if (def && names.includes(def)) return def;
  throw badRequest(
    `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${names.join(" ")}]${initNames.length ? ` or one of the init containers: [${initNames.join(" ")}]` : ""}`,
  );
}

/** Where a proxied request goes; `nodeName` when it is a kubelet (client certificate, verified serving cert). */
export interface ProxyTarget {
  host: string;
  port: number;
  path: string;
  tls: boolean;
  nodeName?: string;
}

/** The kubelet path and query for a pod subresource request. */
export async function kubeletTarget(
  ctx: ApiContext,
  info: ResourceRequestInfo,
  query: URLSearchParams,
): Promise<ProxyTarget> {
  if (info.resource === "nodes") {
    const addr = await kubeletAddress(ctx, info.name);
    return { ...addr, path: `${info.rest || "/"}${query.size ? `?${query}` : ""}`, tls: true };
  }
  if (info.resource === "services") {
    return serviceTarget(ctx, info, query);
  }
  const pod = await load(ctx, "pods", info.namespace, info.name);
  const spec = (pod.spec ?? {}) as { nodeName?: string };
  if (info.subresource === "proxy") {
    const podIP = (pod.status as { podIP?: string } | undefined)?.podIP;
    if (!podIP) throw badRequest(`pod ${info.name} does not have an IP address assigned`);
    const [, port] = /^(?:[^:]*:)?(?:.*:)?(\d+)?$/.exec(info.name) ?? [];
    return {
      host: podIP,
      port: Number(port) || 80,
      path: `${info.rest || "/"}${query.size ? `?${query}` : ""}`,
      tls: false,
    };
  }
  if (!spec.nodeName) throw badRequest(`pod ${info.name} does not have a host assigned`);
  const addr = await kubeletAddress(ctx, spec.nodeName);
  const ns = encodeURIComponent(info.namespace);
  const name = encodeURIComponent(info.name);
  const q = new URLSearchParams(query);
  switch (info.subresource) {
    case "log": {
      const container = pickContainer(pod, q.get("container"));
      q.delete("container");
      return {
        ...addr,
        path: `/containerLogs/${ns}/${name}/${encodeURIComponent(container)}${q.size ? `?${q}` : ""}`,
        tls: true,
      };
    }
    case "exec":
    case "attach": {
      const container = pickContainer(pod, q.get("container"));
      q.delete("container");
      const base = info.subresource === "exec" ? "/exec" : "/attach";
      return {
        ...addr,
        path: `${base}/${ns}/${name}/${encodeURIComponent(container)}${q.size ? `?${q}` : ""}`,
        tls: true,
      };
    }
    case "portforward":
      return { ...addr, path: `/portForward/${ns}/${name}${q.size ? `?${q}` : ""}`, tls: true };
  }
  throw badRequest(`unsupported subresource ${info.subresource}`);
}

async function serviceTarget(
  ctx: ApiContext,
  info: ResourceRequestInfo,
  query: URLSearchParams,
): Promise<ProxyTarget> {
  // services/<scheme:name:port>/proxy: pick a ready endpoint address and the matching port.
  const [schemeOrName, maybeName, maybePort] = info.name.split(":");
  const name =
    maybeName !== undefined && (schemeOrName === "http" || schemeOrName === "https")
      ? maybeName
      : schemeOrName!;
  const portName =
    maybeName !== undefined && (schemeOrName === "http" || schemeOrName === "https") ? maybePort : maybeName;
  const tls = schemeOrName === "https";
  const ep = await load(ctx, "endpoints", info.namespace, name);
  const subsets = (ep.subsets ?? []) as {
    addresses?: { ip: string }[];
    ports?: { name?: string; port: number }[];
  }[];
  for (const s of subsets) {
    const addr = s.addresses?.[0];
    const port =
      s.ports?.find((p) => !portName || p.name === portName || String(p.port) === portName) ?? s.ports?.[0];
    if (addr && port)
      return {
        host: addr.ip,
        port: port.port,
        path: `${info.rest || "/"}${query.size ? `?${query}` : ""}`,
        tls,
      };
  }
  throw serviceUnavailable(`no endpoints available for service "${name}"`);
}

/** TLS options for a target: the kubelet client's for kubelets, no verification for pods and services. */
function tlsFor(ctx: ApiContext, target: ProxyTarget): ConnectionOptions {
  if (target.nodeName) return kubeletTlsOptions(ctx.kubelet, target.nodeName);
  return { rejectUnauthorized: false, ALPNProtocols: ["http/1.1"] };
}

function unreachable(host: string, port: number, err: unknown): never {
  throw serviceUnavailable(
    `error trying to reach service: dial tcp ${host}:${port}: ${err instanceof Error ? err.message : String(err)}`,
  );
}

export async function handleStreaming(ctx: ApiContext, scope: RequestScope): Promise<void> {
  const { info, req, res } = scope;
  if (
    (info.subresource === "exec" || info.subresource === "attach" || info.subresource === "portforward") &&
    !req.headers.upgrade
  ) {
    throw badRequest("Upgrade request required");
  }
  const target = await kubeletTarget(ctx, info, scope.query);
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined || k === "authorization" || k === "host" || k === "connection") continue;
    headers[k] = v;
  }
  await new Promise<void>((resolve, reject) => {
    const send = target.tls ? httpsRequest : httpRequest;
    const up = send(
      {
        host: target.host,
        port: target.port,
        path: target.path,
        method: req.method,
        headers,
        ...tlsFor(ctx, target),
        agent: false,
        timeout: 5000,
      },
      (upRes: IncomingMessage) => {
        up.setTimeout(0);
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        res.socket?.setNoDelay(true);
        upRes.pipe(res);
        upRes.on("end", resolve);
        upRes.on("error", resolve);
        res.on("close", () => {
          upRes.destroy();
          resolve();
        });
      },
    );
    up.on("timeout", () => up.destroy(new Error("i/o timeout")));
    up.on("error", (err) => {
      if (res.headersSent) {
        res.destroy();
        resolve();
      } else {
        try {
          unreachable(target.host, target.port, err);
        } catch (e) {
          reject(e);
        }
      }
    });
    req.pipe(up);
  });
}

/** Relays an upgrade request (exec/attach/portforward/proxy websockets) to the kubelet, byte for byte. */
export async function proxyUpgrade(
  ctx: ApiContext,
  info: ResourceRequestInfo,
  url: URL,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  const target = await kubeletTarget(ctx, info, url.searchParams);
  const upstream = await new Promise<Duplex>((resolve, reject) => {
    const s = target.tls
      ? tlsConnect({ ...tlsFor(ctx, target), host: target.host, port: target.port }, () => resolve(s))
      : net.connect({ host: target.host, port: target.port }, () => resolve(s));
    (s as net.Socket).setTimeout(5000, () => s.destroy(new Error("i/o timeout")));
    s.once("error", (err) =>
      reject(
        serviceUnavailable(`error dialing backend: dial tcp ${target.host}:${target.port}: ${err.message}`),
      ),
    );
  });
  (upstream as net.Socket).setTimeout(0);
  const lines = [`${req.method} ${target.path} HTTP/1.1`, `Host: ${target.host}:${target.port}`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const k = req.rawHeaders[i]!;
    if (/^(authorization|host)$/i.test(k)) continue;
    lines.push(`${k}: ${req.rawHeaders[i + 1]}`);
  }
  upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
  if (head.length) upstream.write(head);
  socket.pipe(upstream);
  upstream.pipe(socket);
  const abort = () => {
    socket.destroy();
    upstream.destroy();
  };
  socket.on("error", abort);
  upstream.on("error", abort);
  socket.on("close", () => upstream.destroy());
  // The kubelet is done: what it sent last (the exit Status) may still be queued for a slow client, so the
  // client's side is ended after it has been written, not destroyed.
  upstream.on("close", () => socket.end());
}
