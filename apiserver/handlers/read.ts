// GET of one object: from etcd (consistent), or from the watch cache for resourceVersion=0. LIST is in
// list.ts, WATCH in watch.ts.
import type { StoredObject } from "../../pkg/api/types.js";
import { objectKey } from "../storage/keys.js";
import { decodeStored } from "../watchcache/cache.js";
import { parseResourceVersion } from "./list.js";
import { writeJson } from "./response.js";
import { type ApiContext, type RequestScope, served, tableContentType, tableOf } from "./scope.js";
import { notFound } from "./status.js";

function respondObject(ctx: ApiContext, scope: RequestScope, code: number, obj: StoredObject): void {
  if (scope.table) {
    const t = tableOf(scope, [obj], { resourceVersion: obj.metadata.resourceVersion }, ctx.now());
    writeJson(scope.res, code, t, tableContentType(scope.table));
    return;
  }
  writeJson(scope.res, code, served(scope, obj));
}

export { respondObject };

/** Reads one object from etcd (consistent), or from the cache for resourceVersion=0. */
export async function readObject(
  ctx: ApiContext,
  scope: RequestScope,
  name: string,
  fromCache = false,
): Promise<StoredObject> {
  const key = objectKey(ctx.prefix, scope.served.storage, scope.info.namespace, name);
  if (fromCache && ctx.cache.ready) {
    const c = ctx.cache.caches.get(scope.served.storage)?.items.get(key);
    if (!c) throw notFound(scope.gr, name);
    return c.obj;
  }
  const kv = await ctx.store.get(key);
  const obj = kv ? decodeStored(kv) : null;
  if (!obj) throw notFound(scope.gr, name);
  return obj;
}

export async function handleGet(ctx: ApiContext, scope: RequestScope): Promise<void> {
  const rv = parseResourceVersion(scope.query.get("resourceVersion"));
  const obj = await readObject(ctx, scope, scope.info.name, rv === 0);
  respondObject(ctx, scope, 200, obj);
}
