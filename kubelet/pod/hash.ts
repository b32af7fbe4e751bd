// A stable hash of a container's spec, stored on the container (LABEL_CONTAINER_HASH) so that a change to
// the spec (a new image) is seen as kuberuntime's containerChanged does.
import type { Container } from "kubernetes-types/core/v1";

export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(",")}]`;
  if (v && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableStringify(x)}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

/** FNV-1a 32 over the container spec without its resources (resizable in place), as hex. */
export function containerHash(c: Container): string {
  const { resources: _r, ...rest } = c;
  const s = stableStringify(rest);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}
