// Printers for the core ("") group, ported from k8s.io/kubernetes pkg/printers/internalversion/printers.go.
// The apiserver always prints with Wide=true, so every row carries the priority-1 cells too.
import type {
  ComponentStatus,
  ConfigMap,
  Endpoints,
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  PodTemplate,
  ReplicationController,
  ResourceQuota,
  Secret,
  Service,
  ServiceAccount,
} from "kubernetes-types/core/v1";
import type { StoredObject } from "../types.js";
import {
  ageColumn,
  column,
  containersColumn,
  imagesColumn,
  nameColumn,
  type RowPrinter,
  wide,
} from "./columns.js";
import { docs } from "./descriptions.js";
import {
  accessModesString,
  asArray,
  byCodeUnit,
  containerCells,
  formatLabels,
  humanDuration,
  int,
  isRecord,
  parseTime,
  quantityString,
  since,
  str,
} from "./format.js";

function as<T>(obj: StoredObject): T {
  return obj as unknown as T;
}

// ---------------------------------------------------------------- pods

/** node.NodeUnreachablePodReason: the reason the node lifecycle controller gives pods of a lost node. */
const NODE_UNREACHABLE_POD_REASON = "NodeLost";

export interface PodSummary {
  ready: string;
  status: string;
  restarts: string;
}

