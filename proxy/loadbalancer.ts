// LoadBalancer services on one Docker host, the way MetalLB's layer-2 mode does it on bare metal: every
// LoadBalancer service gets an EXTERNAL-IP from a pool on the cluster network (reachable from the host
// machine), and one node, elected through a Lease, holds all those addresses on its interface and answers
// ARP for them. kube-proxy's rules on that node DNAT the traffic like node-port traffic. When the
// announcing node dies, another kube-proxy wins the Lease, takes the addresses and sends gratuitous ARP so
// the host's neighbour cache moves at once.
import { execFile } from "node:child_process";
import type { Service } from "kubernetes-types/core/v1";
import { LeaderElector, type RestClient, Services, type SharedInformer } from "../pkg/client/index.js";
import type { Logger } from "../pkg/util/log.js";

export interface IpPool {
  first: number; // as 32-bit integers
  last: number;
}

export function ipToInt(ip: string): number {
  return ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** "172.28.1.1-172.28.1.254" or a CIDR "172.28.1.0/24" (network and broadcast left out). */
export function parsePool(spec: string): IpPool {
  if (spec.includes("-")) {
    const [a, b] = spec.split("-");
    return { first: ipToInt(a), last: ipToInt(b) };
  }
  const [base, bitsStr] = spec.split("/");
  const bits = Number(bitsStr);
  const size = 2 ** (32 - bits);
  const start = Math.floor(ipToInt(base) / size) * size;
  return { first: start + 1, last: start + size - 2 };
}

const inPool = (pool: IpPool, ip: string): boolean => {
  const n = ipToInt(ip);
  return n >= pool.first && n <= pool.last;
};

const keyOf = (s: Service): string => `${s.metadata?.namespace}/${s.metadata?.name}`;

/**
 * Which address each LoadBalancer service should have. Keeps a valid address a service already has,
 * honours spec.loadBalancerIP when it is free and in the pool, and gives the others the lowest free one.
 * Services that cannot get one (pool exhausted, requested address taken) are left out: they stay <pending>.
 */
export function assignLoadBalancerIPs(services: Service[], pool: IpPool): Map<string, string> {
  const lbs = services
    .filter((s) => s.spec?.type === "LoadBalancer" && !s.metadata?.deletionTimestamp)
    .sort(
      (a, b) =>
        (a.metadata?.creationTimestamp ?? "").localeCompare(b.metadata?.creationTimestamp ?? "") ||
        keyOf(a).localeCompare(keyOf(b)),
    );
  const taken = new Set<string>();
  const out = new Map<string, string>();
  const claim = (s: Service, ip: string): void => {
    out.set(keyOf(s), ip);
    taken.add(ip);
  };
  // Existing assignments first, so nobody's address moves.
  for (const s of lbs) {
    const current = s.status?.loadBalancer?.ingress?.[0]?.ip;
    const wanted = s.spec?.loadBalancerIP;
    if (current && inPool(pool, current) && !taken.has(current) && (!wanted || wanted === current))
      claim(s, current);
  }
  for (const s of lbs) {
    if (out.has(keyOf(s))) continue;
    const wanted = s.spec?.loadBalancerIP;
    if (wanted) {
      if (inPool(pool, wanted) && !taken.has(wanted)) claim(s, wanted);
      continue;
    }
    for (let n = pool.first; n <= pool.last; n++) {
      const ip = intToIp(n);
      if (!taken.has(ip)) {
        claim(s, ip);
        break;
      }
    }
  }
  return out;
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, (err, stdout, stderr) =>
      err ? reject(new Error(stderr.trim() || err.message)) : resolve(stdout),
    );
  });
}

export interface SpeakerOptions {
  client: RestClient;
  services: SharedInformer<Service>;
  pool: IpPool;
  nodeName: string;
  nodeIP: string;
  logger: Logger;
}

/** Allocates and announces LoadBalancer addresses while this node holds the `tskube-loadbalancer` Lease. */
export class LoadBalancerSpeaker {
  private leading = false;
  private pending: Promise<void> = Promise.resolve();
  private iface = "eth0";

  constructor(private readonly opts: SpeakerOptions) {}

