// Range allocators for Service ClusterIPs and NodePorts. The allocation state is one etcd key per range
// (/registry/ranges/serviceips, /registry/ranges/servicenodeports) holding the allocated offsets; it is
// written in the same transaction as the Service, so objects and allocations never disagree.
// (Kubernetes keeps a big-endian bitmap; a sorted offset list is smaller for sparse random allocations.)
// Pure except where an EtcdStore is passed.

export interface RangeState {
  /** Offsets from the range's base that are allocated, sorted. */
  allocated: number[];
}

export function encodeRange(range: string, state: RangeState): string {
  return JSON.stringify({
    kind: "RangeAllocation",
    apiVersion: "v1",
    metadata: { name: range },
    range,
    allocated: state.allocated,
  });
}

export function decodeRange(value: string | undefined): RangeState {
  if (!value) return { allocated: [] };
  try {
    const v = JSON.parse(value) as { allocated?: unknown };
    if (Array.isArray(v.allocated))
      return { allocated: v.allocated.filter((x): x is number => Number.isInteger(x)).sort((a, b) => a - b) };
  } catch {
    // A corrupt allocation record is treated as empty; the repair loop re-marks live services.
  }
  return { allocated: [] };
}

export interface Cidr {
  base: number;
  bits: number;
  size: number;
  text: string;
}

export function ipToInt(ip: string): number | null {
  const parts = ip.split(".");
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const x = Number(p);
    if (x > 255) return null;
    n = n * 256 + x;
  }
  return n;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

export function parseCidr(text: string): Cidr {
  const [ip, b] = text.split("/");
  const base = ipToInt(ip ?? "");
  const bits = Number(b);
  if (base === null || !Number.isInteger(bits) || bits < 8 || bits > 30)
    throw new Error(`invalid CIDR ${text}`);
  const size = 2 ** (32 - bits);
  return { base: base - (base % size), bits, size, text };
}

/** The offset of an IP in the range, or null when outside the usable addresses. */
export function ipOffset(cidr: Cidr, ip: string): number | null {
  const n = ipToInt(ip);
  if (n === null) return null;
  const off = n - cidr.base;
  if (off < 1 || off > cidr.size - 2) return null;
  return off;
}

export function isAllocated(state: RangeState, offset: number): boolean {
  return binarySearch(state.allocated, offset) >= 0;
}

function binarySearch(a: number[], x: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] === x) return mid;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

export function allocate(state: RangeState, offset: number): RangeState {
  if (isAllocated(state, offset)) return state;
  return { allocated: [...state.allocated, offset].sort((a, b) => a - b) };
}

export function release(state: RangeState, offsets: number[]): RangeState {
  const drop = new Set(offsets);
  return { allocated: state.allocated.filter((x) => !drop.has(x)) };
}

/**
 * Picks a free offset in [lo, hi] starting at a random point and scanning upwards (wrapping), as
 * Kubernetes' random-scan allocator does. Null when the range is full.
 */
export function pickFree(
  state: RangeState,
  lo: number,
  hi: number,
  random: () => number = Math.random,
): number | null {
  const span = hi - lo + 1;
  if (span <= 0 || state.allocated.length >= span) return null;
  const start = Math.floor(random() * span);
  const taken = new Set(state.allocated);
  for (let i = 0; i < span; i++) {
    const off = lo + ((start + i) % span);
    if (!taken.has(off)) return off;
  }
  return null;
}

/** The dynamic band of a ClusterIP range: Kubernetes keeps the low band for static IPs. */
export function dynamicBand(cidr: Cidr): [number, number] {
  const staticSize = Math.min(Math.max(16, Math.floor(cidr.size / 16)), 256);
  const hi = cidr.size - 2;
  const lo = cidr.size > 2 * staticSize ? staticSize : 1;
  return [lo, hi];
}
