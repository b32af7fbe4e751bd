// Test harness: controllers against the in-memory apiserver (pkg/client/testing/fakeserver.ts) with
// simulated nodes. No kubelet or scheduler: a tiny loop binds pending pods to a node (the one a
// DaemonSet's node affinity names, else round-robin) and marks bound pods Running and Ready.
import type { Event as EventObj, Node, Pod } from "kubernetes-types/core/v1";
import {
  EventBroadcaster,
  Events,
  InformerFactory,
  isConflict,
  isNotFound,
  Nodes,
  Pods,
  RestClient,
} from "../../pkg/client/index.js";
import { FakeApiServer } from "../../pkg/client/testing/fakeserver.js";
import { newLogger } from "../../pkg/util/log.js";
import type { ControllerContext, ControllerDescriptor } from "../context.js";

export interface HarnessOptions {
  controllers: ControllerDescriptor[];
  /** Simulated node names (created as Ready Nodes). Default: node-1..node-3. */
  nodes?: string[];
  /** Bind and start pods automatically. Default true. */
  simulateKubelet?: boolean;
  /** Phase a started pod gets from `decidePhase` (default Running + Ready). */
  decidePhase?: (pod: Pod) => "Running" | "Succeeded" | "Failed";
}

export interface Harness {
  server: FakeApiServer;
  client: RestClient;
  ctx: ControllerContext;
  stop(): Promise<void>;
  waitFor<T>(
    what: string,
    probe: () => T | undefined | false | Promise<T | undefined | false>,
    timeoutMs?: number,
  ): Promise<T>;
  pods(namespace?: string): Pod[];
  events(namespace?: string): EventObj[];
}

export async function startHarness(opts: HarnessOptions): Promise<Harness> {
  const server = await FakeApiServer.start();
  const client = new RestClient(server.clientConfig());
  const ac = new AbortController();
  const log = newLogger("controller-manager-test", process.env.LOG_LEVEL ?? "silent");
  const factory = new InformerFactory(client, { logger: log });
  const events = new EventBroadcaster(client, { logger: log, retryDelayMs: 50 });
  const nodes = opts.nodes ?? ["node-1", "node-2", "node-3"];
  for (const name of nodes) server.seed(Nodes, readyNode(name));
  const ctx: ControllerContext = {
    client,
    factory,
    events,
    log,
    signal: ac.signal,
    options: { nodeCIDRMaskSize: 24, concurrentSyncs: 5 },
    now: Date.now,
  };
  const runs = opts.controllers.map((c) => c.init(ctx));
  const kubelet = opts.simulateKubelet === false ? undefined : simulateKubelet(ctx, nodes, opts.decidePhase);
  factory.start(ac.signal);
  const done = Promise.all(runs.map((r) => r()));
  return {
    server,
    client,
    ctx,
    async stop() {
      ac.abort();
      await done;
      await kubelet;
      await events.shutdown();
      client.close();
      await server.stop();
    },
    async waitFor(what, probe, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const v = await probe();
        if (v !== undefined && v !== false) return v as never;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    pods: (namespace = "default") => server.listObjects(Pods, namespace),
    events: (namespace = "default") => server.listObjects(Events, namespace),
  };
}

export function readyNode(name: string, labels: Record<string, string> = {}): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name, ...labels } },
    status: { conditions: [{ type: "Ready", status: "True" }] },
  };
}

/** The node a pod's required node affinity pins it to (metadata.name In [x]), if any. */
function pinnedNode(pod: Pod): string | undefined {
  const terms =
    pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const t of terms)
    for (const f of t.matchFields ?? [])
      if (f.key === "metadata.name" && f.operator === "In") return f.values?.[0];
  return undefined;
}

async function simulateKubelet(
  ctx: ControllerContext,
  nodes: string[],
  decidePhase?: (pod: Pod) => "Running" | "Succeeded" | "Failed",
): Promise<void> {
  const pods = ctx.factory.informerFor(Pods);
  let next = 0;
  const inflight = new Set<string>();
  const handle = async (pod: Pod) => {
    const ns = pod.metadata?.namespace ?? "default";
    const name = pod.metadata?.name ?? "";
    const key = `${ns}/${name}/${pod.metadata?.resourceVersion}`;
    if (pod.metadata?.deletionTimestamp || inflight.has(key)) return;
    inflight.add(key);
    const rc = ctx.client.resource(Pods, ns);
    try {
      if (!pod.spec?.nodeName) {
        const node = pinnedNode(pod) ?? nodes[next++ % nodes.length];
        await rc.createSubresource(name, "binding", {
          apiVersion: "v1",
          kind: "Binding",
          metadata: { name },
          target: { apiVersion: "v1", kind: "Node", name: node },
        });
        return;
      }
      if (pod.status?.phase) return;
      const phase = decidePhase?.(pod) ?? "Running";
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
      const ready = phase === "Running" ? "True" : "False";
      await rc.updateStatus({
        ...structuredClone(pod),
        status: {
          phase,
          startTime: now,
          conditions: [
            { type: "PodScheduled", status: "True", lastTransitionTime: now },
            { type: "Ready", status: ready, lastTransitionTime: now },
          ],
        },
      });
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) ctx.log.warn({ err: String(e) }, "simulated kubelet");
    } finally {
      inflight.delete(key);
    }
  };
  pods.addEventHandler({ onAdd: (p) => void handle(p), onUpdate: (_o, p) => void handle(p) });
  await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve(), { once: true }));
}
