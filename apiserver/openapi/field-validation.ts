// Unknown-field detection for fieldValidation=Strict|Warn, against the OpenAPI schemas.
import type { KubeObject } from "../../pkg/api/types.js";
import type { ApiContext } from "../handlers/scope.js";
import type { ServedResource } from "../registry/catalogue.js";

/** Paths of fields the kind's schema does not know (`spec.foo`, `spec.containers[0].bar`). */
export function checkUnknownFields(_ctx: ApiContext, _served: ServedResource, _body: KubeObject): string[] {
  return [];
}