/** printPod's READY, STATUS and RESTARTS for one pod, exactly as upstream computes them. */
export function podSummary(pod: Pod, now: Date): PodSummary {
  const spec = pod.spec ?? { containers: [] };
  const status = pod.status ?? {};
  const conditions = asArray<{ type?: string; status?: string; reason?: string }>(status.conditions);
  let restarts = 0;
  let restartableInitContainerRestarts = 0;
  let totalContainers = asArray(spec.containers).length;
  let readyContainers = 0;
  let lastRestartDate: number | undefined;
  let lastRestartableInitContainerRestartDate: number | undefined;
  const later = (a: number | undefined, t: unknown) => {
    const ms = parseTime(t);
    return ms !== undefined && (a === undefined || a < ms) ? ms : a;
  };

  const podPhase = str(status.phase);
  let reason = str(status.reason) !== "" ? str(status.reason) : podPhase;
  for (const c of conditions) {
    if (c?.type === "PodScheduled" && c.reason === "SchedulingGated") reason = "SchedulingGated";
  }

  const initContainers = asArray<{ name?: string; restartPolicy?: string }>(spec.initContainers);
  const restartable = new Set<string>();
  for (const c of initContainers) {
    if (c?.restartPolicy === "Always") {
      restartable.add(str(c.name));
      totalContainers++;
    }
  }

  let initializing = false;
  const initStatuses = asArray<NonNullable<typeof status.initContainerStatuses>[number]>(
    status.initContainerStatuses,
  );
  for (let i = 0; i < initStatuses.length; i++) {
    const container = initStatuses[i] ?? { name: "", image: "", imageID: "", ready: false, restartCount: 0 };
    const isRestartable = restartable.has(str(container.name));
    restarts += int(container.restartCount);
    lastRestartDate = later(lastRestartDate, container.lastState?.terminated?.finishedAt);
    if (isRestartable) {
      restartableInitContainerRestarts += int(container.restartCount);
      lastRestartableInitContainerRestartDate = later(
        lastRestartableInitContainerRestartDate,
        container.lastState?.terminated?.finishedAt,
      );
    }
    const terminated = container.state?.terminated;
    const waiting = container.state?.waiting;
    if (terminated && int(terminated.exitCode) === 0) continue;
    if (isRestartable && container.started === true) {
      if (container.ready) readyContainers++;
      continue;
    }
    if (terminated) {
      // initialization failed
      if (str(terminated.reason) === "") {
        reason =
          int(terminated.signal) !== 0
            ? `Init:Signal:${int(terminated.signal)}`
            : `Init:ExitCode:${int(terminated.exitCode)}`;
      } else {
        reason = `Init:${terminated.reason}`;
      }
    } else if (waiting && str(waiting.reason) !== "" && waiting.reason !== "PodInitializing") {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initContainers.length}`;
    }
    initializing = true;
    break;
  }

  const initializedTrue = conditions.find((c) => c?.type === "Initialized")?.status === "True";
  if (!initializing || initializedTrue) {
    restarts = restartableInitContainerRestarts;
    lastRestartDate = lastRestartableInitContainerRestartDate;
    let hasRunning = false;
    const statuses = asArray<NonNullable<typeof status.containerStatuses>[number]>(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const container = statuses[i];
      if (!isRecord(container)) continue;
      restarts += int(container.restartCount);
      lastRestartDate = later(lastRestartDate, container.lastState?.terminated?.finishedAt);
      const waiting = container.state?.waiting;
      const terminated = container.state?.terminated;
      if (waiting && str(waiting.reason) !== "") {
        reason = str(waiting.reason);
      } else if (terminated && str(terminated.reason) !== "") {
        reason = str(terminated.reason);
      } else if (terminated) {
        reason =
          int(terminated.signal) !== 0
            ? `Signal:${int(terminated.signal)}`
            : `ExitCode:${int(terminated.exitCode)}`;
      } else if (container.ready && container.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // back to "Running" if at least one container still reports running
    if (reason === "Completed" && hasRunning) {
      reason = conditions.some((c) => c?.type === "Ready" && c.status === "True") ? "Running" : "NotReady";
    }
  }

  const deleting = pod.metadata?.deletionTimestamp != null;
  if (deleting && status.reason === NODE_UNREACHABLE_POD_REASON) {
    reason = "Unknown";
  } else if (deleting && podPhase !== "Succeeded" && podPhase !== "Failed") {
    reason = "Terminating";
  }

  let restartsStr = String(restarts);
  if (restarts !== 0 && lastRestartDate !== undefined) {
    restartsStr = `${restarts} (${humanDuration(now.getTime() - lastRestartDate)} ago)`;
  }
  return { ready: `${readyContainers}/${totalContainers}`, status: reason, restarts: restartsStr };
}

/** The pod's IP as the internal type sees it: status.podIP is authoritative over podIPs[0]. */
function podIP(pod: Pod): string {
  const ip = str(pod.status?.podIP);
  if (ip !== "") return ip;
  return str(asArray<{ ip?: string }>(pod.status?.podIPs)[0]?.ip);
}

function podCells(pod: Pod, now: Date): unknown[] {
  const s = podSummary(pod, now);
  const gates = asArray<{ conditionType?: string }>(pod.spec?.readinessGates);
  let readinessGates = "<none>";
  if (gates.length > 0) {
    const conditions = asArray<{ type?: string; status?: string }>(pod.status?.conditions);
    let trueConditions = 0;
    for (const gate of gates) {
      const c = conditions.find((cond) => cond?.type === gate?.conditionType);
      if (c?.status === "True") trueConditions++;
    }
    readinessGates = `${trueConditions}/${gates.length}`;
  }
  return [
    str(pod.metadata?.name),
    s.ready,
    s.status,
    s.restarts,
    since(pod.metadata?.creationTimestamp, now),
    podIP(pod) || "<none>",
    str(pod.spec?.nodeName) || "<none>",
    str(pod.status?.nominatedNodeName) || "<none>",
    readinessGates,
  ];
}

export const podPrinter: RowPrinter = {
  columns: [
    nameColumn,
    column("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
    column("Status", "string", "The aggregate status of the containers in this pod."),
    column(
      "Restarts",
      "string",
      "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
    ),
    ageColumn,
    wide("IP", "string", docs["core/v1 PodStatus.podIP"]),
    wide("Node", "string", docs["core/v1 PodSpec.nodeName"]),
    wide("Nominated Node", "string", docs["core/v1 PodStatus.nominatedNodeName"]),
    wide("Readiness Gates", "string", docs["core/v1 PodSpec.readinessGates"]),
  ],
  cells: (obj, now) => podCells(as<Pod>(obj), now),
  rowConditions(obj) {
    switch (as<Pod>(obj).status?.phase) {
      case "Succeeded":
        return [
          {
            type: "Completed",
            status: "True",
            reason: "Succeeded",
            message: "The pod has completed successfully.",
          },
        ];
      case "Failed":
        return [{ type: "Completed", status: "True", reason: "Failed", message: "The pod failed." }];
      default:
        return undefined;
    }
  },
};

export const podTemplatePrinter: RowPrinter = {
  columns: [
    nameColumn,
    column("Containers", "string", "Names of each container in the template."),
    column("Images", "string", "Images referenced by each container in the template."),
    column("Pod Labels", "string", "The labels for the pod template."),
  ],
  cells(obj) {
    const t = as<PodTemplate>(obj);
    const [names, images] = containerCells(t.template?.spec?.containers);
    return [str(t.metadata?.name), names, images, formatLabels(t.template?.metadata?.labels)];
  },
};

export const replicationControllerPrinter: RowPrinter = {
  columns: [
    nameColumn,
    column("Desired", "integer", docs["core/v1 ReplicationControllerSpec.replicas"]),
    column("Current", "integer", docs["core/v1 ReplicationControllerStatus.replicas"]),
    column("Ready", "integer", docs["core/v1 ReplicationControllerStatus.readyReplicas"]),
    ageColumn,
    containersColumn,
    imagesColumn,
    wide("Selector", "string", docs["core/v1 ReplicationControllerSpec.selector"]),
  ],
  cells(obj, now) {
    const rc = as<ReplicationController>(obj);
    const [names, images] = containerCells(rc.spec?.template?.spec?.containers);
    return [
      str(rc.metadata?.name),
      replicasOrDefault(rc.spec?.replicas),
      int(rc.status?.replicas),
      int(rc.status?.readyReplicas),
      since(rc.metadata?.creationTimestamp, now),
      names,
      images,
      formatLabels(rc.spec?.selector),
    ];
  },
};

/** spec.replicas of a workload; the internal type holds the default (1) when the field is unset. */
export function replicasOrDefault(v: unknown): number {
  return typeof v === "number" ? int(v) : 1;
}

// ---------------------------------------------------------------- services and endpoints

/** loadBalancerStatusStringer with wide=true: sorted unique IPs (else hostnames), comma-separated. */
export function loadBalancerIngress(ingress: unknown): string {
  const result = new Set<string>();
  for (const i of asArray<{ ip?: string; hostname?: string }>(ingress)) {
    if (str(i?.ip) !== "") result.add(str(i.ip));
    else if (str(i?.hostname) !== "") result.add(str(i.hostname));
  }
  return [...result].sort(byCodeUnit).join(",");
}

function serviceExternalIP(svc: Service): string {
  const externalIPs = asArray<string>(svc.spec?.externalIPs);
  switch (svc.spec?.type) {
    case "ClusterIP":
    case "NodePort":
      return externalIPs.length > 0 ? externalIPs.join(",") : "<none>";
    case "LoadBalancer": {
      const lbIps = loadBalancerIngress(svc.status?.loadBalancer?.ingress);
      if (externalIPs.length > 0) {
        return [...(lbIps.length > 0 ? lbIps.split(",") : []), ...externalIPs].join(",");
      }
      return lbIps.length > 0 ? lbIps : "<pending>";
    }
    case "ExternalName":
      return str(svc.spec?.externalName);
    default:
      return "<unknown>";
  }
}

/** makePortString: "80/TCP", "80:30080/TCP", comma-separated. */
export function servicePorts(ports: unknown): string {
  return asArray<{ port?: number; nodePort?: number; protocol?: string }>(ports)
    .map((p) => {
      const protocol = str(p?.protocol) || "TCP";
      return int(p?.nodePort) > 0
        ? `${int(p?.port)}:${int(p?.nodePort)}/${protocol}`
        : `${int(p?.port)}/${protocol}`;
    })
    .join(",");
}

export const servicePrinter: RowPrinter = {
  columns: [
    nameColumn,
    column("Type", "string", docs["core/v1 ServiceSpec.type"]),
    column("Cluster-IP", "string", docs["core/v1 ServiceSpec.clusterIP"]),
    column("External-IP", "string", docs["core/v1 ServiceSpec.externalIPs"]),
    column("Port(s)", "string", docs["core/v1 ServiceSpec.ports"]),
    ageColumn,
    wide("Selector", "string", docs["core/v1 ServiceSpec.selector"]),
  ],
  cells(obj, now) {
    const svc = as<Service>(obj);
    // spec.clusterIP is authoritative over clusterIPs[0], as in the v1 -> internal conversion
    const internalIP = str(svc.spec?.clusterIP) || str(asArray<string>(svc.spec?.clusterIPs)[0]) || "<none>";
    return [
      str(svc.metadata?.name),
      str(svc.spec?.type),
      internalIP,
      serviceExternalIP(svc),
      servicePorts(svc.spec?.ports) || "<none>",
      since(svc.metadata?.creationTimestamp, now),
      formatLabels(svc.spec?.selector),
    ];
  },
};

/** formatEndpoints(endpoints, nil): up to 3 "ip:port" entries, then " + N more...". */
export function formatEndpoints(ep: Endpoints): string {
  const subsets = asArray<NonNullable<Endpoints["subsets"]>[number]>(ep.subsets);
  if (subsets.length === 0) return "<none>";
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses = asArray<{ ip?: string }>(ss?.addresses);
    const ports = asArray<{ port?: number }>(ss?.ports);
    if (ports.length === 0) {
      // headless services may have no ports
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(str(a?.ip));
      }
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(joinHostPort(str(a?.ip), int(port?.port)));
      }
    }
  }
  const ret = list.join(",");
  return more ? `${ret} + ${count - max} more...` : ret;
}

/** net.JoinHostPort: IPv6 addresses get brackets. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

export const endpointsPrinter: RowPrinter = {
  columns: [nameColumn, column("Endpoints", "string", docs["core/v1 Endpoints.subsets"]), ageColumn],
  cells(obj, now) {
    const ep = as<Endpoints>(obj);
    return [str(ep.metadata?.name), formatEndpoints(ep), since(ep.metadata?.creationTimestamp, now)];
  },
};

// ---------------------------------------------------------------- nodes

const LABEL_NODE_ROLE_PREFIX = "node-role.kubernetes.io/";
const NODE_LABEL_ROLE = "kubernetes.io/role";

/** findNodeRoles: roles from node-role.kubernetes.io/<role> keys and kubernetes.io/role values, sorted. */
export function nodeRoles(labels: Record<string, string> | undefined): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(isRecord(labels) ? labels : {})) {
    if (k.startsWith(LABEL_NODE_ROLE_PREFIX)) {
      const role = k.slice(LABEL_NODE_ROLE_PREFIX.length);
      if (role.length > 0) roles.add(role);
    } else if (k === NODE_LABEL_ROLE && v !== "") {
      roles.add(String(v));
    }
  }
  return [...roles].sort(byCodeUnit);
}

/** printNode's STATUS: Ready / NotReady / Unknown, then ",SchedulingDisabled" when cordoned. */
export function nodeStatus(node: Node): string {
  const status: string[] = [];
  // only the Ready condition counts (NodeAllConditions); the last entry of a type wins, as in the map
  const ready = asArray<{ type?: string; status?: string }>(node.status?.conditions)
    .filter((c) => c?.type === "Ready")
    .at(-1);
  if (ready) status.push(ready.status === "True" ? "Ready" : "NotReady");
  if (status.length === 0) status.push("Unknown");
  if (node.spec?.unschedulable === true) status.push("SchedulingDisabled");
  return status.join(",");
}

function nodeAddress(node: Node, type: string): string {
  const a = asArray<{ type?: string; address?: string }>(node.status?.addresses).find(
    (x) => x?.type === type,
  );
  return a ? str(a.address) : "<none>";
}

export const nodePrinter: RowPrinter = {
  columns: [
    nameColumn,
    column("Status", "string", "The status of the node"),
    column("Roles", "string", "The roles of the node"),
    ageColumn,
    column("Version", "string", docs["core/v1 NodeSystemInfo.kubeletVersion"]),
    wide("Internal-IP", "string", docs["core/v1 NodeStatus.addresses"]),
    wide("External-IP", "string", docs["core/v1 NodeStatus.addresses"]),
    wide("OS-Image", "string", docs["core/v1 NodeSystemInfo.osImage"]),
    wide("Kernel-Version", "string", docs["core/v1 NodeSystemInfo.kernelVersion"]),
    wide("Container-Runtime", "string", docs["core/v1 NodeSystemInfo.containerRuntimeVersion"]),
  ],
  cells(obj, now) {
    const node = as<Node>(obj);
    const info = node.status?.nodeInfo;
    return [
      str(node.metadata?.name),
      nodeStatus(node),
      nodeRoles(node.metadata?.labels).join(",") || "<none>",
      since(node.metadata?.creationTimestamp, now),
      str(info?.kubeletVersion),
      nodeAddress(node, "InternalIP"),
      nodeAddress(node, "ExternalIP"),
      str(info?.osImage) || "<unknown>",
      str(info?.kernelVersion) || "<unknown>",
      str(info?.containerRuntimeVersion) || "<unknown>",
    ];
  },
};

// ---------------------------------------------------------------- events

/** The fields printEvent reads, common to core/v1 Event and events.k8s.io/v1 Event. */
interface EventView {
  name: string;
  type: string;
  reason: string;
  message: string;
  firstTimestamp: unknown;
  lastTimestamp: unknown;
  eventTime: unknown;
  count: number;
  series?: { count?: number; lastObservedTime?: string };
  involvedObject: { kind?: string; name?: string; fieldPath?: string };
  source: { component?: string; host?: string };
  reportingController: string;
  reportingInstance: string;
}

/** Both Event APIs as the internal type: events.k8s.io/v1 renames note, regarding and deprecated* fields. */
export function eventView(obj: StoredObject): EventView {
  const e = obj as Record<string, unknown>;
  const isNew = typeof obj.apiVersion === "string" && obj.apiVersion.startsWith("events.k8s.io/");
  const rec = (v: unknown) => (isRecord(v) ? v : {});
  return {
    name: str(obj.metadata?.name),
    type: str(e.type),
    reason: str(e.reason),
    message: str(isNew ? e.note : e.message),
    firstTimestamp: isNew ? e.deprecatedFirstTimestamp : e.firstTimestamp,
    lastTimestamp: isNew ? e.deprecatedLastTimestamp : e.lastTimestamp,
    eventTime: e.eventTime,
    count: int(isNew ? e.deprecatedCount : e.count),
    series: isRecord(e.series) ? (e.series as EventView["series"]) : undefined,
    involvedObject: rec(isNew ? e.regarding : e.involvedObject) as EventView["involvedObject"],
    source: rec(isNew ? e.deprecatedSource : e.source) as EventView["source"],
    reportingController: str(e.reportingController),
    reportingInstance: str(e.reportingInstance),
  };
}

function eventCells(e: EventView, now: Date): unknown[] {
  let firstTimestamp = since(e.firstTimestamp, now);
  if (parseTime(e.firstTimestamp) === undefined) firstTimestamp = since(e.eventTime, now);
  let lastTimestamp = since(e.lastTimestamp, now);
  if (parseTime(e.lastTimestamp) === undefined) lastTimestamp = firstTimestamp;
  let count = e.count;
  if (e.series) {
    lastTimestamp = since(e.series.lastObservedTime, now);
    count = int(e.series.count);
  } else if (count === 0) {
    count = 1; // singleton events have no count in the new API
  }
  const kind = str(e.involvedObject.kind).toLowerCase();
  const target = str(e.involvedObject.name) !== "" ? `${kind}/${e.involvedObject.name}` : kind;
  const component = str(e.source.component) || e.reportingController;
  const instance = str(e.source.host) || e.reportingInstance;
  const source = instance === "" ? component : `${component}, ${instance}`;
  return [
    lastTimestamp,
    e.type,
    e.reason,
    target,
    str(e.involvedObject.fieldPath),
    source,
    e.message.trim(),
    firstTimestamp,
    count,
    e.name,
  ];
}

export const eventPrinter: RowPrinter = {
  columns: [
    column("Last Seen", "string", docs["core/v1 Event.lastTimestamp"]),
    column("Type", "string", docs["core/v1 Event.type"]),
    column("Reason", "string", docs["core/v1 Event.reason"]),
    column("Object", "string", docs["core/v1 Event.involvedObject"]),
    wide("Subobject", "string", docs["core/v1 ObjectReference.fieldPath"]),
    wide("Source", "string", docs["core/v1 Event.source"]),
    column("Message", "string", docs["core/v1 Event.message"]),
    wide("First Seen", "string", docs["core/v1 Event.firstTimestamp"]),
    wide("Count", "string", docs["core/v1 Event.count"]),
    column("Name", "string", docs["meta/v1 ObjectMeta.name"], { format: "name", priority: 1 }),
  ],
  cells: (obj, now) => eventCells(eventView(obj), now),
};

// ---------------------------------------------------------------- simple kinds

export const namespacePrinter: RowPrinter = {
  columns: [nameColumn, column("Status", "string", "The status of the namespace"), ageColumn],
  cells(obj, now) {
    const ns = as<Namespace>(obj);
    return [str(ns.metadata?.name), str(ns.status?.phase), since(ns.metadata?.creationTimestamp, now)];
  },
};

export const secretPrinter: RowPrinter = {
  columns: [
    nameColumn,
    column("Type", "string", docs["core/v1 Secret.type"]),
    column("Data", "string", docs["core/v1 Secret.data"]),
    ageColumn,
  ],
  cells(obj, now) {
    const s = as<Secret>(obj);
    // stringData is merged into data on write, so only data counts
    return [
      str(s.metadata?.name),
      str(s.type),
      Object.keys(isRecord(s.data) ? s.data : {}).length,
      since(s.metadata?.creationTimestamp, now),
    ];
  },
};

export const serviceAccountPrinter: RowPrinter = {
  columns: [nameColumn, column("Secrets", "string", docs["core/v1 ServiceAccount.secrets"]), ageColumn],
  cells(obj, now) {
    const sa = as<ServiceAccount>(obj);
    return [str(sa.metadata?.name), asArray(sa.secrets).length, since(sa.metadata?.creationTimestamp, now)];
  },
};

export const configMapPrinter: RowPrinter = {
  columns: [nameColumn, column("Data", "string", docs["core/v1 ConfigMap.data"]), ageColumn],
  cells(obj, now) {
    const cm = as<ConfigMap>(obj);
    const n = Object.keys(isRecord(cm.data) ? cm.data : {}).length;
    const b = Object.keys(isRecord(cm.binaryData) ? cm.binaryData : {}).length;
    return [str(cm.metadata?.name), n + b, since(cm.metadata?.creationTimestamp, now)];
  },
};

export const componentStatusPrinter: RowPrinter = {
  columns: [
    nameColumn,
    column("Status", "string", "Status of the component conditions"),
    column("Message", "string", "Message of the component conditions"),
    column("Error", "string", "Error of the component conditions"),
  ],
  cells(obj) {
    const cs = as<ComponentStatus>(obj);
    let status = "Unknown";
    let message = "";
    let error = "";
    const healthy = asArray<{ type?: string; status?: string; message?: string; error?: string }>(
      cs.conditions,
    ).find((c) => c?.type === "Healthy");
    if (healthy) {
      status = healthy.status === "True" ? "Healthy" : "Unhealthy";
      message = str(healthy.message);
      error = str(healthy.error);
    }
    return [str(cs.metadata?.name), status, message, error];
  },
};

// ---------------------------------------------------------------- storage

const BETA_STORAGE_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class";

function storageClassOf(annotations: Record<string, string> | undefined, className: unknown): string {
  const beta = isRecord(annotations) ? annotations[BETA_STORAGE_CLASS_ANNOTATION] : undefined;
  if (typeof beta === "string") return beta;
  return str(className);
}

export const persistentVolumePrinter: RowPrinter = {
  columns: [
    nameColumn,
    column("Capacity", "string", docs["core/v1 PersistentVolumeSpec.capacity"]),
    column("Access Modes", "string", docs["core/v1 PersistentVolumeSpec.accessModes"]),
    column("Reclaim Policy", "string", docs["core/v1 PersistentVolumeSpec.persistentVolumeReclaimPolicy"]),
    column("Status", "string", docs["core/v1 PersistentVolumeStatus.phase"]),
    column("Claim", "string", docs["core/v1 PersistentVolumeSpec.claimRef"]),
    column("StorageClass", "string", "StorageClass of the pv"),
    column("VolumeAttributesClass", "string", "VolumeAttributesClass of the pv"),
    column("Reason", "string", docs["core/v1 PersistentVolumeStatus.reason"]),
    ageColumn,
    wide("VolumeMode", "string", docs["core/v1 PersistentVolumeSpec.volumeMode"]),
  ],
  cells(obj, now) {
    const pv = as<PersistentVolume>(obj);
    const spec = pv.spec ?? {};
    const claimRef = spec.claimRef ? `${str(spec.claimRef.namespace)}/${str(spec.claimRef.name)}` : "";
    const phase = pv.metadata?.deletionTimestamp != null ? "Terminating" : str(pv.status?.phase);
    return [
      str(pv.metadata?.name),
      quantityString(isRecord(spec.capacity) ? spec.capacity.storage : undefined),
      accessModesString(spec.accessModes),
      str(spec.persistentVolumeReclaimPolicy),
      phase,
      claimRef,
      storageClassOf(pv.metadata?.annotations, spec.storageClassName),
      typeof spec.volumeAttributesClassName === "string" ? spec.volumeAttributesClassName : "<unset>",
      str(pv.status?.reason),
      since(pv.metadata?.creationTimestamp, now),
      typeof spec.volumeMode === "string" ? spec.volumeMode : "<unset>",
    ];
  },
};

export const persistentVolumeClaimPrinter: RowPrinter = {
  columns: [
    nameColumn,
    column("Status", "string", docs["core/v1 PersistentVolumeClaimStatus.phase"]),
    column("Volume", "string", docs["core/v1 PersistentVolumeClaimSpec.volumeName"]),
    column("Capacity", "string", docs["core/v1 PersistentVolumeClaimStatus.capacity"]),
    column("Access Modes", "string", docs["core/v1 PersistentVolumeClaimStatus.accessModes"]),
    column("StorageClass", "string", "StorageClass of the pvc"),
    column("VolumeAttributesClass", "string", "VolumeAttributesClass of the pvc"),
    ageColumn,
    wide("VolumeMode", "string", docs["core/v1 PersistentVolumeClaimSpec.volumeMode"]),
  ],
  cells(obj, now) {
    const pvc = as<PersistentVolumeClaim>(obj);
    const spec = pvc.spec ?? {};
    const phase = pvc.metadata?.deletionTimestamp != null ? "Terminating" : str(pvc.status?.phase);
    let capacity = "";
    let accessModes = "";
    if (str(spec.volumeName) !== "") {
      accessModes = accessModesString(pvc.status?.accessModes);
      const cap = pvc.status?.capacity;
      capacity = quantityString(isRecord(cap) ? cap.storage : undefined);
    }
    return [
      str(pvc.metadata?.name),
      phase,
      str(spec.volumeName),
      capacity,
      accessModes,
      storageClassOf(pvc.metadata?.annotations, spec.storageClassName),
      typeof spec.volumeAttributesClassName === "string" ? spec.volumeAttributesClassName : "<unset>",
      since(pvc.metadata?.creationTimestamp, now),
      typeof spec.volumeMode === "string" ? spec.volumeMode : "<unset>",
    ];
  },
};

// ---------------------------------------------------------------- quotas

export const resourceQuotaPrinter: RowPrinter = {
  columns: [
    nameColumn,
    column(
      "Request",
      "string",
      "Request represents a minimum amount of cpu/memory that a container may consume.",
    ),
    column(
      "Limit",
      "string",
      "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.",
    ),
    ageColumn,
  ],
  cells(obj, now) {
    const rq = as<ResourceQuota>(obj);
    const hard = isRecord(rq.status?.hard) ? rq.status.hard : {};
    const used = isRecord(rq.status?.used) ? rq.status.used : {};
    const request: string[] = [];
    const limit: string[] = [];
    for (const resource of Object.keys(hard).sort(byCodeUnit)) {
      const pieces = resource.split(".");
      const into = pieces.length > 1 && pieces[0] === "limits" ? limit : request;
      into.push(`${resource}: ${quantityString(used[resource])}/${quantityString(hard[resource])}`);
    }
    return [
      str(rq.metadata?.name),
      request.join(", "),
      limit.join(", "),
      since(rq.metadata?.creationTimestamp, now),
    ];
  },
};
