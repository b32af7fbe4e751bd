// What the tutorial suites share: a private kubeconfig whose current context points at the suite's own
// namespace (so the documents' commands run exactly as typed, without `--namespace`), kubectl run through
// it, long-running commands (`get -w`, `port-forward`, `proxy`) in the background, a budget for the time a
// suite may lose to failures, and parseTable() to compare kubectl's tables column by column.
import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eventually, kubectlPath, ROOT, type RunResult, run } from "../lib/cluster.js";

/** The repository root (whether the suites run from dist/ or from a helper's output folder). */
export const REPO = ROOT;

const SOURCE_KUBECONFIG = process.env.TSKUBE_KUBECONFIG ?? path.join(REPO, "kubeconfig");

// ---------------------------------------------------------------------------------------------------------
// Tables

export type Row = Record<string, string>;

/**
 * Parses kubectl's human-readable table (`get`, `get -o wide`, `rollout history`, ...) into rows keyed by
 * the header's column names. Columns are cut at the header's column starts, so empty cells (the ERROR column
 * of componentstatuses, an empty SELECTOR) stay empty instead of shifting the row. Lines before the header
 * (warnings, "deployment.apps/x" titles) are skipped when `header` names the first column.
 */
export function parseTable(stdout: string, firstColumn?: string): Row[] {
  const lines = stdout.split("\n").filter((l) => l.trim() !== "");
  let h = 0;
  if (firstColumn) {
    h = lines.findIndex((l) => l.trimStart().startsWith(firstColumn));
    if (h < 0) return [];
  }
  const header = lines[h];
  if (header === undefined) return [];
  const columns: { name: string; start: number }[] = [];
  for (const m of header.matchAll(/\S+(?: \S+)*/g)) columns.push({ name: m[0], start: m.index ?? 0 });
  return lines.slice(h + 1).map((line) => {
    const row: Row = {};
    columns.forEach((c, i) => {
      const end = i + 1 < columns.length ? columns[i + 1].start : line.length;
      row[c.name] = line.slice(c.start, end).trim();
    });
    return row;
  });
}

/**
 * Parses the lines of `kubectl get -w` (each later line is printed on its own, so it is not aligned with the
 * header): cells are split on whitespace, which holds for the pod, replica set and endpoint columns.
 */
export function parseWatch(stdout: string): Row[] {
  const lines = stdout.split("\n").filter((l) => l.trim() !== "");
  const header = lines.find((l) => /^(EVENT\s+)?NAME\s/.test(l));
  if (!header) return [];
  const names = header.trim().split(/\s{2,}/);
  return lines
    .filter((l) => l !== header && !/^(EVENT\s+)?NAME\s/.test(l))
    .map((l) => {
      const cells = l.trim().split(/\s+/);
      const row: Row = {};
      names.forEach((n, i) => {
        row[n] = cells[i] ?? "";
      });
      return row;
    });
}

const SAFE = "[bcdfghjklmnpqrstvwxz2456789]";
/**
 * A generated name with its random parts replaced by `*`: pod suffixes (5 characters) and pod-template
 * hashes (6 to 10), both drawn from Kubernetes' alphabet without vowels, so `bandicoot-staging` and
 * `web-0` stay as they are while `frontend-9si5l` → `frontend-*` and `nginx-7c5ddbdf54-x8f2k` → `nginx-*-*`.
 */
export function genericName(name: string): string {
  return name
    .replace(new RegExp(`-${SAFE}{6,10}(?=-${SAFE}{5}$)`), "-*")
    .replace(new RegExp(`-${SAFE}{5,10}$`), "-*");
}

/** Rows without their AGE column and with generated name suffixes replaced, for comparing with a document. */
export function comparable(rows: Row[], drop: string[] = ["AGE"]): Row[] {
  return rows.map((r) => {
    const out: Row = {};
    for (const [k, v] of Object.entries(r)) {
      if (drop.includes(k)) continue;
      out[k] = k === "NAME" ? genericName(v) : v;
    }
    return out;
  });
}

/** Only the named columns of each row (the ones the document's reader looks at). */
export function pick(rows: Row[], ...cols: string[]): Row[] {
  return rows.map((r) => Object.fromEntries(cols.map((c) => [c, r[c] ?? "<missing column>"])));
}

export function byName(rows: Row[], name: string): Row | undefined {
  return rows.find((r) => r.NAME === name);
}

// ---------------------------------------------------------------------------------------------------------
// A tutorial session

export interface Background {
  /** Everything printed so far on stdout. */
  output(): string;
  stderr(): string;
  /** Waits until stdout matches, or throws with what was printed. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export class Tutorial {
  readonly kubeconfig: string;
  private readonly dir: string;
  private readonly failureBudgetMs: number;
  /** Time spent in waits and commands that failed by timing out. */
  private lostMs = 0;
  private readonly children = new Set<ChildProcessWithoutNullStreams>();

