// Admission plugins run in the write path after defaulting and validation, before the object is
// stored. A plugin may change the object and may add keys to the write's etcd transaction (allocators
// keep their bitmaps consistent with the objects that way).
import type { StoredObject } from "../../pkg/api/types.js";
import type { ApiContext, RequestScope } from "../handlers/scope.js";
import type { Compare, Op } from "../storage/etcd-store.js";

export interface TxnExtras {
  compares: Compare[];
  ops: Op[];
}

export const noExtras = (): TxnExtras => ({ compares: [], ops: [] });

export interface AdmissionPlugin {
  name: string;
  admitCreate?(ctx: ApiContext, scope: RequestScope, obj: StoredObject): Promise<TxnExtras | undefined>;
  admitUpdate?(
    ctx: ApiContext,
    scope: RequestScope,
    obj: StoredObject,
    old: StoredObject,
  ): Promise<TxnExtras | undefined>;
  /** Before an object leaves etcd for good (not when it only gets a deletionTimestamp). */
  admitDelete?(ctx: ApiContext, scope: RequestScope, old: StoredObject): Promise<TxnExtras | undefined>;
  /** When a DELETE is requested (namespaces that may not be deleted). */
  validateDeleteRequest?(ctx: ApiContext, scope: RequestScope, name: string): Promise<void>;
}

export function mergeExtras(into: TxnExtras, more: TxnExtras | undefined): void {
  if (!more) return;
  into.compares.push(...more.compares);
  into.ops.push(...more.ops);
}
