// Defaults of the core/v1 kinds, as k8s.io/kubernetes/pkg/apis/core/v1/defaults.go (Kubernetes 1.32)
// plus the admission plugins that every real cluster runs on pods (ServiceAccount, DefaultTolerationSeconds,
// Priority), so that `kubectl get -o yaml` shows what it shows on a real cluster.

import { tryParseQuantity } from "../quantity.js";
import { VOLUME_SOURCES } from "../volume-sources.js";
import {
  canonicalizeResourceList,
  child,
  clone,
  defPtr,
  defStr,
  each,
  existing,
  isObj,
  nonEmpty,
  type Obj,
} from "./util.js";

/** The canonical text of a quantity, or undefined if it does not parse. */
export function canonical(q: string | number): string | undefined {
  return tryParseQuantity(q)?.toString();
}

function canonicalizeResources(res: Obj | undefined): void {
  canonicalizeResourceList(res?.limits, canonical);
  canonicalizeResourceList(res?.requests, canonical);
}

/** The tag an image reference pulls ("latest" when it names neither tag nor digest). */
export function imageTag(image: string): { tag: string; digest: string } | undefined {
  if (!image || /\s/.test(image)) return undefined;
  const at = image.indexOf("@");
  const digest = at >= 0 ? image.slice(at + 1) : "";
  const name = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = name.lastIndexOf("/");
  const colon = name.indexOf(":", lastSlash + 1);
  let tag = colon >= 0 ? name.slice(colon + 1) : "";
  const repo = colon >= 0 ? name.slice(0, colon) : name;
  // Docker reference parsing rejects upper case in the repository (the domain part may have it).
  const path =
    repo.includes("/") && /[.:]|^localhost$/.test(repo.split("/")[0])
      ? repo.slice(repo.indexOf("/") + 1)
      : repo;
  if (/[A-Z]/.test(path) || repo === "") return undefined;
  if (!tag && !digest) tag = "latest";
  return { tag, digest };
}

/** imagePullPolicy default: Always for `:latest` or no tag, otherwise IfNotPresent. */
export function defaultPullPolicy(image: unknown): "Always" | "IfNotPresent" {
  if (typeof image !== "string") return "IfNotPresent";
  return imageTag(image)?.tag === "latest" ? "Always" : "IfNotPresent";
}

function defaultHTTPGet(h: Obj | undefined): void {
  if (!h) return;
  defStr(h, "path", "/");
  defStr(h, "scheme", "HTTP");
}

function defaultHandler(h: Obj | undefined): void {
  defaultHTTPGet(existing(h, "httpGet"));
}

export function defaultProbe(p: Obj | undefined): void {
  if (!p) return;
  defPtr(p, "timeoutSeconds", 1);
  defPtr(p, "periodSeconds", 10);
  defPtr(p, "successThreshold", 1);
  defPtr(p, "failureThreshold", 3);
  defaultHandler(p);
  const grpc = existing(p, "grpc");
  if (grpc) defPtr(grpc, "service", "");
}

function defaultEnv(c: Obj): void {
  each(c, "env", (e) => {
    const from = existing(e, "valueFrom");
    const fieldRef = existing(from, "fieldRef");
    if (fieldRef) defStr(fieldRef, "apiVersion", "v1");
    const resRef = existing(from, "resourceFieldRef");
    if (resRef) defPtr(resRef, "divisor", "0");
  });
}

export function defaultContainer(c: Obj, hostNetwork: boolean): void {
  defStr(c, "imagePullPolicy", defaultPullPolicy(c.image));
  defStr(c, "terminationMessagePath", "/dev/termination-log");
  defStr(c, "terminationMessagePolicy", "File");
  each(c, "ports", (p) => {
    defStr(p, "protocol", "TCP");
    if (hostNetwork && (p.hostPort === undefined || p.hostPort === null || p.hostPort === 0)) {
      if (p.containerPort !== undefined) p.hostPort = p.containerPort;
    }
  });
  defaultProbe(existing(c, "livenessProbe"));
  defaultProbe(existing(c, "readinessProbe"));
  defaultProbe(existing(c, "startupProbe"));
  const lifecycle = existing(c, "lifecycle");
  defaultHandler(existing(lifecycle, "postStart"));
  defaultHandler(existing(lifecycle, "preStop"));
  defaultEnv(c);
  // `resources: {}` is always shown.
  defPtr(c, "resources", {});
  canonicalizeResources(existing(c, "resources"));
}

