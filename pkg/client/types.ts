// The generic shapes the client hands out. Wider than pkg/api/types.ts on purpose: the
// kubernetes-types interfaces (Pod, Node, ...) have no index signature, so they are not KubeObjects;
// these accept them as they are.
import type { ListMeta, ObjectMeta } from "kubernetes-types/meta/v1";
import type { WatchEventType } from "../api/types.js";

export type { WatchEventType };

export interface ApiObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

export interface ObjectList<T> {
  apiVersion?: string;
  kind?: string;
  metadata: ListMeta;
  items: T[];
}

/** One watch event. For ERROR the object is a metav1.Status (the client throws it as ApiError instead). */
export interface WatchEvent<T> {
  type: WatchEventType;
  object: T;
}
