// OpenAPI schemas for the served kinds (filled in by the generator below).
import type { ServedResource } from "../registry/catalogue.js";

export interface SchemaSource {
  schemas: Record<string, unknown>;
}

export function schemasFor(_source: SchemaSource, _rs: ServedResource[]): Record<string, unknown> {
  return {};
}

import type { Logger } from "../../pkg/util/log.js";

export function loadSchemaSource(_log: Logger): SchemaSource | null {
  return null;
}
