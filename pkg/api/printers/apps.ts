// Printers for apps/v1 and batch/v1, ported from k8s.io/kubernetes pkg/printers/internalversion/printers.go.
import type {
  ControllerRevision,
  DaemonSet,
  Deployment,
  ReplicaSet,
  StatefulSet,
} from "kubernetes-types/apps/v1";
import type { CronJob, Job } from "kubernetes-types/batch/v1";
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
import { replicasOrDefault } from "./core.js";
import { docs } from "./descriptions.js";
import {
  asArray,
  boolPtr,
  containerCells,
  formatLabelSelector,
  formatLabels,
  humanDuration,
  int,
  labelSelectorString,
  parseTime,
  since,
  str,
} from "./format.js";

function as<T>(obj: StoredObject): T {
  return obj as unknown as T;
}

export const deploymentPrinter: RowPrinter = {
  columns: [
    nameColumn,
    column("Ready", "string", "Number of the pod with ready state"),
    column("Up-to-date", "string", docs["apps/v1 DeploymentStatus.updatedReplicas"]),
    column("Available", "string", docs["apps/v1 DeploymentStatus.availableReplicas"]),
    ageColumn,
    containersColumn,
    imagesColumn,
    wide("Selector", "string", docs["apps/v1 DeploymentSpec.selector"]),
  ],
  cells(obj, now) {
    const d = as<Deployment>(obj);
    const [names, images] = containerCells(d.spec?.template?.spec?.containers);
    // printDeployment prints the selector itself: "" when empty, "<invalid>" when it does not parse
    const selector = labelSelectorString(d.spec?.selector) ?? "<invalid>";
    return [
      str(d.metadata?.name),
      `${int(d.status?.readyReplicas)}/${replicasOrDefault(d.spec?.replicas)}`,
      int(d.status?.updatedReplicas),
      int(d.status?.availableReplicas),
      since(d.metadata?.creationTimestamp, now),
      names,
      images,
      selector,
    ];
  },
};

