// Validation of the smaller groups' kinds: HPA, Ingress, IngressClass, NetworkPolicy, PDB, RBAC,
// StorageClass, PriorityClass, Lease, EndpointSlice (their pkg/apis/<group>/validation, 1.32).
import {
  child,
  type FieldError,
  type FieldPath,
  forbidden,
  index,
  invalid,
  notSupported,
  required,
} from "./field.js";
import {
  arr,
  isObj,
  num,
  type Obj,
  obj,
  str,
  validateImmutable,
  validateLabelSelector,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from "./meta.js";
import { validatePortNumOrName } from "./pod.js";
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isValidPercent,
  isWildcardDNS1123Subdomain,
  type NameValidator,
  nameIsDNSSubdomain,
  validatePathSegmentName,
} from "./strings.js";

function meta(o: Obj, namespaced: boolean, nameFn: NameValidator = nameIsDNSSubdomain): FieldError[] {
  return validateObjectMeta(o.metadata, { namespaced, nameFn });
}

// ---- autoscaling ----

export function validateHPA(hpa: Obj): FieldError[] {
  const errs = meta(hpa, true);
  const spec = obj(hpa, "spec") ?? {};
  const ref = obj(spec, "scaleTargetRef") ?? {};
  const rp = "spec.scaleTargetRef";
  if (!str(ref, "kind")) errs.push(required(child(rp, "kind")));
  else
    for (const m of validatePathSegmentName(str(ref, "kind"), false))
      errs.push(invalid(child(rp, "kind"), str(ref, "kind"), m));
  if (!str(ref, "name")) errs.push(required(child(rp, "name")));
  else
    for (const m of validatePathSegmentName(str(ref, "name"), false))
      errs.push(invalid(child(rp, "name"), str(ref, "name"), m));
  const min = num(spec, "minReplicas");
  const max = num(spec, "maxReplicas") ?? 0;
  if (min !== undefined && min < 1)
    errs.push(invalid("spec.minReplicas", min, "must be greater than or equal to 1"));
  if (max < 1) errs.push(invalid("spec.maxReplicas", max, "must be greater than 0"));
  if (min !== undefined && max < min)
    errs.push(invalid("spec.maxReplicas", max, "must be greater than or equal to `minReplicas`"));
  const target = num(spec, "targetCPUUtilizationPercentage");
  if (target !== undefined && target < 1) {
    errs.push(invalid("spec.targetCPUUtilizationPercentage", target, "must be greater than or equal to 1"));
  }
  arr(spec, "metrics").forEach((m, i) => {
    if (!isObj(m)) return;
    const p = index("spec.metrics", i);
    const type = str(m, "type");
    const types = ["ContainerResource", "External", "Object", "Pods", "Resource"];
    if (!type) errs.push(required(child(p, "type"), "must specify a metric source type"));
    else if (!types.includes(type)) errs.push(notSupported(child(p, "type"), type, types));
  });
  return errs;
}

// ---- networking ----

const PATH_TYPES = ["Exact", "ImplementationSpecific", "Prefix"];

function validateIngressBackend(b: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const svc = obj(b, "service");
  const res = obj(b, "resource");
  if (svc && res) errs.push(invalid(path, "", "cannot set both resource and service backends"));
  else if (!svc && !res) errs.push(invalid(path, "", "resource or service backend is required"));
  if (svc) {
    const name = str(svc, "name");
    for (const m of isDNS1123Label(name)) errs.push(invalid(child(path, "service", "name"), name, m));
    const port = obj(svc, "port") ?? {};
    const hasNum = num(port, "number") !== undefined && num(port, "number") !== 0;
    const hasName = str(port, "name") !== "";
    if (hasNum && hasName)
      errs.push(invalid(child(path, "service", "port"), "", "cannot set both port name & port number"));
    else if (hasNum)
      errs.push(...validatePortNumOrName(num(port, "number"), child(path, "service", "port", "number")));
    else if (hasName)
      errs.push(...validatePortNumOrName(str(port, "name"), child(path, "service", "port", "name")));
    else errs.push(required(child(path, "service", "port"), "port name or number is required"));
  }
  return errs;
}

