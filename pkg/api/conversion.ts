// Schema conversions between a served beta version and its v1 storage version, where they differ beyond
// apiVersion. Ingress: v1beta1 names a backend by `serviceName`/`servicePort` and has `spec.backend`;
// v1 has `service: {name, port: {number|name}}` and `spec.defaultBackend`. DaemonSet: extensions/v1beta1
// has `spec.templateGeneration`, which apps/v1 keeps in an annotation. Event: events.k8s.io/v1 renames
// core/v1's fields (stored as core/v1, as kube-apiserver does). Pure; the input is not modified.
import type { KubeObject } from "./types.js";

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function backendToV1(b: unknown): unknown {
  if (!isObj(b)) return b;
  const { serviceName, servicePort, ...rest } = b;
  if (serviceName === undefined && servicePort === undefined) return rest;
  const port =
    typeof servicePort === "number"
      ? { number: servicePort }
      : typeof servicePort === "string" && /^[0-9]+$/.test(servicePort)
        ? { number: Number(servicePort) }
        : servicePort === undefined
          ? undefined
          : { name: servicePort };
  return { ...rest, service: port === undefined ? { name: serviceName } : { name: serviceName, port } };
}

function backendFromV1(b: unknown): unknown {
  if (!isObj(b)) return b;
  const { service, ...rest } = b;
  if (!isObj(service)) return rest;
  const out: Obj = { ...rest, serviceName: service.name };
  const port = service.port;
  if (isObj(port)) {
    if (typeof port.number === "number" && port.number !== 0) out.servicePort = port.number;
    else if (typeof port.name === "string") out.servicePort = port.name;
  }
  return out;
}

function mapRules(rules: unknown, fn: (b: unknown) => unknown): unknown {
  if (!Array.isArray(rules)) return rules;
  return rules.map((r) => {
    if (!isObj(r) || !isObj(r.http) || !Array.isArray(r.http.paths)) return r;
    return {
      ...r,
      http: { ...r.http, paths: r.http.paths.map((p) => (isObj(p) ? { ...p, backend: fn(p.backend) } : p)) },
    };
  });
}

/** extensions/v1beta1 or networking.k8s.io/v1beta1 Ingress -> networking.k8s.io/v1. */
export function ingressToV1(obj: KubeObject): KubeObject {
  const spec = obj.spec;
  const out: KubeObject = { ...obj, apiVersion: "networking.k8s.io/v1" };
  if (!isObj(spec)) return out;
  const { backend, ...rest } = spec;
  const v1: Obj = { ...rest };
  if (backend !== undefined) v1.defaultBackend = backendToV1(backend);
  if (rest.rules !== undefined) v1.rules = mapRules(rest.rules, backendToV1);
  out.spec = v1;
  return out;
}

/** networking.k8s.io/v1 Ingress -> a v1beta1 apiVersion. */
export function ingressFromV1(obj: KubeObject, apiVersion: string): KubeObject {
  const spec = obj.spec;
  const out: KubeObject = { ...obj, apiVersion };
  if (!isObj(spec)) return out;
  const { defaultBackend, ...rest } = spec;
  const beta: Obj = { ...rest };
  if (defaultBackend !== undefined) beta.backend = backendFromV1(defaultBackend);
  if (rest.rules !== undefined) beta.rules = mapRules(rest.rules, backendFromV1);
  out.spec = beta;
  return out;
}

/** apps/v1's home for the extensions/v1beta1 `spec.templateGeneration` (appsv1.DeprecatedTemplateGeneration). */
export const DEPRECATED_TEMPLATE_GENERATION = "deprecated.daemonset.template.generation";

/**
 * extensions/v1beta1 DaemonSet -> apps/v1: `spec.templateGeneration` moves to the annotation, as
 * Kubernetes' Convert_apps_DaemonSet_To_v1_DaemonSet writes it.
 */
export function daemonSetToV1(obj: KubeObject): KubeObject {
  const out: KubeObject = { ...obj, apiVersion: "apps/v1" };
  if (!isObj(obj.spec) || !("templateGeneration" in obj.spec)) return out;
  const { templateGeneration, ...spec } = obj.spec;
  out.spec = spec;
  if (typeof templateGeneration === "number" && Number.isInteger(templateGeneration)) {
    const meta: Obj = isObj(obj.metadata) ? { ...obj.metadata } : {};
    const annotations = isObj(meta.annotations) ? { ...meta.annotations } : {};
    annotations[DEPRECATED_TEMPLATE_GENERATION] = String(templateGeneration);
    meta.annotations = annotations;
    out.metadata = meta as KubeObject["metadata"];
  }
  return out;
}

/** apps/v1 DaemonSet -> extensions/v1beta1: the annotation becomes `spec.templateGeneration` again. */
export function daemonSetFromV1(obj: KubeObject, apiVersion: string): KubeObject {
  const out: KubeObject = { ...obj, apiVersion };
  const meta = isObj(obj.metadata) ? obj.metadata : undefined;
  const annotations = meta && isObj(meta.annotations) ? meta.annotations : undefined;
  const value = annotations?.[DEPRECATED_TEMPLATE_GENERATION];
  if (typeof value !== "string" || !/^-?\d+$/.test(value)) return out;
  const { [DEPRECATED_TEMPLATE_GENERATION]: _gen, ...rest } = annotations as Obj;
  const m: Obj = { ...meta };
  if (Object.keys(rest).length > 0) m.annotations = rest;
  else delete m.annotations;
  out.metadata = m as KubeObject["metadata"];
  out.spec = { ...(isObj(obj.spec) ? obj.spec : {}), templateGeneration: Number(value) };
  return out;
}

/**
 * core/v1 Event field <-> events.k8s.io/v1 Event field, as k8s.io/kubernetes pkg/apis/events/v1's
 * Convert_v1_Event_To_core_Event and back; the other fields (reason, action, type, eventTime, series,
 * related, reportingInstance) have the same names in both.
 */
export const EVENT_FIELD_RENAMES: readonly (readonly [core: string, eventsV1: string])[] = [
  ["involvedObject", "regarding"],
  ["message", "note"],
  ["source", "deprecatedSource"],
  ["firstTimestamp", "deprecatedFirstTimestamp"],
  ["lastTimestamp", "deprecatedLastTimestamp"],
  ["count", "deprecatedCount"],
  ["reportingComponent", "reportingController"],
];

function renameEventFields(obj: KubeObject, apiVersion: string, toEventsV1: boolean): KubeObject {
  const out: Obj = { ...obj, apiVersion };
  for (const [core, v1] of EVENT_FIELD_RENAMES) {
    const [from, to] = toEventsV1 ? [core, v1] : [v1, core];
    if (!(from in out)) continue;
    const value = out[from];
    delete out[from];
    out[to] = value;
  }
  return out as KubeObject;
}

/** An events.k8s.io/v1 Event as the core/v1 Event it is stored as. */
export function eventToCore(obj: KubeObject): KubeObject {
  return renameEventFields(obj, "v1", false);
}

/** A stored core/v1 Event as events.k8s.io/v1 serves it. */
export function eventFromCore(obj: KubeObject): KubeObject {
  return renameEventFields(obj, "events.k8s.io/v1", true);
}
