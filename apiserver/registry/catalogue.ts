// Indexes the served resources (pkg/api's catalogue) for the request path: by group/version/resource,
// the groups and versions in discovery order, and each resource's storage segment and version.
import type { ResourceDefinition } from "../../pkg/api/resource-definition.js";
import { storageResource } from "../storage/keys.js";

export interface ServedResource {
  def: ResourceDefinition;
  /** etcd segment: /registry/<storage>/... */
  storage: string;
  /** The apiVersion objects are stored as (`apps/v1`, `v1`). */
  storageApiVersion: string;
  /** The apiVersion this endpoint serves. */
  apiVersion: string;
}

export interface GroupInfo {
  name: string;
  /** Versions in preference order (the first is preferred). */
  versions: string[];
}

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

export class Catalogue {
  private readonly byGVR = new Map<string, ServedResource>();
  readonly groups: GroupInfo[] = [];
  private readonly namespacedByStorage = new Map<string, boolean>();
  readonly all: ServedResource[] = [];

  constructor(defs: ResourceDefinition[]) {
    for (const def of defs) {
      const sg = def.storage?.group ?? def.group;
      const sv = def.storage?.version ?? def.version;
      const served: ServedResource = {
        def,
        storage: storageResource(def.group, def.resource),
        storageApiVersion: apiVersionOf(sg, sv),
        apiVersion: apiVersionOf(def.group, def.version),
      };
      this.byGVR.set(`${def.group}/${def.version}/${def.resource}`, served);
      this.all.push(served);
      this.namespacedByStorage.set(served.storage, def.namespaced);
      let g = this.groups.find((x) => x.name === def.group);
      if (!g) {
        g = { name: def.group, versions: [] };
        this.groups.push(g);
      }
      if (!g.versions.includes(def.version)) g.versions.push(def.version);
    }
  }

  lookup(group: string, version: string, resource: string): ServedResource | undefined {
    return this.byGVR.get(`${group}/${version}/${resource}`);
  }

  /** Resources served in one group/version, in catalogue order. */
  inGroupVersion(group: string, version: string): ServedResource[] {
    return this.all.filter((r) => r.def.group === group && r.def.version === version);
  }

  hasGroupVersion(group: string, version: string): boolean {
    return this.groups.some((g) => g.name === group && g.versions.includes(version));
  }

  namespaced(storage: string): boolean | undefined {
    return this.namespacedByStorage.get(storage);
  }

  /** The served resource for a kind in a group/version (for request bodies and OpenAPI). */
  byKind(group: string, version: string, kind: string): ServedResource | undefined {
    return this.all.find((r) => r.def.group === group && r.def.version === version && r.def.kind === kind);
  }
}