export function validateIngress(ing: Obj): FieldError[] {
  const errs = meta(ing, true);
  const spec = obj(ing, "spec") ?? {};
  const rules = arr(spec, "rules").filter(isObj);
  const def = obj(spec, "defaultBackend");
  if (def) errs.push(...validateIngressBackend(def, "spec.defaultBackend"));
  else if (rules.length === 0)
    errs.push(invalid("spec.rules", [], "either `defaultBackend` or `rules` must be specified"));
  rules.forEach((r, i) => {
    const rp = index("spec.rules", i);
    const host = str(r, "host");
    if (host) {
      const msgs = host.includes("*") ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
      for (const m of msgs) errs.push(invalid(child(rp, "host"), host, m));
    }
    const http = obj(r, "http");
    if (!http) return;
    const paths = arr(http, "paths").filter(isObj);
    if (paths.length === 0) errs.push(required(child(rp, "http", "paths")));
    paths.forEach((p, j) => {
      const pp = index(child(rp, "http", "paths"), j);
      const pathType = p.pathType;
      if (pathType === undefined || pathType === null || pathType === "")
        errs.push(required(child(pp, "pathType"), "pathType must be specified"));
      else if (!PATH_TYPES.includes(String(pathType)))
        errs.push(notSupported(child(pp, "pathType"), pathType, PATH_TYPES));
      const path = str(p, "path");
      if ((pathType === "Exact" || pathType === "Prefix") && !path.startsWith("/")) {
        errs.push(invalid(child(pp, "path"), path, "must be an absolute path"));
      }
      const backend = obj(p, "backend");
      if (backend) errs.push(...validateIngressBackend(backend, child(pp, "backend")));
      else errs.push(required(child(pp, "backend")));
    });
  });
  return errs;
}

export function validateIngressClass(ic: Obj): FieldError[] {
  const errs = meta(ic, false);
  const controller = str(obj(ic, "spec"), "controller");
  if (!controller) errs.push(required("spec.controller"));
  return errs;
}

export function validateIngressClassUpdate(ic: Obj, old: Obj): FieldError[] {
  return [
    ...validateObjectMetaUpdate(ic.metadata, old.metadata),
    ...validateImmutable(
      str(obj(ic, "spec"), "controller"),
      str(obj(old, "spec"), "controller"),
      "spec.controller",
    ),
  ];
}

export function validateNetworkPolicy(np: Obj): FieldError[] {
  const errs = meta(np, true);
  const spec = obj(np, "spec") ?? {};
  errs.push(...validateLabelSelector(spec.podSelector, "spec.podSelector"));
  for (const dir of ["ingress", "egress"]) {
    arr(spec, dir).forEach((rule, i) => {
      if (!isObj(rule)) return;
      const rp = index(child("spec", dir), i);
      arr(rule, "ports").forEach((port, j) => {
        if (!isObj(port)) return;
        const pp = index(child(rp, "ports"), j);
        const protocol = port.protocol;
        if (
          protocol !== undefined &&
          protocol !== null &&
          !["SCTP", "TCP", "UDP"].includes(String(protocol))
        ) {
          errs.push(notSupported(child(pp, "protocol"), protocol, ["SCTP", "TCP", "UDP"]));
        }
        if (port.port !== undefined && port.port !== null)
          errs.push(...validatePortNumOrName(port.port, child(pp, "port")));
      });
      const peers = dir === "ingress" ? "from" : "to";
      arr(rule, peers).forEach((peer, j) => {
        if (!isObj(peer)) return;
        const pp = index(child(rp, peers), j);
        errs.push(...validateLabelSelector(peer.podSelector, child(pp, "podSelector")));
        errs.push(...validateLabelSelector(peer.namespaceSelector, child(pp, "namespaceSelector")));
        const n = ["podSelector", "namespaceSelector", "ipBlock"].filter((k) => isObj(peer[k])).length;
        if (n === 0) errs.push(required(pp, "must specify a peer"));
        if (isObj(peer.ipBlock) && n > 1)
          errs.push(forbidden(pp, "may not specify both ipBlock and another peer"));
      });
    });
  }
  const types = ["Egress", "Ingress"];
  for (const t of arr(spec, "policyTypes"))
    if (!types.includes(String(t))) errs.push(notSupported("spec.policyTypes", t, types));
  return errs;
}

export function validateEndpointSlice(es: Obj): FieldError[] {
  const errs = meta(es, true);
  const at = str(es, "addressType");
  const types = ["FQDN", "IPv4", "IPv6"];
  if (!at) errs.push(required("addressType"));
  else if (!types.includes(at)) errs.push(notSupported("addressType", at, types));
  arr(es, "endpoints").forEach((ep, i) => {
    if (!isObj(ep)) return;
    const addrs = arr(ep, "addresses");
    if (addrs.length === 0)
      errs.push(required(child(index("endpoints", i), "addresses"), "must contain at least 1 address"));
  });
  return errs;
}