  /** The suite's own namespace, the current context's in its kubeconfig. */
  readonly namespace: string;

  /**
   * @param doc the document's number ("000"), which names the manifests folder
   * @param namespacePrefix the suite's namespace, before a suffix that makes it new on every run
   * @param failureBudgetMs how long the suite may lose to waits and commands that time out: once it is
   *   spent, later waits get a second, so a broken component fails every step fast instead of slowly
   */
  constructor(
    readonly doc: string,
    namespacePrefix: string,
    failureBudgetMs: number,
  ) {
    // A new namespace per run: the previous run's may still be terminating.
    this.namespace = `${namespacePrefix}-${Date.now().toString(36).slice(-6)}`;
    this.dir = mkdtempSync(path.join(tmpdir(), `tskube-tutorial-${doc}-`));
    this.kubeconfig = path.join(this.dir, "kubeconfig");
    copyFileSync(SOURCE_KUBECONFIG, this.kubeconfig);
    this.failureBudgetMs = failureBudgetMs;
  }

  /** Creates the namespace and makes it the current context's (what a reader's `default` becomes). */
  async setUp(): Promise<void> {
    const ns = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${this.namespace}\n`;
    await this.wait(`namespace ${this.namespace} created`, async () => {
      const r = await this.kubectl("apply", "-f", "-", { input: ns });
      return r.code === 0 ? r : undefined;
    });
    await this.ok("config", "set-context", "--current", `--namespace=${this.namespace}`);
  }

  async tearDown(): Promise<void> {
    for (const c of this.children) stopChild(c, c.spawnargs[0] === "bash");
    this.children.clear();
    await this.kubectl("delete", "namespace", this.namespace, "--wait=false", "--ignore-not-found");
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** A path in the suite's manifests folder (test/tutorials/manifests/<doc>/). */
  manifest(file: string): string {
    return path.join(REPO, "test", "tutorials", "manifests", this.doc, file);
  }

  manifestText(file: string): string {
    return readFileSync(this.manifest(file), "utf8");
  }

  /** A scratch file path for this suite. */
  scratch(file: string): string {
    return path.join(this.dir, file);
  }

  /** kubectl as the reader types it, against the private kubeconfig. A trailing {input} feeds stdin. */
  async kubectl(...args: (string | { input: string; timeoutMs?: number })[]): Promise<RunResult> {
    const last = args[args.length - 1];
    const opts = typeof last === "object" ? last : undefined;
    const argv = args.filter((a): a is string => typeof a === "string");
    // A command that hangs (a delete waiting on a finalizer nobody handles) is a failure like a wait that
    // times out: it counts against the failure budget, and gets at least 15 s once that is spent.
    const timeoutMs = Math.min(opts?.timeoutMs ?? 90_000, Math.max(15_000, this.budgetLeft()));
    const started = Date.now();
    // KUBECONFIG rather than --kubeconfig: `--record` writes the command line into change-cause.
    const r = await run(kubectlPath(), argv, { input: opts?.input, timeoutMs, env: this.env() });
    if (r.code === 128 && Date.now() - started >= timeoutMs - 100) {
      this.lostMs += Date.now() - started;
      r.stderr += `\n(killed after ${timeoutMs} ms)`;
    }
    return r;
  }

  /** kubectl that must succeed; returns stdout. */
  async ok(...args: (string | { input: string; timeoutMs?: number })[]): Promise<string> {
    const r = await this.kubectl(...args);
    assert.equal(
      r.code,
      0,
      `kubectl ${fmt(args)} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`,
    );
    return r.stdout;
  }

  async table(...args: string[]): Promise<Row[]> {
    return parseTable(await this.ok(...args));
  }

  /** The environment kubectl runs with: this suite's kubeconfig and discovery cache. */
  env(): Record<string, string> {
    return { KUBECONFIG: this.kubeconfig, KUBECACHEDIR: path.join(this.dir, "cache") };
  }

  private budgetLeft(): number {
    return this.failureBudgetMs - this.lostMs;
  }

  /** eventually(), cut to what is left of the failure budget; a wait that times out spends it. */
  async wait<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
    const limit = Math.max(1_000, Math.min(timeoutMs, this.budgetLeft()));
    const started = Date.now();
    try {
      return await eventually(what, check, { timeoutMs: limit, intervalMs: 500 });
    } catch (err) {
      this.lostMs += Date.now() - started;
      throw err;
    }
  }

  /** Waits until `kubectl get <args>` gives a table for which `accept` holds; fails with the last table. */
  async waitTable(
    what: string,
    args: string[],
    accept: (rows: Row[]) => boolean,
    timeoutMs = 60_000,
  ): Promise<Row[]> {
    let last = "";
    try {
      return await this.wait(
        what,
        async () => {
          const r = await this.kubectl("get", ...args);
          last = r.stdout + r.stderr;
          if (r.code !== 0) return undefined;
          const rows = parseTable(r.stdout);
          return accept(rows) ? rows : undefined;
        },
        timeoutMs,
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}\nlast \`kubectl get ${args.join(" ")}\`:\n${last}`);
    }
  }

  /** Starts a long-running kubectl (`get -w`, `port-forward`, `proxy`); stopped by stop() or tearDown(). */
  background(...args: string[]): Background {
    return this.start(kubectlPath(), args, `kubectl ${args.join(" ")}`, false);
  }

  /** Starts a shell command line (a script from a document) in the background, as its own process group. */
  backgroundShell(command: string): Background {
    return this.start("bash", ["-c", command], command, true);
  }

  /** `group`: run as its own process group, so that stop() also ends what a script started. */
  private start(cmd: string, argv: string[], what: string, group: boolean): Background {
    const child = spawn(cmd, argv, {
      stdio: ["pipe", "pipe", "pipe"],
      detached: group,
      env: { ...process.env, ...this.env() },
    });
    this.children.add(child);
    let out = "";
    let err = "";
    let exited = false;
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const closed = new Promise<void>((resolve) => {
      child.on("close", () => {
        exited = true;
        resolve();
      });
      child.on("error", () => {
        exited = true;
        resolve();
      });
    });
    return {
      output: () => out,
      stderr: () => err,
      waitFor: async (re, timeoutMs = 20_000) => {
        try {
          await this.wait(`${what} to print ${re}`, async () => (re.test(out) ? true : undefined), timeoutMs);
        } catch (e) {
          throw new Error(
            `${(e as Error).message}${exited ? " (it exited)" : ""}\nstdout: ${out}\nstderr: ${err}`,
          );
        }
      },
      stop: async () => {
        if (!exited) stopChild(child, group);
        await Promise.race([closed, new Promise((r) => setTimeout(r, 3_000))]);
        this.children.delete(child);
      },
    };
  }
}

