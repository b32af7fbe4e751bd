// ClusterIP and NodePort allocation for Services, on create, update and delete. The new allocation
// records ride in the Service's own etcd transaction (compare on the record's mod revision).
import type { StoredObject } from "../../pkg/api/types.js";
import type { ApiContext } from "../handlers/scope.js";
import { invalid } from "../handlers/status.js";
import type { Compare, Op } from "../storage/etcd-store.js";
import {
  allocate,
  decodeRange,
  dynamicBand,
  encodeRange,
  intToIp,
  ipOffset,
  isAllocated,
  parseCidr,
  pickFree,
  type RangeState,
  release,
} from "./allocator.js";
import type { AdmissionPlugin, TxnExtras } from "./types.js";

type ServicePort = { name?: string; port?: number; nodePort?: number; protocol?: string };
type ServiceSpec = { type?: string; clusterIP?: string; clusterIPs?: string[]; ports?: ServicePort[] };

function isService(obj: StoredObject): boolean {
  return obj.kind === "Service" && (obj.apiVersion === "v1" || obj.apiVersion === undefined);
}

function specOf(obj: StoredObject): ServiceSpec {
  obj.spec = obj.spec ?? {};
  return obj.spec as ServiceSpec;
}

function needsClusterIP(spec: ServiceSpec): boolean {
  return spec.type !== "ExternalName" && spec.clusterIP !== "None";
}

function needsNodePorts(spec: ServiceSpec): boolean {
  return spec.type === "NodePort" || spec.type === "LoadBalancer";
}

interface Loaded {
  key: string;
  state: RangeState;
  modRevision: number | null;
  changed: boolean;
}

async function load(ctx: ApiContext, name: string): Promise<Loaded> {
  const key = `${ctx.prefix}/ranges/${name}`;
  const kv = await ctx.store.get(key);
  return { key, state: decodeRange(kv?.value), modRevision: kv ? kv.modRevision : null, changed: false };
}

function extrasOf(ranges: { l: Loaded; range: string }[]): TxnExtras {
  const compares: Compare[] = [];
  const ops: Op[] = [];
  for (const { l, range } of ranges) {
    if (!l.changed) continue;
    compares.push(
      l.modRevision === null ? { key: l.key, absent: true } : { key: l.key, modRevision: l.modRevision },
    );
    ops.push({ put: l.key, value: encodeRange(range, l.state) });
  }
  return { compares, ops };
}

function ipsOf(spec: ServiceSpec): string[] {
  if (!needsClusterIP(spec)) return [];
  const ips = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  return ips.filter((ip) => ip !== "" && ip !== "None");
}

function nodePortsOf(spec: ServiceSpec): number[] {
  if (!needsNodePorts(spec)) return [];
  return (spec.ports ?? []).map((p) => p.nodePort).filter((p): p is number => typeof p === "number" && p > 0);
}

