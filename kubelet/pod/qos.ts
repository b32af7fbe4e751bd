// The pod's QoS class (pkg/apis/core/v1/helper/qos.GetPodQOS): Guaranteed when every container has cpu
// and memory limits equal to its requests, BestEffort when nothing asks for anything, else Burstable.
import type { Container, Pod } from "kubernetes-types/core/v1";
import { parseQuantity, type Quantity } from "../../pkg/api/quantity.js";

type QoS = "Guaranteed" | "Burstable" | "BestEffort";
const TRACKED = ["cpu", "memory"] as const;

function quantities(m: Record<string, string | number> | undefined): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  for (const [k, v] of Object.entries(m ?? {})) {
    try {
      out.set(k, parseQuantity(v));
    } catch {
      // invalid quantities were refused by validation; ignore here
    }
  }
  return out;
}

export function podQOSClass(pod: Pod): QoS {
  const all: Container[] = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let isGuaranteed = true;
  for (const c of all) {
    const req = quantities(c.resources?.requests as Record<string, string> | undefined);
    const lim = quantities(c.resources?.limits as Record<string, string> | undefined);
    for (const name of TRACKED) {
      const r = req.get(name);
      if (r && !r.isZero())
        requests.set(name, requests.has(name) ? (requests.get(name) as Quantity).add(r) : r);
      const l = lim.get(name);
      if (l && !l.isZero()) limits.set(name, limits.has(name) ? (limits.get(name) as Quantity).add(l) : l);
    }
    const limitNames = TRACKED.filter((n) => lim.get(n) && !lim.get(n)?.isZero());
    if (limitNames.length !== TRACKED.length) isGuaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return "BestEffort";
  if (isGuaranteed) {
    for (const [name, r] of requests) {
      const l = limits.get(name);
      if (!l || !l.equals(r)) {
        isGuaranteed = false;
        break;
      }
    }
  }
  if (isGuaranteed && limits.size === TRACKED.length) return "Guaranteed";
  return "Burstable";
}