export const replicaSetPrinter: RowPrinter = {
  columns: [
    nameColumn,
    column("Desired", "integer", docs["apps/v1 ReplicaSetSpec.replicas"]),
    column("Current", "integer", docs["apps/v1 ReplicaSetStatus.replicas"]),
    column("Ready", "integer", docs["apps/v1 ReplicaSetStatus.readyReplicas"]),
    ageColumn,
    containersColumn,
    imagesColumn,
    wide("Selector", "string", docs["apps/v1 ReplicaSetSpec.selector"]),
  ],
  cells(obj, now) {
    const rs = as<ReplicaSet>(obj);
    const [names, images] = containerCells(rs.spec?.template?.spec?.containers);
    return [
      str(rs.metadata?.name),
      replicasOrDefault(rs.spec?.replicas),
      int(rs.status?.replicas),
      int(rs.status?.readyReplicas),
      since(rs.metadata?.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(rs.spec?.selector),
    ];
  },
};

export const statefulSetPrinter: RowPrinter = {
  columns: [
    nameColumn,
    column("Ready", "string", "Number of the pod with ready state"),
    ageColumn,
    containersColumn,
    imagesColumn,
  ],
  cells(obj, now) {
    const ss = as<StatefulSet>(obj);
    const [names, images] = containerCells(ss.spec?.template?.spec?.containers);
    return [
      str(ss.metadata?.name),
      `${int(ss.status?.readyReplicas)}/${replicasOrDefault(ss.spec?.replicas)}`,
      since(ss.metadata?.creationTimestamp, now),
      names,
      images,
    ];
  },
};

export const daemonSetPrinter: RowPrinter = {
  columns: [
    nameColumn,
    column("Desired", "integer", docs["apps/v1 DaemonSetStatus.desiredNumberScheduled"]),
    column("Current", "integer", docs["apps/v1 DaemonSetStatus.currentNumberScheduled"]),
    column("Ready", "integer", docs["apps/v1 DaemonSetStatus.numberReady"]),
    column("Up-to-date", "integer", docs["apps/v1 DaemonSetStatus.updatedNumberScheduled"]),
    column("Available", "integer", docs["apps/v1 DaemonSetStatus.numberAvailable"]),
    column("Node Selector", "string", docs["core/v1 PodSpec.nodeSelector"]),
    ageColumn,
    containersColumn,
    imagesColumn,
    wide("Selector", "string", docs["apps/v1 DaemonSetSpec.selector"]),
  ],
  cells(obj, now) {
    const ds = as<DaemonSet>(obj);
    const [names, images] = containerCells(ds.spec?.template?.spec?.containers);
    return [
      str(ds.metadata?.name),
      int(ds.status?.desiredNumberScheduled),
      int(ds.status?.currentNumberScheduled),
      int(ds.status?.numberReady),
      int(ds.status?.updatedNumberScheduled),
      int(ds.status?.numberAvailable),
      formatLabels(ds.spec?.template?.spec?.nodeSelector),
      since(ds.metadata?.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(ds.spec?.selector),
    ];
  },
};

/** GroupKind.String() lower-cased + "/" + name, as formatResourceName(kind, name, true). */
function controllerName(ref: { apiVersion?: string; kind?: string; name?: string }): string {
  const apiVersion = str(ref.apiVersion);
  const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
  const kind = str(ref.kind);
  if (kind === "" && group === "") return str(ref.name);
  const groupKind = group === "" ? kind : `${kind}.${group}`;
  return `${groupKind.toLowerCase()}/${str(ref.name)}`;
}

export const controllerRevisionPrinter: RowPrinter = {
  columns: [
    nameColumn,
    column("Controller", "string", "Controller of the object"),
    column("Revision", "string", docs["apps/v1 ControllerRevision.revision"]),
    ageColumn,
  ],
  cells(obj, now) {
    const cr = as<ControllerRevision>(obj);
    const ref = asArray<{ apiVersion?: string; kind?: string; name?: string; controller?: boolean }>(
      cr.metadata?.ownerReferences,
    ).find((r) => r?.controller === true);
    return [
      str(cr.metadata?.name),
      ref ? controllerName(ref) : "<none>",
      int(cr.revision),
      since(cr.metadata?.creationTimestamp, now),
    ];
  },
};

// ---------------------------------------------------------------- batch

function conditionTrue(conditions: unknown, type: string): boolean {
  // hasJobCondition: the first condition of that type decides
  const c = asArray<{ type?: string; status?: string }>(conditions).find((x) => x?.type === type);
  return c?.status === "True";
}

/** printJob's STATUS column. */
export function jobStatus(job: Job): string {
  const conditions = job.status?.conditions;
  if (conditionTrue(conditions, "Complete")) return "Complete";
  if (conditionTrue(conditions, "Failed")) return "Failed";
  if (job.metadata?.deletionTimestamp != null) return "Terminating";
  if (conditionTrue(conditions, "Suspended")) return "Suspended";
  if (conditionTrue(conditions, "FailureTarget")) return "FailureTarget";
  return "Running";
}

export const jobPrinter: RowPrinter = {
  columns: [
    nameColumn,
    column("Status", "string", "Status of the job."),
    column("Completions", "string", docs["batch/v1 JobStatus.succeeded"]),
    column("Duration", "string", "Time required to complete the job."),
    ageColumn,
    containersColumn,
    imagesColumn,
    wide("Selector", "string", docs["batch/v1 JobSpec.selector"]),
  ],
  cells(obj, now) {
    const job = as<Job>(obj);
    const succeeded = int(job.status?.succeeded);
    let completions: string;
    if (typeof job.spec?.completions === "number") {
      completions = `${succeeded}/${int(job.spec.completions)}`;
    } else {
      const parallelism = int(job.spec?.parallelism);
      completions = parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
    }
    const start = parseTime(job.status?.startTime);
    const completion = parseTime(job.status?.completionTime);
    let duration = "";
    if (start !== undefined) {
      duration = humanDuration((completion ?? now.getTime()) - start);
    }
    const [names, images] = containerCells(job.spec?.template?.spec?.containers);
    return [
      str(job.metadata?.name),
      jobStatus(job),
      completions,
      duration,
      since(job.metadata?.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(job.spec?.selector),
    ];
  },
};

export const cronJobPrinter: RowPrinter = {
  columns: [
    nameColumn,
    column("Schedule", "string", docs["batch/v1 CronJobSpec.schedule"]),
    column("Timezone", "string", docs["batch/v1 CronJobSpec.timeZone"]),
    column("Suspend", "boolean", docs["batch/v1 CronJobSpec.suspend"]),
    column("Active", "integer", docs["batch/v1 CronJobStatus.active"]),
    column("Last Schedule", "string", docs["batch/v1 CronJobStatus.lastScheduleTime"]),
    ageColumn,
    containersColumn,
    imagesColumn,
    wide("Selector", "string", docs["batch/v1 JobSpec.selector"]),
  ],
  cells(obj, now) {
    const cj = as<CronJob>(obj);
    const jobSpec = cj.spec?.jobTemplate?.spec;
    const [names, images] = containerCells(jobSpec?.template?.spec?.containers);
    const last = cj.status?.lastScheduleTime;
    return [
      str(cj.metadata?.name),
      str(cj.spec?.schedule),
      typeof cj.spec?.timeZone === "string" ? cj.spec.timeZone : "<none>",
      boolPtr(cj.spec?.suspend),
      asArray(cj.status?.active).length,
      last != null ? since(last, now) : "<none>",
      since(cj.metadata?.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(jobSpec?.selector),
    ];
  },
};
