// ComponentStatus (v1, deprecated in 1.19): not stored, computed on each GET/LIST by probing the
// components, as kube-apiserver's pkg/registry/core/componentstatus does. Kubernetes probes the
// scheduler and controller-manager on 127.0.0.1; in tskube they are other containers, some with a
// second replica, so a component is a list of /healthz URLs and is Healthy when any replica answers.
// etcd is one entry per storage backend (`etcd-0` for --etcd-servers, as 1.32 names them), probed on
// each member's /health and validated as Kubernetes' EtcdHealthCheck did: `{"health":"true"}`.
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { ComponentCondition, ComponentStatus } from "kubernetes-types/core/v1";

/** Kubernetes' probeTimeOut for component status checks. */
export const PROBE_TIMEOUT_MS = 20_000;

/** The compose cluster's scheduler and controller-manager replicas (docker-compose.yml). */
export const DEFAULT_SCHEDULER_URLS = ["http://scheduler:10251/healthz", "http://scheduler-2:10251/healthz"];
export const DEFAULT_CONTROLLER_MANAGER_URLS = [
  "http://controller-manager:10252/healthz",
  "http://controller-manager-2:10252/healthz",
];

/** What one HTTP probe saw, as pkg/probe/http reports it. */
export interface ProbeResult {
  result: "Success" | "Failure" | "Unknown";
  /** The body on success; the failure's description otherwise. */
  message: string;
  /** A probe error (Kubernetes' `err`), shown in the ERROR column. */
  error?: string;
}

/** Checks a successful probe's body; returns an error message when it is not healthy. */
export type BodyValidator = (body: string) => string | undefined;

/** One component: its replicas' URLs, healthy when any of them is. */
export interface ComponentTarget {
  name: string;
  urls: string[];
  validate?: BodyValidator;
}

export interface ComponentStatusTargets {
  scheduler: string[];
  controllerManager: string[];
  /** --etcd-servers: one storage backend, probed member by member. */
  etcdServers: string[];
}

