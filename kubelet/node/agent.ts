// Registration and heartbeats: creates (or adopts) this node's Node object, renews its Lease in
// kube-node-lease, and reports NodeStatus when it changes (at least once a minute), as the kubelet's
// registerWithAPIServer, nodeleasecontroller and syncNodeStatus do.
import type { Lease } from "kubernetes-types/coordination/v1";
import type { Node } from "kubernetes-types/core/v1";
import {
  isAlreadyExists,
  isConflict,
  isNotFound,
  Leases,
  Nodes,
  type RestClient,
} from "../../pkg/client/index.js";
import type { Logger } from "../../pkg/util/log.js";
import { rfc3339 } from "../pod/status.js";
import {
  initialNode,
  type NodeFacts,
  nodeLabels,
  nodeStatus,
  nodeStatusChanged,
  type Pressure,
} from "./node.js";

export interface NodeAgentOptions {
  client: RestClient;
  log: Logger;
  facts: () => Promise<NodeFacts>;
  pressure: () => Promise<Pressure>;
  leaseDurationSeconds?: number;
  leaseRenewMs?: number;
  statusUpdateMs?: number;
  statusReportMs?: number;
}

function microTime(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "000Z");
}

export class NodeAgent {
  private lastReported?: Node["status"];
  private lastReportAt = 0;
  private registered = false;
  constructor(private opts: NodeAgentOptions) {}

  get isRegistered(): boolean {
    return this.registered;
  }

  async register(): Promise<Node> {
    const { client, log } = this.opts;
    const nodes = client.resource(Nodes);
    const facts = await this.opts.facts();
    const pressure = await this.opts.pressure();
    const now = rfc3339(Date.now());
    const wanted = initialNode(facts, pressure, now);
    let node: Node;
    try {
      node = await nodes.create(wanted);
      log.info({ node: facts.name }, "Successfully registered node");
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      // An existing Node (a restarted node container) is adopted: labels are reconciled, status refreshed.
      node = await nodes.patch(facts.name, { metadata: { labels: nodeLabels(facts) } });
      log.info({ node: facts.name }, "node already registered; adopted");
    }
    this.registered = true;
    await this.updateStatus(true).catch((e: Error) =>
      log.warn({ err: e.message }, "first node status update failed"),
    );
    return node;
  }

  async updateStatus(force = false): Promise<void> {
    const { client } = this.opts;
    const facts = await this.opts.facts();
    const pressure = await this.opts.pressure();
    const nodes = client.resource(Nodes);
    const current = await nodes.get(facts.name);
    const status = nodeStatus(facts, pressure, current.status, rfc3339(Date.now()));
    const due = Date.now() - this.lastReportAt >= (this.opts.statusReportMs ?? 60_000);
    if (!force && !due && !nodeStatusChanged(this.lastReported ?? current.status, status)) return;
    await nodes.patch(facts.name, { status }, "merge", { subresource: "status" });
    this.lastReported = status;
    this.lastReportAt = Date.now();
  }

  async renewLease(): Promise<void> {
    const { client } = this.opts;
    const facts = await this.opts.facts();
    const leases = client.resource(Leases, "kube-node-lease");
    const now = microTime(Date.now());
    const duration = this.opts.leaseDurationSeconds ?? 40;
    try {
      const lease = await leases.get(facts.name);
      const next: Lease = {
        ...lease,
        spec: { ...lease.spec, holderIdentity: facts.name, leaseDurationSeconds: duration, renewTime: now },
      };
      await leases.update(next);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      const node = await client.resource(Nodes).get(facts.name);
      await leases.create({
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: {
          name: facts.name,
          namespace: "kube-node-lease",
          ownerReferences: [
            { apiVersion: "v1", kind: "Node", name: facts.name, uid: node.metadata?.uid ?? "" },
          ],
        },
        spec: { holderIdentity: facts.name, leaseDurationSeconds: duration, renewTime: now },
      });
    }
  }

  /** Runs registration (retrying), then the lease and status loops until the signal aborts. */
  async run(signal: AbortSignal, onRegistered: (node: Node) => void): Promise<void> {
    const { log } = this.opts;
    let delay = 500;
    while (!signal.aborted && !this.registered) {
      try {
        onRegistered(await this.register());
      } catch (e) {
        log.warn({ err: (e as Error).message, retryInMs: delay }, "Unable to register node with API server");
        await sleep(delay, signal);
        delay = Math.min(delay * 2, 7000);
      }
    }
    const loop = async (everyMs: number, what: string, fn: () => Promise<void>) => {
      while (!signal.aborted) {
        await sleep(everyMs, signal);
        if (signal.aborted) return;
        try {
          await fn();
        } catch (e) {
          if (isConflict(e)) continue;
          log.warn({ err: (e as Error).message }, `${what} failed; will retry`);
        }
      }
    };
    await this.renewLease().catch((e: Error) => log.warn({ err: e.message }, "lease create failed"));
    await Promise.all([
      loop(this.opts.leaseRenewMs ?? 5000, "lease renewal", () => this.renewLease()),
      loop(this.opts.statusUpdateMs ?? 10_000, "node status update", () => this.updateStatus()),
    ]);
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
