// Validation of the other core/v1 kinds: Service, ConfigMap, Secret, Namespace, PVC, PV, Node, Event,
// ServiceAccount, Endpoints, ResourceQuota, LimitRange, PodTemplate (pkg/apis/core/validation, 1.32).
import { isIP } from "node:net";
import { tryParseQuantity } from "../quantity.js";
import {
  child,
  duplicate,
  type FieldError,
  type FieldPath,
  forbidden,
  index,
  invalid,
  key,
  notSupported,
  required,
  struct,
  tooLong,
} from "./field.js";
import {
  arr,
  isObj,
  num,
  type Obj,
  obj,
  str,
  validateImmutable,
  validateLabels,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from "./meta.js";
import {
  validateDNS1123Label,
  validatePodTemplateSpec,
  validatePortNumOrName,
  validateQuantity,
} from "./pod.js";
import {
  IP_ADDRESS_ERROR,
  isConfigMapKey,
  isDNS1123Subdomain,
  isValidPortNum,
  nameIsDNS1035Label,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
} from "./strings.js";

const SUPPORTED_PORT_PROTOCOLS = ["SCTP", "TCP", "UDP"];
const SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
const MAX_SECRET_SIZE = 1024 * 1024;

// ---- Service ----

function isHeadless(spec: Obj): boolean {
  return str(spec, "clusterIP") === "None";
}

function validateServicePort(
  sp: Obj,
  requireName: boolean,
  names: Set<string>,
  path: FieldPath,
): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(sp, "name");
  if (requireName && !name) errs.push(required(child(path, "name")));
  else if (name) {
    errs.push(...validateDNS1123Label(name, child(path, "name")));
    if (names.has(name)) errs.push(duplicate(child(path, "name"), name));
    else names.add(name);
  }
  const port = num(sp, "port") ?? 0;
  for (const m of isValidPortNum(port)) errs.push(invalid(child(path, "port"), port, m));
  const protocol = str(sp, "protocol");
  if (!protocol) errs.push(required(child(path, "protocol")));
  else if (!SUPPORTED_PORT_PROTOCOLS.includes(protocol)) {
    errs.push(notSupported(child(path, "protocol"), protocol, SUPPORTED_PORT_PROTOCOLS));
  }
  errs.push(...validatePortNumOrName(sp.targetPort, child(path, "targetPort")));
  return errs;
}

