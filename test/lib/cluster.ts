// What the end-to-end suites need to drive the compose cluster as a user would: the real kubectl with
// ./kubeconfig (and a private discovery cache, so that runs do not see each other's), docker and
// docker-compose. Every helper returns what the command printed and its exit code; assertions are the
// tests' job.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The compiled tree's root: dist/ or a helper's .tmp/<name>/. */
const BUILD_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const ROOT = path.resolve(
  BUILD_ROOT,
  BUILD_ROOT.includes(`${path.sep}.tmp${path.sep}`) ? "../.." : "..",
);
export const KUBECONFIG = process.env.TSKUBE_KUBECONFIG ?? path.join(ROOT, "kubeconfig");
const cacheDir = mkdtempSync(path.join(tmpdir(), "tskube-kubectl-cache-"));

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(
  cmd: string,
  args: string[],
  opts: { input?: string; timeoutMs?: number; cwd?: string; env?: Record<string, string> } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, KUBECONFIG, KUBECACHEDIR: cacheDir, ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    // A command that exits before reading its input (kubectl failing to connect) must not crash the test
    // runner with an unhandled EPIPE: its exit code already says what happened.
    child.stdin.on("error", () => {});
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} could not be started: ${err.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.end(opts.input ?? "");
  });
}

/** The real kubectl, as a user types it. Fails loudly when there is none. */
export function kubectl(...args: string[]): Promise<RunResult> {
  return run(kubectlPath(), args);
}

export function kubectlWithInput(input: string, ...args: string[]): Promise<RunResult> {
  return run(kubectlPath(), args, { input });
}

let resolvedKubectl: string | undefined;
export function kubectlPath(): string {
  if (resolvedKubectl) return resolvedKubectl;
  const found = spawnSync("bash", ["-c", `command -v kubectl || ls ${ROOT}/.cluster/tools/bin/kubectl`], {
    encoding: "utf8",
  });
  const p = found.stdout.trim().split("\n")[0];
  if (!p)
    throw new Error(
      "kubectl is not installed: run `bash deploy/scripts/host-setup.sh` (end-to-end tests need the real kubectl)",
    );
  resolvedKubectl = p;
  return p;
}

export function compose(...args: string[]): Promise<RunResult> {
  return run(
    "docker-compose",
    ["--project-directory", ROOT, "-f", path.join(ROOT, "docker-compose.yml"), ...args],
    {
      timeoutMs: 120_000,
    },
  );
}

export function docker(...args: string[]): Promise<RunResult> {
  return run("docker", args, { timeoutMs: 120_000 });
}

/** Polls `check` until it returns a value other than undefined, or throws with the last state seen. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  { timeoutMs = 30_000, intervalMs = 250 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