/** Ends a background command; for a script, with whatever it started (a pipeline's kubectl). */
function stopChild(child: ChildProcessWithoutNullStreams, group: boolean): void {
  try {
    if (group && child.pid) process.kill(-child.pid, "SIGTERM");
    else child.kill("SIGTERM");
  } catch {
    child.kill("SIGTERM");
  }
}

function fmt(args: (string | object)[]): string {
  return args.filter((a) => typeof a === "string").join(" ");
}

/** Pods whose NAME starts with `prefix-` and whose READY is n/n and STATUS Running. */
export function runningPods(rows: Row[], prefix: string): Row[] {
  return rows.filter(
    (r) => r.NAME?.startsWith(`${prefix}-`) && r.STATUS === "Running" && /^(\d+)\/\1$/.test(r.READY ?? ""),
  );
}

/** HTTP GET from the host (through a port-forward, proxy or node port); never throws. */
export async function httpGet(url: string, timeoutMs = 5_000): Promise<{ status: number; body: string }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, body: await res.text() };
  } catch (err) {
    return { status: 0, body: String(err) };
  }
}

/** The index (line number) of the first watch row matching, or -1. */
export function firstIndex(rows: Row[], match: (r: Row) => boolean): number {
  return rows.findIndex(match);
}

// ---------------------------------------------------------------------------------------------------------
// kubectl describe

/** The value of a top-level `Field:  value` line of `kubectl describe` (first match), or undefined. */
export function describeField(out: string, field: string): string | undefined {
  const m = out.match(new RegExp(`^${field.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:[ \\t]*(.*)$`, "m"));
  return m ? m[1].trim() : undefined;
}

/** The rows of the Events table at the end of `kubectl describe` (Type, Reason, Age, From, Message). */
export function describeEvents(out: string): Row[] {
  const i = out.lastIndexOf("\nEvents:");
  if (i < 0) return [];
  const rest = out.slice(i + "\nEvents:".length);
  if (/^\s*<none>/.test(rest)) return [];
  return parseTable(rest, "Type").filter((r) => !/^-+$/.test(r.Type ?? ""));
}

/** The rows of the Conditions table of `kubectl describe deployment` (Type, Status, Reason). */
export function describeConditions(out: string): Row[] {
  const m = out.match(/\nConditions:\n([\s\S]*?)\n(?=\S)/);
  if (!m) return [];
  return parseTable(m[1], "Type").filter((r) => !/^-+$/.test(r.Type ?? ""));
}