export function validateServiceSpec(spec: Obj, path = "spec"): FieldError[] {
  const errs: FieldError[] = [];
  const type = str(spec, "type");
  const ports = arr(spec, "ports").filter(isObj);
  if (ports.length === 0 && !isHeadless(spec) && type !== "ExternalName")
    errs.push(required(child(path, "ports")));
  if (type === "ExternalName") {
    if (arr(spec, "clusterIPs").length > 0 || (str(spec, "clusterIP") && str(spec, "clusterIP") !== "")) {
      errs.push(forbidden(child(path, "clusterIPs"), "may not be set for ExternalName services"));
    }
    const cname = str(spec, "externalName").replace(/\.$/, "");
    if (cname)
      for (const m of isDNS1123Subdomain(cname)) errs.push(invalid(child(path, "externalName"), cname, m));
    else errs.push(required(child(path, "externalName")));
  }
  const names = new Set<string>();
  ports.forEach((p, i) => {
    errs.push(...validateServicePort(p, ports.length > 1, names, index(child(path, "ports"), i)));
  });
  errs.push(...validateLabels(spec.selector, child(path, "selector")));
  const affinity = str(spec, "sessionAffinity");
  if (!affinity) errs.push(required(child(path, "sessionAffinity")));
  else if (affinity !== "ClientIP" && affinity !== "None") {
    errs.push(notSupported(child(path, "sessionAffinity"), affinity, ["ClientIP", "None"]));
  }
  if (affinity === "ClientIP") {
    const timeout = num(obj(obj(spec, "sessionAffinityConfig"), "clientIP"), "timeoutSeconds");
    if (timeout !== undefined && (timeout <= 0 || timeout > 86400)) {
      errs.push(
        invalid(
          child(path, "sessionAffinityConfig", "clientIP", "timeoutSeconds"),
          timeout,
          "must be greater than 0 and less than 86400",
        ),
      );
    }
  }
  arr(spec, "clusterIPs").forEach((ip, i) => {
    const s = String(ip);
    if (s === "None") {
      if (i !== 0)
        errs.push(
          invalid(
            index(child(path, "clusterIPs"), i),
            s,
            "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
          ),
        );
      return;
    }
    if (s && isIP(s) === 0) errs.push(invalid(index(child(path, "clusterIPs"), i), s, IP_ADDRESS_ERROR));
  });
  const clusterIP = str(spec, "clusterIP");
  if (clusterIP && clusterIP !== "None" && isIP(clusterIP) === 0 && arr(spec, "clusterIPs").length === 0) {
    errs.push(invalid(child(path, "clusterIP"), clusterIP, IP_ADDRESS_ERROR));
  }
  if (!type) errs.push(required(child(path, "type")));
  else if (!SERVICE_TYPES.includes(type)) errs.push(notSupported(child(path, "type"), type, SERVICE_TYPES));
  if (type === "ClusterIP") {
    ports.forEach((p, i) => {
      if ((num(p, "nodePort") ?? 0) !== 0) {
        errs.push(
          forbidden(
            child(index(child(path, "ports"), i), "nodePort"),
            "may not be used when `type` is 'ClusterIP'",
          ),
        );
      }
    });
  }
  const nodePorts = new Set<string>();
  const seenPorts = new Set<string>();
  ports.forEach((p, i) => {
    const pp = index(child(path, "ports"), i);
    const nodePort = num(p, "nodePort") ?? 0;
    if (nodePort !== 0) {
      const k = `${str(p, "protocol")}/${nodePort}`;
      if (nodePorts.has(k)) errs.push(duplicate(child(pp, "nodePort"), nodePort));
      nodePorts.add(k);
      for (const m of isValidPortNum(nodePort)) errs.push(invalid(child(pp, "nodePort"), nodePort, m));
    }
    const k = `${str(p, "protocol")}/${num(p, "port") ?? 0}`;
    if (seenPorts.has(k)) {
      errs.push(
        duplicate(pp, struct({ port: num(p, "port") ?? 0, targetPort: 0, protocol: str(p, "protocol") })),
      );
    }
    seenPorts.add(k);
  });
  const etp = spec.externalTrafficPolicy;
  if (etp !== undefined && etp !== null && etp !== "") {
    if (type !== "NodePort" && type !== "LoadBalancer") {
      errs.push(
        invalid(
          child(path, "externalTrafficPolicy"),
          etp,
          "may only be set when `type` is 'NodePort' or 'LoadBalancer'",
        ),
      );
    } else if (etp !== "Cluster" && etp !== "Local") {
      errs.push(notSupported(child(path, "externalTrafficPolicy"), etp, ["Cluster", "Local"]));
    }
  }
  const itp = spec.internalTrafficPolicy;
  if (itp !== undefined && itp !== null && type !== "ExternalName" && itp !== "Cluster" && itp !== "Local") {
    errs.push(notSupported(child(path, "internalTrafficPolicy"), itp, ["Cluster", "Local"]));
  }
  return errs;
}

export function validateService(svc: Obj): FieldError[] {
  return [
    ...validateObjectMeta(svc.metadata, { namespaced: true, nameFn: nameIsDNS1035Label }),
    ...validateServiceSpec(obj(svc, "spec") ?? {}),
  ];
}

export function validateServiceUpdate(svc: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(svc.metadata, old.metadata);
  const spec = obj(svc, "spec") ?? {};
  const oldSpec = obj(old, "spec") ?? {};
  errs.push(...validateServiceSpec(spec));
  const oldIP = str(oldSpec, "clusterIP");
  const newIP = str(spec, "clusterIP");
  const switchingToExternalName = str(spec, "type") === "ExternalName";
  if (oldIP && newIP && oldIP !== newIP && !switchingToExternalName) {
    errs.push(
      invalid(
        "spec.clusterIPs[0]",
        arr(spec, "clusterIPs").length ? arr(spec, "clusterIPs") : [newIP],
        "may not change once set",
      ),
    );
  }
  return errs;
}

