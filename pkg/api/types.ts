// Shapes shared by the apiserver and every client. Concrete kinds come from `kubernetes-types`
// (exact JSON field names); these are the generic ones every object and list has.
import type { ListMeta, ObjectMeta, Status } from "kubernetes-types/meta/v1.js";

export type { ListMeta, ObjectMeta, Status };

/** Any Kubernetes object as stored and served: apiVersion, kind, metadata, and the rest. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

/** An object whose metadata is known to be present (after decoding and defaulting). */
export interface StoredObject extends KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta & { name: string; resourceVersion?: string; uid?: string };
}

export interface KubeList<T extends KubeObject = KubeObject> {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: T[];
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: WatchEventType;
  object: T;
}

/** One invalid field, as Kubernetes' field.Error: `spec.replicas: Invalid value: -1: must be greater than or equal to 0`. */
export interface FieldError {
  /** `FieldValueRequired`, `FieldValueInvalid`, `FieldValueNotSupported`, `FieldValueDuplicate`, `FieldValueForbidden`, `FieldValueTooLong`, `FieldValueTooMany`. */
  type:
    | "FieldValueRequired"
    | "FieldValueInvalid"
    | "FieldValueNotSupported"
    | "FieldValueDuplicate"
    | "FieldValueForbidden"
    | "FieldValueTooLong"
    | "FieldValueTooMany"
    | "FieldValueNotFound"
    | "InternalError";
  /** Dotted path with indexes, as Kubernetes prints it: `spec.template.spec.containers[0].image`. */
  field: string;
  /** The whole message Kubernetes prints for it, e.g. `Required value` or `Invalid value: "x": must be ...`. */
  message: string;
}
