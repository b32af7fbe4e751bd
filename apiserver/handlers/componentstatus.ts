// GET and LIST of componentstatuses: computed by probing (registry/componentstatus.ts), never stored.
// As Kubernetes' REST: a list filtered by label and field selectors, a GET of an unknown name is a
// plain error (500 "Component not found: x"), and no watch.
import type { StoredObject } from "../../pkg/api/types.js";
import {
  type ComponentTarget,
  checkComponent,
  checkComponents,
  type Prober,
} from "../registry/componentstatus.js";
import { buildPredicate } from "./filter.js";
import { writeJson } from "./response.js";
import { type ApiContext, type RequestScope, tableContentType, tableOf } from "./scope.js";
import { ApiError, methodNotSupported } from "./status.js";

function componentNotFound(name: string): ApiError {
  // A non-Status error from the REST storage: kube-apiserver answers 500 with reason Unknown ("").
  return new ApiError({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: `Component not found: ${name}`,
    code: 500,
  });
}

function respond(ctx: ApiContext, scope: RequestScope, objs: StoredObject[], list: boolean): void {
  if (scope.table) {
    writeJson(scope.res, 200, tableOf(scope, objs, {}, ctx.now()), tableContentType(scope.table));
    return;
  }
  if (!list) {
    writeJson(scope.res, 200, objs[0]);
    return;
  }
  // List items carry no kind/apiVersion, as Go encodes a typed list.
  const items = objs.map(({ kind: _k, apiVersion: _a, ...rest }) => rest);
  writeJson(scope.res, 200, { kind: "ComponentStatusList", apiVersion: "v1", metadata: {}, items });
}

export async function handleComponentStatus(
  ctx: ApiContext,
  scope: RequestScope,
  targets: ComponentTarget[],
  probe?: Prober,
): Promise<void> {
  const { verb, name } = scope.info;
  if (verb === "get") {
    const t = targets.find((x) => x.name === name);
    if (!t) throw componentNotFound(name);
    respond(ctx, scope, [(await checkComponent(t, probe)) as StoredObject], false);
    return;
  }
  if (verb !== "list") throw methodNotSupported(scope.gr, verb);
  const { predicate } = buildPredicate(scope.served.def, {
    namespace: "",
    labelSelector: scope.query.get("labelSelector"),
    fieldSelector: scope.query.get("fieldSelector"),
  });
  const all = (await checkComponents(targets, probe)) as StoredObject[];
  const items = all.filter((obj) =>
    predicate({ key: obj.metadata.name, namespace: "", name: obj.metadata.name, rv: 0, obj }),
  );
  respond(ctx, scope, items, true);
}
