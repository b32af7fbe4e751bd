// Resource usage of the node and its pods, read from the cgroups: pod containers live under the node
// container's cgroup (HostConfig.CgroupParent), which the node container sees as its own /sys/fs/cgroup.
// Sampled every 10 s, so that cpu usage is a rate (usageNanoCores) as cAdvisor reports it.
import { readFile } from "node:fs/promises";
import type { PodRuntimeStatus } from "../runtime/types.js";

export interface Usage {
  time: number;
  /** cumulative cpu time, ns */
  usageCoreNanoSeconds: number;
  usageNanoCores?: number;
  usageBytes: number;
  workingSetBytes: number;
  rssBytes: number;
}

async function num(path: string): Promise<number | undefined> {
  try {
    const v = Number((await readFile(path, "utf8")).trim());
    return Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** working set = usage - inactive file, as cAdvisor computes it (cgroup v1). */
export function workingSet(usage: number, memoryStat: string): { workingSet: number; rss: number } {
  const get = (k: string) => Number(new RegExp(`^${k} (\\d+)$`, "m").exec(memoryStat)?.[1] ?? 0);
  const inactive = get("total_inactive_file");
  return { workingSet: Math.max(0, usage - inactive), rss: get("total_rss") };
}

export async function readCgroupUsage(relative: string, root = "/sys/fs/cgroup"): Promise<Usage | undefined> {
  const cpu =
    (await num(`${root}/cpuacct/${relative}/cpuacct.usage`)) ??
    (await num(`${root}/cpu,cpuacct/${relative}/cpuacct.usage`));
  const mem = await num(`${root}/memory/${relative}/memory.usage_in_bytes`);
  if (cpu === undefined || mem === undefined) return undefined;
  let stat = "";
  try {
    stat = await readFile(`${root}/memory/${relative}/memory.stat`, "utf8");
  } catch {
    // no stat file: working set = usage
  }
  const ws = workingSet(mem, stat);
  return {
    time: Date.now(),
    usageCoreNanoSeconds: cpu,
    usageBytes: mem,
    workingSetBytes: ws.workingSet,
    rssBytes: ws.rss,
  };
}

export function withRate(prev: Usage | undefined, cur: Usage): Usage {
  if (!prev || cur.time <= prev.time) return cur;
  const rate = ((cur.usageCoreNanoSeconds - prev.usageCoreNanoSeconds) * 1e3) / (cur.time - prev.time);
  return { ...cur, usageNanoCores: Math.max(0, Math.round(rate)) };
}

export interface ContainerUsage {
  name: string;
  startTime?: number;
  usage: Usage;
}

export interface PodUsage {
  uid: string;
  name: string;
  namespace: string;
  containers: ContainerUsage[];
}

export class StatsProvider {
  private last = new Map<string, Usage>();
  node?: Usage;
  pods: PodUsage[] = [];

  async sample(pods: Iterable<PodRuntimeStatus>): Promise<void> {
    const seen = new Set<string>();
    const rated = async (key: string, rel: string) => {
      const u = await readCgroupUsage(rel);
      if (!u) return undefined;
      const r = withRate(this.last.get(key), u);
      this.last.set(key, u);
      seen.add(key);
      return r;
    };
    this.node = await rated("node", "");
    const out: PodUsage[] = [];
    for (const p of pods) {
      const containers: ContainerUsage[] = [];
      for (const c of p.containers) {
        if (c.state !== "running") continue;
        const u = await rated(c.id, c.id);
        if (u) containers.push({ name: c.name, startTime: c.startedAt, usage: u });
      }
      if (containers.length) out.push({ uid: p.uid, name: p.name, namespace: p.namespace, containers });
    }
    this.pods = out;
    for (const k of this.last.keys()) if (!seen.has(k)) this.last.delete(k);
  }
}

export function sumUsage(us: Usage[]): Usage {
  const t = us.reduce((m, u) => Math.max(m, u.time), 0);
  const anyRate = us.some((u) => u.usageNanoCores !== undefined);
  return {
    time: t,
    usageCoreNanoSeconds: us.reduce((s, u) => s + u.usageCoreNanoSeconds, 0),
    ...(anyRate ? { usageNanoCores: us.reduce((s, u) => s + (u.usageNanoCores ?? 0), 0) } : {}),
    usageBytes: us.reduce((s, u) => s + u.usageBytes, 0),
    workingSetBytes: us.reduce((s, u) => s + u.workingSetBytes, 0),
    rssBytes: us.reduce((s, u) => s + u.rssBytes, 0),
  };
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
}

function cpuMem(u: Usage) {
  return {
    cpu: {
      time: iso(u.time),
      usageNanoCores: u.usageNanoCores ?? 0,
      usageCoreNanoSeconds: u.usageCoreNanoSeconds,
    },
    memory: {
      time: iso(u.time),
      usageBytes: u.usageBytes,
      workingSetBytes: u.workingSetBytes,
      rssBytes: u.rssBytes,
    },
  };
}

/** The kubelet's /stats/summary (stats/v1alpha1 Summary), cpu and memory only. */
export function summary(
  nodeName: string,
  startTime: number,
  s: StatsProvider,
  memoryCapacity: number,
): unknown {
  const node = s.node ?? sumUsage(s.pods.flatMap((p) => p.containers.map((c) => c.usage)));
  const nm = cpuMem(node);
  return {
    node: {
      nodeName,
      startTime: iso(startTime),
      ...nm,
      memory: { ...nm.memory, availableBytes: Math.max(0, memoryCapacity - node.workingSetBytes) },
    },
    pods: s.pods.map((p) => ({
      podRef: { name: p.name, namespace: p.namespace, uid: p.uid },
      startTime: iso(Math.min(...p.containers.map((c) => c.startTime ?? c.usage.time))),
      containers: p.containers.map((c) => ({
        name: c.name,
        startTime: iso(c.startTime),
        ...cpuMem(c.usage),
      })),
      ...cpuMem(sumUsage(p.containers.map((c) => c.usage))),
    })),
  };
}

/** /metrics/resource in Prometheus text, the form metrics-server scrapes. */
export function resourceMetrics(s: StatsProvider): string {
  const lines: string[] = [];
  const ts = (u: Usage) => ` ${u.time}`;
  const put = (name: string, help: string, type: string, rows: string[]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...rows);
  };
  const node = s.node;
  if (node) {
    put(
      "node_cpu_usage_seconds_total",
      "[STABLE] Cumulative cpu time consumed by the node in core-seconds",
      "counter",
      [`node_cpu_usage_seconds_total ${node.usageCoreNanoSeconds / 1e9}${ts(node)}`],
    );
    put("node_memory_working_set_bytes", "[STABLE] Current working set of the node in bytes", "gauge", [
      `node_memory_working_set_bytes ${node.workingSetBytes}${ts(node)}`,
    ]);
  }
  const cl = (p: PodUsage, c: ContainerUsage) =>
    `{container="${c.name}",namespace="${p.namespace}",pod="${p.name}"}`;
  put(
    "container_cpu_usage_seconds_total",
    "[STABLE] Cumulative cpu time consumed by the container in core-seconds",
    "counter",
    s.pods.flatMap((p) =>
      p.containers.map(
        (c) =>
          `container_cpu_usage_seconds_total${cl(p, c)} ${c.usage.usageCoreNanoSeconds / 1e9}${ts(c.usage)}`,
      ),
    ),
  );
  put(
    "container_memory_working_set_bytes",
    "[STABLE] Current working set of the container in bytes",
    "gauge",
    s.pods.flatMap((p) =>
      p.containers.map(
        (c) => `container_memory_working_set_bytes${cl(p, c)} ${c.usage.workingSetBytes}${ts(c.usage)}`,
      ),
    ),
  );
  const pl = (p: PodUsage) => `{namespace="${p.namespace}",pod="${p.name}"}`;
  put(
    "pod_cpu_usage_seconds_total",
    "[STABLE] Cumulative cpu time consumed by the pod in core-seconds",
    "counter",
    s.pods.map((p) => {
      const u = sumUsage(p.containers.map((c) => c.usage));
      return `pod_cpu_usage_seconds_total${pl(p)} ${u.usageCoreNanoSeconds / 1e9}${ts(u)}`;
    }),
  );
  put(
    "pod_memory_working_set_bytes",
    "[STABLE] Current working set of the pod in bytes",
    "gauge",
    s.pods.map((p) => {
      const u = sumUsage(p.containers.map((c) => c.usage));
      return `pod_memory_working_set_bytes${pl(p)} ${u.workingSetBytes}${ts(u)}`;
    }),
  );
  return `${lines.join("\n")}\n`;
}
