// Version conversion between a served version and the storage version of a kind. Most kinds have one
// version, so serving is a change of apiVersion at most; HorizontalPodAutoscaler v1 <-> v2 is converted
// as Kubernetes does (targetCPUUtilizationPercentage <-> a Resource cpu Utilization metric). Pure.
import type { StoredObject } from "../../pkg/api/types.js";

type Obj = Record<string, unknown>;

function hpaV2ToV1(o: StoredObject): StoredObject {
  const spec = (o.spec ?? {}) as Obj;
  const metrics = (spec.metrics ?? []) as Obj[];
  const cpu = metrics.find((m) => m.type === "Resource" && (m.resource as Obj | undefined)?.name === "cpu")
    ?.resource as { target?: { averageUtilization?: number } } | undefined;
  const { metrics: _m, behavior: _b, ...rest } = spec;
  const v1spec: Obj = { ...rest };
  if (cpu?.target?.averageUtilization !== undefined)
    v1spec.targetCPUUtilizationPercentage = cpu.target.averageUtilization;
  const status = (o.status ?? {}) as Obj;
  const cur = ((status.currentMetrics ?? []) as Obj[]).find(
    (m) => m.type === "Resource" && (m.resource as Obj | undefined)?.name === "cpu",
  )?.resource as { current?: { averageUtilization?: number } } | undefined;
  const { currentMetrics: _c, conditions: _cond, ...srest } = status;
  const v1status: Obj = { ...srest };
  if (cur?.current?.averageUtilization !== undefined)
    v1status.currentCPUUtilizationPercentage = cur.current.averageUtilization;
  return { ...o, apiVersion: "autoscaling/v1", spec: v1spec, status: v1status };
}

function hpaV1ToV2(o: StoredObject): StoredObject {
  const spec = (o.spec ?? {}) as Obj;
  const { targetCPUUtilizationPercentage: target, ...rest } = spec;
  const v2spec: Obj = { ...rest };
  if (typeof target === "number") {
    v2spec.metrics = [
      {
        type: "Resource",
        resource: { name: "cpu", target: { type: "Utilization", averageUtilization: target } },
      },
    ];
  }
  const status = (o.status ?? {}) as Obj;
  const { currentCPUUtilizationPercentage: cur, ...srest } = status;
  const v2status: Obj = { ...srest };
  if (typeof cur === "number") {
    v2status.currentMetrics = [
      { type: "Resource", resource: { name: "cpu", current: { averageUtilization: cur } } },
    ];
  }
  return { ...o, apiVersion: "autoscaling/v2", spec: v2spec, status: v2status };
}

/** Converts an object to `apiVersion`. Returns the same reference when nothing changes. */
export function convertTo(obj: StoredObject, apiVersion: string): StoredObject {
  if (obj.apiVersion === apiVersion) return obj;
  if (obj.kind === "HorizontalPodAutoscaler") {
    if (apiVersion === "autoscaling/v1" && obj.apiVersion === "autoscaling/v2") return hpaV2ToV1(obj);
    if (apiVersion === "autoscaling/v2" && obj.apiVersion === "autoscaling/v1") return hpaV1ToV2(obj);
  }
  return { ...obj, apiVersion };
}

import type { ServedResource } from "./catalogue.js";

/** A stored object as the endpoint `served` serves it. */
export function toServedVersion(served: ServedResource, obj: StoredObject): StoredObject {
  if (obj.apiVersion === served.apiVersion) return obj;
  if (served.def.fromStorage) {
    const out = served.def.fromStorage(obj) as StoredObject;
    return out.apiVersion === served.apiVersion ? out : { ...out, apiVersion: served.apiVersion };
  }
  return convertTo(obj, served.apiVersion);
}

/** An object received at the endpoint `served`, in the storage version. */
export function toStorageVersion(served: ServedResource, obj: StoredObject): StoredObject {
  if (obj.apiVersion === served.storageApiVersion) return obj;
  if (served.def.toStorage) {
    const out = served.def.toStorage(obj) as StoredObject;
    return out.apiVersion === served.storageApiVersion
      ? out
      : { ...out, apiVersion: served.storageApiVersion };
  }
  return convertTo(obj, served.storageApiVersion);
}
