// Kubelet cost at rest (issue 5): N pods (default 50) running on one node, nothing happening; then the
// kubelet process's resident memory and its CPU over a window (default 60 s), read from /proc on the
// machine (the node container's processes are the machine's). The limits are the issue's: under 100 MiB
// and under 2% of one core. The same figures for the same kubelet before the pods start are printed beside
// them, so the pods' share shows.
//   node dist/bench/kubelet/idle.js [--pods 50] [--node node-1] [--window 60] [--kubeconfig ./kubeconfig]
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import type { Pod } from "kubernetes-types/core/v1";
import { loadClientConfig, Namespaces, Pods, RestClient } from "../../pkg/client/index.js";

const run = promisify(execFile);

export const MEMORY_LIMIT_MIB = 100;
export const CPU_LIMIT_PERCENT = 2;

interface Args {
  pods: number;
  node: string;
  windowS: number;
  kubeconfig: string;
}

function parseArgs(argv: string[]): Args {
  const get = (flag: string, def: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 && argv[i + 1] ? (argv[i + 1] as string) : def;
  };
  return {
    pods: Number(get("--pods", "50")),
    node: get("--node", "node-1"),
    windowS: Number(get("--window", "60")),
    kubeconfig: get("--kubeconfig", "kubeconfig"),
  };
}

/** utime + stime (clock ticks) from the text of /proc/<pid>/stat; the command may hold spaces and ')'. */
export function cpuTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After "pid (comm) ", field 3 (state) is index 0: utime and stime are fields 14 and 15.
  return Number(fields[11]) + Number(fields[12]);
}

/** VmRSS in MiB from the text of /proc/<pid>/status. */
export function rssMiB(status: string): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** The machine PID of the kubelet in a node container (`docker top` lists the machine's PIDs). */
async function kubeletPid(node: string): Promise<number> {
  const { stdout } = await run("docker", ["top", `tskube_${node}_1`, "-eo", "pid,args"]);
  const line = stdout.split("\n").find((l) => /node\S* \S*kubelet\/main\.js/.test(l));
  if (!line) throw new Error(`no kubelet process in tskube_${node}_1:\n${stdout}`);
  return Number(line.trim().split(/\s+/)[0]);
}

interface Usage {
  rssMiB: number;
  cpuPercent: number;
}

async function usageOver(pid: number, windowS: number): Promise<Usage> {
  const ticksPerSecond = Number((await run("getconf", ["CLK_TCK"])).stdout.trim()) || 100;
  const t0 = cpuTicks(await readFile(`/proc/${pid}/stat`, "utf8"));
  const started = Date.now();
  let peak = 0;
  while (Date.now() - started < windowS * 1000) {
    peak = Math.max(peak, rssMiB(await readFile(`/proc/${pid}/status`, "utf8")));
    await new Promise((r) => setTimeout(r, 1000));
  }
  const t1 = cpuTicks(await readFile(`/proc/${pid}/stat`, "utf8"));
  const seconds = (Date.now() - started) / 1000;
  return { rssMiB: peak, cpuPercent: ((t1 - t0) / ticksPerSecond / seconds) * 100 };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const client = new RestClient(loadClientConfig({ kubeconfig: args.kubeconfig }), {
    userAgent: "bench-kubelet-idle",
  });
  const pid = await kubeletPid(args.node);
  const before = await usageOver(pid, Math.min(args.windowS, 20));
  const ns = `bench-idle-${Date.now().toString(36)}`;
  await client.resource(Namespaces).create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  try {
    await Promise.all(
      Array.from({ length: args.pods }, (_, i) =>
        client.resource(Pods, ns).create({
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: `idle-${i}`, namespace: ns },
          spec: {
            nodeSelector: { "kubernetes.io/hostname": args.node },
            terminationGracePeriodSeconds: 0,
            containers: [{ name: "c", image: "busybox:1.28", command: ["sleep", "86400"] }],
          },
        }),
      ),
    );
    const deadline = Date.now() + 300_000;
    for (;;) {
      const list = await client.resource(Pods, ns).list();
      const running = (list.items as Pod[]).filter((p) => p.status?.phase === "Running").length;
      if (running === args.pods) break;
      if (Date.now() > deadline)
        throw new Error(`only ${running} of ${args.pods} pods Running after 5 minutes`);
      await new Promise((r) => setTimeout(r, 2000));
    }
    // Let the start-up work (status writes, first probes, GC) settle before measuring rest.
    await new Promise((r) => setTimeout(r, 20_000));
    const idle = await usageOver(pid, args.windowS);
    console.log(
      `kubelet on ${args.node}, no bench pods: RSS ${before.rssMiB.toFixed(0)} MiB, CPU ${before.cpuPercent.toFixed(2)}% of a core`,
    );
    console.log(
      `kubelet on ${args.node}, ${args.pods} idle pods, ${args.windowS} s: RSS ${idle.rssMiB.toFixed(0)} MiB ` +
        `(limit ${MEMORY_LIMIT_MIB}, ratio ${(idle.rssMiB / MEMORY_LIMIT_MIB).toFixed(2)}), ` +
        `CPU ${idle.cpuPercent.toFixed(2)}% of a core (limit ${CPU_LIMIT_PERCENT}%, ratio ${(idle.cpuPercent / CPU_LIMIT_PERCENT).toFixed(2)})`,
    );
    if (idle.rssMiB >= MEMORY_LIMIT_MIB || idle.cpuPercent >= CPU_LIMIT_PERCENT) process.exitCode = 1;
  } finally {
    await client
      .resource(Namespaces)
      .delete(ns)
      .catch(() => undefined);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e: Error) => {
    console.error(e.stack ?? e.message);
    process.exit(1);
  });
}
