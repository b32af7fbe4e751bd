// The scheduler's cache (internal/cache): node usage from the pods bound to each node plus the pods the
// scheduler has assumed there but whose binding is not yet confirmed, so that the next decision already
// counts them. Also the Snapshot the plugins read: JavaScript runs one scheduling cycle at a time, so the
// cache itself is the snapshot (no per-cycle copy).
import type { Node, Pod } from "kubernetes-types/core/v1";
import { NodeInfo, newPodInfo, type PodInfo } from "../framework/nodeinfo.js";
import type { Snapshot, VolumeLister } from "../framework/types.js";
import type { Nominator } from "../schedule-one.js";

interface PodState {
  pi: PodInfo;
  nodeName: string;
  assumed: boolean;
}

export class SchedulerCache implements Snapshot, Nominator {
  /** Real nodes in a stable order (the sampling order). */
  private nodeList: NodeInfo[] = [];
  private readonly nodeIndex = new Map<string, number>();
  /** Every NodeInfo, including placeholders for pods on nodes not (yet) seen. */
  private readonly infos = new Map<string, NodeInfo>();
  private readonly podStates = new Map<string, PodState>();
  private readonly imageNodes = new Map<string, number>();
  private readonly nominated = new Map<string, PodInfo[]>();
  private readonly nominatedNodeOf = new Map<string, string>();
  namespaceLabelsOf: (ns: string) => Readonly<Record<string, string>> | undefined = () => undefined;
  volumes?: VolumeLister;

  get nodes(): readonly NodeInfo[] {
    return this.nodeList;
  }

  get(name: string): NodeInfo | undefined {
    return this.nodeIndex.has(name) ? this.infos.get(name) : undefined;
  }

  namespaceLabels(ns: string): Readonly<Record<string, string>> | undefined {
    return this.namespaceLabelsOf(ns);
  }

  imageNumNodes(image: string): number {
    return this.imageNodes.get(image) ?? 0;
  }

  // --- nodes

  addOrUpdateNode(node: Node): NodeInfo {
    const name = node.metadata?.name ?? "";
    let info = this.infos.get(name);
    if (info) {
      this.countImages(info, -1);
      info.setNode(node);
    } else {
      info = new NodeInfo(node);
      this.infos.set(name, info);
    }
    this.countImages(info, 1);
    if (!this.nodeIndex.has(name)) {
      this.nodeIndex.set(name, this.nodeList.length);
      this.nodeList.push(info);
    }
    return info;
  }

  removeNode(name: string): void {
    const info = this.infos.get(name);
    if (!info) return;
    this.countImages(info, -1);
    const i = this.nodeIndex.get(name);
    if (i !== undefined) {
      this.nodeList.splice(i, 1);
      this.nodeIndex.clear();
      this.nodeList.forEach((n, j) => {
        this.nodeIndex.set(n.name, j);
      });
    }
    // Keep it as a placeholder while pods still point at it (they are deleted after the node).
    if (info.pods.size === 0) this.infos.delete(name);
  }

  private countImages(info: NodeInfo, sign: 1 | -1): void {
    for (const img of info.images.keys()) {
      const n = (this.imageNodes.get(img) ?? 0) + sign;
      if (n > 0) this.imageNodes.set(img, n);
      else this.imageNodes.delete(img);
    }
  }

  private infoFor(nodeName: string): NodeInfo {
    let info = this.infos.get(nodeName);
    if (!info) {
      info = new NodeInfo({ metadata: { name: nodeName } });
      this.infos.set(nodeName, info);
    }
    return info;
  }

  // --- pods

  /** The scheduler decided: count the pod on the node before the binding is confirmed. */
  assumePod(pi: PodInfo, nodeName: string): void {
    const prev = this.podStates.get(pi.key);
    if (prev) this.infos.get(prev.nodeName)?.removePod(pi.key);
    this.infoFor(nodeName).addPod(pi);
    this.podStates.set(pi.key, { pi, nodeName, assumed: true });
  }

  /** The binding failed: undo the assumption. */
  forgetPod(key: string): void {
    const st = this.podStates.get(key);
    if (!st?.assumed) return;
    this.removeFromNode(st);
    this.podStates.delete(key);
  }

  isAssumed(key: string): boolean {
    return this.podStates.get(key)?.assumed === true;
  }

  /** A bound pod seen through the informer (confirms an assumed pod). Terminal pods release their node. */
  addOrUpdatePod(pod: Pod): void {
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return;
    const phase = pod.status?.phase;
    const pi = newPodInfo(pod);
    if (phase === "Succeeded" || phase === "Failed") {
      this.removePod(pi.key);
      return;
    }
    const prev = this.podStates.get(pi.key);
    if (prev) this.removeFromNode(prev);
    this.infoFor(nodeName).addPod(pi);
    this.podStates.set(pi.key, { pi, nodeName, assumed: false });
  }

  removePod(key: string): void {
    const st = this.podStates.get(key);
    if (!st) return;
    this.removeFromNode(st);
    this.podStates.delete(key);
  }

  private removeFromNode(st: PodState): void {
    const info = this.infos.get(st.nodeName);
    if (!info) return;
    info.removePod(st.pi.key);
    if (info.pods.size === 0 && !this.nodeIndex.has(st.nodeName)) this.infos.delete(st.nodeName);
  }

  podCount(): number {
    return this.podStates.size;
  }

  /** Lists the pods on a node (placeholders included), for tests and debugging. */
  podsOn(nodeName: string): PodInfo[] {
    return [...(this.infos.get(nodeName)?.pods.values() ?? [])];
  }

  // --- nominated pods (preemptors waiting for their victims to go)

  nominate(pi: PodInfo, nodeName: string): void {
    this.unnominate(pi.key);
    if (!nodeName) return;
    const list = this.nominated.get(nodeName) ?? [];
    list.push(pi);
    this.nominated.set(nodeName, list);
    this.nominatedNodeOf.set(pi.key, nodeName);
  }

  unnominate(key: string): void {
    const node = this.nominatedNodeOf.get(key);
    if (node === undefined) return;
    this.nominatedNodeOf.delete(key);
    const list = (this.nominated.get(node) ?? []).filter((p) => p.key !== key);
    if (list.length) this.nominated.set(node, list);
    else this.nominated.delete(node);
  }

  nominatedPodsFor(nodeName: string): readonly PodInfo[] {
    return this.nominated.get(nodeName) ?? [];
  }
}
