// What every chaos scenario needs: a fast API client for polling (the project's own RestClient with the
// admin kubeconfig: kubectl costs a process per poll), the compose containers by service name, faults
// that are always undone (restoreCluster), and the readiness questions the scenarios ask.
import type { Deployment } from "kubernetes-types/apps/v1";
import type { Pod } from "kubernetes-types/core/v1";
import {
  ApiError,
  Deployments,
  loadKubeconfig,
  Namespaces,
  Nodes,
  Pods,
  RestClient,
} from "../../pkg/client/index.js";
import { docker, eventually, KUBECONFIG, kubectlWithInput, type RunResult } from "../lib/cluster.js";
import {
  isPodReady,
  nodeReadyStatus,
  type ReplacementTimeline,
  readyByNode,
  readyOutside,
} from "./decide.js";

export * from "./decide.js";
export { eventually };

export const api = new RestClient(loadKubeconfig(KUBECONFIG), { userAgent: "tskube-chaos", timeoutMs: 5000 });

export const NODES = ["node-1", "node-2", "node-3"];
export const NODE_IPS: Record<string, string> = {
  "node-1": "172.28.0.101",
  "node-2": "172.28.0.102",
  "node-3": "172.28.0.103",
};
export const NETWORK = "tskube";
/** The docker-compose 1 container of a service (project "tskube", one replica). */
export const container = (service: string) => `tskube_${service}_1`;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function ok(p: Promise<RunResult>, what = "command"): Promise<string> {
  const r = await p;
  if (r.code !== 0) throw new Error(`${what}: exit ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** A stopwatch from the fault: `since()` is the ms elapsed. */
export function stopwatch(): { since: () => number } {
  const t0 = Date.now();
  return { since: () => Date.now() - t0 };
}

export function log(msg: string): void {
  console.log(`[chaos ${new Date().toISOString().slice(11, 23)}] ${msg}`);
}

// ---- reads ----

/** LIST requests this suite made (podsOf): scenario 4 takes them out of the apiserver's counts. */
export const ownPodLists = { count: 0 };

export async function podsOf(ns: string, labelSelector: string): Promise<Pod[]> {
  ownPodLists.count++;
  return (await api.resource(Pods, ns).list({ labelSelector })).items;
}

export async function nodeStatus(name: string): Promise<string> {
  return nodeReadyStatus(await api.resource(Nodes).get(name));
}

export async function waitNodeReady(name: string, timeoutMs = 90_000): Promise<number> {
  const sw = stopwatch();
  await eventually(
    `node ${name} Ready`,
    async () => ((await nodeStatus(name)) === "True" ? true : undefined),
    { timeoutMs, intervalMs: 500 },
  );
  return sw.since();
}

/** kube-proxy (the pod of the kube-proxy DaemonSet) ready on every node: Services work everywhere again.
 *  A restarted node is Ready before its kube-proxy pod is (docs/adr/0006). */
export async function waitKubeProxyReady(timeoutMs = 90_000): Promise<number> {
  const sw = stopwatch();
  await eventually(
    "kube-proxy ready on every node",
    async () => {
      const byNode = readyByNode(await podsOf("kube-system", "k8s-app=kube-proxy"));
      return NODES.every((n) => (byNode.get(n) ?? 0) > 0) ? true : undefined;
    },
    { timeoutMs, intervalMs: 500 },
  );
  return sw.since();
}

// ---- objects ----

export async function createNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${Date.now().toString(36)}`;
  await api.resource(Namespaces).create({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
  return name;
}

/** Deletes the scenario's namespace, retrying while the apiserver is away (a fault may still be healing);
 *  never throws: a leftover namespace must not fail a scenario that passed. */
export async function deleteNamespace(name: string): Promise<void> {
  if (!name) return;
  await eventually(
    `namespace ${name} deleted`,
    () =>
      api
        .resource(Namespaces)
        .delete(name)
        .then(
          () => true,
          (err: unknown) => (err instanceof ApiError && err.code === 404 ? true : Promise.reject(err)),
        ),
    { timeoutMs: 60_000, intervalMs: 2000 },
  ).catch((err) => log(`could not delete namespace ${name}: ${String(err)}`));
}

export function nginxDeployment(
  ns: string,
  name: string,
  replicas: number,
  image = "nginx:1.14.2",
): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          // Quick to replace: a killed node's pods have nowhere to terminate gracefully anyway.
          terminationGracePeriodSeconds: 2,
          containers: [
            {
              name: "nginx",
              image,
              imagePullPolicy: "IfNotPresent",
              ports: [{ containerPort: 80 }],
              readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 2 },
            },
          ],
        },
      },
    },
  };
}

/** Applies with the real kubectl, as a user would. */
export async function apply(obj: unknown): Promise<void> {
  // Retried for a while, as a user would, when it fails because a fault is still healing.
  await eventually(
    "kubectl apply",
    async () => ok(kubectlWithInput(JSON.stringify(obj), "apply", "-f", "-"), "kubectl apply"),
    { timeoutMs: 30_000, intervalMs: 1000 },
  );
}

export async function waitReady(
  ns: string,
  app: string,
  want: number,
  timeoutMs: number,
  outside = "",
): Promise<number> {
  const sw = stopwatch();
  await eventually(
    `${want} ready pods of ${ns}/${app}${outside ? ` off ${outside}` : ""}`,
    async () => {
      const pods = await podsOf(ns, `app=${app}`);
      const n = readyOutside(pods, outside);
      return n >= want ? true : undefined;
    },
    { timeoutMs, intervalMs: 500 },
  );
  return sw.since();
}

