// Pod and pod template validation (k8s.io/kubernetes/pkg/apis/core/validation, Kubernetes 1.32): the
// containers, ports, env, volumes and mounts, resources, probes, affinity and tolerations, with
// Kubernetes' field paths and messages.

import { quantityError, tryParseQuantity } from "../quantity.js";
import { VOLUME_SOURCES } from "../volume-sources.js";
import {
  child,
  duplicate,
  type FieldError,
  type FieldPath,
  forbidden,
  index,
  invalid,
  key,
  notFound,
  notSupported,
  required,
  struct,
} from "./field.js";
import {
  arr,
  deepEqual,
  isObj,
  num,
  type Obj,
  obj,
  str,
  validateAnnotations,
  validateLabelName,
  validateLabelSelector,
  validateLabels,
  validateNonnegative,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from "./meta.js";
import {
  inclusiveRangeError,
  isDNS1123Label,
  isDNS1123Subdomain,
  isHTTPHeaderName,
  isQualifiedName,
  isRelaxedEnvVarName,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  nameIsDNSSubdomain,
} from "./strings.js";

const MAX_INT32 = 2147483647;
const SUPPORTED_PORT_PROTOCOLS = ["SCTP", "TCP", "UDP"];
const FILE_MODE_ERROR = "must be a number between 0 and 0777 (octal), both inclusive";

export function validateDNS1123Label(value: string, path: FieldPath): FieldError[] {
  return isDNS1123Label(value).map((m) => invalid(path, value, m));
}

/** ValidatePortNumOrName for an IntOrString. */
export function validatePortNumOrName(port: unknown, path: FieldPath): FieldError[] {
  if (typeof port === "number") return isValidPortNum(port).map((m) => invalid(path, port, m));
  if (typeof port === "string") return isValidPortName(port).map((m) => invalid(path, port, m));
  return isValidPortNum(0).map((m) => invalid(path, 0, m));
}

// ---- volumes ----

const HOST_PATH_TYPES = [
  "",
  "BlockDevice",
  "CharDevice",
  "Directory",
  "DirectoryOrCreate",
  "File",
  "FileOrCreate",
  "Socket",
];

function validateMode(mode: number | undefined, path: FieldPath): FieldError[] {
  return mode !== undefined && (mode > 0o777 || mode < 0) ? [invalid(path, mode, FILE_MODE_ERROR)] : [];
}

function validateKeyToPaths(items: unknown[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  items.forEach((it, i) => {
    if (!isObj(it)) return;
    const p = index(path, i);
    if (!str(it, "key")) errs.push(required(child(p, "key")));
    if (!str(it, "path")) errs.push(required(child(p, "path")));
    errs.push(...validateLocalNonReservedPath(str(it, "path"), child(p, "path")));
    errs.push(...validateMode(num(it, "mode"), child(p, "mode")));
  });
  return errs;
}

function validateLocalDescendingPath(target: string, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (target.startsWith("/")) errs.push(invalid(path, target, "must be a relative path"));
  if (target.split("/").includes("..")) errs.push(invalid(path, target, "must not contain '..'"));
  return errs;
}

function validateLocalNonReservedPath(target: string, path: FieldPath): FieldError[] {
  const errs = validateLocalDescendingPath(target, path);
  if (target.startsWith("..")) errs.push(invalid(path, target, "must not start with '..'"));
  return errs;
}

function validateVolumeSource(v: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const present = VOLUME_SOURCES.filter((s) => v[s] !== undefined && v[s] !== null);
  if (present.length === 0) return [required(path, "must specify a volume type")];
  for (const extra of present.slice(1))
    errs.push(forbidden(child(path, extra), "may not specify more than 1 volume type"));
  const src = present[0];
  const s = obj(v, src) ?? {};
  const sp = child(path, src);
  switch (src) {
    case "hostPath":
      if (!str(s, "path")) errs.push(required(child(sp, "path")));
      if (s.type !== undefined && s.type !== null && !HOST_PATH_TYPES.includes(str(s, "type"))) {
        errs.push(notSupported(child(sp, "type"), s.type, HOST_PATH_TYPES));
      }
      break;
    case "emptyDir": {
      const medium = str(s, "medium");
      if (medium && medium !== "Memory" && !medium.startsWith("HugePages")) {
        errs.push(notSupported(child(sp, "medium"), medium, ["", "Memory", "HugePages"]));
      }
      if (s.sizeLimit !== undefined) errs.push(...validateQuantity(s.sizeLimit, child(sp, "sizeLimit")));
      break;
    }
    case "secret":
      if (!str(s, "secretName")) errs.push(required(child(sp, "secretName")));
      errs.push(...validateMode(num(s, "defaultMode"), child(sp, "defaultMode")));
      errs.push(...validateKeyToPaths(arr(s, "items"), child(sp, "items")));
      break;
    case "configMap":
      if (!str(s, "name")) errs.push(required(child(sp, "name")));
      errs.push(...validateMode(num(s, "defaultMode"), child(sp, "defaultMode")));
      errs.push(...validateKeyToPaths(arr(s, "items"), child(sp, "items")));
      break;
    case "persistentVolumeClaim":
      if (!str(s, "claimName")) errs.push(required(child(sp, "claimName")));
      break;
    case "nfs":
      if (!str(s, "server")) errs.push(required(child(sp, "server")));
      if (!str(s, "path")) errs.push(required(child(sp, "path")));
      else if (!str(s, "path").startsWith("/"))
        errs.push(invalid(child(sp, "path"), str(s, "path"), "must be an absolute path"));
      break;
    case "downwardAPI":
      errs.push(...validateMode(num(s, "defaultMode"), child(sp, "defaultMode")));
      break;
    case "projected":
      errs.push(...validateMode(num(s, "defaultMode"), child(sp, "defaultMode")));
      break;
    default:
      break;
  }
  return errs;
}

/** ValidateVolumes; returns the errors and the set of valid volume names. */
export function validateVolumes(
  volumes: unknown[],
  path: FieldPath,
): { errs: FieldError[]; names: Set<string> } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  volumes.forEach((v, i) => {
    if (!isObj(v)) return;
    const p = index(path, i);
    const namePath = child(p, "name");
    const el = validateVolumeSource(v, p);
    const name = str(v, "name");
    if (!name) el.push(required(namePath));
    else el.push(...validateDNS1123Label(name, namePath));
    if (names.has(name)) el.push(duplicate(namePath, name));
    // Only valid volumes can be mounted (an invalid one is also "not found" for its mounts).
    if (el.length === 0) names.add(name);
    else errs.push(...el);
  });
  return { errs, names };
}

// ---- containers ----

export function validateQuantity(value: unknown, path: FieldPath): FieldError[] {
  const err = quantityError(value);
  if (err) return [invalid(path, value, err)];
  const q = tryParseQuantity(value);
  if (q && q.sign() < 0) return [invalid(path, q.toString(), "must be greater than or equal to 0")];
  return [];
}

const STANDARD_CONTAINER_RESOURCES = new Set(["cpu", "memory", "ephemeral-storage"]);

function isHugePages(name: string): boolean {
  return name.startsWith("hugepages-");
}

function validateContainerResourceName(name: string, path: FieldPath): FieldError[] {
  const errs: FieldError[] = isQualifiedName(name).map((m) => invalid(path, name, m));
  if (!name.includes("/")) {
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePages(name)) {
      errs.push(invalid(path, name, "must be a standard resource for containers"));
    }
  } else if (!name.includes("kubernetes.io/") && name.startsWith("requests.")) {
    errs.push(invalid(path, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

function isOvercommitAllowed(name: string): boolean {
  return (STANDARD_CONTAINER_RESOURCES.has(name) || name.startsWith("kubernetes.io/")) && !isHugePages(name);
}

/** ValidateContainerResourceRequirements. */
export function validateResources(res: Obj | undefined, path: FieldPath): FieldError[] {
  if (!res) return [];
  const errs: FieldError[] = [];
  const limPath = child(path, "limits");
  const reqPath = child(path, "requests");
  const limits = obj(res, "limits") ?? {};
  const requests = obj(res, "requests") ?? {};
  for (const [name, value] of Object.entries(limits)) {
    const p = key(limPath, name);
    errs.push(...validateContainerResourceName(name, p));
    errs.push(...validateQuantity(value, p));
  }
  for (const [name, value] of Object.entries(requests)) {
    const p = key(reqPath, name);
    errs.push(...validateContainerResourceName(name, p));
    errs.push(...validateQuantity(value, p));
    const q = tryParseQuantity(value);
    const lim = Object.hasOwn(limits, name) ? tryParseQuantity(limits[name]) : undefined;
    if (Object.hasOwn(limits, name)) {
      if (!q || !lim) continue;
      if (q.cmp(lim) !== 0 && !isOvercommitAllowed(name)) {
        errs.push(invalid(reqPath, q.toString(), `must be equal to ${name} limit of ${lim.toString()}`));
      } else if (q.cmp(lim) > 0) {
        errs.push(
          invalid(reqPath, q.toString(), `must be less than or equal to ${name} limit of ${lim.toString()}`),
        );
      }
    } else if (!isOvercommitAllowed(name)) {
      errs.push(required(limPath, "Limit must be set for non overcommitable resources"));
    }
  }
  return errs;
}

function validateContainerPorts(ports: unknown[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((p, i) => {
    if (!isObj(p)) return;
    const ip = index(path, i);
    const name = str(p, "name");
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length > 0) for (const m of msgs) errs.push(invalid(child(ip, "name"), name, m));
      else if (names.has(name)) errs.push(duplicate(child(ip, "name"), name));
      else names.add(name);
    }
    const containerPort = num(p, "containerPort") ?? 0;
    if (containerPort === 0) errs.push(required(child(ip, "containerPort")));
    else
      for (const m of isValidPortNum(containerPort))
        errs.push(invalid(child(ip, "containerPort"), containerPort, m));
    const hostPort = num(p, "hostPort") ?? 0;
    if (hostPort !== 0)
      for (const m of isValidPortNum(hostPort)) errs.push(invalid(child(ip, "hostPort"), hostPort, m));
    const protocol = str(p, "protocol");
    if (!protocol) errs.push(required(child(ip, "protocol")));
    else if (!SUPPORTED_PORT_PROTOCOLS.includes(protocol)) {
      errs.push(notSupported(child(ip, "protocol"), protocol, SUPPORTED_PORT_PROTOCOLS));
    }
  });
  return errs;
}

const ENV_FIELD_PATHS = [
  "metadata.annotations",
  "metadata.labels",
  "metadata.name",
  "metadata.namespace",
  "metadata.uid",
  "spec.nodeName",
  "spec.serviceAccountName",
  "status.hostIP",
  "status.hostIPs",
  "status.podIP",
  "status.podIPs",
];

const ENV_RESOURCES = [
  "limits.cpu",
  "limits.ephemeral-storage",
  "limits.memory",
  "requests.cpu",
  "requests.ephemeral-storage",
  "requests.memory",
];

function validateFieldRef(ref: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const apiVersion = str(ref, "apiVersion");
  const fieldPath = str(ref, "fieldPath");
  if (!apiVersion) errs.push(required(child(path, "apiVersion")));
  if (!fieldPath) {
    errs.push(required(child(path, "fieldPath")));
    return errs;
  }
  const sub = /^(metadata\.(labels|annotations))\['([^']*)'\]$/.exec(fieldPath);
  if (sub) {
    const k = sub[3];
    const msgs = sub[2] === "labels" ? isQualifiedName(k) : isQualifiedName(k.toLowerCase());
    for (const m of msgs) errs.push(invalid(child(path, "fieldPath"), fieldPath, m));
  } else if (
    !ENV_FIELD_PATHS.includes(fieldPath) ||
    fieldPath === "metadata.labels" ||
    fieldPath === "metadata.annotations"
  ) {
    errs.push(notSupported(child(path, "fieldPath"), fieldPath, ENV_FIELD_PATHS));
  }
  return errs;
}

function validateEnv(env: unknown[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  env.forEach((e, i) => {
    if (!isObj(e)) return;
    const ip = index(path, i);
    const name = str(e, "name");
    if (!name) errs.push(required(child(ip, "name")));
    for (const m of isRelaxedEnvVarName(name)) errs.push(invalid(child(ip, "name"), name, m));
    const from = obj(e, "valueFrom");
    if (!from) return;
    const fp = child(ip, "valueFrom");
    const sources = ["fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef"].filter((s) =>
      isObj(from[s]),
    );
    if (sources.length === 0) {
      errs.push(
        invalid(
          fp,
          "",
          "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
        ),
      );
    } else if (sources.length > 1) {
      errs.push(invalid(fp, "", "may not have more than one field specified at a time"));
    }
    if (str(e, "value") && sources.length > 0)
      errs.push(invalid(fp, "", "may not be specified when `value` is not empty"));
    const fieldRef = obj(from, "fieldRef");
    if (fieldRef) errs.push(...validateFieldRef(fieldRef, child(fp, "fieldRef")));
    const resRef = obj(from, "resourceFieldRef");
    if (resRef) {
      const res = str(resRef, "resource");
      if (!res) errs.push(required(child(fp, "resourceFieldRef", "resource")));
      else if (!ENV_RESOURCES.includes(res) && !/^(limits|requests)\.hugepages-/.test(res)) {
        errs.push(notSupported(child(fp, "resourceFieldRef", "resource"), res, ENV_RESOURCES));
      }
    }
    for (const refName of ["configMapKeyRef", "secretKeyRef"]) {
      const ref = obj(from, refName);
      if (!ref) continue;
      const rp = child(fp, refName);
      if (!str(ref, "name")) errs.push(required(child(rp, "name")));
      if (!str(ref, "key")) errs.push(required(child(rp, "key")));
    }
  });
  return errs;
}

function validateVolumeMounts(mounts: unknown[], volumes: Set<string>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const mountPoints = new Set<string>();
  mounts.forEach((m, i) => {
    if (!isObj(m)) return;
    const ip = index(path, i);
    const name = str(m, "name");
    if (!name) errs.push(required(child(ip, "name")));
    if (!volumes.has(name)) errs.push(notFound(child(ip, "name"), name));
    const mountPath = str(m, "mountPath");
    if (!mountPath) errs.push(required(child(ip, "mountPath")));
    if (mountPoints.has(mountPath)) errs.push(invalid(child(ip, "mountPath"), mountPath, "must be unique"));
    mountPoints.add(mountPath);
    const subPath = str(m, "subPath");
    if (subPath) errs.push(...validateLocalDescendingPath(subPath, child(path, "subPath")));
  });
  return errs;
}

function validateHTTPGet(h: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!str(h, "path")) errs.push(required(child(path, "path")));
  errs.push(...validatePortNumOrName(h.port, child(path, "port")));
  const scheme = str(h, "scheme");
  if (scheme !== "HTTP" && scheme !== "HTTPS")
    errs.push(notSupported(child(path, "scheme"), scheme, ["HTTP", "HTTPS"]));
  arr(h, "httpHeaders").forEach((hdr, i) => {
    if (!isObj(hdr)) return;
    const n = str(hdr, "name");
    for (const m of isHTTPHeaderName(n))
      errs.push(invalid(child(index(child(path, "httpHeaders"), i), "name"), n, m));
  });
  return errs;
}

/** validateHandler: exactly one of exec, httpGet, tcpSocket, grpc (sleep for lifecycle hooks). */
function validateHandler(h: Obj, path: FieldPath, lifecycle: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const kinds = lifecycle
    ? ["exec", "httpGet", "tcpSocket", "sleep"]
    : ["exec", "httpGet", "tcpSocket", "grpc"];
  let count = 0;
  for (const k of kinds) {
    const v = obj(h, k);
    if (!v) continue;
    if (count > 0) {
      errs.push(forbidden(child(path, k), "may not specify more than 1 handler type"));
      continue;
    }
    count++;
    const p = child(path, k);
    if (k === "exec" && arr(v, "command").length === 0) errs.push(required(child(p, "command")));
    if (k === "httpGet") errs.push(...validateHTTPGet(v, p));
    if (k === "tcpSocket") errs.push(...validatePortNumOrName(v.port, child(p, "port")));
    if (k === "grpc") {
      const port = num(v, "port") ?? 0;
      for (const m of isValidPortNum(port)) errs.push(invalid(child(p, "port"), port, m));
    }
    if (k === "sleep") {
      const secs = num(v, "seconds") ?? 0;
      if (secs <= 0) errs.push(invalid(child(p, "seconds"), secs, "must be greater than 0"));
    }
  }
  if (count === 0) errs.push(required(path, "must specify a handler type"));
  return errs;
}

function validateProbe(p: Obj | undefined, path: FieldPath, mustBeOne: boolean): FieldError[] {
  if (!p) return [];
  const errs = validateHandler(p, path, false);
  for (const f of [
    "initialDelaySeconds",
    "timeoutSeconds",
    "periodSeconds",
    "successThreshold",
    "failureThreshold",
  ]) {
    errs.push(...validateNonnegative(num(p, f), child(path, f)));
  }
  const tgps = num(p, "terminationGracePeriodSeconds");
  if (tgps !== undefined && tgps <= 0) {
    errs.push(invalid(child(path, "terminationGracePeriodSeconds"), tgps, "must be greater than 0"));
  }
  const success = num(p, "successThreshold");
  if (mustBeOne && success !== undefined && success !== 1)
    errs.push(invalid(child(path, "successThreshold"), success, "must be 1"));
  return errs;
}

function validateContainerCommon(c: Obj, volumes: Set<string>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(c, "name");
  if (!name) errs.push(required(child(path, "name")));
  else errs.push(...validateDNS1123Label(name, child(path, "name")));
  if (!str(c, "image")) errs.push(required(child(path, "image")));
  const tmp = str(c, "terminationMessagePolicy");
  if (!tmp) {
    errs.push(required(child(path, "terminationMessagePolicy"), "must be 'File' or 'FallbackToLogsOnError'"));
  } else if (tmp !== "File" && tmp !== "FallbackToLogsOnError") {
    errs.push(
      invalid(child(path, "terminationMessagePolicy"), tmp, "must be 'File' or 'FallbackToLogsOnError'"),
    );
  }
  errs.push(...validateContainerPorts(arr(c, "ports"), child(path, "ports")));
  errs.push(...validateEnv(arr(c, "env"), child(path, "env")));
  errs.push(...validateVolumeMounts(arr(c, "volumeMounts"), volumes, child(path, "volumeMounts")));
  const pull = str(c, "imagePullPolicy");
  if (!pull) errs.push(required(child(path, "imagePullPolicy")));
  else if (!["Always", "IfNotPresent", "Never"].includes(pull)) {
    errs.push(notSupported(child(path, "imagePullPolicy"), pull, ["Always", "IfNotPresent", "Never"]));
  }
  errs.push(...validateResources(obj(c, "resources"), child(path, "resources")));
  return errs;
}

function validateLifecycle(l: Obj | undefined, path: FieldPath): FieldError[] {
  if (!l) return [];
  const errs: FieldError[] = [];
  for (const hook of ["postStart", "preStop"]) {
    const h = obj(l, hook);
    if (h) errs.push(...validateHandler(h, child(path, hook), true));
  }
  return errs;
}

function validateContainers(containers: unknown[], volumes: Set<string>, path: FieldPath): FieldError[] {
  if (containers.length === 0) return [required(path)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  containers.forEach((c, i) => {
    if (!isObj(c)) return;
    const p = index(path, i);
    errs.push(...validateContainerCommon(c, volumes, p));
    const name = str(c, "name");
    if (names.has(name)) errs.push(duplicate(child(p, "name"), name));
    else names.add(name);
    errs.push(...validateLifecycle(obj(c, "lifecycle"), child(p, "lifecycle")));
    errs.push(...validateProbe(obj(c, "livenessProbe"), child(p, "livenessProbe"), true));
    errs.push(...validateProbe(obj(c, "readinessProbe"), child(p, "readinessProbe"), false));
    errs.push(...validateProbe(obj(c, "startupProbe"), child(p, "startupProbe"), true));
    if (c.restartPolicy !== undefined && c.restartPolicy !== null) {
      errs.push(forbidden(child(p, "restartPolicy"), "may not be set for non-init containers"));
    }
  });
  return errs;
}

function validateInitContainers(
  inits: unknown[],
  containers: unknown[],
  volumes: Set<string>,
  path: FieldPath,
): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>(containers.filter(isObj).map((c) => str(c, "name")));
  inits.forEach((c, i) => {
    if (!isObj(c)) return;
    const p = index(path, i);
    errs.push(...validateContainerCommon(c, volumes, p));
    const name = str(c, "name");
    if (names.has(name)) errs.push(duplicate(child(p, "name"), name));
    else names.add(name);
    const restartPolicy = c.restartPolicy;
    const sidecar = restartPolicy === "Always";
    if (restartPolicy !== undefined && restartPolicy !== null && !sidecar) {
      errs.push(notSupported(child(p, "restartPolicy"), restartPolicy, ["Always"]));
    }
    if (sidecar) {
      errs.push(...validateLifecycle(obj(c, "lifecycle"), child(p, "lifecycle")));
      errs.push(...validateProbe(obj(c, "livenessProbe"), child(p, "livenessProbe"), true));
      errs.push(...validateProbe(obj(c, "readinessProbe"), child(p, "readinessProbe"), false));
      errs.push(...validateProbe(obj(c, "startupProbe"), child(p, "startupProbe"), true));
    } else {
      for (const f of ["lifecycle", "livenessProbe", "readinessProbe", "startupProbe"]) {
        if (c[f] !== undefined && c[f] !== null) {
          errs.push(
            forbidden(child(p, f), "may not be set for init containers without restartPolicy=Always"),
          );
        }
      }
    }
  });
  return errs;
}

// ---- scheduling: affinity and tolerations ----

/** ValidateNodeSelectorRequirement. */
export function validateNodeSelectorRequirement(
  rq: Obj,
  path: FieldPath,
  allowInvalidValues: boolean,
): FieldError[] {
  const errs: FieldError[] = [];
  const values = arr(rq, "values");
  switch (rq.operator) {
    case "In":
    case "NotIn":
      if (values.length === 0)
        errs.push(required(child(path, "values"), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case "Exists":
    case "DoesNotExist":
      if (values.length > 0) {
        errs.push(
          forbidden(
            child(path, "values"),
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
          ),
        );
      }
      break;
    case "Gt":
    case "Lt":
      if (values.length !== 1) {
        errs.push(
          required(child(path, "values"), "must be specified single value when `operator` is 'Lt' or 'Gt'"),
        );
      }
      break;
    default:
      errs.push(invalid(child(path, "operator"), rq.operator ?? "", "not a valid selector operator"));
  }
  errs.push(...validateLabelName(str(rq, "key"), child(path, "key")));
  if (!allowInvalidValues) {
    values.forEach((v, i) => {
      const value = typeof v === "string" ? v : String(v);
      for (const m of isValidLabelValue(value)) errs.push(invalid(index(child(path, "values"), i), value, m));
    });
  }
  return errs;
}

function validateNodeFieldSelectorRequirement(rq: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const values = arr(rq, "values");
  if (rq.operator === "In" || rq.operator === "NotIn") {
    if (values.length !== 1) {
      errs.push(
        required(
          child(path, "values"),
          "must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
        ),
      );
    }
  } else {
    errs.push(invalid(child(path, "operator"), rq.operator ?? "", "not a valid selector operator"));
  }
  if (str(rq, "key") !== "metadata.name") {
    errs.push(invalid(child(path, "key"), str(rq, "key"), "not a valid field selector key"));
  } else {
    values.forEach((v, i) => {
      const value = String(v);
      for (const m of isDNS1123Subdomain(value))
        errs.push(invalid(index(child(path, "values"), i), value, m));
    });
  }
  return errs;
}

export function validateNodeSelectorTerm(
  term: Obj,
  path: FieldPath,
  allowInvalidValues: boolean,
): FieldError[] {
  const errs: FieldError[] = [];
  arr(term, "matchExpressions").forEach((rq, j) => {
    if (isObj(rq))
      errs.push(
        ...validateNodeSelectorRequirement(rq, index(child(path, "matchExpressions"), j), allowInvalidValues),
      );
  });
  arr(term, "matchFields").forEach((rq, j) => {
    if (isObj(rq))
      errs.push(...validateNodeFieldSelectorRequirement(rq, index(child(path, "matchFields"), j)));
  });
  return errs;
}

function validateNodeAffinity(na: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const req = obj(na, "requiredDuringSchedulingIgnoredDuringExecution");
  if (req) {
    const rp = child(path, "requiredDuringSchedulingIgnoredDuringExecution");
    const terms = arr(req, "nodeSelectorTerms");
    const tp = child(rp, "nodeSelectorTerms");
    if (terms.length === 0) errs.push(required(tp, "must have at least one node selector term"));
    terms.forEach((t, i) => {
      if (isObj(t)) errs.push(...validateNodeSelectorTerm(t, index(tp, i), true));
    });
  }
  const pp = child(path, "preferredDuringSchedulingIgnoredDuringExecution");
  arr(na, "preferredDuringSchedulingIgnoredDuringExecution").forEach((t, i) => {
    if (!isObj(t)) return;
    const weight = num(t, "weight") ?? 0;
    if (weight <= 0 || weight > 100)
      errs.push(invalid(child(index(pp, i), "weight"), weight, "must be in the range 1-100"));
    errs.push(
      ...validateNodeSelectorTerm(obj(t, "preference") ?? {}, child(index(pp, i), "preference"), false),
    );
  });
  return errs;
}

function validatePodAffinityTerm(term: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateLabelSelector(term.labelSelector, child(path, "labelSelector")));
  errs.push(...validateLabelSelector(term.namespaceSelector, child(path, "namespaceSelector")));
  for (const ns of arr(term, "namespaces")) {
    const name = String(ns);
    for (const m of isDNS1123Label(name)) errs.push(invalid(child(path, "namespace"), name, m));
  }
  const topologyKey = str(term, "topologyKey");
  if (!topologyKey) errs.push(required(child(path, "topologyKey"), "can not be empty"));
  else errs.push(...validateLabelName(topologyKey, child(path, "topologyKey")));
  return errs;
}

function validatePodAffinity(pa: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const rp = child(path, "requiredDuringSchedulingIgnoredDuringExecution");
  arr(pa, "requiredDuringSchedulingIgnoredDuringExecution").forEach((t, i) => {
    if (isObj(t)) errs.push(...validatePodAffinityTerm(t, index(rp, i)));
  });
  const pp = child(path, "preferredDuringSchedulingIgnoredDuringExecution");
  arr(pa, "preferredDuringSchedulingIgnoredDuringExecution").forEach((t, i) => {
    if (!isObj(t)) return;
    const weight = num(t, "weight") ?? 0;
    if (weight <= 0 || weight > 100)
      errs.push(invalid(child(index(pp, i), "weight"), weight, "must be in the range 1-100"));
    errs.push(
      ...validatePodAffinityTerm(obj(t, "podAffinityTerm") ?? {}, child(index(pp, i), "podAffinityTerm")),
    );
  });
  return errs;
}

export function validateAffinity(affinity: Obj | undefined, path: FieldPath): FieldError[] {
  if (!affinity) return [];
  const errs: FieldError[] = [];
  const na = obj(affinity, "nodeAffinity");
  if (na) errs.push(...validateNodeAffinity(na, child(path, "nodeAffinity")));
  const pa = obj(affinity, "podAffinity");
  if (pa) errs.push(...validatePodAffinity(pa, child(path, "podAffinity")));
  const paa = obj(affinity, "podAntiAffinity");
  if (paa) errs.push(...validatePodAffinity(paa, child(path, "podAntiAffinity")));
  return errs;
}

const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

export function validateTolerations(tolerations: unknown[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  tolerations.forEach((t, i) => {
    if (!isObj(t)) return;
    const p = index(path, i);
    const k = str(t, "key");
    const op = str(t, "operator");
    const effect = str(t, "effect");
    if (k) errs.push(...validateLabelName(k, child(p, "key")));
    if (!k && op !== "Exists") {
      errs.push(
        invalid(
          child(p, "operator"),
          op,
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && effect !== "NoExecute") {
      errs.push(
        invalid(child(p, "effect"), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"),
      );
    }
    switch (op) {
      case "Equal":
      case "": {
        const msgs = isValidLabelValue(str(t, "value"));
        if (msgs.length > 0) errs.push(invalid(child(p, "operator"), str(t, "value"), msgs.join(";")));
        break;
      }
      case "Exists":
        if (str(t, "value"))
          errs.push(
            invalid(child(p, "operator"), struct(t), "value must be empty when `operator` is 'Exists'"),
          );
        break;
      default:
        errs.push(notSupported(child(p, "operator"), op, ["Equal", "Exists"]));
    }
    if (effect && !TAINT_EFFECTS.includes(effect))
      errs.push(notSupported(child(p, "effect"), effect, TAINT_EFFECTS));
  });
  return errs;
}

// ---- pod spec ----

const RESTART_POLICIES = ["Always", "OnFailure", "Never"];
const DNS_POLICIES = ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"];

export function validatePodSpec(spec: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const { errs: volErrs, names } = validateVolumes(arr(spec, "volumes"), child(path, "volumes"));
  errs.push(...volErrs);
  errs.push(...validateContainers(arr(spec, "containers"), names, child(path, "containers")));
  errs.push(
    ...validateInitContainers(
      arr(spec, "initContainers"),
      arr(spec, "containers"),
      names,
      child(path, "initContainers"),
    ),
  );
  const restart = str(spec, "restartPolicy");
  if (!restart) errs.push(required(child(path, "restartPolicy")));
  else if (!RESTART_POLICIES.includes(restart))
    errs.push(notSupported(child(path, "restartPolicy"), restart, RESTART_POLICIES));
  const dns = str(spec, "dnsPolicy");
  if (!dns) errs.push(required(child(path, "dnsPolicy")));
  else if (!DNS_POLICIES.includes(dns)) errs.push(notSupported(child(path, "dnsPolicy"), dns, DNS_POLICIES));
  errs.push(...validateLabels(spec.nodeSelector, child(path, "nodeSelector")));
  errs.push(...validateAffinity(obj(spec, "affinity"), child(path, "affinity")));
  const sa = str(spec, "serviceAccountName");
  if (sa)
    for (const m of nameIsDNSSubdomain(sa, false))
      errs.push(invalid(child(path, "serviceAccountName"), sa, m));
  const nodeName = str(spec, "nodeName");
  if (nodeName)
    for (const m of nameIsDNSSubdomain(nodeName, false))
      errs.push(invalid(child(path, "nodeName"), nodeName, m));
  const ads = num(spec, "activeDeadlineSeconds");
  if (ads !== undefined && (ads < 1 || ads > MAX_INT32)) {
    errs.push(invalid(child(path, "activeDeadlineSeconds"), ads, inclusiveRangeError(1, MAX_INT32)));
  }
  const hostname = str(spec, "hostname");
  if (hostname) errs.push(...validateDNS1123Label(hostname, child(path, "hostname")));
  const subdomain = str(spec, "subdomain");
  if (subdomain) errs.push(...validateDNS1123Label(subdomain, child(path, "subdomain")));
  errs.push(...validateTolerations(arr(spec, "tolerations"), child(path, "tolerations")));
  const pcn = str(spec, "priorityClassName");
  if (pcn)
    for (const m of nameIsDNSSubdomain(pcn, false))
      errs.push(invalid(child(path, "priorityClassName"), pcn, m));
  const pp = spec.preemptionPolicy;
  if (pp !== undefined && pp !== null && pp !== "PreemptLowerPriority" && pp !== "Never") {
    errs.push(notSupported(child(path, "preemptionPolicy"), pp, ["Never", "PreemptLowerPriority"]));
  }
  return errs;
}

/** ValidatePodTemplateSpec (note: its labels are checked at `<path>.labels`, as upstream does). */
export function validatePodTemplateSpec(template: Obj | undefined, path: FieldPath): FieldError[] {
  if (!template) return [required(path)];
  const meta = obj(template, "metadata") ?? {};
  const errs: FieldError[] = [];
  errs.push(...validateLabels(meta.labels, child(path, "labels")));
  errs.push(...validateAnnotations(meta.annotations, child(path, "annotations")));
  errs.push(...validatePodSpec(obj(template, "spec") ?? {}, child(path, "spec")));
  if (arr(obj(template, "spec"), "ephemeralContainers").length > 0) {
    errs.push(
      forbidden(
        child(path, "spec", "ephemeralContainers"),
        "ephemeral containers not allowed in pod template",
      ),
    );
  }
  return errs;
}

export function validatePod(pod: Obj): FieldError[] {
  return [
    ...validateObjectMeta(pod.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain }),
    ...validatePodSpec(obj(pod, "spec") ?? {}, "spec"),
  ];
}

const POD_UPDATE_FORBIDDEN =
  "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

/** The pod spec with the fields a pod update may change masked out (images, deadline, tolerations, gates). */
function maskMutable(spec: Obj, old: Obj): Obj {
  const copy = JSON.parse(JSON.stringify(spec)) as Obj;
  for (const list of ["containers", "initContainers"]) {
    const cs = copy[list];
    const oldCs = arr(old, list);
    if (Array.isArray(cs)) {
      cs.forEach((c, i) => {
        if (isObj(c) && isObj(oldCs[i])) c.image = (oldCs[i] as Obj).image;
      });
    }
  }
  copy.activeDeadlineSeconds = old.activeDeadlineSeconds;
  copy.tolerations = old.tolerations;
  copy.schedulingGates = old.schedulingGates;
  copy.terminationGracePeriodSeconds = old.terminationGracePeriodSeconds;
  // Binding sets nodeName once.
  if (!old.nodeName) copy.nodeName = old.nodeName;
  return copy;
}

export function validatePodUpdate(pod: Obj, old: Obj): FieldError[] {
  const errs: FieldError[] = validateObjectMetaUpdate(pod.metadata, old.metadata);
  const spec = obj(pod, "spec") ?? {};
  const oldSpec = obj(old, "spec") ?? {};
  errs.push(...validatePodSpec(spec, "spec"));
  if (!deepEqual(maskMutable(spec, oldSpec), oldSpec)) errs.push(forbidden("spec", POD_UPDATE_FORBIDDEN));
  const oldTolerations = arr(oldSpec, "tolerations");
  const newTolerations = arr(spec, "tolerations");
  for (const t of oldTolerations) {
    if (!newTolerations.some((n) => deepEqual(n, t))) {
      errs.push(
        forbidden("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds"),
      );
      break;
    }
  }
  return errs;
}
