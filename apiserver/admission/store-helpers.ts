// What admission plugins that rewrite other objects in the write's transaction share.
import type { StoredObject } from "../../pkg/api/types.js";

/** The stored form of an object: resourceVersion is etcd's revision, never part of the value. */
export function stripResourceVersion(obj: StoredObject): string {
  const { resourceVersion: _rv, ...meta } = obj.metadata;
  return JSON.stringify({ ...obj, metadata: meta });
}
