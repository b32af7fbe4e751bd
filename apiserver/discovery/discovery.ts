// Discovery documents, legacy (APIVersions, APIGroupList, APIResourceList) and aggregated
// (apidiscovery.k8s.io/v2 APIGroupDiscoveryList), built once from the catalogue. Pure.
import type { Catalogue, ServedResource } from "../registry/catalogue.js";

export const AGGREGATED_CONTENT_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

function apiResource(r: ServedResource): Record<string, unknown>[] {
  const d = r.def;
  const out: Record<string, unknown>[] = [];
  const main: Record<string, unknown> = {
    name: d.resource,
    singularName: d.singular,
    namespaced: d.namespaced,
    kind: d.kind,
    verbs: d.verbs,
  };
  if (d.shortNames?.length) main.shortNames = d.shortNames;
  if (d.categories?.length) main.categories = d.categories;
  out.push(main);
  for (const s of d.subresources ?? []) {
    const sub: Record<string, unknown> = {
      name: `${d.resource}/${s.name}`,
      singularName: "",
      namespaced: d.namespaced,
    };
    if (s.kind.group !== d.group || s.kind.version !== d.version) {
      sub.group = s.kind.group;
      sub.version = s.kind.version;
    }
    sub.kind = s.kind.kind;
    sub.verbs = s.verbs;
    out.push(sub);
  }
  return out;
}

export function apiResourceList(cat: Catalogue, group: string, version: string): Record<string, unknown> {
  const gv = group ? `${group}/${version}` : version;
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: gv,
    resources: cat.inGroupVersion(group, version).flatMap(apiResource),
  };
}

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

function groupEntry(name: string, versions: string[]): Record<string, unknown> {
  const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

export function apiGroupList(cat: Catalogue): Record<string, unknown> {
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: cat.groups.filter((g) => g.name !== "").map((g) => groupEntry(g.name, g.versions)),
  };
}

export function apiGroup(cat: Catalogue, name: string): Record<string, unknown> | undefined {
  const g = cat.groups.find((x) => x.name === name && name !== "");
  return g ? { kind: "APIGroup", apiVersion: "v1", ...groupEntry(g.name, g.versions) } : undefined;
}

function discoveryResource(r: ServedResource): Record<string, unknown> {
  const d = r.def;
  const out: Record<string, unknown> = {
    resource: d.resource,
    responseKind: { group: d.group, version: d.version, kind: d.kind },
    scope: d.namespaced ? "Namespaced" : "Cluster",
    singularResource: d.singular,
    verbs: d.verbs,
  };
  if (d.shortNames?.length) out.shortNames = d.shortNames;
  if (d.categories?.length) out.categories = d.categories;
  if (d.subresources?.length) {
    out.subresources = d.subresources.map((s) => ({
      subresource: s.name,
      responseKind: { group: s.kind.group, version: s.kind.version, kind: s.kind.kind },
      verbs: s.verbs,
    }));
  }
  return out;
}

/** Aggregated discovery for the core group (`/api`, legacy = true) or the named groups (`/apis`). */
export function aggregatedDiscovery(cat: Catalogue, legacy: boolean): Record<string, unknown> {
  const groups = cat.groups.filter((g) => (legacy ? g.name === "" : g.name !== ""));
  return {
    kind: "APIGroupDiscoveryList",
    apiVersion: "apidiscovery.k8s.io/v2",
    metadata: {},
    items: groups.map((g) => ({
      metadata: { name: g.name, creationTimestamp: null },
      versions: g.versions.map((v) => ({
        version: v,
        resources: cat.inGroupVersion(g.name, v).map(discoveryResource),
        freshness: "Current",
      })),
    })),
  };
}
