// Column definitions as metav1.TableColumnDefinition, and the Table shapes the apiserver returns.
import type { ListMeta, ObjectMeta } from "kubernetes-types/meta/v1";
import type { TableColumn, TablePrinter } from "../resource-definition.js";
import type { StoredObject } from "../types.js";
import { docs } from "./descriptions.js";

/** metav1.TableRowCondition: kubectl hides nothing with it today, but upstream sends it for finished pods. */
export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** A TablePrinter that may also attach row conditions (pods: Completed when Succeeded or Failed). */
export interface RowPrinter extends TablePrinter {
  rowConditions?(obj: StoredObject): TableRowCondition[] | undefined;
}

export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  object?: Record<string, unknown>;
}

/** metav1.TableColumnDefinition as serialized (every field present, as Go writes them). */
export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

/** metav1.Table (meta.k8s.io/v1 or v1beta1). */
export interface Table {
  kind: "Table";
  apiVersion: string;
  metadata: ListMeta;
  columnDefinitions?: TableColumnDefinition[];
  rows: TableRow[];
}

/** metav1.PartialObjectMetadata, the default row object. */
export interface PartialObjectMetadata {
  kind: "PartialObjectMetadata";
  apiVersion: string;
  metadata: ObjectMeta;
}

export function column(
  name: string,
  type: TableColumn["type"],
  description: string,
  extra: { format?: string; priority?: 0 | 1 } = {},
): TableColumn {
  return { name, type, format: extra.format ?? "", description, priority: extra.priority ?? 0 };
}

/** Priority-1 (`-o wide`) column. */
export function wide(name: string, type: TableColumn["type"], description: string): TableColumn {
  return column(name, type, description, { priority: 1 });
}

export const nameColumn = column("Name", "string", docs["meta/v1 ObjectMeta.name"], { format: "name" });
export const ageColumn = column("Age", "string", docs["meta/v1 ObjectMeta.creationTimestamp"]);
export const containersColumn = wide("Containers", "string", "Names of each container in the template.");
export const imagesColumn = wide("Images", "string", "Images referenced by each container in the template.");