/** Kubernetes' EtcdHealthCheck: the /health body must be JSON with `health: "true"`. */
export function etcdHealthCheck(body: string): string | undefined {
  let obj: unknown;
  try {
    obj = JSON.parse(body);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  const health = typeof obj === "object" && obj !== null ? (obj as { health?: unknown }).health : undefined;
  return health === "true" ? undefined : `Unhealthy status: ${typeof health === "string" ? health : ""}`;
}

/** The /health URL of an etcd client URL (`http://etcd-1:2379` → `http://etcd-1:2379/health`). */
export function etcdHealthUrl(server: string): string {
  return `${server.replace(/\/+$/, "")}/health`;
}

/** The components to report, in the order Kubernetes' map usually lists them. */
export function componentTargets(t: ComponentStatusTargets): ComponentTarget[] {
  const out: ComponentTarget[] = [];
  if (t.scheduler.length > 0) out.push({ name: "scheduler", urls: t.scheduler });
  if (t.controllerManager.length > 0) out.push({ name: "controller-manager", urls: t.controllerManager });
  if (t.etcdServers.length > 0) {
    out.push({ name: "etcd-0", urls: t.etcdServers.map(etcdHealthUrl), validate: etcdHealthCheck });
  }
  return out;
}

/** An HTTP probe's outcome from the status code and body (pkg/probe/http DoHTTPProbe). */
export function httpProbeOutcome(statusCode: number, body: string): ProbeResult {
  if (statusCode >= 200 && statusCode < 300) return { result: "Success", message: body };
  if (statusCode >= 300 && statusCode < 400) {
    // probe.Warning, which ToConditionStatus turns into Unknown.
    return { result: "Unknown", message: `Probe terminated redirects, Response body: ${body}` };
  }
  return { result: "Failure", message: `HTTP probe failed with statuscode: ${statusCode}` };
}

/** A replica's result after the component's body validation (HttpServer.DoServerCheck). */
export function validated(r: ProbeResult, validate?: BodyValidator): ProbeResult {
  if (r.result !== "Success" || !validate) return r;
  const err = validate(r.message);
  return err === undefined ? r : { result: "Failure", message: r.message, error: err };
}

/** The component's Healthy condition from its replicas' results: the first success, else the first result. */
export function conditionOf(results: ProbeResult[]): ComponentCondition {
  const pick = results.find((r) => r.result === "Success") ??
    results[0] ?? { result: "Unknown" as const, message: "" };
  const status = pick.result === "Success" ? "True" : pick.result === "Failure" ? "False" : "Unknown";
  const c: ComponentCondition = { type: "Healthy", status };
  if (pick.message) c.message = pick.message;
  if (pick.error) c.error = pick.error;
  return c;
}

/** A ComponentStatus object as kube-apiserver encodes it. */
export function componentStatusOf(name: string, condition: ComponentCondition): ComponentStatus {
  return {
    kind: "ComponentStatus",
    apiVersion: "v1",
    metadata: { name, creationTimestamp: null as unknown as string },
    conditions: [condition],
  };
}

/** How Go's net/http client words a failed request, for the probe's message. */
export function describeRequestError(
  url: string,
  err: NodeJS.ErrnoException & { address?: string; port?: number },
): string {
  let detail: string;
  switch (err.code) {
    case "ECONNREFUSED":
      detail = `dial tcp ${err.address ?? new URL(url).hostname}:${err.port ?? new URL(url).port}: connect: connection refused`;
      break;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      detail = `dial tcp: lookup ${new URL(url).hostname}: no such host`;
      break;
    case "ETIMEDOUT":
    case "ABORT_ERR":
      detail = "context deadline exceeded (Client.Timeout exceeded while awaiting headers)";
      break;
    case "ECONNRESET":
      detail = "read: connection reset by peer";
      break;
    default:
      detail = err.message;
  }
  return `Get "${url}": ${detail}`;
}

const MAX_BODY = 10 * 1024;

/** GETs one URL; never rejects. Connection errors are probe failures, as in Kubernetes. */
export function httpProbe(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      resolve({ result: "Unknown", message: "", error: `parse "${url}": invalid URL` });
      return;
    }
    const request = u.protocol === "https:" ? httpsRequest : httpRequest;
    const req = request(
      u,
      {
        method: "GET",
        headers: { "User-Agent": "kube-probe/1.32", Accept: "*/*" },
        signal: AbortSignal.timeout(timeoutMs),
        // Kubernetes probes the components' serving certificates without verifying them.
        ...(u.protocol === "https:" ? { rejectUnauthorized: false } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          if (size < MAX_BODY) chunks.push(c);
          size += c.length;
        });
        res.on("end", () =>
          resolve(
            httpProbeOutcome(res.statusCode ?? 0, Buffer.concat(chunks).toString("utf8").slice(0, MAX_BODY)),
          ),
        );
        res.on("error", (err) => resolve({ result: "Failure", message: describeRequestError(url, err) }));
      },
    );
    req.on("error", (err) => resolve({ result: "Failure", message: describeRequestError(url, err) }));
    req.end();
  });
}

export type Prober = (url: string) => Promise<ProbeResult>;

/** Probes a component's replicas at once; answers as soon as one is healthy. */
export async function checkComponent(
  t: ComponentTarget,
  probe: Prober = httpProbe,
): Promise<ComponentStatus> {
  const results: (ProbeResult | undefined)[] = t.urls.map(() => undefined);
  await new Promise<void>((resolve) => {
    let pending = t.urls.length;
    if (pending === 0) resolve();
    t.urls.forEach((url, i) => {
      void probe(url)
        .catch((err: unknown): ProbeResult => ({ result: "Unknown", message: "", error: String(err) }))
        .then((r) => {
          results[i] = validated(r, t.validate);
          pending--;
          if (results[i]!.result === "Success" || pending === 0) resolve();
        });
    });
  });
  return componentStatusOf(t.name, conditionOf(results.filter((r): r is ProbeResult => r !== undefined)));
}

/** Every component's status, probed in parallel. */
export function checkComponents(
  targets: ComponentTarget[],
  probe: Prober = httpProbe,
): Promise<ComponentStatus[]> {
  return Promise.all(targets.map((t) => checkComponent(t, probe)));
}
