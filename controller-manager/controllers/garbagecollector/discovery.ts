// Which resources the apiserver serves, for the controllers that work across all of them (garbage
// collector, namespace deletion): the catalogue in pkg/api/resources.ts, each kind once in its
// storage version, narrowed to what the server's discovery lists. A server without discovery (the
// in-memory test server) is taken to serve the whole catalogue.
import type { ResourceDefinition } from "../../../pkg/api/resource-definition.js";
import { resources } from "../../../pkg/api/resources.js";
import { isNotFound, type ResourceRef, type RestClient, resourceRef } from "../../../pkg/client/index.js";

export interface ServedResource {
  def: ResourceDefinition;
  ref: ResourceRef;
}

/** The catalogue's resources in their storage versions (old beta aliases left out) with these verbs. */
export function catalogueResources(verbs: readonly string[]): ResourceDefinition[] {
  return resources.filter((r) => !r.storage && verbs.every((v) => r.verbs.includes(v)));
}

export function refOf(def: ResourceDefinition): ResourceRef {
  return resourceRef(
    def.group ? `${def.group}/${def.version}` : def.version,
    def.resource,
    def.kind,
    def.namespaced,
  );
}

interface APIResourceList {
  resources?: { name: string; verbs?: string[] }[];
}

/** The catalogue resources (with the given verbs) that the server lists in discovery. */
export async function servedResources(
  client: RestClient,
  verbs: readonly string[],
): Promise<ServedResource[]> {
  const wanted = catalogueResources(verbs);
  const byGV = new Map<string, ResourceDefinition[]>();
  for (const d of wanted) {
    const gv = d.group ? `/apis/${d.group}/${d.version}` : `/api/${d.version}`;
    byGV.set(gv, [...(byGV.get(gv) ?? []), d]);
  }
  try {
    await client.request<APIResourceList>({ method: "GET", path: "/api/v1" });
  } catch (e) {
    if (isNotFound(e)) return wanted.map((def) => ({ def, ref: refOf(def) }));
    throw e;
  }
  const out: ServedResource[] = [];
  for (const [path, defs] of byGV) {
    let list: APIResourceList;
    try {
      list = await client.request<APIResourceList>({ method: "GET", path });
    } catch (e) {
      if (isNotFound(e)) continue;
      throw e;
    }
    const served = new Map((list.resources ?? []).map((r) => [r.name, r.verbs ?? []]));
    for (const def of defs) {
      const v = served.get(def.resource);
      if (v && verbs.every((x) => v.includes(x))) out.push({ def, ref: refOf(def) });
    }
  }
  return out;
}
