// An applied object written the way the live one is: server-side apply works on values without
// nulls and rebuilds maps, and defaulting then appends what pruning took out, so the same content can
// come back with other key orders or without the live object's nulls (`creationTimestamp: null`).
// Stored JSON and generation are compared as text, so the object takes back the live key order and
// nulls: what did not change stays byte for byte. Pure.

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * `obj` with the key order of `live` where both have a key (then its own keys in their order), and
 * with the null members of `live` where `obj` does not have the key: a null is no value, so putting
 * it back changes nothing. List items are aligned by position. `obj` is not modified.
 */
export function alignWithLive<T>(obj: T, live: unknown): T {
  return align(obj, live) as T;
}

function align(v: unknown, live: unknown): unknown {
  if (Array.isArray(v)) {
    if (!Array.isArray(live)) return v;
    return v.map((x, i) => align(x, live[i]));
  }
  if (!isObj(v) || !isObj(live)) return v;
  const out: Obj = {};
  for (const [k, l] of Object.entries(live)) {
    if (k in v) {
      if (v[k] !== undefined) out[k] = align(v[k], l);
    } else if (l === null) out[k] = null;
  }
  for (const [k, x] of Object.entries(v)) if (!(k in out) && x !== undefined && !(k in live)) out[k] = x;
  return out;
}
