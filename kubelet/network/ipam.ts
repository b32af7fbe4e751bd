// Host-local IP address management for one node's podCIDR (the CNI host-local plugin's job): the first
// address is the bridge's, the rest go to pods. Pure; rebuilt after a restart from the addresses recorded
// on the pods' sandboxes.

export interface Cidr {
  /** network address as a 32-bit number */
  base: number;
  prefix: number;
}

export function ipToInt(ip: string): number {
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`invalid IPv4 address "${ip}"`);
  }
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

export function parseCidr(s: string): Cidr {
  const [ip, p] = s.split("/");
  const prefix = Number(p);
  if (!Number.isInteger(prefix) || prefix < 8 || prefix > 30) throw new Error(`invalid CIDR "${s}"`);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { base: (ipToInt(ip) & mask) >>> 0, prefix };
}

export function cidrContains(c: Cidr, ip: string): boolean {
  const mask = (0xffffffff << (32 - c.prefix)) >>> 0;
  return (ipToInt(ip) & mask) >>> 0 === c.base;
}

export function gatewayOf(c: Cidr): string {
  return intToIp(c.base + 1);
}

export class Ipam {
  readonly cidr: Cidr;
  private used = new Set<number>();
  /** allocation continues after the last address given, so a freed address is not reused at once */
  private last: number;

  constructor(cidr: string) {
    this.cidr = parseCidr(cidr);
    this.last = this.cidr.base + 1;
  }

  get size(): number {
    return 2 ** (32 - this.cidr.prefix);
  }

  /** Marks addresses as in use (recovery). Addresses outside the range are ignored. */
  reserve(ip: string): void {
    if (ip && cidrContains(this.cidr, ip)) this.used.add(ipToInt(ip));
  }

  allocate(): string {
    const first = this.cidr.base + 2;
    const lastUsable = this.cidr.base + this.size - 2;
    const span = lastUsable - first + 1;
    for (let i = 1; i <= span; i++) {
      const candidate = first + ((this.last - first + i) % span);
      if (!this.used.has(candidate)) {
        this.used.add(candidate);
        this.last = candidate;
        return intToIp(candidate);
      }
    }
    throw new Error(`no IP addresses available in range set: ${intToIp(first)}-${intToIp(lastUsable)}`);
  }

  release(ip: string): void {
    if (ip && cidrContains(this.cidr, ip)) this.used.delete(ipToInt(ip));
  }

  inUse(): string[] {
    return [...this.used].sort((a, b) => a - b).map(intToIp);
  }
}
