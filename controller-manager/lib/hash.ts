// Hashes that name things a controller creates: the pod-template-hash of a Deployment's ReplicaSets
// and the revision names of ControllerRevisions (controller.ComputeHash + rand.SafeEncodeString).
// Kubernetes hashes the Go struct; we hash a canonical JSON form, which is just as stable.

/** FNV-1a, 32 bits, over UTF-8 bytes. */
export function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** JSON with object keys sorted and empty values dropped, so that equal objects hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonical(value)) ?? "null";
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v === undefined || v === null) continue;
      out[k] = canonical(v);
    }
    return out;
  }
  return value;
}

/** Kubernetes' rand.SafeEncodeString alphabet: no vowels, no look-alike characters. */
const ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";

export function safeEncodeString(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) out += ALPHANUMS[s.charCodeAt(i) % ALPHANUMS.length];
  return out;
}

/** controller.ComputeHash: the hash of a pod template, salted with collisionCount when set. */
export function computeHash(template: unknown, collisionCount?: number): string {
  const enc = new TextEncoder();
  let h = fnv32a(enc.encode(canonicalJson(template)));
  if (collisionCount !== undefined && collisionCount !== null) {
    const salt = new Uint8Array(8);
    new DataView(salt.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(salt, h);
  }
  return safeEncodeString(String(h));
}

/**
 * Deep equality where undefined, null, {} and [] are all "unset" (apiequality.Semantic.DeepEqual
 * treats nil and empty maps and slices alike; JSON drops unset fields).
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(pruneEmpty(a)) === canonicalJson(pruneEmpty(b));
}

/**
 * Equality for statuses: zero values count as unset too, because Go's omitempty drops them on the
 * way back from the apiserver (writing again because `0` came back missing would never end).
 */
export function equalIgnoringZero(a: unknown, b: unknown): boolean {
  return canonicalJson(pruneEmpty(a, true)) === canonicalJson(pruneEmpty(b, true));
}

function pruneEmpty(value: unknown, zeros = false): unknown {
  if (zeros && (value === 0 || value === "" || value === false)) return undefined;
  if (Array.isArray(value)) {
    const arr = value.map((v) => pruneEmpty(v, zeros));
    return arr.length === 0 ? undefined : arr;
  }
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    let n = 0;
    for (const [k, v] of Object.entries(value)) {
      const p = pruneEmpty(v, zeros);
      if (p === undefined || p === null) continue;
      out[k] = p;
      n++;
    }
    return n === 0 ? undefined : out;
  }
  return value;
}
