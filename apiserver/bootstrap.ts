// What exists from the start, as kube-apiserver's bootstrap controllers create it: the system
// namespaces, and the `kubernetes` Service (first ClusterIP, 443 -> the secure port) with its
// Endpoints and EndpointSlice pointing at this apiserver's advertise address.
import type { StoredObject } from "../pkg/api/types.js";
import { intToIp, parseCidr } from "./admission/allocator.js";
import { ANONYMOUS } from "./auth/authn.js";
import { readObject } from "./handlers/read.js";
import type { ApiContext, RequestScope } from "./handlers/scope.js";
import { createObject, guaranteedUpdate } from "./handlers/write.js";

export const SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

/** A scope for the server's own writes (no HTTP request behind it). */
export function internalScope(
  ctx: ApiContext,
  group: string,
  version: string,
  resource: string,
  namespace = "",
): RequestScope {
  const served = ctx.catalogue.lookup(group, version, resource);
  if (!served) throw new Error(`resource ${group}/${version}/${resource} is not served`);
  return {
    req: undefined as never,
    res: undefined as never,
    info: {
      isResourceRequest: true,
      verb: "create",
      apiPrefix: group ? "apis" : "api",
      group,
      version,
      namespace,
      resource,
      subresource: "",
      name: "",
      rest: "",
    },
    query: new URLSearchParams(),
    user: { ...ANONYMOUS, name: "system:apiserver", groups: ["system:masters"] },
    served,
    gr: { group, resource },
    warnings: [],
    table: null,
    dryRun: false,
  };
}

async function ensure(ctx: ApiContext, scope: RequestScope, obj: StoredObject): Promise<void> {
  // Already there (a restart on existing data): creating again would fail admission (e.g. the
  // kubernetes Service's ClusterIP is allocated to itself) before the AlreadyExists check.
  const exists = await readObject(ctx, scope, obj.metadata.name).then(
    () => true,
    () => false,
  );
  if (exists) return;
  try {
    await createObject(ctx, scope, obj);
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
  }
}

export async function bootstrap(
  ctx: ApiContext,
  opts: { advertiseAddress: string; securePort: number },
): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) {
    await ensure(ctx, internalScope(ctx, "", "v1", "namespaces"), {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name, labels: { "kubernetes.io/metadata.name": name } },
      spec: { finalizers: ["kubernetes"] },
    });
  }
  const ip = intToIp(parseCidr(ctx.serviceClusterIPRange).base + 1);
  await ensure(ctx, internalScope(ctx, "", "v1", "services", "default"), {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: "kubernetes",
      namespace: "default",
      labels: { component: "apiserver", provider: "kubernetes" },
    },
    spec: {
      type: "ClusterIP",
      clusterIP: ip,
      clusterIPs: [ip],
      ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: opts.securePort }],
      sessionAffinity: "None",
      ipFamilies: ["IPv4"],
      ipFamilyPolicy: "SingleStack",
      internalTrafficPolicy: "Cluster",
    },
  });
  const subsets = [
    {
      addresses: [{ ip: opts.advertiseAddress }],
      ports: [{ name: "https", port: opts.securePort, protocol: "TCP" }],
    },
  ];
  const epScope = internalScope(ctx, "", "v1", "endpoints", "default");
  try {
    await createObject(ctx, epScope, {
      apiVersion: "v1",
      kind: "Endpoints",
      metadata: {
        name: "kubernetes",
        namespace: "default",
        labels: { "endpointslice.kubernetes.io/skip-mirror": "true" },
      },
      subsets,
    });
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
    await guaranteedUpdate(
      ctx,
      { ...epScope, info: { ...epScope.info, verb: "update" } },
      "kubernetes",
      (cur) => {
        cur.subsets = subsets;
        return cur;
      },
    );
  }
  if (ctx.catalogue.lookup("discovery.k8s.io", "v1", "endpointslices")) {
    const sliceScope = internalScope(ctx, "discovery.k8s.io", "v1", "endpointslices", "default");
    const slice = {
      addressType: "IPv4",
      endpoints: [{ addresses: [opts.advertiseAddress], conditions: { ready: true } }],
      ports: [{ name: "https", port: opts.securePort, protocol: "TCP" }],
    };
    try {
      await createObject(ctx, sliceScope, {
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: {
          name: "kubernetes",
          namespace: "default",
          labels: {
            "kubernetes.io/service-name": "kubernetes",
            "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
          },
        },
        ...slice,
      });
    } catch (err) {
      if ((err as { code?: number }).code !== 409) throw err;
      await guaranteedUpdate(
        ctx,
        { ...sliceScope, info: { ...sliceScope.info, verb: "update" } },
        "kubernetes",
        (cur) => ({ ...cur, ...slice }),
      );
    }
  }
}
