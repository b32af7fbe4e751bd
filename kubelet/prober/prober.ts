// One probe run (pkg/kubelet/prober/prober.go): exec through the runtime, httpGet and tcpSocket from the
// node's network namespace to the pod IP. Returns the result and the output Kubernetes puts in its events.
import http from "node:http";
import https from "node:https";
import net from "node:net";
import type { Container, Pod, Probe } from "kubernetes-types/core/v1";

export type ProbeResult = { ok: boolean; output: string };

export interface ExecRunner {
  exec(containerId: string, cmd: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }>;
}

/** A named or numeric port of the container. */
export function resolvePort(port: string | number | undefined, c: Container): number {
  if (typeof port === "number") return port;
  if (port === undefined) return 0;
  if (/^\d+$/.test(port)) return Number(port);
  const p = (c.ports ?? []).find((x) => x.name === port);
  if (!p) throw new Error(`couldn't find port: ${port} in ${JSON.stringify(c.ports ?? [])}`);
  return p.containerPort;
}

function httpProbe(
  scheme: string,
  host: string,
  port: number,
  pathAndQuery: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<ProbeResult> {
  const url = `${scheme.toLowerCase()}://${host.includes(":") ? `[${host}]` : host}:${port}${pathAndQuery.startsWith("/") ? "" : "/"}${pathAndQuery}`;
  return new Promise((resolve) => {
    const mod = scheme === "HTTPS" ? https : http;
    const req = mod.request(
      url,
      {
        method: "GET",
        headers: { "User-Agent": "kube-probe/1.32", Accept: "*/*", ...headers },
        timeout: timeoutMs,
        ...(scheme === "HTTPS" ? { rejectUnauthorized: false } : {}),
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => {
          if (body.length < 10_240) body += d;
        });
        res.on("end", () => {
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 400) resolve({ ok: true, output: body });
          else resolve({ ok: false, output: `HTTP probe failed with statuscode: ${code}` });
        });
      },
    );
    req.on("timeout", () => {
      req.destroy();
      resolve({
        ok: false,
        output: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
      });
    });
    req.on("error", (e: NodeJS.ErrnoException) =>
      resolve({ ok: false, output: `Get "${url}": ${dialError(host, port, e)}` }),
    );
    req.end();
  });
}

function dialError(host: string, port: number, e: NodeJS.ErrnoException): string {
  if (e.code === "ECONNREFUSED") return `dial tcp ${host}:${port}: connect: connection refused`;
  if (e.code === "EHOSTUNREACH") return `dial tcp ${host}:${port}: connect: no route to host`;
  if (e.code === "ETIMEDOUT") return `dial tcp ${host}:${port}: i/o timeout`;
  return e.message;
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const t = setTimeout(() => {
      s.destroy();
      resolve({ ok: false, output: `dial tcp ${host}:${port}: i/o timeout` });
    }, timeoutMs);
    s.on("connect", () => {
      clearTimeout(t);
      s.destroy();
      resolve({ ok: true, output: "" });
    });
    s.on("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(t);
      resolve({ ok: false, output: dialError(host, port, e) });
    });
  });
}

export const EXEC_STARTUP_ALLOWANCE_MS = 2000;

export async function runProbe(
  probe: Probe,
  pod: Pod,
  c: Container,
  containerId: string,
  podIP: string,
  runner: ExecRunner,
): Promise<ProbeResult> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  try {
    if (probe.exec) {
      const cmd = probe.exec.command ?? [];
      // Docker's exec start-up (runc exec in a new process) takes hundreds of milliseconds, and seconds on
      // a busy engine; upstream's CRI exec has no such cost. Without this allowance a 1 s probe of a
      // healthy container fails and restarts it.
      const r = await runner.exec(containerId, cmd, timeoutMs + EXEC_STARTUP_ALLOWANCE_MS);
      return { ok: r.exitCode === 0, output: r.output };
    }
    if (probe.httpGet) {
      const g = probe.httpGet;
      const headers: Record<string, string> = {};
      for (const h of g.httpHeaders ?? []) headers[h.name] = h.value;
      return await httpProbe(
        g.scheme ?? "HTTP",
        g.host || podIP,
        resolvePort(g.port, c),
        g.path ?? "/",
        headers,
        timeoutMs,
      );
    }
    if (probe.tcpSocket) {
      return await tcpProbe(probe.tcpSocket.host || podIP, resolvePort(probe.tcpSocket.port, c), timeoutMs);
    }
    if (probe.grpc) return await tcpProbe(podIP, probe.grpc.port, timeoutMs);
  } catch (e) {
    return { ok: false, output: (e as Error).message };
  }
  return { ok: false, output: "missing probe handler" };
}
