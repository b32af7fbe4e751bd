// Test harness for the apiserver: a real etcd (the tskube/etcd:3.4 image, through testcontainers), a
// throw-away PKI made with openssl, the apiserver in-process on 127.0.0.1, an HTTPS client with the
// admin certificate, and a kubeconfig for the real kubectl.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GenericContainer, Wait } from "testcontainers";
import { ApiServer, type ApiServerOptions } from "../../../apiserver/server.js";
import { newLogger } from "../../../pkg/util/log.js";
import { kubectlPath, type RunResult, run } from "../../lib/cluster.js";

export const ETCD_IMAGE = process.env.TSKUBE_ETCD_IMAGE ?? "tskube/etcd:3.4";

export interface Pki {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
  saKey: string;
  saPub: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
}

/** Makes a CA, a serving certificate for 127.0.0.1/localhost, an admin client cert and an SA key pair. */
export function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), "tskube-pki-"));
  writeFileSync(
    join(dir, "ext.cnf"),
    "[srv]\nsubjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n[cli]\nextendedKeyUsage=clientAuth\n",
  );
  openssl(dir, [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    "-days",
    "2",
    "-subj",
    "/CN=test-ca",
  ]);
  const leaf = (name: string, subj: string, ext: string) => {
    openssl(dir, [
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
      "-subj",
      subj,
    ]);
    openssl(dir, [
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${name}.crt`,
      "-days",
      "2",
      "-extfile",
      "ext.cnf",
      "-extensions",
      ext,
    ]);
  };
  leaf("server", "/CN=kube-apiserver", "srv");
  leaf("admin", "/O=system:masters/CN=kubernetes-admin", "cli");
  leaf("nobody", "/CN=nobody", "cli");
  openssl(dir, ["genrsa", "-out", "sa.key", "2048"]);
  openssl(dir, ["rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub"]);
  const p = (f: string) => join(dir, f);
  return {
    dir,
    ca: p("ca.crt"),
    serverCert: p("server.crt"),
    serverKey: p("server.key"),
    adminCert: p("admin.crt"),
    adminKey: p("admin.key"),
    saKey: p("sa.key"),
    saPub: p("sa.pub"),
  };
}

/** A started etcd container; `stop()` removes it. */
export interface EtcdContainer {
  id: string;
  stop(): Promise<void>;
}

/**
 * Starts one etcd member from the tskube/etcd image on a random local port, with testcontainers. Its
 * reaper (Ryuk) cannot be pulled here (no registry), so it is off and every container is removed
 * explicitly by `stop()`; the label lets a run's leftovers be found (`docker ps -af label=tskube.test`).
 */
export async function startEtcd(): Promise<{ container: EtcdContainer; url: string }> {
  process.env.TESTCONTAINERS_RYUK_DISABLED = "true";
  const started = await new GenericContainer(ETCD_IMAGE)
    .withCommand([
      "--name=test",
      "--data-dir=/var/lib/etcd/data",
      "--listen-client-urls=http://0.0.0.0:2379",
      "--advertise-client-urls=http://127.0.0.1:2379",
    ])
    .withExposedPorts(2379)
    .withLabels({ "tskube.test": "apiserver" })
    .withWaitStrategy(Wait.forHttp("/health", 2379).forStatusCode(200))
    .withStartupTimeout(30_000)
    .start();
  const container: EtcdContainer = {
    id: started.getId(),
    async stop() {
      await started.stop({ remove: true, removeVolumes: true }).catch(() => {});
    },
  };
  return { container, url: `http://127.0.0.1:${started.getMappedPort(2379)}` };
}

export interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

export class Client {
  constructor(
    readonly base: string,
    private readonly pki: Pki,
    private readonly certName: "admin" | "nobody" | null = "admin",
  ) {}

  req(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const url = new URL(path, this.base);
    const payload =
      body === undefined
        ? undefined
        : typeof body === "string" || Buffer.isBuffer(body)
          ? body
          : JSON.stringify(body);
    const h: Record<string, string> = { Accept: "application/json", ...headers };
    if (payload !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === "content-type")) {
      h["Content-Type"] = "application/json";
    }
    if (payload !== undefined) h["Content-Length"] = String(Buffer.byteLength(payload));
    return new Promise((resolve, reject) => {
      const r = request(
        url,
        {
          method,
          headers: h,
          ca: readFileSync(this.pki.ca),
          ...(this.certName
            ? {
                cert: readFileSync(join(this.pki.dir, `${this.certName}.crt`)),
                key: readFileSync(join(this.pki.dir, `${this.certName}.key`)),
              }
            : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text,
              json: () => JSON.parse(text),
            });
          });
        },
      );
      r.on("error", reject);
      if (payload !== undefined) r.write(payload);
      r.end();
    });
  }

  /** Opens a watch; collects the events until `stop()`. */
  watch(path: string): {
    events: { type: string; object: Record<string, unknown> }[];
    status: Promise<number>;
    stop(): void;
  } {
    const url = new URL(path, this.base);
    const events: { type: string; object: Record<string, unknown> }[] = [];
    let buf = "";
    let stopper: () => void = () => {};
    const status = new Promise<number>((resolve, reject) => {
      const r = request(
        url,
        {
          method: "GET",
          headers: { Accept: "application/json" },
          ca: readFileSync(this.pki.ca),
          cert: readFileSync(this.pki.adminCert),
          key: readFileSync(this.pki.adminKey),
        },
        (res) => {
          resolve(res.statusCode ?? 0);
          res.on("data", (c: Buffer) => {
            buf += c.toString("utf8");
            let nl = buf.indexOf("\n");
            while (nl >= 0) {
              const line = buf.slice(0, nl).trim();
              buf = buf.slice(nl + 1);
              if (line) events.push(JSON.parse(line));
              nl = buf.indexOf("\n");
            }
          });
          res.on("error", () => {});
        },
      );
      r.on("error", (e) => {
        if (!(e as NodeJS.ErrnoException).code?.includes("RESET")) reject(e);
      });
      r.end();
      stopper = () => r.destroy();
    });
    return { events, status, stop: () => stopper() };
  }
}

