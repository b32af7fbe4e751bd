// What every resource handler gets: the server's shared parts (ApiContext) and the request's
// (RequestScope), plus the encoders that turn stored objects into what the client asked for.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { StoredObject } from "../../pkg/api/types.js";
import type { Logger } from "../../pkg/util/log.js";
import type { AdmissionPlugin } from "../admission/types.js";
import type { UserInfo } from "../auth/authn.js";
import type { KubeletClientConfig } from "../kubeletclient/client.js";
import type { SchemaSet } from "../openapi/schemas.js";
import type { Catalogue, ServedResource } from "../registry/catalogue.js";
import { toServedVersion } from "../registry/conversion.js";
import { type IncludeObject, printerFor, toTable } from "../standins/printers.js";
import type { EtcdStore } from "../storage/etcd-store.js";
import type { WatchCache } from "../watchcache/cache.js";
import type { ResourceRequestInfo } from "./request-info.js";
import type { GroupResource } from "./status.js";

export interface ApiContext {
  store: EtcdStore;
  cache: WatchCache;
  catalogue: Catalogue;
  prefix: string;
  log: Logger;
  now(): Date;
  serviceClusterIPRange: string;
  serviceNodePortRange: [number, number];
  /** Admission plugins, in order (namespace lifecycle, allocators, quota...). */
  admission: AdmissionPlugin[];
  /** OpenAPI schemas of the served kinds (field validation); null without type metadata. */
  schemas: SchemaSet | null;
  /** Client TLS material for the kubelets (logs, exec, attach, port-forward, proxy, metrics). */
  kubelet: KubeletClientConfig;
}

export interface RequestScope {
  req: IncomingMessage;
  res: ServerResponse;
  info: ResourceRequestInfo;
  query: URLSearchParams;
  user: UserInfo;
  served: ServedResource;
  gr: GroupResource;
  warnings: string[];
  /** `v1`/`v1beta1` when the client asked for server-side Table output. */
  table: "v1" | "v1beta1" | null;
  dryRun: boolean;
}

export function includeObjectOf(q: URLSearchParams): IncludeObject {
  const v = q.get("includeObject");
  return v === "None" || v === "Object" ? v : "Metadata";
}

export function tableApiVersion(v: "v1" | "v1beta1"): string {
  return `meta.k8s.io/${v}`;
}

export function tableContentType(v: "v1" | "v1beta1"): string {
  return `application/json;as=Table;v=${v};g=meta.k8s.io`;
}

/** The object as the endpoint serves it (its version). */
export function served(scope: { served: ServedResource }, obj: StoredObject): StoredObject {
  return toServedVersion(scope.served, obj);
}

/** A Table of objects, with list metadata. */
export function tableOf(
  scope: RequestScope,
  objs: StoredObject[],
  meta: Record<string, unknown>,
  now: Date,
  withColumns = true,
): Record<string, unknown> {
  const def = scope.served.def;
  const printer = def.table ?? printerFor(def.group, def.resource);
  const t = toTable(
    printer,
    objs.map((o) => served(scope, o)),
    now,
    { includeObject: includeObjectOf(scope.query) },
  ) as unknown as Record<string, unknown>;
  t.apiVersion = tableApiVersion(scope.table ?? "v1");
  t.metadata = meta;
  if (!withColumns) t.columnDefinitions = null;
  return t;
}
