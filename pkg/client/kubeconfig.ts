// Where the apiserver is and how to authenticate to it: from a kubeconfig file (the `--kubeconfig`
// flag every component takes), from the pod's service account (in-cluster), or from the usual
// fallbacks, in client-go's order (clientcmd.BuildConfigFromFlags).
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { parse } from "yaml";

export interface ClientConfig {
  /** "https://10.0.0.2:6443" (no trailing slash). */
  server: string;
  /** PEM CA bundle to verify the server; absent ⇒ Node's default roots. */
  caData?: Buffer;
  /** Client certificate and key (PEM). */
  certData?: Buffer;
  keyData?: Buffer;
  /** Bearer token. */
  token?: string;
  /** Bearer token file, re-read at most once a minute (service-account tokens rotate). */
  tokenFile?: string;
  insecureSkipTLSVerify?: boolean;
  /** SNI / certificate name to expect when it differs from the server's host. */
  tlsServerName?: string;
}

export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

interface KubeconfigCluster {
  server?: string;
  "certificate-authority"?: string;
  "certificate-authority-data"?: string;
  "insecure-skip-tls-verify"?: boolean;
  "tls-server-name"?: string;
}

interface KubeconfigUser {
  "client-certificate"?: string;
  "client-certificate-data"?: string;
  "client-key"?: string;
  "client-key-data"?: string;
  token?: string;
  tokenFile?: string;
}

interface KubeconfigContext {
  cluster?: string;
  user?: string;
  namespace?: string;
}

interface KubeconfigFile {
  "current-context"?: string;
  clusters?: Array<{ name: string; cluster?: KubeconfigCluster }>;
  users?: Array<{ name: string; user?: KubeconfigUser }>;
  contexts?: Array<{ name: string; context?: KubeconfigContext }>;
}

export class KubeconfigError extends Error {
  override readonly name = "KubeconfigError";
}

/** Parses kubeconfig text. `baseDir` resolves relative file paths, as kubectl does (relative to the file). */
export function parseKubeconfig(
  text: string,
  baseDir: string,
  opts: { context?: string } = {},
): ClientConfig {
  let doc: KubeconfigFile;
  try {
    doc = (parse(text) ?? {}) as KubeconfigFile;
  } catch (err) {
    throw new KubeconfigError(`invalid kubeconfig: ${(err as Error).message}`);
  }
  const contextName = opts.context || doc["current-context"];
  const contexts = doc.contexts ?? [];
  const ctx = contextName
    ? contexts.find((c) => c.name === contextName)?.context
    : contexts.length === 1
      ? contexts[0]?.context
      : undefined;
  if (!ctx) {
    throw new KubeconfigError(
      contextName ? `context "${contextName}" does not exist` : "kubeconfig has no current-context",
    );
  }
  const cluster = (doc.clusters ?? []).find((c) => c.name === ctx.cluster)?.cluster;
  if (!cluster?.server) throw new KubeconfigError(`cluster "${ctx.cluster ?? ""}" has no server`);
  const user: KubeconfigUser = (doc.users ?? []).find((u) => u.name === ctx.user)?.user ?? {};

  const file = (p: string) => readFileSync(isAbsolute(p) ? p : resolve(baseDir, p));
  const data = (b64: string) => Buffer.from(b64, "base64");
  const config: ClientConfig = { server: cluster.server.replace(/\/+$/, "") };
  if (cluster["certificate-authority-data"]) config.caData = data(cluster["certificate-authority-data"]);
  else if (cluster["certificate-authority"]) config.caData = file(cluster["certificate-authority"]);
  if (cluster["insecure-skip-tls-verify"]) config.insecureSkipTLSVerify = true;
  if (cluster["tls-server-name"]) config.tlsServerName = cluster["tls-server-name"];
  if (user["client-certificate-data"]) config.certData = data(user["client-certificate-data"]);
  else if (user["client-certificate"]) config.certData = file(user["client-certificate"]);
  if (user["client-key-data"]) config.keyData = data(user["client-key-data"]);
  else if (user["client-key"]) config.keyData = file(user["client-key"]);
  if (user.token) config.token = user.token;
  else if (user.tokenFile)
    config.tokenFile = isAbsolute(user.tokenFile) ? user.tokenFile : resolve(baseDir, user.tokenFile);
  return config;
}

export function loadKubeconfig(path: string, opts: { context?: string } = {}): ClientConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new KubeconfigError(`cannot read kubeconfig ${path}: ${(err as Error).message}`);
  }
  return parseKubeconfig(text, dirname(resolve(path)), opts);
}

/** The pod's own identity: service-account token + CA, and the apiserver from KUBERNETES_SERVICE_HOST/PORT. */
export function inClusterConfig(
  env: NodeJS.ProcessEnv = process.env,
  dir = SERVICE_ACCOUNT_DIR,
): ClientConfig {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new KubeconfigError(
      "unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined",
    );
  }
  const tokenFile = join(dir, "token");
  if (!existsSync(tokenFile)) throw new KubeconfigError(`open ${tokenFile}: no such file or directory`);
  const hostPart = host.includes(":") ? `[${host}]` : host;
  const config: ClientConfig = { server: `https://${hostPart}:${port}`, tokenFile };
  const ca = join(dir, "ca.crt");
  if (existsSync(ca)) config.caData = readFileSync(ca);
  return config;
}

export interface LoadClientConfigOptions {
  /** The --kubeconfig flag. */
  kubeconfig?: string;
  context?: string;
  /** The --master / --server flag: overrides the kubeconfig's server. */
  server?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * The config a component runs with: --kubeconfig, else $KUBECONFIG (first existing entry), else
 * in-cluster, else ~/.kube/config; a `server` alone (no kubeconfig) is used as is.
 */
export function loadClientConfig(opts: LoadClientConfigOptions = {}): ClientConfig {
  const env = opts.env ?? process.env;
  const withServer = (c: ClientConfig): ClientConfig =>
    opts.server ? { ...c, server: opts.server.replace(/\/+$/, "") } : c;
  if (opts.kubeconfig) return withServer(loadKubeconfig(opts.kubeconfig, { context: opts.context }));
  const fromEnv = (env.KUBECONFIG ?? "").split(":").find((p) => p && existsSync(p));
  if (fromEnv) return withServer(loadKubeconfig(fromEnv, { context: opts.context }));
  if (opts.server) return { server: opts.server.replace(/\/+$/, "") };
  if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT) return inClusterConfig(env);
  const home = join(env.HOME ?? homedir(), ".kube", "config");
  if (existsSync(home)) return loadKubeconfig(home, { context: opts.context });
  throw new KubeconfigError(
    "no kubeconfig: pass --kubeconfig, set KUBECONFIG, or run in a pod with a service account",
  );
}