export async function deploymentComplete(ns: string, name: string, image: string): Promise<boolean> {
  const d = await api.resource(Deployments, ns).get(name);
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  if ((s.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) return false;
  if (s.updatedReplicas !== want || s.readyReplicas !== want || s.availableReplicas !== want) return false;
  if ((s.replicas ?? 0) !== want) return false;
  const pods = (await podsOf(ns, `app=${name}`)).filter(isPodReady);
  return pods.length === want && pods.every((p) => p.spec?.containers[0]?.image === image);
}

// ---- faults, always undone ----

export async function containerRunning(name: string): Promise<boolean> {
  const r = await docker("inspect", "-f", "{{.State.Running}}", name);
  return r.stdout.trim() === "true";
}

export async function containerHealthy(name: string): Promise<boolean> {
  const r = await docker(
    "inspect",
    "-f",
    "{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}",
    name,
  );
  const s = r.stdout.trim();
  return s === "healthy" || s === "none";
}

export async function kill(name: string): Promise<void> {
  log(`docker kill ${name}`);
  await ok(docker("kill", name), `docker kill ${name}`);
}

export async function start(name: string): Promise<void> {
  log(`docker start ${name}`);
  await ok(docker("start", name), `docker start ${name}`);
}

export async function waitHealthy(name: string, timeoutMs = 90_000): Promise<number> {
  const sw = stopwatch();
  await eventually(`${name} healthy`, async () => ((await containerHealthy(name)) ? true : undefined), {
    timeoutMs,
    intervalMs: 500,
  });
  return sw.since();
}

async function connectedNetworks(name: string): Promise<string[]> {
  const r = await docker(
    "inspect",
    "-f",
    "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}",
    name,
  );
  return r.stdout.trim().split(/\s+/).filter(Boolean);
}

export async function disconnect(node: string): Promise<void> {
  log(`docker network disconnect ${NETWORK} ${container(node)}`);
  await ok(docker("network", "disconnect", NETWORK, container(node)), "docker network disconnect");
}

export async function reconnect(node: string): Promise<void> {
  if ((await connectedNetworks(container(node))).includes(NETWORK)) return;
  log(`docker network connect --ip ${NODE_IPS[node]} ${NETWORK} ${container(node)}`);
  await ok(
    docker("network", "connect", "--ip", NODE_IPS[node] ?? "", NETWORK, container(node)),
    "docker network connect",
  );
}

/** Every compose container running and every node on the network again: what each scenario's `finally`
 *  calls, whatever it broke and however far it got. */
export async function restoreCluster(): Promise<void> {
  const all = await docker(
    "ps",
    "-a",
    "--filter",
    "label=com.docker.compose.project=tskube",
    "--filter",
    "status=exited",
    "--format",
    "{{.Names}}",
  );
  // Only the services' own containers: `docker-compose up` recreating a service leaves a stopped
  // "<id>_tskube_<svc>_1" behind for a moment, which must not be started.
  const ours = all.stdout
    .trim()
    .split("\n")
    .filter((c) => /^tskube_[a-z0-9-]+_1$/.test(c));
  for (const c of ours) await start(c).catch((e) => log(String(e)));
  for (const n of NODES) await reconnect(n).catch((e) => log(String(e)));
}

/** The cluster as each scenario must find it: every node Ready and running kube-proxy (bounded wait). */
export async function clusterSteady(timeoutMs = 120_000): Promise<void> {
  await restoreCluster();
  for (const n of NODES) await waitNodeReady(n, timeoutMs);
  await waitKubeProxyReady(timeoutMs);
}

export function sampleReplacement(
  ns: string,
  app: string,
  strandedUids: Set<string>,
  want: number,
  since: () => number,
  stop: AbortSignal,
): Promise<ReplacementTimeline> {
  const t: ReplacementTimeline = {};
  return (async () => {
    while (!stop.aborted) {
      try {
        const pods = await podsOf(ns, `app=${app}`);
        const ms = since();
        const stranded = pods.filter((p) => strandedUids.has(p.metadata?.uid ?? ""));
        const evicted = strandedUids.size - stranded.filter((p) => !p.metadata?.deletionTimestamp).length;
        const fresh = pods.filter(
          (p) => !strandedUids.has(p.metadata?.uid ?? "") && !p.metadata?.deletionTimestamp,
        );
        if (evicted > 0) t.firstEvictedMs ??= ms;
        if (evicted === strandedUids.size) t.allEvictedMs ??= ms;
        if (fresh.length >= want) t.replacementsCreatedMs ??= ms;
        if (fresh.filter((p) => p.spec?.nodeName).length >= want) t.replacementsScheduledMs ??= ms;
        if (fresh.filter((p) => p.status?.phase === "Running").length >= want) t.replacementsRunningMs ??= ms;
      } catch {
        // A failed poll during a fault is expected: sample again.
      }
      await sleep(500);
    }
    return t;
  })();
}

/** Issue 9's goals for losing a node (killed or cut off): detected within 20 s, its pods replaced within 45 s. */
export const NODE_LOSS_DETECT_GOAL_MS = 20_000;
export const NODE_LOSS_RECOVER_GOAL_MS = 45_000;