/** Assigns ClusterIP and node ports to `svc`, given what `old` already holds. */
async function assign(ctx: ApiContext, svc: StoredObject, old: StoredObject | undefined): Promise<TxnExtras> {
  const spec = specOf(svc);
  const oldSpec = old ? ((old.spec ?? {}) as ServiceSpec) : {};
  const cidr = parseCidr(ctx.serviceClusterIPRange);
  const [plo, phi] = ctx.serviceNodePortRange;
  const ipRange = await load(ctx, "serviceips");
  const portRange = await load(ctx, "servicenodeports");
  const name = svc.metadata.name;
  const oldIps = new Set(ipsOf(oldSpec));
  const oldPorts = new Set(nodePortsOf(oldSpec));

  if (needsClusterIP(spec)) {
    const requested = ipsOf(spec);
    if (requested.length === 0) {
      if (oldIps.size > 0) {
        spec.clusterIP = [...oldIps][0]!;
        spec.clusterIPs = [...oldIps];
      } else {
        const [lo, hi] = dynamicBand(cidr);
        const off = pickFree(ipRange.state, lo, hi) ?? pickFree(ipRange.state, 1, cidr.size - 2);
        if (off === null) {
          throw invalid("", "Service", name, [
            { type: "FieldValueInvalid", field: "spec.clusterIPs", message: "Internal error: range is full" },
          ]);
        }
        ipRange.state = allocate(ipRange.state, off);
        ipRange.changed = true;
        const ip = intToIp(cidr.base + off);
        spec.clusterIP = ip;
        spec.clusterIPs = [ip];
      }
    } else {
      for (const ip of requested) {
        if (oldIps.has(ip)) continue;
        const off = ipOffset(cidr, ip);
        const shown = `[]string{${requested.map((x) => `"${x}"`).join(", ")}}`;
        if (off === null) {
          throw invalid("", "Service", name, [
            {
              type: "FieldValueInvalid",
              field: "spec.clusterIPs",
              message: `Invalid value: ${shown}: failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${cidr.text}`,
            },
          ]);
        }
        if (isAllocated(ipRange.state, off)) {
          throw invalid("", "Service", name, [
            {
              type: "FieldValueInvalid",
              field: "spec.clusterIPs",
              message: `Invalid value: ${shown}: failed to allocate IP ${ip}: provided IP is already allocated`,
            },
          ]);
        }
        ipRange.state = allocate(ipRange.state, off);
        ipRange.changed = true;
      }
      spec.clusterIP = requested[0]!;
      spec.clusterIPs = requested;
    }
  }
  const newIps = new Set(ipsOf(spec));
  const freedIps = [...oldIps].filter((ip) => !newIps.has(ip));
  if (freedIps.length) {
    ipRange.state = release(
      ipRange.state,
      freedIps.map((ip) => ipOffset(cidr, ip)).filter((x): x is number => x !== null),
    );
    ipRange.changed = true;
  }

  if (needsNodePorts(spec)) {
    const used = new Set<number>();
    (spec.ports ?? []).forEach((p, i) => {
      if (typeof p.nodePort === "number" && p.nodePort > 0) {
        const np = p.nodePort;
        if (np < plo || np > phi) {
          throw invalid("", "Service", name, [
            {
              type: "FieldValueInvalid",
              field: `spec.ports[${i}].nodePort`,
              message: `Invalid value: ${np}: provided port is not in the valid range. The range of valid ports is ${plo}-${phi}`,
            },
          ]);
        }
        if (!oldPorts.has(np) && !used.has(np) && isAllocated(portRange.state, np - plo)) {
          throw invalid("", "Service", name, [
            {
              type: "FieldValueInvalid",
              field: `spec.ports[${i}].nodePort`,
              message: `Invalid value: ${np}: provided port is already allocated`,
            },
          ]);
        }
        used.add(np);
        if (!oldPorts.has(np)) {
          portRange.state = allocate(portRange.state, np - plo);
          portRange.changed = true;
        }
      }
    });
    for (const p of spec.ports ?? []) {
      if (typeof p.nodePort === "number" && p.nodePort > 0) continue;
      // Reuse the old port of the same port/protocol when the type did not change.
      const prev = (oldSpec.ports ?? []).find(
        (o) => o.port === p.port && (o.protocol ?? "TCP") === (p.protocol ?? "TCP"),
      );
      if (prev?.nodePort && oldPorts.has(prev.nodePort) && !used.has(prev.nodePort)) {
        p.nodePort = prev.nodePort;
        used.add(prev.nodePort);
        continue;
      }
      const off = pickFree(portRange.state, 0, phi - plo);
      if (off === null) {
        throw invalid("", "Service", name, [
          { type: "FieldValueInvalid", field: "spec.ports", message: "Internal error: range is full" },
        ]);
      }
      portRange.state = allocate(portRange.state, off);
      portRange.changed = true;
      p.nodePort = plo + off;
      used.add(p.nodePort);
    }
  } else {
    for (const p of spec.ports ?? []) delete p.nodePort;
  }
  const newPorts = new Set(nodePortsOf(spec));
  const freedPorts = [...oldPorts].filter((p) => !newPorts.has(p));
  if (freedPorts.length) {
    portRange.state = release(
      portRange.state,
      freedPorts.map((p) => p - plo),
    );
    portRange.changed = true;
  }
  return extrasOf([
    { l: ipRange, range: cidr.text },
    { l: portRange, range: `${plo}-${phi}` },
  ]);
}

export const serviceAllocation: AdmissionPlugin = {
  name: "ServiceAllocation",
  async admitCreate(ctx, _scope, obj) {
    if (!isService(obj)) return undefined;
    return assign(ctx, obj, undefined);
  },
  async admitUpdate(ctx, _scope, obj, old) {
    if (!isService(obj)) return undefined;
    return assign(ctx, obj, old);
  },
  async admitDelete(ctx, _scope, old) {
    if (!isService(old)) return undefined;
    const gone: StoredObject = { ...old, spec: { type: "ExternalName", ports: [] } };
    return assign(ctx, gone, old);
  },
};