  async run(signal: AbortSignal): Promise<void> {
    this.iface = await this.interfaceOf(this.opts.nodeIP);
    await this.announce(new Set()); // addresses left from an earlier run are not ours until we lead
    this.opts.services.addEventHandler({
      onAdd: () => this.kick(),
      onUpdate: () => this.kick(),
      onDelete: () => this.kick(),
    });
    while (!signal.aborted) {
      const elector = new LeaderElector({
        client: this.opts.client,
        namespace: "kube-system",
        name: "tskube-loadbalancer",
        identity: this.opts.nodeName,
        // Short, so a dead announcer is replaced well within 10 s: a standby takes over within 4.5 s, and
        // clients retrying meanwhile may still be sent to endpoints on the dead node until the node
        // lifecycle controller takes them out (ADR 0005).
        leaseDurationMs: 4000,
        renewDeadlineMs: 2500,
        retryPeriodMs: 500,
        logger: this.opts.logger,
        onStartedLeading: (lost) => {
          this.leading = true;
          this.opts.logger.info({ node: this.opts.nodeName }, "announcing LoadBalancer addresses");
          this.kick();
          lost.addEventListener("abort", () => {
            this.leading = false;
            this.kick();
          });
        },
      });
      await elector
        .run(signal)
        .catch((err: Error) => this.opts.logger.warn({ err: err.message }, "lb election ended"));
      this.leading = false;
      this.kick();
      if (!signal.aborted) await new Promise((r) => setTimeout(r, 1000));
    }
    await this.announce(new Set());
  }

  /** Serialises syncs: each one re-reads the whole state (level-triggered). */
  private kick(): void {
    this.pending = this.pending
      .then(() => this.sync())
      .catch((err: Error) => {
        this.opts.logger.warn({ err: err.message }, "loadbalancer sync failed; retrying");
        setTimeout(() => this.kick(), 1000);
      });
  }

  private async sync(): Promise<void> {
    if (!this.leading) {
      await this.announce(new Set());
      return;
    }
    const services = this.opts.services.store.list();
    const assigned = assignLoadBalancerIPs(services, this.opts.pool);
    // The address is on our interface (and announced) before any Service shows it as its EXTERNAL-IP.
    await this.announce(new Set(assigned.values()));
    for (const s of services) {
      if (s.spec?.type !== "LoadBalancer") continue;
      const ip = assigned.get(keyOf(s));
      const current = s.status?.loadBalancer?.ingress?.map((i) => i.ip).join(",") ?? "";
      if ((ip ?? "") === current) continue;
      const ingress = ip ? [{ ip, ipMode: "VIP" }] : [];
      await this.opts.client
        .resource(Services, s.metadata?.namespace)
        .patch(s.metadata?.name ?? "", { status: { loadBalancer: { ingress } } }, "merge", {
          subresource: "status",
        });
      this.opts.logger.info({ service: keyOf(s), ip }, "assigned LoadBalancer address");
    }
  }

  /** Makes the pool addresses on our interface exactly `wanted`, with gratuitous ARP for new ones. */
  private async announce(wanted: Set<string>): Promise<void> {
    const out = await run("ip", ["-o", "-4", "addr", "show", "dev", this.iface]);
    const have = new Set<string>();
    for (const m of out.matchAll(/inet (\d+\.\d+\.\d+\.\d+)\/32/g))
      if (inPool(this.opts.pool, m[1])) have.add(m[1]);
    for (const ip of have)
      if (!wanted.has(ip)) await run("ip", ["addr", "del", `${ip}/32`, "dev", this.iface]);
    for (const ip of wanted) {
      if (have.has(ip)) continue;
      await run("ip", ["addr", "add", `${ip}/32`, "dev", this.iface]);
      await run("arping", ["-U", "-c", "2", "-w", "1", "-I", this.iface, ip]).catch((err: Error) =>
        this.opts.logger.warn({ ip, err: err.message }, "gratuitous ARP failed"),
      );
    }
  }

  private async interfaceOf(ip: string): Promise<string> {
    const out = await run("ip", ["-o", "-4", "addr", "show"]).catch(() => "");
    const line = out.split("\n").find((l) => l.includes(` ${ip}/`));
    return line?.split(/\s+/)[1] ?? "eth0";
  }
}