/** Allocator checks the apiserver runs with its configured ranges (messages as the allocators'). */
export function validateServiceNodePorts(spec: Obj, range: [number, number]): FieldError[] {
  const errs: FieldError[] = [];
  arr(spec, "ports").forEach((p, i) => {
    if (!isObj(p)) return;
    const np = num(p, "nodePort") ?? 0;
    if (np !== 0 && (np < range[0] || np > range[1])) {
      errs.push(
        invalid(
          `spec.ports[${i}].nodePort`,
          np,
          `provided port is not in the valid range. The range of valid ports is ${range[0]}-${range[1]}`,
        ),
      );
    }
  });
  return errs;
}

function ipv4ToInt(ip: string): number {
  return ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
}

/** Whether an IPv4 address lies in a CIDR (`10.96.0.0/12`). */
export function ipInCIDR(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split("/");
  const bits = Number(bitsText);
  if (isIP(ip) !== 4 || isIP(base) !== 4 || !(bits >= 0 && bits <= 32)) return false;
  const size = 2 ** (32 - bits);
  const start = Math.floor(ipv4ToInt(base) / size) * size;
  const v = ipv4ToInt(ip);
  return v >= start && v < start + size;
}

export function validateServiceClusterIP(spec: Obj, cidr: string): FieldError[] {
  const ip = str(spec, "clusterIP");
  if (!ip || ip === "None" || isIP(ip) === 0 || ipInCIDR(ip, cidr)) return [];
  return [
    invalid(
      "spec.clusterIPs",
      [ip],
      `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${cidr}`,
    ),
  ];
}

// ---- ConfigMap and Secret ----

function dataSize(v: unknown): number {
  return typeof v === "string" ? Buffer.byteLength(v) : 0;
}

export function validateConfigMap(cm: Obj): FieldError[] {
  const errs = validateObjectMeta(cm.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  const data = obj(cm, "data") ?? {};
  const binary = obj(cm, "binaryData") ?? {};
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(key("data", k), k, m));
    if (Object.hasOwn(binary, k))
      errs.push(invalid(key("data", k), k, "duplicate of key present in binaryData"));
    total += dataSize(v);
  }
  for (const [k, v] of Object.entries(binary)) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(key("binaryData", k), k, m));
    if (Object.hasOwn(data, k))
      errs.push(invalid(key("binaryData", k), k, "duplicate of key present in data"));
    total += typeof v === "string" ? Math.floor((v.length * 3) / 4) : 0;
  }
  if (total > MAX_SECRET_SIZE) errs.push(tooLong("", MAX_SECRET_SIZE));
  return errs;
}

