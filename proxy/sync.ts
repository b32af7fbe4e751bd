// The I/O edge of kube-proxy: read which KUBE-* chains exist, render, ensure the jumps, and apply the
// whole thing with one iptables-restore. Everything else is renderRules()'s pure decision.
import { execFile } from "node:child_process";
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
}

/** The service chains in the kernel after our last restore; re-read from iptables-save on full resyncs. */
let knownChains: { nat: Set<string>; filter: Set<string> } | undefined;

/**
 * One sync: every KUBE-* rule rewritten in one restore. Reading the kernel's chains (iptables-save) costs as
 * much as the restore itself on large tables, so it is done on full resyncs only (start, then every
 * --sync-period, also re-checking the jump rules); in between, what we wrote last is what is there.
 */
export async function syncProxyRules(state: ProxyState, fullResync = false): Promise<SyncResult> {
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
  let rules = 0;
  for (let i = rendered.text.indexOf("\n-A "); i !== -1; i = rendered.text.indexOf("\n-A ", i + 1)) rules++;
  return { rules, bytes: rendered.text.length };
}
