// The Endpoints and EndpointSlice controllers: for every Service with a selector, keep its Endpoints
// object and its EndpointSlices equal to what decide.ts computes from the pods the selector matches.
// Level-triggered: a pod or slice event only enqueues the services it may concern; sync(key) re-reads
// everything from the informers' caches and writes the difference.
import type { Endpoints, Pod, Service } from "kubernetes-types/core/v1";
import type { EndpointSlice } from "kubernetes-types/discovery/v1";
import { matches, selectorFromSet } from "../../../pkg/api/labels.js";
import {
  EndpointSlices,
  Endpoints as EndpointsRef,
  isAlreadyExists,
  isConflict,
  isNotFound,
  metaNamespaceKey,
  objectOf,
  Pods,
  Services,
  type SharedInformer,
  splitKey,
  WorkQueue,
} from "../../../pkg/client/index.js";
import type { ControllerContext } from "../../context.js";
import { runLoop } from "../../lib/run.js";
import {
  desiredEndpoints,
  desiredSlices,
  endpointsMatch,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  SERVICE_NAME_LABEL,
  sliceLabels,
  sliceMatches,
} from "./decide.js";

export type EndpointsMode = "endpoints" | "endpointslices";

export class EndpointsController {
  readonly queue = new WorkQueue<string>({ name: "endpoints" });
  private readonly services: SharedInformer<Service>;
  private readonly pods: SharedInformer<Pod>;
  private readonly slices?: SharedInformer<EndpointSlice>;
  private readonly endpoints?: SharedInformer<Endpoints>;
  private readonly name: string;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly mode: EndpointsMode,
  ) {
    this.name = mode === "endpoints" ? "endpoints-controller" : "endpointslice-controller";
    this.services = ctx.factory.informerFor(Services);
    this.pods = ctx.factory.informerFor(Pods);
    if (mode === "endpointslices") {
      this.slices = ctx.factory.informerFor(EndpointSlices);
      this.slices.addIndexers({ byService: (s) => sliceServiceKey(s) });
      this.slices.addEventHandler({
        onAdd: (s) => this.enqueueSliceOwner(s),
        onUpdate: (_o, s) => this.enqueueSliceOwner(s),
        onDelete: (s) => this.enqueueSliceOwner(objectOf(s)),
      });
    } else {
      this.endpoints = ctx.factory.informerFor(EndpointsRef);
      this.endpoints.addEventHandler({
        onDelete: (e) => this.queue.add(metaNamespaceKey(objectOf(e))),
      });
    }
    this.services.addEventHandler({
      onAdd: (s) => this.queue.add(metaNamespaceKey(s)),
      onUpdate: (_o, s) => this.queue.add(metaNamespaceKey(s)),
      onDelete: (s) => this.queue.add(metaNamespaceKey(objectOf(s))),
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.enqueueServicesOf(p),
      onUpdate: (old, p) => {
        this.enqueueServicesOf(p);
        if (JSON.stringify(old.metadata?.labels) !== JSON.stringify(p.metadata?.labels))
          this.enqueueServicesOf(old);
      },
      onDelete: (p) => this.enqueueServicesOf(objectOf(p)),
    });
  }

  run(): () => Promise<void> {
    const informers = [
      this.services,
      this.pods,
      ...(this.slices ? [this.slices] : []),
      ...(this.endpoints ? [this.endpoints] : []),
    ];
    return runLoop(this.ctx, this.name, this.queue, informers, (key) => this.sync(key));
  }

  private enqueueServicesOf(pod: Pod): void {
    const ns = pod.metadata?.namespace ?? "";
    for (const svc of this.services.store.listByNamespace(ns)) {
      const sel = svc.spec?.selector;
      if (sel && Object.keys(sel).length > 0 && matches(selectorFromSet(sel), pod.metadata?.labels ?? {})) {
        this.queue.add(metaNamespaceKey(svc));
      }
    }
  }

  private enqueueSliceOwner(s: EndpointSlice): void {
    if (s.metadata?.labels?.[MANAGED_BY_LABEL] !== MANAGED_BY) return;
    const [key] = sliceServiceKey(s);
    if (key) this.queue.add(key);
  }

  async sync(key: string): Promise<void> {
    const { namespace = "", name } = splitKey(key);
    const svc = this.services.store.getByKey(key);
    if (!svc) {
      await this.removeAll(namespace, name);
      return;
    }
    const selector = svc.spec?.selector;
    // No selector: endpoints are the user's to manage (and ExternalName services have none).
    if (!selector || Object.keys(selector).length === 0 || svc.spec?.type === "ExternalName") return;
    const sel = selectorFromSet(selector);
    const pods = this.pods.store
      .listByNamespace(namespace)
      .filter((p) => matches(sel, p.metadata?.labels ?? {}));
    if (this.mode === "endpoints") await this.syncEndpoints(svc, pods);
    else await this.syncSlices(svc, pods);
  }

  private async syncEndpoints(svc: Service, pods: Pod[]): Promise<void> {
    const ns = svc.metadata?.namespace ?? "";
    const want = desiredEndpoints(svc, pods);
    const client = this.ctx.client.resource(EndpointsRef, ns);
    const stored = this.endpoints?.store.getByKey(`${ns}/${svc.metadata?.name}`);
    if (stored && endpointsMatch(stored, want)) return;
    try {
      if (!stored) {
        await client.create(want);
      } else {
        await client.update({ ...want, metadata: { ...stored.metadata, labels: want.metadata?.labels } });
      }
    } catch (e) {
      if (isAlreadyExists(e) || isConflict(e))
        throw new Error(`endpoints ${ns}/${svc.metadata?.name} changed meanwhile; retrying`);
      throw e;
    }
  }

  private async syncSlices(svc: Service, pods: Pod[]): Promise<void> {
    const ns = svc.metadata?.namespace ?? "";
    const name = svc.metadata?.name ?? "";
    const client = this.ctx.client.resource(EndpointSlices, ns);
    const labels = sliceLabels(svc);
    const want = desiredSlices(svc, pods);
    const existing = (this.slices?.store.byIndex("byService", `${ns}/${name}`) ?? [])
      .filter((s) => s.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY)
      .sort((a, b) => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""));
    const ownerRef = {
      apiVersion: "v1",
      kind: "Service",
      name,
      uid: svc.metadata?.uid ?? "",
      controller: true,
      blockOwnerDeletion: true,
    };
    for (let i = 0; i < want.length; i++) {
      const w = want[i];
      const cur = existing[i];
      if (cur && sliceMatches(cur, w, labels)) continue;
      const body: EndpointSlice = {
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: cur
          ? { ...cur.metadata, labels }
          : { generateName: `${name}-`, namespace: ns, labels, ownerReferences: [ownerRef] },
        addressType: "IPv4",
        endpoints: w.endpoints,
        ports: w.ports,
      };
      if (cur) await client.update(body);
      else await client.create(body);
    }
    for (const extra of existing.slice(want.length)) {
      await client.delete(extra.metadata?.name ?? "").catch((e: unknown) => {
        if (!isNotFound(e)) throw e;
      });
    }
  }

  private async removeAll(namespace: string, name: string): Promise<void> {
    const ignoreNotFound = (e: unknown): void => {
      if (!isNotFound(e)) throw e;
    };
    if (this.mode === "endpoints") {
      if (this.endpoints?.store.getByKey(`${namespace}/${name}`)) {
        await this.ctx.client.resource(EndpointsRef, namespace).delete(name).catch(ignoreNotFound);
      }
      return;
    }
    for (const s of this.slices?.store.byIndex("byService", `${namespace}/${name}`) ?? []) {
      if (s.metadata?.labels?.[MANAGED_BY_LABEL] !== MANAGED_BY) continue;
      await this.ctx.client
        .resource(EndpointSlices, namespace)
        .delete(s.metadata?.name ?? "")
        .catch(ignoreNotFound);
    }
  }
}

function sliceServiceKey(s: EndpointSlice): string[] {
  const svc = s.metadata?.labels?.[SERVICE_NAME_LABEL];
  return svc ? [`${s.metadata?.namespace}/${svc}`] : [];
}