function defaultDownwardItems(src: Obj | undefined): void {
  each(src, "items", (item) => {
    const fieldRef = existing(item, "fieldRef");
    if (fieldRef) defStr(fieldRef, "apiVersion", "v1");
    const resRef = existing(item, "resourceFieldRef");
    if (resRef) defPtr(resRef, "divisor", "0");
  });
}

export function defaultVolume(v: Obj): void {
  if (!VOLUME_SOURCES.some((s) => v[s] !== undefined && v[s] !== null)) v.emptyDir = {};
  const emptyDir = existing(v, "emptyDir");
  if (emptyDir && (typeof emptyDir.sizeLimit === "string" || typeof emptyDir.sizeLimit === "number")) {
    emptyDir.sizeLimit = canonical(emptyDir.sizeLimit) ?? emptyDir.sizeLimit;
  }
  const hostPath = existing(v, "hostPath");
  if (hostPath) defPtr(hostPath, "type", "");
  for (const s of ["secret", "configMap", "downwardAPI", "projected"]) {
    const src = existing(v, s);
    if (src) defPtr(src, "defaultMode", 420);
  }
  defaultDownwardItems(existing(v, "downwardAPI"));
  each(existing(v, "projected"), "sources", (p) => {
    defaultDownwardItems(existing(p, "downwardAPI"));
    const token = existing(p, "serviceAccountToken");
    if (token) defPtr(token, "expirationSeconds", 3600);
  });
  const iscsi = existing(v, "iscsi");
  if (iscsi) defStr(iscsi, "iscsiInterface", "default");
  const rbd = existing(v, "rbd");
  if (rbd) {
    defStr(rbd, "pool", "rbd");
    defStr(rbd, "user", "admin");
    defStr(rbd, "keyring", "/etc/ceph/keyring");
  }
  const azureDisk = existing(v, "azureDisk");
  if (azureDisk) {
    defPtr(azureDisk, "cachingMode", "ReadWrite");
    defPtr(azureDisk, "fsType", "ext4");
    defPtr(azureDisk, "readOnly", false);
    defPtr(azureDisk, "kind", "Shared");
  }
  const ephemeral = existing(v, "ephemeral");
  const claim = existing(existing(ephemeral, "volumeClaimTemplate"), "spec");
  if (claim) defaultPVCSpec(claim);
}

/** SetDefaults_PodSpec and everything below it (what a pod template gets). */
export function defaultPodSpec(spec: Obj): void {
  defStr(spec, "dnsPolicy", "ClusterFirst");
  defStr(spec, "restartPolicy", "Always");
  defPtr(spec, "securityContext", {});
  defPtr(spec, "terminationGracePeriodSeconds", 30);
  defStr(spec, "schedulerName", "default-scheduler");
  // v1 conversion keeps the deprecated serviceAccount in step with serviceAccountName.
  if (typeof spec.serviceAccountName !== "string" || spec.serviceAccountName === "") {
    if (typeof spec.serviceAccount === "string" && spec.serviceAccount !== "") {
      spec.serviceAccountName = spec.serviceAccount;
    }
  }
  if (typeof spec.serviceAccountName === "string" && spec.serviceAccountName !== "") {
    spec.serviceAccount = spec.serviceAccountName;
  }
  const hostNetwork = spec.hostNetwork === true;
  each(spec, "initContainers", (c) => defaultContainer(c, hostNetwork));
  each(spec, "containers", (c) => defaultContainer(c, hostNetwork));
  each(spec, "ephemeralContainers", (c) => {
    defStr(c, "imagePullPolicy", defaultPullPolicy(c.image));
    defStr(c, "terminationMessagePath", "/dev/termination-log");
    defStr(c, "terminationMessagePolicy", "File");
    defPtr(c, "resources", {});
  });
  each(spec, "volumes", defaultVolume);
}

/** A pod template: template metadata as Go serialises it, and the pod spec defaults. */
export function defaultPodTemplateSpec(template: Obj | undefined): void {
  if (!template) return;
  const meta = child(template, "metadata");
  if (meta && meta.creationTimestamp === undefined) meta.creationTimestamp = null;
  const spec = child(template, "spec");
  if (spec) defaultPodSpec(spec);
}