// ---- policy ----

export function validatePDB(pdb: Obj): FieldError[] {
  const errs = meta(pdb, true);
  const spec = obj(pdb, "spec") ?? {};
  const hasMin = spec.minAvailable !== undefined && spec.minAvailable !== null;
  const hasMax = spec.maxUnavailable !== undefined && spec.maxUnavailable !== null;
  if (hasMin && hasMax)
    errs.push(invalid("spec", spec, "minAvailable and maxUnavailable cannot be both set"));
  for (const f of ["minAvailable", "maxUnavailable"]) {
    const v = spec[f];
    if (typeof v === "string") for (const m of isValidPercent(v)) errs.push(invalid(child("spec", f), v, m));
    if (typeof v === "number" && v < 0)
      errs.push(invalid(child("spec", f), v, "must be greater than or equal to 0"));
  }
  errs.push(...validateLabelSelector(spec.selector, "spec.selector"));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (policy !== undefined && policy !== null && policy !== "IfHealthyBudget" && policy !== "AlwaysAllow") {
    errs.push(notSupported("spec.unhealthyPodEvictionPolicy", policy, ["AlwaysAllow", "IfHealthyBudget"]));
  }
  return errs;
}

// ---- rbac ----

function validatePolicyRules(rules: unknown[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  rules.forEach((r, i) => {
    if (!isObj(r)) return;
    const p = index(path, i);
    if (arr(r, "verbs").length === 0)
      errs.push(required(child(p, "verbs"), "verbs must contain at least one value"));
    if (arr(r, "nonResourceURLs").length > 0) {
      if (arr(r, "apiGroups").length > 0 || arr(r, "resources").length > 0) {
        errs.push(
          invalid(
            child(p, "nonResourceURLs"),
            arr(r, "nonResourceURLs"),
            "rules cannot apply to both regular resources and non-resource URLs",
          ),
        );
      }
      return;
    }
    if (arr(r, "apiGroups").length === 0) {
      errs.push(required(child(p, "apiGroups"), "resource rules must supply at least one api group"));
    }
    if (arr(r, "resources").length === 0)
      errs.push(required(child(p, "resources"), "resource rules must supply at least one resource"));
  });
  return errs;
}

export function validateRole(role: Obj, namespaced: boolean): FieldError[] {
  return [
    ...meta(role, namespaced, validatePathSegmentName),
    ...validatePolicyRules(arr(role, "rules"), "rules"),
  ];
}

export function validateRoleBinding(rb: Obj, namespaced: boolean): FieldError[] {
  const errs = meta(rb, namespaced, validatePathSegmentName);
  const ref = obj(rb, "roleRef") ?? {};
  if (str(ref, "apiGroup") !== "rbac.authorization.k8s.io") {
    errs.push(notSupported("roleRef.apiGroup", str(ref, "apiGroup"), ["rbac.authorization.k8s.io"]));
  }
  const kinds = namespaced ? ["ClusterRole", "Role"] : ["ClusterRole"];
  if (!kinds.includes(str(ref, "kind"))) errs.push(notSupported("roleRef.kind", str(ref, "kind"), kinds));
  if (!str(ref, "name")) errs.push(required("roleRef.name"));
  else
    for (const m of validatePathSegmentName(str(ref, "name"), false))
      errs.push(invalid("roleRef.name", str(ref, "name"), m));
  arr(rb, "subjects").forEach((s, i) => {
    if (!isObj(s)) return;
    const p = index("subjects", i);
    const name = str(s, "name");
    if (!name) errs.push(required(child(p, "name")));
    const kind = str(s, "kind");
    switch (kind) {
      case "ServiceAccount":
        if (name)
          for (const m of nameIsDNSSubdomain(name, false)) errs.push(invalid(child(p, "name"), name, m));
        if (str(s, "apiGroup")) errs.push(notSupported(child(p, "apiGroup"), str(s, "apiGroup"), [""]));
        if (!namespaced && !str(s, "namespace")) errs.push(required(child(p, "namespace")));
        break;
      case "User":
      case "Group":
        if (str(s, "apiGroup") !== "rbac.authorization.k8s.io") {
          errs.push(notSupported(child(p, "apiGroup"), str(s, "apiGroup"), ["rbac.authorization.k8s.io"]));
        }
        break;
      default:
        errs.push(notSupported(child(p, "kind"), kind, ["ServiceAccount", "User", "Group"]));
    }
  });
  return errs;
}

export function validateRoleBindingUpdate(rb: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(rb.metadata, old.metadata);
  if (validateImmutable(rb.roleRef, old.roleRef, "roleRef").length > 0) {
    errs.push(invalid("roleRef", rb.roleRef ?? null, "cannot change roleRef"));
  }
  return errs;
}

// ---- storage, scheduling, coordination ----

export function validateStorageClass(sc: Obj): FieldError[] {
  const errs = meta(sc, false);
  const provisioner = str(sc, "provisioner");
  if (!provisioner) errs.push(required("provisioner"));
  const policy = sc.reclaimPolicy;
  if (policy !== undefined && policy !== null && !["Delete", "Retain"].includes(String(policy))) {
    errs.push(notSupported("reclaimPolicy", policy, ["Delete", "Retain"]));
  }
  const mode = sc.volumeBindingMode;
  if (mode !== undefined && mode !== null && !["Immediate", "WaitForFirstConsumer"].includes(String(mode))) {
    errs.push(notSupported("volumeBindingMode", mode, ["Immediate", "WaitForFirstConsumer"]));
  }
  return errs;
}

export function validateStorageClassUpdate(sc: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(sc.metadata, old.metadata);
  if (validateImmutable(sc.parameters, old.parameters, "parameters").length > 0) {
    errs.push(forbidden("parameters", "updates to parameters are forbidden."));
  }
  if (str(sc, "provisioner") !== str(old, "provisioner")) {
    errs.push(forbidden("provisioner", "updates to provisioner are forbidden."));
  }
  if (validateImmutable(sc.reclaimPolicy, old.reclaimPolicy, "reclaimPolicy").length > 0) {
    errs.push(forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."));
  }
  errs.push(...validateImmutable(sc.volumeBindingMode, old.volumeBindingMode, "volumeBindingMode"));
  return errs;
}

const HIGHEST_USER_PRIORITY = 1000000000;

export function validatePriorityClass(pc: Obj): FieldError[] {
  const errs = meta(pc, false);
  const name = str(obj(pc, "metadata"), "name");
  const value = num(pc, "value") ?? 0;
  if (name.startsWith("system-") && name !== "system-cluster-critical" && name !== "system-node-critical") {
    errs.push(
      forbidden(
        "metadata.name",
        "priority class names with 'system-' prefix are reserved for system use only",
      ),
    );
  }
  if (value > HIGHEST_USER_PRIORITY && !name.startsWith("system-")) {
    errs.push(
      forbidden("value", `maximum allowed value of a user defined priority is ${HIGHEST_USER_PRIORITY}`),
    );
  }
  const pp = pc.preemptionPolicy;
  if (pp !== undefined && pp !== null && pp !== "PreemptLowerPriority" && pp !== "Never") {
    errs.push(notSupported("preemptionPolicy", pp, ["Never", "PreemptLowerPriority"]));
  }
  return errs;
}

export function validatePriorityClassUpdate(pc: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(pc.metadata, old.metadata);
  if ((num(pc, "value") ?? 0) !== (num(old, "value") ?? 0)) {
    errs.push(forbidden("value", "may not be changed in an update."));
  }
  errs.push(...validateImmutable(pc.preemptionPolicy, old.preemptionPolicy, "preemptionPolicy"));
  return errs;
}

export function validateLease(lease: Obj): FieldError[] {
  const errs = meta(lease, true);
  const spec = obj(lease, "spec") ?? {};
  const duration = num(spec, "leaseDurationSeconds");
  if (duration !== undefined && duration <= 0)
    errs.push(invalid("spec.leaseDurationSeconds", duration, "must be greater than 0"));
  const transitions = num(spec, "leaseTransitions");
  if (transitions !== undefined && transitions < 0) {
    errs.push(invalid("spec.leaseTransitions", transitions, "must be greater than or equal to 0"));
  }
  return errs;
}

/** Validation that only checks metadata (kinds without spec rules). */
export function metaOnly(namespaced: boolean, nameFn: NameValidator = nameIsDNSSubdomain) {
  return (o: Obj): FieldError[] => meta(o, namespaced, nameFn);
}
