// The I/O edge of kube-proxy: read which KUBE-* chains exist, render, ensure the jumps, apply the whole
// thing with one iptables-restore, then delete the conntrack entries the change made stale. Everything else
// is renderRules()'s and staleConntrackFilters()'s pure decision.
import { execFile } from "node:child_process";
import { type Logger, newLogger } from "../pkg/util/log.js";
import {
  type ConntrackFilter,
  conntrackDeleteArgs,
  NO_ENTRIES_DELETED,
  staleConntrackFilters,
} from "./conntrack.js";
import { JUMP_RULES, type ProxyState, renderRules, serviceChainsIn } from "./rules.js";

export function run(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(" ")}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

let jumpsEnsured = false;

/** Ensures the jumps from the built-in chains into the KUBE-* chains exist (created empty first). */
export async function ensureJumps(force = false): Promise<void> {
  if (jumpsEnsured && !force) return;
  const chains: [string, string][] = [
    ["nat", "KUBE-SERVICES"],
    ["nat", "KUBE-POSTROUTING"],
    ["filter", "KUBE-SERVICES"],
    ["filter", "KUBE-EXTERNAL-SERVICES"],
    ["filter", "KUBE-FORWARD"],
  ];
  for (const [table, chain] of chains) {
    await run("iptables", ["-w", "-t", table, "-N", chain]).catch(() => undefined); // exists already
  }
  for (const j of JUMP_RULES) {
    const spec = ["-w", "-t", j.table];
    const exists = await run("iptables", [...spec, "-C", j.chain, ...j.rule]).then(
      () => true,
      () => false,
    );
    if (!exists) await run("iptables", [...spec, "-I", j.chain, "1", ...j.rule]);
  }
  jumpsEnsured = true;
}

export interface SyncResult {
  rules: number;
  bytes: number;
  /** Conntrack deletions run after the restore, and how many of them failed. */
  conntrackDeletions: number;
  conntrackFailures: number;
}

export interface ConntrackOptions {
  /** The conntrack binary (the tskube image installs Debian's conntrack). */
  binary?: string;
  /** At most this many `conntrack` processes at once... */
  concurrency?: number;
  /** ...each killed after this long, so that a stuck one never holds the sync loop. */
  timeoutMs?: number;
}

/** Runs `conntrack -D` for one filter; resolves to an error message, or undefined when it succeeded. */
function deleteConntrackEntries(
  f: ConntrackFilter,
  binary: string,
  timeoutMs: number,
): Promise<string | undefined> {
  const args = conntrackDeleteArgs(f);
  return new Promise((resolve) => {
    execFile(binary, args, { timeout: timeoutMs }, (err, _stdout, stderr) => {
      // conntrack exits 1 and says so when nothing matched: the usual case, not a failure.
      if (!err || stderr.includes(NO_ENTRIES_DELETED)) resolve(undefined);
      else if (err.killed) resolve(`${binary} ${args.join(" ")}: no answer in ${timeoutMs} ms`);
      else resolve(`${binary} ${args.join(" ")}: ${stderr.trim() || err.message}`);
    });
  });
}

/**
 * Runs the deletions, a few at a time, and logs the failures: best effort, as upstream's (a failed one
 * leaves its stale entries until they time out, which they do once the client stops). Never throws;
 * resolves to the number of failures.
 */
export async function clearConntrack(
  filters: ConntrackFilter[],
  log: Logger,
  { binary = "conntrack", concurrency = 4, timeoutMs = 5_000 }: ConntrackOptions = {},
): Promise<number> {
  let next = 0;
  let failures = 0;
  const worker = async (): Promise<void> => {
    while (next < filters.length) {
      const f = filters[next++];
      const error = await deleteConntrackEntries(f, binary, timeoutMs);
      if (error) {
        failures++;
        log.warn({ err: error, filter: f }, "failed to delete stale conntrack entries");
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, filters.length) }, worker));
  if (filters.length) {
    log.debug({ deletions: filters.length, failures }, "deleted stale conntrack entries");
  }
  return failures;
}

/** The view the kernel's rules were last rendered from: what conntrack entries may still point at. */
let lastApplied: ProxyState | undefined;
let defaultLog: Logger | undefined;

/** For callers without a logger of their own (the benchmark). */
function defaultLogger(): Logger {
  defaultLog ??= newLogger("kube-proxy");
  return defaultLog;
}

/** The service chains in the kernel after our last restore; re-read from iptables-save on full resyncs. */
let knownChains: { nat: Set<string>; filter: Set<string> } | undefined;

/**
 * One sync: every KUBE-* rule rewritten in one restore. Reading the kernel's chains (iptables-save) costs as
 * much as the restore itself on large tables, so it is done on full resyncs only (start, then every
 * --sync-period, also re-checking the jump rules); in between, what we wrote last is what is there.
 * After a successful restore, the UDP/SCTP conntrack entries the change since the last applied view made
 * stale are deleted (staleConntrackFilters); a failed restore keeps that view, so the next sync catches up.
 */
export async function syncProxyRules(
  state: ProxyState,
  fullResync = false,
  log: Logger = defaultLogger(),
): Promise<SyncResult> {
  if (fullResync || !knownChains) {
    const [natSave, filterSave] = await Promise.all([
      run("iptables-save", ["-t", "nat"]),
      run("iptables-save", ["-t", "filter"]),
    ]);
    knownChains = { nat: new Set(serviceChainsIn(natSave)), filter: new Set(serviceChainsIn(filterSave)) };
  }
  const rendered = renderRules(state, { nat: [...knownChains.nat], filter: [...knownChains.filter] });
  await ensureJumps(fullResync);
  try {
    await run("iptables-restore", ["-w", "--noflush"], rendered.text);
  } catch (err) {
    knownChains = undefined; // someone else changed the tables: read them again next time
    throw err;
  }
  knownChains = { nat: rendered.chains.nat, filter: rendered.chains.filter };
  // Only once the new rules are in: a deleted entry is re-created by the next packet, through them.
  const stale = staleConntrackFilters(lastApplied, state);
  lastApplied = state;
  const conntrackFailures = await clearConntrack(stale, log);
  let rules = 0;
  for (let i = rendered.text.indexOf("\n-A "); i !== -1; i = rendered.text.indexOf("\n-A ", i + 1)) rules++;
  return { rules, bytes: rendered.text.length, conntrackDeletions: stale.length, conntrackFailures };
}
