// Pod start latency on the compose cluster (issue 5): N pods (default 60) created at once through the
// apiserver, scheduled over the nodes and started by the kubelets; for each, the time from its create
// request to the watch event that shows it Running and Ready. The limit, measured in the same run on the
// same engine: N raw containers created on Docker's default bridge network and started at once through
// the engine API (what `docker run -d` does), with the same image and command.
//   node dist/bench/kubelet/run.js [--pods 60] [--image busybox:1.28] [--kubeconfig ./kubeconfig]
import { performance } from "node:perf_hooks";
import Docker from "dockerode";
import type { Pod } from "kubernetes-types/core/v1";
import {
  InformerFactory,
  loadClientConfig,
  Namespaces,
  objectOf,
  Pods,
  RestClient,
} from "../../pkg/client/index.js";

interface Args {
  pods: number;
  image: string;
  kubeconfig: string;
}

function parseArgs(argv: string[]): Args {
  const get = (flag: string, def: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 && argv[i + 1] ? (argv[i + 1] as string) : def;
  };
  return {
    pods: Number(get("--pods", "60")),
    image: get("--image", "busybox:1.28"),
    kubeconfig: get("--kubeconfig", "kubeconfig"),
  };
}

/** The q-quantile (0..1) of the values, nearest rank. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(ms: number[]): Summary {
  return { n: ms.length, p50: quantile(ms, 0.5), p99: quantile(ms, 0.99), max: Math.max(...ms) };
}

function isRunningReady(p: Pod): boolean {
  return (
    p.status?.phase === "Running" &&
    !!p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True")
  );
}

async function podStarts(args: Args): Promise<{ ms: number[]; perNode: Record<string, number> }> {
  const client = new RestClient(loadClientConfig({ kubeconfig: args.kubeconfig }), {
    userAgent: "bench-kubelet",
  });
  const ns = `bench-kubelet-${Date.now().toString(36)}`;
  await client.resource(Namespaces).create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  const ac = new AbortController();
  const created = new Map<string, number>();
  const running = new Map<string, number>();
  const nodes = new Map<string, string>();
  let resolveAll: () => void = () => undefined;
  const all = new Promise<void>((r) => {
    resolveAll = r;
  });
  const factory = new InformerFactory(client, { namespace: ns });
  const informer = factory.informerFor(Pods, { namespace: ns });
  const seen = (obj: unknown) => {
    const p = objectOf(obj as Pod) as Pod;
    const name = p.metadata?.name ?? "";
    if (!running.has(name) && isRunningReady(p)) {
      running.set(name, performance.now());
      nodes.set(name, p.spec?.nodeName ?? "?");
      if (running.size === args.pods) resolveAll();
    }
  };
  informer.addEventHandler({ onAdd: seen, onUpdate: (_o, n) => seen(n) });
  factory.start(ac.signal);
  await factory.waitForCacheSync(ac.signal);
  try {
    await Promise.all(
      Array.from({ length: args.pods }, async (_, i) => {
        const name = `start-${i}`;
        created.set(name, performance.now());
        await client.resource(Pods, ns).create({
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name, namespace: ns, labels: { app: "bench-kubelet" } },
          spec: {
            terminationGracePeriodSeconds: 0,
            containers: [{ name: "c", image: args.image, command: ["sleep", "3600"] }],
          },
        });
      }),
    );
    const timeout = setTimeout(resolveAll, 300_000);
    await all;
    clearTimeout(timeout);
  } finally {
    ac.abort();
    await client
      .resource(Namespaces)
      .delete(ns)
      .catch(() => undefined);
  }
  const ms = [...running.entries()].map(([name, t]) => t - (created.get(name) ?? t));
  const perNode: Record<string, number> = {};
  for (const n of nodes.values()) perNode[n] = (perNode[n] ?? 0) + 1;
  return { ms, perNode };
}

/**
 * The limit: N containers created and started at once on Docker's default bridge network (veth, address,
 * routes: the wiring a pod gets), removed a few at a time afterwards. Not a user-defined network: Docker
 * 20.10 can deadlock its network controller when dozens of containers on one leave it at once (their
 * DNS service records are unwatched under the controller's lock), and every later network call then hangs.
 */
async function rawDocker(args: Args): Promise<number[]> {
  const docker = new Docker();
  const ids: string[] = [];
  try {
    return await Promise.all(
      Array.from({ length: args.pods }, async () => {
        const t0 = performance.now();
        const c = await docker.createContainer({
          Image: args.image,
          Cmd: ["sleep", "3600"],
          Labels: { "io.tskube.bench": "kubelet" },
          HostConfig: { NetworkMode: "bridge" },
        });
        ids.push(c.id);
        await c.start();
        return performance.now() - t0;
      }),
    );
  } finally {
    for (let i = 0; i < ids.length; i += 8) {
      await Promise.all(
        ids.slice(i, i + 8).map((id) =>
          docker
            .getContainer(id)
            .remove({ force: true })
            .catch(() => undefined),
        ),
      );
    }
  }
}

const fmt = (s: Summary) =>
  `n=${s.n} p50=${s.p50.toFixed(0)} ms p99=${s.p99.toFixed(0)} ms max=${s.max.toFixed(0)} ms`;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const raw = summarize(await rawDocker(args));
  const pods = await podStarts(args);
  const k = summarize(pods.ms);
  console.log(`pod start, ${args.pods} pods (${args.image}), created -> Running+Ready: ${fmt(k)}`);
  console.log(`  per node: ${JSON.stringify(pods.perNode)}`);
  console.log(`raw docker create+network+start, ${args.pods} at once: ${fmt(raw)}`);
  console.log(`ratio pod/raw: p50 ${(k.p50 / raw.p50).toFixed(1)}x, p99 ${(k.p99 / raw.p99).toFixed(1)}x`);
  if (k.n < args.pods) {
    console.log(`only ${k.n} of ${args.pods} pods were Running within 5 minutes`);
    process.exitCode = 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e: Error) => {
    console.error(e.stack ?? e.message);
    process.exit(1);
  });
}
