// metav1.Table building: the apiserver's TableConvertor plus the row-object transformation that
// handlers/response.go applies for `includeObject` (None, Metadata = PartialObjectMetadata, Object).
import type { ListMeta } from "kubernetes-types/meta/v1";
import type { TablePrinter } from "../resource-definition.js";
import type { StoredObject } from "../types.js";
import { column, type RowPrinter, type Table, type TableColumnDefinition, type TableRow } from "./columns.js";
import { docs } from "./descriptions.js";
import { parseTime, str } from "./format.js";

export type IncludeObject = "None" | "Metadata" | "Object";

export interface ToTableOptions {
  /** What each row's `object` holds; Metadata (PartialObjectMetadata) when unset, as upstream. */
  includeObject?: IncludeObject;
  /**
   * The Table's metadata: the list's resourceVersion / continue / remainingItemCount, or for a
   * single GET `{ resourceVersion: obj.metadata.resourceVersion }`, as GenerateTable does.
   */
  listMeta?: ListMeta;
  /** Omit columnDefinitions (TableOptions.noHeaders; watch events after the first). */
  noHeaders?: boolean;
  /** "meta.k8s.io/v1" (default) or "meta.k8s.io/v1beta1", as negotiated from the Accept header. */
  apiVersion?: string;
}

/** rest.NewDefaultTableConvertor: NAME and CREATED AT (RFC 3339, UTC) for kinds without a printer. */
export const defaultPrinter: TablePrinter = {
  columns: [
    column("Name", "string", docs["meta/v1 ObjectMeta.name"], { format: "name" }),
    column("Created At", "date", docs["meta/v1 ObjectMeta.creationTimestamp"]),
  ],
  cells(obj) {
    return [str(obj.metadata?.name), rfc3339(obj.metadata?.creationTimestamp)];
  },
};

/** Go's time.Time.UTC().Format(time.RFC3339); the zero time when unset. */
function rfc3339(t: unknown): string {
  const ms = parseTime(t);
  if (ms === undefined) return "0001-01-01T00:00:00Z";
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The column definitions as serialized, every field present. */
export function columnDefinitions(printer: TablePrinter): TableColumnDefinition[] {
  return printer.columns.map((c) => ({
    name: c.name,
    type: c.type,
    format: c.format ?? "",
    description: c.description,
    priority: c.priority,
  }));
}

/** The row `object` for one item, per includeObject. */
export function rowObject(
  obj: StoredObject,
  includeObject: IncludeObject,
  apiVersion: string,
): Record<string, unknown> | undefined {
  switch (includeObject) {
    case "None":
      return undefined;
    case "Object":
      return obj;
    default:
      return { kind: "PartialObjectMetadata", apiVersion, metadata: obj.metadata ?? {} };
  }
}

/** One row: the printer's cells (padded or cut to the columns, so bad data never breaks the table). */
export function tableRow(printer: TablePrinter, obj: StoredObject, now: Date): Omit<TableRow, "object"> {
  const width = printer.columns.length;
  let cells: unknown[];
  try {
    cells = printer.cells(obj, now);
  } catch {
    // a printer must not fail a whole list on one malformed object
    cells = [str(obj.metadata?.name)];
  }
  if (cells.length !== width) {
    cells = Array.from({ length: width }, (_, i) => (i < cells.length ? cells[i] : "<unknown>"));
  }
  const row: Omit<TableRow, "object"> = { cells };
  const conditions = (printer as RowPrinter).rowConditions?.(obj);
  if (conditions && conditions.length > 0) row.conditions = conditions;
  return row;
}

/** The whole metav1.Table for these objects, as kube-apiserver serializes it. */
export function toTable(
  printer: TablePrinter | undefined,
  objects: StoredObject[],
  now: Date,
  opts: ToTableOptions = {},
): Table {
  const p = printer ?? defaultPrinter;
  const apiVersion = opts.apiVersion ?? "meta.k8s.io/v1";
  const includeObject = opts.includeObject ?? "Metadata";
  const table: Table = { kind: "Table", apiVersion, metadata: { ...(opts.listMeta ?? {}) }, rows: [] };
  if (!opts.noHeaders) table.columnDefinitions = columnDefinitions(p);
  table.rows = objects.map((obj) => {
    const row: TableRow = tableRow(p, obj, now);
    const object = rowObject(obj, includeObject, apiVersion);
    if (object !== undefined) row.object = object;
    return row;
  });
  if (opts.noHeaders) {
    // keep the key order kind, apiVersion, metadata, rows
    return { kind: table.kind, apiVersion: table.apiVersion, metadata: table.metadata, rows: table.rows };
  }
  return {
    kind: table.kind,
    apiVersion: table.apiVersion,
    metadata: table.metadata,
    columnDefinitions: table.columnDefinitions,
    rows: table.rows,
  };
}