function validateImmutableData(o: Obj, old: Obj, fields: string[]): FieldError[] {
  if (old.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (o.immutable !== true) errs.push(forbidden("immutable", "field is immutable when `immutable` is set"));
  for (const f of fields) {
    if (validateImmutable(o[f], old[f], f).length > 0)
      errs.push(forbidden(f, "field is immutable when `immutable` is set"));
  }
  return errs;
}

export function validateConfigMapUpdate(cm: Obj, old: Obj): FieldError[] {
  return [
    ...validateObjectMetaUpdate(cm.metadata, old.metadata),
    ...validateImmutableData(cm, old, ["data", "binaryData"]),
    ...validateConfigMap(cm).filter((e) => !e.field.startsWith("metadata")),
  ];
}

const SECRET_REQUIRED_KEYS: Record<string, string[]> = {
  "kubernetes.io/dockercfg": [".dockercfg"],
  "kubernetes.io/dockerconfigjson": [".dockerconfigjson"],
  "kubernetes.io/ssh-auth": ["ssh-privatekey"],
  "kubernetes.io/tls": ["tls.crt", "tls.key"],
};

export function validateSecret(secret: Obj): FieldError[] {
  const errs = validateObjectMeta(secret.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  const data = { ...(obj(secret, "data") ?? {}) };
  // stringData is merged into data on write; validate its keys as data keys.
  for (const [k, v] of Object.entries(obj(secret, "stringData") ?? {})) data[k] = v;
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(key("data", k), k, m));
    total += typeof v === "string" ? Math.floor((v.length * 3) / 4) : 0;
  }
  if (total > MAX_SECRET_SIZE) errs.push(tooLong("data", MAX_SECRET_SIZE));
  const type = str(secret, "type");
  if (type === "kubernetes.io/service-account-token") {
    const annotations = obj(obj(secret, "metadata"), "annotations") ?? {};
    if (!str(annotations, "kubernetes.io/service-account.name")) {
      errs.push(required(key("metadata.annotations", "kubernetes.io/service-account.name")));
    }
  }
  for (const k of SECRET_REQUIRED_KEYS[type] ?? [])
    if (!Object.hasOwn(data, k)) errs.push(required(key("data", k)));
  if (
    type === "kubernetes.io/basic-auth" &&
    !Object.hasOwn(data, "username") &&
    !Object.hasOwn(data, "password")
  ) {
    errs.push(required(key("data", "username")), required(key("data", "password")));
  }
  return errs;
}

export function validateSecretUpdate(secret: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(secret.metadata, old.metadata);
  errs.push(...validateImmutable(str(secret, "type"), str(old, "type"), "type"));
  errs.push(...validateImmutableData(secret, old, ["data"]));
  errs.push(
    ...validateSecret(secret).filter(
      (e) => !e.field.startsWith("metadata.name") && !e.field.startsWith("metadata.namespace"),
    ),
  );
  return errs;
}

// ---- Namespace, ServiceAccount, Node, Event, Endpoints ----

export function validateNamespace(ns: Obj): FieldError[] {
  const errs = validateObjectMeta(ns.metadata, { namespaced: false, nameFn: nameIsDNSLabel });
  for (const f of arr(obj(ns, "spec"), "finalizers")) {
    const name = String(f);
    if (!name.includes("/") && name !== "kubernetes") {
      errs.push(
        invalid(
          "spec.finalizers",
          name,
          "name is neither a standard finalizer name nor is it fully qualified",
        ),
      );
    }
  }
  return errs;
}

export function validateNamespaceUpdate(ns: Obj, old: Obj): FieldError[] {
  return validateObjectMetaUpdate(ns.metadata, old.metadata);
}

export const validateServiceAccount = (sa: Obj): FieldError[] =>
  validateObjectMeta(sa.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });

const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

