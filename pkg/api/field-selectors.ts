// The field selectors each kind supports beyond metadata.name and metadata.namespace, with the value
// each field has on an object (as the kinds' GetAttrs / field label conversions in Kubernetes).
// Booleans and numbers print as Go's strconv does ("true", "3").
import type { StoredObject } from "./types.js";

type Getter = (obj: StoredObject) => string | undefined;
type Obj = Record<string, unknown>;

/** The value at a dotted path, as a string ("" when absent, as Kubernetes compares missing fields). */
function at(path: string): Getter {
  const parts = path.split(".");
  return (obj) => {
    let cur: unknown = obj;
    for (const p of parts) {
      if (typeof cur !== "object" || cur === null) return "";
      cur = (cur as Obj)[p];
    }
    if (cur === undefined || cur === null) return "";
    return typeof cur === "string" ? cur : String(cur);
  };
}

/** A boolean field that Go prints as "false" when unset. */
function bool(path: string): Getter {
  const get = at(path);
  return (obj) => (get(obj) === "true" ? "true" : "false");
}

/** An integer field that Go prints as "0" when unset. */
function int(path: string): Getter {
  const get = at(path);
  return (obj) => get(obj) || "0";
}

const podFields: Record<string, Getter> = {
  "spec.nodeName": at("spec.nodeName"),
  "spec.restartPolicy": at("spec.restartPolicy"),
  "spec.schedulerName": at("spec.schedulerName"),
  "spec.serviceAccountName": at("spec.serviceAccountName"),
  "spec.hostNetwork": bool("spec.hostNetwork"),
  "status.phase": at("status.phase"),
  "status.podIP": at("status.podIP"),
  "status.nominatedNodeName": at("status.nominatedNodeName"),
};

const coreEventFields: Record<string, Getter> = {
  "involvedObject.kind": at("involvedObject.kind"),
  "involvedObject.namespace": at("involvedObject.namespace"),
  "involvedObject.name": at("involvedObject.name"),
  "involvedObject.uid": at("involvedObject.uid"),
  "involvedObject.apiVersion": at("involvedObject.apiVersion"),
  "involvedObject.resourceVersion": at("involvedObject.resourceVersion"),
  "involvedObject.fieldPath": at("involvedObject.fieldPath"),
  reason: at("reason"),
  reportingComponent: at("reportingComponent"),
  source: at("source.component"),
  type: at("type"),
};

// events.k8s.io/v1's field labels, read from the core/v1 Event they are stored as (upstream's
// AddFieldLabelConversionsForEvent in pkg/apis/events/v1).
const eventsV1Fields: Record<string, Getter> = {
  "regarding.kind": at("involvedObject.kind"),
  "regarding.namespace": at("involvedObject.namespace"),
  "regarding.name": at("involvedObject.name"),
  "regarding.uid": at("involvedObject.uid"),
  "regarding.apiVersion": at("involvedObject.apiVersion"),
  "regarding.resourceVersion": at("involvedObject.resourceVersion"),
  "regarding.fieldPath": at("involvedObject.fieldPath"),
  reason: at("reason"),
  reportingController: at("reportingComponent"),
  type: at("type"),
};

/** Field selectors for a kind in a group (events differ between core and events.k8s.io). */
export function fieldSelectorsFor(group: string, kind: string): Record<string, Getter> | undefined {
  switch (kind) {
    case "Pod":
      return podFields;
    case "Event":
      return group === "events.k8s.io" ? eventsV1Fields : coreEventFields;
    case "Secret":
      return { type: at("type") };
    case "Namespace":
      return { "status.phase": at("status.phase") };
    case "Node":
      return { "spec.unschedulable": bool("spec.unschedulable") };
    case "ReplicationController":
    case "ReplicaSet":
      return { "status.replicas": int("status.replicas") };
    case "Job":
      return { "status.successful": int("status.succeeded") };
    case "Service":
      return { "spec.clusterIP": at("spec.clusterIP"), "spec.type": at("spec.type") };
    case "PersistentVolumeClaim":
      return { "spec.volumeName": at("spec.volumeName") };
    case "CertificateSigningRequest":
      return { "spec.signerName": at("spec.signerName") };
    default:
      return undefined;
  }
}

/** The field value an object has for a selector field, including metadata.name and metadata.namespace. */
export function objectFieldValue(
  fields: Record<string, Getter> | undefined,
  obj: StoredObject,
  field: string,
): string | undefined {
  if (field === "metadata.name") return obj.metadata.name;
  if (field === "metadata.namespace") return obj.metadata.namespace ?? "";
  const get = fields && Object.hasOwn(fields, field) ? fields[field] : undefined;
  return get ? get(obj) : undefined;
}