/**
 * Settings of the admission steps folded into pod defaulting, set once at start by the apiserver from its
 * flags (--default-not-ready-toleration-seconds, --default-unreachable-toleration-seconds; 300 upstream).
 */
export const admissionDefaults = { notReadyTolerationSeconds: 300, unreachableTolerationSeconds: 300 };

const NOT_READY = "node.kubernetes.io/not-ready";
const UNREACHABLE = "node.kubernetes.io/unreachable";

function hasNoExecuteToleration(tolerations: unknown[], key: string): boolean {
  return tolerations.some(
    (t) =>
      isObj(t) &&
      (t.key === key || t.key === undefined || t.key === "" || t.key === null) &&
      (t.effect === "NoExecute" || t.effect === undefined || t.effect === "" || t.effect === null),
  );
}

/** A Pod: SetDefaults_Pod, the pod spec, and the admission defaults a real cluster adds on create. */
export function defaultPod(pod: Obj): void {
  const spec = child(pod, "spec");
  if (!spec) return;
  // Requests default to limits (pods only, not templates).
  for (const key of ["containers", "initContainers"]) {
    each(spec, key, (c) => {
      const res = existing(c, "resources");
      const limits = existing(res, "limits");
      if (!res || !limits) return;
      const requests = child(res, "requests");
      if (!requests) return;
      for (const [k, v] of Object.entries(limits)) if (!(k in requests)) requests[k] = clone(v);
    });
  }
  defPtr(spec, "enableServiceLinks", true);
  defaultPodSpec(spec);
  // ServiceAccount admission.
  defStr(spec, "serviceAccountName", "default");
  spec.serviceAccount = spec.serviceAccountName;
  // DefaultTolerationSeconds admission.
  if (spec.tolerations === undefined || spec.tolerations === null) spec.tolerations = [];
  if (Array.isArray(spec.tolerations)) {
    for (const key of [NOT_READY, UNREACHABLE]) {
      if (!hasNoExecuteToleration(spec.tolerations, key)) {
        const tolerationSeconds =
          key === NOT_READY
            ? admissionDefaults.notReadyTolerationSeconds
            : admissionDefaults.unreachableTolerationSeconds;
        spec.tolerations.push({ effect: "NoExecute", key, operator: "Exists", tolerationSeconds });
      }
    }
  }
  // Priority admission (no PriorityClass named: the default priority 0).
  if (
    spec.priorityClassName === undefined ||
    spec.priorityClassName === "" ||
    spec.priorityClassName === null
  ) {
    defPtr(spec, "priority", 0);
  }
  defPtr(spec, "preemptionPolicy", "PreemptLowerPriority");
}

export function defaultPodTemplate(obj: Obj): void {
  defaultPodTemplateSpec(child(obj, "template"));
}

export function defaultService(svc: Obj): void {
  const spec = child(svc, "spec");
  if (!spec) return;
  defStr(spec, "sessionAffinity", "None");
  if (spec.sessionAffinity === "None") delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === "ClientIP") {
    const cfg = child(spec, "sessionAffinityConfig");
    const clientIP = cfg && child(cfg, "clientIP");
    if (clientIP) defPtr(clientIP, "timeoutSeconds", 10800);
  }
  defStr(spec, "type", "ClusterIP");
  each(spec, "ports", (p) => {
    defStr(p, "protocol", "TCP");
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === "") {
      p.targetPort = p.port;
    }
  });
  const type = spec.type;
  if (type === "NodePort" || type === "LoadBalancer") defStr(spec, "externalTrafficPolicy", "Cluster");
  if (type === "NodePort" || type === "LoadBalancer" || type === "ClusterIP") {
    defPtr(spec, "internalTrafficPolicy", "Cluster");
  }
  if (type === "LoadBalancer") defPtr(spec, "allocateLoadBalancerNodePorts", true);
  if (type !== "ExternalName") {
    // What the service REST storage fills in on a single-stack IPv4 cluster.
    if (typeof spec.clusterIP === "string" && spec.clusterIP !== "" && spec.clusterIPs === undefined) {
      spec.clusterIPs = [spec.clusterIP];
    }
    const headlessNoSelector = spec.clusterIP === "None" && !nonEmpty(spec.selector);
    defPtr(spec, "ipFamilyPolicy", headlessNoSelector ? "RequireDualStack" : "SingleStack");
    defPtr(spec, "ipFamilies", ["IPv4"]);
  }
}

