// How the apiserver reaches a kubelet (port 10250): TLS with the apiserver's own client certificate
// (--kubelet-client-certificate/--kubelet-client-key: CN kube-apiserver-kubelet-client, O system:masters)
// and, with --kubelet-certificate-authority, the kubelet's serving certificate verified against that CA
// for the node's name (the apiserver dials the InternalIP; the certificate names the node). Without a
// CA the serving certificate is not verified, as kube-apiserver does without the flag.
import { readFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import {
  type ConnectionOptions,
  checkServerIdentity,
  createSecureContext,
  type PeerCertificate,
  type SecureContext,
} from "node:tls";

export interface KubeletClientFiles {
  certFile?: string;
  keyFile?: string;
  caFile?: string;
}

export interface KubeletClientConfig {
  cert?: Buffer;
  key?: Buffer;
  ca?: Buffer;
}

export function loadKubeletClientConfig(files: KubeletClientFiles): KubeletClientConfig {
  const cfg: KubeletClientConfig = {};
  if (files.certFile && files.keyFile) {
    cfg.cert = readFileSync(files.certFile);
    cfg.key = readFileSync(files.keyFile);
  }
  if (files.caFile) cfg.ca = readFileSync(files.caFile);
  return cfg;
}

/**
 * One TLS context (certificate, key, CA) per client configuration, shared by every connection: a
 * context per connection (what passing cert/key/ca to each request makes) parses them again every
 * metrics scrape and leaves the process's malloc heap fragmented.
 */
const secureContexts = new WeakMap<KubeletClientConfig, SecureContext>();

function secureContextOf(cfg: KubeletClientConfig): SecureContext {
  let sc = secureContexts.get(cfg);
  if (!sc) {
    sc = createSecureContext({
      ...(cfg.cert && cfg.key ? { cert: cfg.cert, key: cfg.key } : {}),
      ...(cfg.ca ? { ca: cfg.ca } : {}),
    });
    secureContexts.set(cfg, sc);
  }
  return sc;
}

/** TLS options for a connection to the kubelet of `nodeName`. */
export function kubeletTlsOptions(cfg: KubeletClientConfig, nodeName: string): ConnectionOptions {
  const opts: ConnectionOptions = { ALPNProtocols: ["http/1.1"], secureContext: secureContextOf(cfg) };
  if (cfg.ca) {
    opts.rejectUnauthorized = true;
    // Either the node's name or the dialled address must be in the certificate.
    opts.checkServerIdentity = (host: string, cert: PeerCertificate) =>
      checkServerIdentity(nodeName, cert) === undefined ? undefined : checkServerIdentity(host, cert);
  } else {
    opts.rejectUnauthorized = false;
  }
  return opts;
}

export interface KubeletEndpoint {
  host: string;
  port: number;
  nodeName: string;
}

export const KUBELET_PORT = 10250;

/** Where a Node's kubelet listens: its InternalIP (else Hostname, else its name) and daemon port. */
export function kubeletEndpointOf(node: { metadata: { name?: string }; status?: unknown }): KubeletEndpoint {
  const nodeName = node.metadata.name ?? "";
  const status = (node.status ?? {}) as {
    addresses?: { type: string; address: string }[];
    daemonEndpoints?: { kubeletEndpoint?: { Port?: number } };
  };
  const host =
    status.addresses?.find((a) => a.type === "InternalIP")?.address ??
    status.addresses?.find((a) => a.type === "Hostname")?.address ??
    nodeName;
  return { host, port: status.daemonEndpoints?.kubeletEndpoint?.Port || KUBELET_PORT, nodeName };
}

/** GET a path on a kubelet; resolves with the status and the whole body (metrics, stats). */
export function kubeletGet(
  cfg: KubeletClientConfig,
  ep: KubeletEndpoint,
  path: string,
  timeoutMs = 5000,
): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        ...kubeletTlsOptions(cfg, ep.nodeName),
        // No pooled connection: the agent's key ignores checkServerIdentity, so a socket verified for
        // one node name could otherwise be reused for another.
        agent: false,
        host: ep.host,
        port: ep.port,
        path,
        method: "GET",
        headers: { Accept: "application/json" },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error("i/o timeout")));
    req.on("error", reject);
    req.end();
  });
}