export interface Harness {
  etcd: EtcdContainer;
  etcdUrl: string;
  pki: Pki;
  server: ApiServer;
  client: Client;
  base: string;
  kubeconfig: string;
  stop(): Promise<void>;
}

export async function startHarness(
  opts: { prefix?: string; server?: Partial<ApiServerOptions> } = {},
): Promise<Harness> {
  const pki = makePki();
  const { container, url } = await startEtcd();
  const server = new ApiServer({
    etcdServers: [url],
    etcdPrefix: opts.prefix ?? "/registry",
    securePort: 0,
    bindAddress: "127.0.0.1",
    advertiseAddress: "127.0.0.1",
    tlsCertFile: pki.serverCert,
    tlsPrivateKeyFile: pki.serverKey,
    clientCAFile: pki.ca,
    serviceAccountKeyFile: pki.saPub,
    serviceAccountSigningKeyFile: pki.saKey,
    serviceClusterIPRange: "10.96.0.0/12",
    serviceNodePortRange: "30000-32767",
    log: newLogger("apiserver-test", process.env.LOG_LEVEL ?? "warn"),
    ...opts.server,
  });
  await server.start();
  const base = `https://127.0.0.1:${server.port()}`;
  const client = new Client(base, pki);
  for (let i = 0; i < 100; i++) {
    const r = await client.req("GET", "/readyz").catch(() => null);
    if (r?.status === 200) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  const kubeconfig = join(pki.dir, "kubeconfig");
  writeFileSync(
    kubeconfig,
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      "- name: test",
      "  cluster:",
      `    server: ${base}`,
      `    certificate-authority: ${pki.ca}`,
      "users:",
      "- name: admin",
      "  user:",
      `    client-certificate: ${pki.adminCert}`,
      `    client-key: ${pki.adminKey}`,
      "contexts:",
      "- name: test",
      "  context: {cluster: test, user: admin, namespace: default}",
      "current-context: test",
      "",
    ].join("\n"),
  );
  return {
    etcd: container,
    etcdUrl: url,
    pki,
    server,
    client,
    base,
    kubeconfig,
    async stop() {
      try {
        await server.stop();
      } finally {
        await container.stop();
      }
      rmSync(pki.dir, { recursive: true, force: true });
    },
  };
}

/**
 * The real kubectl against a harness apiserver (`kubeconfig`: the harness's, or one with another
 * identity), through the suites' shared runner (test/lib/cluster.ts). Fails loudly without kubectl.
 */
export function kubectlWith(
  kubeconfig: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<RunResult> {
  return run(kubectlPath(), ["--kubeconfig", kubeconfig, ...args], {
    env: { KUBECONFIG: kubeconfig, ...env },
  });
}
