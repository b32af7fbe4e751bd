// What the node knows about itself, read from the node container: its cgroup limits (the capacity), the
// kernel, the OS image, the machine and boot ids, and the node container's id in the engine.
import { readFile, statfs } from "node:fs/promises";
import os from "node:os";

async function readText(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, "utf8")).trim();
  } catch {
    return undefined;
  }
}

/** cpu capacity in millicores: the cgroup's CFS quota when set, else the machine's cores. */
export async function cpuCapacityMilli(): Promise<number> {
  const quota = Number(await readText("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"));
  const period = Number(await readText("/sys/fs/cgroup/cpu/cpu.cfs_period_us"));
  if (quota > 0 && period > 0) return Math.round((quota / period) * 1000);
  const v2 = await readText("/sys/fs/cgroup/cpu.max");
  if (v2 && !v2.startsWith("max")) {
    const [q, p] = v2.split(" ").map(Number);
    if (q > 0 && p > 0) return Math.round((q / p) * 1000);
  }
  return os.cpus().length * 1000;
}

/** memory capacity: the cgroup's limit when below the machine's memory. */
export async function memoryCapacityBytes(): Promise<number> {
  const total = os.totalmem();
  const v1 = Number(await readText("/sys/fs/cgroup/memory/memory.limit_in_bytes"));
  if (v1 > 0 && v1 < total) return v1;
  const v2 = Number(await readText("/sys/fs/cgroup/memory.max"));
  if (v2 > 0 && v2 < total) return v2;
  return total;
}

export async function memoryUsageBytes(): Promise<number | undefined> {
  const v1 = Number(await readText("/sys/fs/cgroup/memory/memory.usage_in_bytes"));
  if (v1 > 0) return v1;
  const v2 = Number(await readText("/sys/fs/cgroup/memory.current"));
  return v2 > 0 ? v2 : undefined;
}

export async function osImage(): Promise<string> {
  const text = (await readText("/etc/os-release")) ?? "";
  const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text);
  return m?.[1] ?? "Linux";
}

export async function machineIds(): Promise<{ machineID: string; bootID: string; systemUUID: string }> {
  const bootID = (await readText("/proc/sys/kernel/random/boot_id")) ?? "";
  const machineID =
    (await readText("/etc/machine-id")) ||
    (await readText("/var/lib/dbus/machine-id")) ||
    bootID.replace(/-/g, "");
  const systemUUID = (await readText("/sys/class/dmi/id/product_uuid")) ?? machineID;
  return { machineID, bootID, systemUUID };
}

export async function diskBytes(path: string): Promise<{ capacity: number; available: number } | undefined> {
  try {
    const s = await statfs(path);
    return { capacity: s.blocks * s.bsize, available: s.bavail * s.bsize };
  } catch {
    return undefined;
  }
}

export function goArch(): string {
  const a = os.arch();
  return a === "x64" ? "amd64" : a === "ia32" ? "386" : a;
}

/** The node container's id: from /proc/self/cgroup (cgroupfs: /docker/<id>) or /proc/self/mountinfo. */
export async function ownContainerId(): Promise<string | undefined> {
  const cg = (await readText("/proc/self/cgroup")) ?? "";
  const m = /\/docker\/([0-9a-f]{64})/.exec(cg) ?? /docker-([0-9a-f]{64})\.scope/.exec(cg);
  if (m) return m[1];
  const mi = (await readText("/proc/self/mountinfo")) ?? "";
  const m2 = /\/docker\/containers\/([0-9a-f]{64})\/(hostname|resolv\.conf|hosts)/.exec(mi);
  return m2?.[1];
}

/** The node's own resolver settings (for dnsPolicy Default). */
export async function hostDNS(paths: string[]): Promise<{ nameservers: string[]; searches: string[] }> {
  let text = "";
  for (const p of paths) {
    text = (await readText(p)) ?? "";
    if (text) break;
  }
  const nameservers: string[] = [];
  const searches: string[] = [];
  for (const line of text.split("\n")) {
    const [k, ...rest] = line.trim().split(/\s+/);
    if (k === "nameserver" && rest[0]) nameservers.push(rest[0]);
    if (k === "search") searches.push(...rest);
  }
  return { nameservers, searches };
}