export function validateNode(node: Obj): FieldError[] {
  const errs = validateObjectMeta(node.metadata, { namespaced: false, nameFn: nameIsDNSSubdomain });
  const spec = obj(node, "spec") ?? {};
  arr(spec, "taints").forEach((t, i) => {
    if (!isObj(t)) return;
    const p = index("spec.taints", i);
    const k = str(t, "key");
    if (!k) errs.push(required(child(p, "key")));
    const effect = str(t, "effect");
    if (!effect) errs.push(required(child(p, "effect")));
    else if (!TAINT_EFFECTS.includes(effect))
      errs.push(notSupported(child(p, "effect"), effect, TAINT_EFFECTS));
  });
  const podCIDR = str(spec, "podCIDR");
  if (podCIDR && !/^[0-9.]+\/[0-9]+$|^[0-9a-fA-F:]+\/[0-9]+$/.test(podCIDR)) {
    errs.push(
      invalid("spec.podCIDR", podCIDR, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"),
    );
  }
  return errs;
}

export function validateNodeUpdate(node: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(node.metadata, old.metadata);
  const oldCIDR = str(obj(old, "spec"), "podCIDR");
  const newCIDR = str(obj(node, "spec"), "podCIDR");
  if (oldCIDR && newCIDR !== oldCIDR)
    errs.push(forbidden("spec.podCIDR", 'node updates may not change podCIDR except from "" to valid'));
  return errs;
}

export function validateEvent(ev: Obj): FieldError[] {
  const errs = validateObjectMeta(ev.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  const ns = str(obj(ev, "metadata"), "namespace");
  const involved = obj(ev, "involvedObject");
  const ins = str(involved, "namespace");
  if (involved && ins && ns && ins !== ns && ns !== "default") {
    errs.push(invalid("involvedObject.namespace", ins, "does not match event.namespace"));
  }
  return errs;
}

export function validateEndpoints(ep: Obj): FieldError[] {
  const errs = validateObjectMeta(ep.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  arr(ep, "subsets").forEach((s, i) => {
    if (!isObj(s)) return;
    const sp = index("subsets", i);
    for (const f of ["addresses", "notReadyAddresses"]) {
      arr(s, f).forEach((a, j) => {
        if (!isObj(a)) return;
        const ip = str(a, "ip");
        if (isIP(ip) === 0) errs.push(invalid(child(index(child(sp, f), j), "ip"), ip, IP_ADDRESS_ERROR));
      });
    }
    arr(s, "ports").forEach((p, j) => {
      if (!isObj(p)) return;
      const pp = index(child(sp, "ports"), j);
      const port = num(p, "port") ?? 0;
      for (const m of isValidPortNum(port)) errs.push(invalid(child(pp, "port"), port, m));
      const protocol = str(p, "protocol");
      if (!protocol) errs.push(required(child(pp, "protocol")));
      else if (!SUPPORTED_PORT_PROTOCOLS.includes(protocol)) {
        errs.push(notSupported(child(pp, "protocol"), protocol, SUPPORTED_PORT_PROTOCOLS));
      }
    });
  });
  return errs;
}

// ---- storage ----

const ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];

function validateAccessModes(modes: unknown[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (modes.length === 0) errs.push(required(path, "at least 1 access mode is required"));
  for (const m of modes)
    if (!ACCESS_MODES.includes(String(m))) errs.push(notSupported(path, m, ACCESS_MODES));
  return errs;
}

export function validatePVC(pvc: Obj): FieldError[] {
  const errs = validateObjectMeta(pvc.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  const spec = obj(pvc, "spec") ?? {};
  errs.push(...validateAccessModes(arr(spec, "accessModes"), "spec.accessModes"));
  const requests = obj(obj(spec, "resources"), "requests") ?? {};
  if (!Object.hasOwn(requests, "storage")) {
    errs.push(required(key("spec.resources", "storage")));
  } else {
    errs.push(...validateQuantity(requests.storage, key("spec.resources.requests", "storage")));
    const q = tryParseQuantity(requests.storage);
    if (q?.isZero())
      errs.push(
        invalid(key("spec.resources.requests", "storage"), q.toString(), "must be greater than zero"),
      );
  }
  const vm = spec.volumeMode;
  if (vm !== undefined && vm !== null && vm !== "Filesystem" && vm !== "Block") {
    errs.push(notSupported("spec.volumeMode", vm, ["Block", "Filesystem"]));
  }
  return errs;
}

export function validatePVCUpdate(pvc: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(pvc.metadata, old.metadata);
  const spec = obj(pvc, "spec") ?? {};
  const oldSpec = obj(old, "spec") ?? {};
  const strip = (s: Obj) => {
    const { resources: _r, volumeName: _v, volumeAttributesClassName: _c, ...rest } = s;
    return rest;
  };
  if (validateImmutable(strip(spec), strip(oldSpec), "spec").length > 0) {
    errs.push(
      forbidden(
        "spec",
        "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
      ),
    );
  }
  return errs;
}

const RECLAIM_POLICIES = ["Delete", "Recycle", "Retain"];

export function validatePV(pv: Obj): FieldError[] {
  const errs = validateObjectMeta(pv.metadata, { namespaced: false, nameFn: nameIsDNSSubdomain });
  const spec = obj(pv, "spec") ?? {};
  errs.push(...validateAccessModes(arr(spec, "accessModes"), "spec.accessModes"));
  const capacity = obj(spec, "capacity") ?? {};
  if (Object.keys(capacity).length === 0) errs.push(required("spec.capacity"));
  for (const [k, v] of Object.entries(capacity)) {
    if (k !== "storage") errs.push(notSupported(key("spec.capacity", k), k, ["storage"]));
    else errs.push(...validateQuantity(v, key("spec.capacity", k)));
  }
  const policy = str(spec, "persistentVolumeReclaimPolicy");
  if (policy && !RECLAIM_POLICIES.includes(policy)) {
    errs.push(notSupported("spec.persistentVolumeReclaimPolicy", policy, RECLAIM_POLICIES));
  }
  const sources = [
    "hostPath",
    "nfs",
    "local",
    "csi",
    "iscsi",
    "fc",
    "rbd",
    "cephfs",
    "glusterfs",
    "azureDisk",
    "azureFile",
  ];
  if (!sources.some((s) => isObj(spec[s]))) errs.push(required("spec", "must specify a volume type"));
  const hostPath = obj(spec, "hostPath");
  if (hostPath && !str(hostPath, "path")) errs.push(required("spec.hostPath.path"));
  return errs;
}

export function validatePVUpdate(pv: Obj, old: Obj): FieldError[] {
  return [
    ...validateObjectMetaUpdate(pv.metadata, old.metadata),
    ...validatePV(pv).filter((e) => !e.field.startsWith("metadata")),
  ];
}

// ---- ResourceQuota and LimitRange ----

function validateResourceList(list: unknown, path: FieldPath): FieldError[] {
  if (!isObj(list)) return [];
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(list)) errs.push(...validateQuantity(v, key(path, k)));
  return errs;
}

export function validateResourceQuota(q: Obj): FieldError[] {
  const errs = validateObjectMeta(q.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  errs.push(...validateResourceList(obj(q, "spec")?.hard, "spec.hard"));
  const scopes = arr(obj(q, "spec"), "scopes");
  const valid = [
    "BestEffort",
    "CrossNamespacePodAffinity",
    "NotBestEffort",
    "NotTerminating",
    "PriorityClass",
    "Terminating",
  ];
  for (const s of scopes) if (!valid.includes(String(s))) errs.push(notSupported("spec.scopes", s, valid));
  return errs;
}

const LIMIT_TYPES = ["Container", "PersistentVolumeClaim", "Pod"];

export function validateLimitRange(lr: Obj): FieldError[] {
  const errs = validateObjectMeta(lr.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  arr(obj(lr, "spec"), "limits").forEach((item, i) => {
    if (!isObj(item)) return;
    const p = index("spec.limits", i);
    const type = str(item, "type");
    if (!LIMIT_TYPES.includes(type)) errs.push(notSupported(child(p, "type"), type, LIMIT_TYPES));
    for (const f of ["max", "min", "default", "defaultRequest", "maxLimitRequestRatio"]) {
      errs.push(...validateResourceList(item[f], child(p, f)));
    }
    const min = obj(item, "min") ?? {};
    const max = obj(item, "max") ?? {};
    for (const [k, v] of Object.entries(min)) {
      const lo = tryParseQuantity(v);
      const hi = Object.hasOwn(max, k) ? tryParseQuantity(max[k]) : undefined;
      if (lo && hi && lo.cmp(hi) > 0) {
        errs.push(
          invalid(
            key(child(p, "min"), k),
            lo.toString(),
            `min value ${lo.toString()} is greater than max value ${hi.toString()}`,
          ),
        );
      }
    }
    if (type === "Pod" && (item.default !== undefined || item.defaultRequest !== undefined)) {
      if (item.default !== undefined)
        errs.push(forbidden(child(p, "default"), "may not be specified when `type` is 'Pod'"));
      if (item.defaultRequest !== undefined) {
        errs.push(forbidden(child(p, "defaultRequest"), "may not be specified when `type` is 'Pod'"));
      }
    }
  });
  return errs;
}

export function validatePodTemplate(pt: Obj): FieldError[] {
  return [
    ...validateObjectMeta(pt.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain }),
    ...validatePodTemplateSpec(obj(pt, "template"), "template"),
  ];
}