export function defaultNamespace(ns: Obj): void {
  const meta = child(ns, "metadata");
  if (meta && typeof meta.name === "string" && meta.name !== "") {
    const labels = child(meta, "labels");
    if (labels) labels["kubernetes.io/metadata.name"] = meta.name;
  }
  const spec = child(ns, "spec");
  if (spec) defPtr(spec, "finalizers", ["kubernetes"]);
  const status = child(ns, "status");
  if (status) defStr(status, "phase", "Active");
}

export function defaultPVCSpec(spec: Obj): void {
  defPtr(spec, "volumeMode", "Filesystem");
  canonicalizeResources(existing(spec, "resources"));
}

export function defaultPVC(pvc: Obj): void {
  const spec = child(pvc, "spec");
  if (spec) defaultPVCSpec(spec);
  const status = child(pvc, "status");
  if (status) defStr(status, "phase", "Pending");
}

export function defaultPV(pv: Obj): void {
  const spec = child(pv, "spec");
  if (spec) {
    defStr(spec, "persistentVolumeReclaimPolicy", "Retain");
    canonicalizeResourceList(spec.capacity, canonical);
    defPtr(spec, "volumeMode", "Filesystem");
    const hostPath = existing(spec, "hostPath");
    if (hostPath) defPtr(hostPath, "type", "");
  }
  const status = child(pv, "status");
  if (status) defStr(status, "phase", "Pending");
}

export function defaultSecret(secret: Obj): void {
  defStr(secret, "type", "Opaque");
}

export function defaultEndpoints(ep: Obj): void {
  each(ep, "subsets", (s) => each(s, "ports", (p) => defStr(p, "protocol", "TCP")));
}

export function defaultReplicationController(rc: Obj): void {
  const spec = child(rc, "spec");
  if (!spec) return;
  const template = existing(spec, "template");
  const labels = existing(existing(template, "metadata"), "labels");
  if (labels && Object.keys(labels).length > 0) {
    if (!nonEmpty(spec.selector)) spec.selector = clone(labels);
    const meta = child(rc, "metadata");
    if (meta && !nonEmpty(meta.labels)) meta.labels = clone(labels);
  }
  defPtr(spec, "replicas", 1);
  defaultPodTemplateSpec(template);
}

export function defaultNode(node: Obj): void {
  const status = existing(node, "status");
  canonicalizeResourceList(status?.capacity, canonical);
  canonicalizeResourceList(status?.allocatable, canonical);
  if (status && isObj(status.capacity) && (status.allocatable === undefined || status.allocatable === null)) {
    status.allocatable = clone(status.capacity);
  }
}

export function defaultLimitRange(lr: Obj): void {
  each(existing(lr, "spec"), "limits", (item) => {
    for (const f of ["max", "min", "default", "defaultRequest", "maxLimitRequestRatio"]) {
      canonicalizeResourceList(item[f], canonical);
    }
    if (item.type !== "Container") return;
    const def = child(item, "default");
    const defReq = child(item, "defaultRequest");
    if (!def || !defReq) return;
    for (const [k, v] of Object.entries(existing(item, "max") ?? {})) if (!(k in def)) def[k] = clone(v);
    for (const [k, v] of Object.entries(def)) if (!(k in defReq)) defReq[k] = clone(v);
    for (const [k, v] of Object.entries(existing(item, "min") ?? {}))
      if (!(k in defReq)) defReq[k] = clone(v);
    // Go omits empty maps.
    if (Object.keys(def).length === 0) delete item.default;
    if (Object.keys(defReq).length === 0) delete item.defaultRequest;
  });
}

export function defaultResourceQuota(q: Obj): void {
  canonicalizeResourceList(existing(q, "spec")?.hard, canonical);
  const status = existing(q, "status");
  canonicalizeResourceList(status?.hard, canonical);
  canonicalizeResourceList(status?.used, canonical);
}
