// Node IPAM (kube-controller-manager's `nodeipam`, range allocator): every Node gets a podCIDR, a /24
// (--node-cidr-mask-size) of --cluster-cidr, written once into spec.podCIDR and spec.podCIDRs. The
// kubelet builds its pod bridge from it; the pod-network backend routes it to the node.
import type { Node } from "kubernetes-types/core/v1";
import {
  metaNamespaceKey,
  Nodes,
  objectOf,
  type SharedInformer,
  WorkQueue,
} from "../../../pkg/client/index.js";
import type { ControllerContext, ControllerDescriptor } from "../../context.js";
import { runLoop } from "../../lib/run.js";

export interface Cidr {
  base: number; // network address as an unsigned 32-bit integer
  bits: number;
}

export function parseCidr(s: string): Cidr {
  const [ip, bits] = s.split("/");
  const base = ip.split(".").reduce((a, o) => a * 256 + Number(o), 0);
  return { base, bits: Number(bits) };
}

export function formatCidr(c: Cidr): string {
  const n = c.base;
  return `${[n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".")}/${c.bits}`;
}

/**
 * The podCIDR for a node: the lowest subnet of `cluster` with `maskSize` bits not in `used`.
 * undefined when the cluster CIDR is full (the node then shows a CIDRNotAvailable event upstream).
 */
export function nextPodCidr(cluster: Cidr, maskSize: number, used: ReadonlySet<string>): string | undefined {
  const count = 2 ** (maskSize - cluster.bits);
  const size = 2 ** (32 - maskSize);
  for (let i = 0; i < count; i++) {
    const cidr = formatCidr({ base: cluster.base + i * size, bits: maskSize });
    if (!used.has(cidr)) return cidr;
  }
  return undefined;
}

export class NodeIpamController {
  readonly queue = new WorkQueue<string>({ name: "nodeipam" });
  private readonly nodes: SharedInformer<Node>;
  private readonly cluster: Cidr;
  /** Allocated but possibly not yet seen in the cache: never hand the same CIDR out twice. */
  private readonly assumed = new Map<string, string>();

  constructor(private readonly ctx: ControllerContext) {
    this.cluster = parseCidr(ctx.options.clusterCIDR ?? "10.244.0.0/16");
    this.nodes = ctx.factory.informerFor(Nodes);
    this.nodes.addEventHandler({
      onAdd: (n) => this.queue.add(metaNamespaceKey(n)),
      onUpdate: (_o, n) => this.queue.add(metaNamespaceKey(n)),
      onDelete: (n) => {
        const name = objectOf(n).metadata?.name ?? "";
        this.assumed.delete(name);
      },
    });
  }

  run(): () => Promise<void> {
    return runLoop(this.ctx, "node-ipam-controller", this.queue, [this.nodes], (key) => this.sync(key));
  }

  async sync(key: string): Promise<void> {
    const node = this.nodes.store.getByKey(key);
    if (!node || node.spec?.podCIDR) {
      if (node) this.assumed.delete(key);
      return;
    }
    const used = new Set<string>(this.assumed.values());
    for (const n of this.nodes.store.list())
      for (const c of n.spec?.podCIDRs ?? (n.spec?.podCIDR ? [n.spec.podCIDR] : [])) used.add(c);
    const cidr = this.assumed.get(key) ?? nextPodCidr(this.cluster, this.ctx.options.nodeCIDRMaskSize, used);
    if (!cidr) {
      this.ctx.events
        .newRecorder({ component: "cidrAllocator" })
        .event(node, "Normal", "CIDRNotAvailable", `Node ${key} status is now: CIDRNotAvailable`);
      return;
    }
    this.assumed.set(key, cidr);
    await this.ctx.client.resource(Nodes).patch(key, { spec: { podCIDR: cidr, podCIDRs: [cidr] } }, "merge");
    this.ctx.log.info({ node: key, podCIDR: cidr }, "allocated pod CIDR");
  }
}

export const nodeIpamDescriptor: ControllerDescriptor = {
  name: "nodeipam",
  init: (ctx) => new NodeIpamController(ctx).run(),
};
