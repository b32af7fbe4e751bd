// NamespaceLifecycle admission (plugin/pkg/admission/namespace/lifecycle): no new objects in a missing
// or terminating namespace, and the system namespaces may not be deleted.

import { forbidden, notFound } from "../handlers/status.js";
import { objectKey } from "../storage/keys.js";
import { decodeStored } from "../watchcache/cache.js";
import type { AdmissionPlugin } from "./types.js";

export const IMMORTAL_NAMESPACES = new Set(["default", "kube-system", "kube-public"]);

export const namespaceLifecycle: AdmissionPlugin = {
  name: "NamespaceLifecycle",
  async admitCreate(ctx, scope, obj) {
    if (!scope.served.def.namespaced) return undefined;
    const ns = scope.info.namespace;
    const key = objectKey(ctx.prefix, "namespaces", "", ns);
    let nsObj = ctx.cache.caches.get("namespaces")?.items.get(key)?.obj;
    if (!nsObj) {
      // The cache may lag a namespace created a moment ago: ask etcd before refusing.
      const kv = await ctx.store.get(key);
      nsObj = kv ? (decodeStored(kv) ?? undefined) : undefined;
    }
    if (!nsObj) throw notFound({ group: "", resource: "namespaces" }, ns);
    const phase = (nsObj.status as { phase?: string } | undefined)?.phase;
    if (phase === "Terminating" || nsObj.metadata.deletionTimestamp) {
      const err = forbidden(
        scope.gr,
        obj.metadata.name,
        `unable to create new content in namespace ${ns} because it is being terminated`,
      );
      err.status.details!.causes = [
        {
          reason: "NamespaceTerminating",
          message: `namespace ${ns} is being terminated`,
          field: "metadata.namespace",
        },
      ];
      throw err;
    }
    return undefined;
  },
  async validateDeleteRequest(_ctx, scope, name) {
    if (
      scope.served.def.resource === "namespaces" &&
      !scope.info.subresource &&
      IMMORTAL_NAMESPACES.has(name)
    ) {
      throw forbidden(scope.gr, name, "this namespace may not be deleted");
    }
  },
};
