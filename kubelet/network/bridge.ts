// The pod network backend: what the CNI bridge plugin does, with `ip` commands in the node's network
// namespace (ARCHITECTURE.md section 3): a bridge cni0 holding the podCIDR's first address, a veth pair per
// pod whose far end becomes the sandbox's eth0, masquerade for traffic leaving the cluster CIDR, and a route
// per other node to its podCIDR. Behind the PodNetwork interface so that VXLAN can replace host routes.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Logger } from "../../pkg/util/log.js";
import { HOSTPORT_JUMPS, type HostPortMapping, renderHostPortRules } from "./hostports.js";
import { cidrContains, gatewayOf, parseCidr } from "./ipam.js";

export interface PeerRoute {
  podCIDR: string;
  nodeIP: string;
}

export interface PodNetwork {
  /** Sets up the node side for this node's podCIDR; idempotent. */
  init(podCIDR: string): Promise<void>;
  /** Wires a running sandbox (its pid as seen from the node) to the pod network with the given address. */
  attach(sandboxId: string, pid: number, ip: string): Promise<void>;
  /** Makes the routes to the other nodes' podCIDRs exactly these. */
  syncRoutes(peers: PeerRoute[]): Promise<void>;
  /** Makes the hostPort forwarding rules exactly these. */
  syncHostPorts(mappings: HostPortMapping[]): Promise<void>;
}

export class CommandError extends Error {}

export function run(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => {
      out += d;
    });
    p.stderr.on("data", (d) => {
      err += d;
    });
    p.on("error", reject);
    p.on("close", (code) => {
      if (code === 0) resolve(out);
      else reject(new CommandError(`${cmd} ${args.join(" ")}: ${err.trim() || `exit ${code}`}`));
    });
    // A command that exits before reading its input must not crash the kubelet with EPIPE.
    p.stdin.on("error", () => undefined);
    p.stdin.end(input ?? "");
  });
}

/** Host-side veth name: at most 15 characters, stable for a sandbox. */
export function vethName(sandboxId: string): string {
  return `veth${createHash("sha1").update(sandboxId).digest("hex").slice(0, 8)}`;
}

/** The `ip -batch` scripts for one pod: node side, then inside the pod's namespace. */
export function attachScripts(
  veth: string,
  pid: number,
  ip: string,
  podCIDR: string,
  bridge: string,
  mtu: number,
): { node: string; pod: string } {
  const c = parseCidr(podCIDR);
  const gw = gatewayOf(c);
  return {
    node: [
      `link add ${veth} mtu ${mtu} type veth peer name eth0 mtu ${mtu} netns ${pid}`,
      `link set ${veth} master ${bridge}`,
      `link set ${veth} type bridge_slave hairpin on`,
      `link set ${veth} up`,
    ].join("\n"),
    pod: [
      "link set lo up",
      `addr add ${ip}/${c.prefix} dev eth0`,
      "link set eth0 up",
      `route add default via ${gw} dev eth0`,
    ].join("\n"),
  };
}

export class BridgeNetwork implements PodNetwork {
  private podCIDR = "";
  private mtu = 1500;
  constructor(
    private log: Logger,
    readonly clusterCIDR: string,
    readonly bridge = "cni0",
  ) {}

  async init(podCIDR: string): Promise<void> {
    this.podCIDR = podCIDR;
    const c = parseCidr(podCIDR);
    try {
      this.mtu = Number((await readFile("/sys/class/net/eth0/mtu", "utf8")).trim()) || 1500;
    } catch {
      this.mtu = 1500;
    }
    await run("ip", ["link", "add", this.bridge, "type", "bridge"]).catch((e: Error) => {
      if (!/File exists/.test(e.message)) throw e;
    });
    await run("ip", ["addr", "replace", `${gatewayOf(c)}/${c.prefix}`, "dev", this.bridge]);
    await run("ip", ["link", "set", this.bridge, "mtu", String(this.mtu), "up"]);
    // Pods reaching outside the cluster leave with the node's address, as the bridge plugin's ipMasq.
    const rule = [
      "POSTROUTING",
      "-s",
      podCIDR,
      "!",
      "-d",
      this.clusterCIDR,
      "-m",
      "comment",
      "--comment",
      "tskube pod egress",
      "-j",
      "MASQUERADE",
    ];
    try {
      await run("iptables", ["-t", "nat", "-C", ...rule]);
    } catch {
      await run("iptables", ["-t", "nat", "-A", ...rule]);
    }
    // Bridged pod-to-pod traffic must go through iptables for service DNAT replies (br_netfilter), when
    // the kernel lets this namespace say so.
    await run("sh", ["-c", "echo 1 > /proc/sys/net/bridge/bridge-nf-call-iptables"]).catch(() => undefined);
    this.log.info({ podCIDR, bridge: this.bridge, mtu: this.mtu }, "pod network ready");
  }

  async attach(sandboxId: string, pid: number, ip: string): Promise<void> {
    if (!this.podCIDR) throw new Error("pod network not initialised: no podCIDR yet");
    const veth = vethName(sandboxId);
    const s = attachScripts(veth, pid, ip, this.podCIDR, this.bridge, this.mtu);
    // A veth left by an earlier attempt for this sandbox is removed only when it is in the way.
    await run("ip", ["-batch", "-"], s.node).catch(async (e: Error) => {
      if (!/exists/i.test(e.message)) throw e;
      await run("ip", ["link", "del", veth]).catch(() => undefined);
      await run("ip", ["-batch", "-"], s.node);
    });
    await run("nsenter", [`--net=/proc/${pid}/ns/net`, "ip", "-batch", "-"], s.pod);
  }

  private lastHostPorts = "";
  async syncHostPorts(mappings: HostPortMapping[]): Promise<void> {
    const text = renderHostPortRules(mappings);
    if (text === this.lastHostPorts) return;
    await run("iptables-restore", ["-w", "--noflush"], text);
    for (const jump of HOSTPORT_JUMPS) {
      await run("iptables", ["-w", "-t", "nat", "-C", ...jump]).catch(() =>
        run("iptables", ["-w", "-t", "nat", "-I", jump[0] as string, "1", ...jump.slice(1)]),
      );
    }
    this.lastHostPorts = text;
  }

  async syncRoutes(peers: PeerRoute[]): Promise<void> {
    const cluster = parseCidr(this.clusterCIDR);
    const wanted = new Map(peers.filter((p) => p.podCIDR !== this.podCIDR).map((p) => [p.podCIDR, p.nodeIP]));
    const current = JSON.parse((await run("ip", ["-j", "route", "show"])) || "[]") as Array<{
      dst: string;
      gateway?: string;
      dev?: string;
    }>;
    for (const r of current) {
      if (!r.dst.includes("/") || r.dev === this.bridge) continue;
      const [net] = r.dst.split("/");
      if (!cidrContains(cluster, net)) continue;
      if (wanted.get(r.dst) === r.gateway) {
        wanted.delete(r.dst);
        continue;
      }
      if (!wanted.has(r.dst)) await run("ip", ["route", "del", r.dst]).catch(() => undefined);
    }
    for (const [dst, via] of wanted) {
      await run("ip", ["route", "replace", dst, "via", via]).catch((e: Error) =>
        this.log.warn({ dst, via, err: e.message }, "cannot add route to a peer's pods"),
      );
    }
  }
}
