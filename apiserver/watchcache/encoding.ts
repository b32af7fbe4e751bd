// Serialized forms of cached objects and events, made once and shared by every LIST page and every
// watcher, as Kubernetes' cachingObject does (k8s.io/apiserver/pkg/storage/cacher/caching_object.go).
// An object version in the cache never changes, so its JSON in one apiVersion never changes either;
// bytes (not strings) are kept so that no response encodes them to UTF-8 again. Pure apart from the
// memo fields on the objects.
import type { StoredObject } from "../../pkg/api/types.js";
import type { CachedObject, CacheEvent, EventType } from "./cache.js";

/** Converts a stored object to the version an endpoint serves (handlers/scope.ts's `served`). */
export type ToServed = (obj: StoredObject) => StoredObject;

/**
 * The object's JSON as served in `apiVersion`. The first apiVersion asked for is remembered on the
 * object; another one (a second served version of the same kind, rare) is serialized each time.
 */
export function objectJson(o: CachedObject, apiVersion: string, toServed: ToServed): Buffer {
  const memo = o.encoded;
  if (memo !== undefined && memo.apiVersion === apiVersion) return memo.json;
  const json = Buffer.from(JSON.stringify(toServed(o.obj)));
  if (memo === undefined) o.encoded = { apiVersion, json };
  return json;
}

const FRAME_HEADS = new Map<string, Buffer>();
/** The end of every watch frame. */
export const FRAME_TAIL = Buffer.from("}\n");

/** `{"type":"<type>","object":` as bytes (a handful of distinct values). */
export function frameHead(type: string): Buffer {
  let b = FRAME_HEADS.get(type);
  if (!b) {
    b = Buffer.from(`{"type":${JSON.stringify(type)},"object":`);
    FRAME_HEADS.set(type, b);
  }
  return b;
}

/** One watch frame (a JSON line) around an object's JSON. */
export function frameOf(type: EventType | "BOOKMARK", objectJsonBytes: Buffer): Buffer {
  const head = frameHead(type);
  return Buffer.concat([head, objectJsonBytes, FRAME_TAIL], head.length + objectJsonBytes.length + 2);
}

/**
 * The watch frame of `ev` delivered as `type` in `apiVersion`, made once per (apiVersion, type) and
 * shared by every watcher of the event.
 */
export function eventFrame(ev: CacheEvent, type: EventType, apiVersion: string, toServed: ToServed): Buffer {
  const key = `${apiVersion}\u0000${type}`;
  let frames = ev.frames;
  if (!frames) {
    frames = new Map();
    ev.frames = frames;
  }
  let f = frames.get(key);
  if (!f) {
    f = frameOf(type, objectJson(ev.object, apiVersion, toServed));
    frames.set(key, f);
  }
  return f;
}

/** `{"kind":...,"apiVersion":...,"metadata":...,"items":[` and `]}` of a list, around its items. */
export function listEnvelope(
  kind: string,
  apiVersion: string,
  metadata: Record<string, unknown>,
): { head: Buffer; tail: Buffer } {
  return {
    head: Buffer.from(
      `{"kind":${JSON.stringify(kind)},"apiVersion":${JSON.stringify(apiVersion)},"metadata":${JSON.stringify(metadata)},"items":[`,
    ),
    tail: Buffer.from("]}"),
  };
}
