// Printers for the remaining API groups (autoscaling, policy, networking, rbac, storage, coordination,
// discovery, scheduling, node, certificates, admissionregistration, flowcontrol), ported from
// k8s.io/kubernetes pkg/printers/internalversion/printers.go.
import type { HorizontalPodAutoscaler, MetricSpec, MetricStatus } from "kubernetes-types/autoscaling/v2";
import type { CertificateSigningRequest } from "kubernetes-types/certificates/v1";
import type { Lease } from "kubernetes-types/coordination/v1";
import type { EndpointSlice } from "kubernetes-types/discovery/v1";
import type { Ingress, IngressClass, NetworkPolicy } from "kubernetes-types/networking/v1";
import type { RuntimeClass } from "kubernetes-types/node/v1";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1";
import type { ClusterRoleBinding, RoleBinding, Subject } from "kubernetes-types/rbac/v1";
import type { PriorityClass } from "kubernetes-types/scheduling/v1";
import type {
  CSIDriver,
  CSINode,
  CSIStorageCapacity,
  StorageClass,
  VolumeAttachment,
} from "kubernetes-types/storage/v1";
import type { StoredObject } from "../types.js";
import { ageColumn, column, nameColumn, type RowPrinter, wide } from "./columns.js";
import { loadBalancerIngress } from "./core.js";
import { docs } from "./descriptions.js";
import {
  asArray,
  formatLabelSelector,
  humanDuration,
  int,
  intOrString,
  isRecord,
  labelSelectorString,
  listWithMore,
  quantityString,
  since,
  str,
} from "./format.js";

function as<T>(obj: StoredObject): T {
  return obj as unknown as T;
}

// ---------------------------------------------------------------- autoscaling

/**
 * The HPA as the internal (v2) type: an autoscaling/v1 object's targetCPUUtilizationPercentage and
 * currentCPUUtilizationPercentage become a cpu Resource metric, as the v1 conversion does.
 */
export function hpaAsV2(obj: StoredObject): HorizontalPodAutoscaler {
  const spec = isRecord(obj.spec) ? obj.spec : {};
  const status = isRecord(obj.status) ? obj.status : {};
  if (obj.apiVersion !== "autoscaling/v1" && !("targetCPUUtilizationPercentage" in spec)) {
    return as<HorizontalPodAutoscaler>(obj);
  }
  const target = spec.targetCPUUtilizationPercentage;
  const current = status.currentCPUUtilizationPercentage;
  const metrics: MetricSpec[] =
    typeof target === "number"
      ? [
          {
            type: "Resource",
            resource: { name: "cpu", target: { type: "Utilization", averageUtilization: target } },
          },
        ]
      : [];
  const currentMetrics: MetricStatus[] =
    typeof current === "number"
      ? [{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: current } } }]
      : [];
  return {
    ...as<HorizontalPodAutoscaler>(obj),
    spec: { ...(spec as unknown as HorizontalPodAutoscaler["spec"] & object), metrics },
    status: { ...(status as object), currentMetrics } as HorizontalPodAutoscaler["status"],
  };
}

function percent(v: unknown): string {
  return `${int(v)}%`;
}

/** formatHPAMetrics: "cpu: 12%/80%", "<unknown>" for metrics without status, "+ N more..." past two. */
export function formatHPAMetrics(specs: unknown, statuses: unknown): string {
  const specList = asArray<MetricSpec>(specs);
  const statusList = asArray<MetricStatus>(statuses);
  if (specList.length === 0) return "<none>";
  const list: string[] = [];
  const max = 2;
  let count = 0;
  specList.forEach((spec, i) => {
    const st = statusList[i];
    switch (spec?.type) {
      case "External": {
        const t = spec.external?.target;
        if (t?.averageValue != null) {
          const cur = st?.external?.current?.averageValue;
          list.push(
            `${cur != null ? quantityString(cur) : "<unknown>"}/${quantityString(t.averageValue)} (avg)`,
          );
        } else {
          const cur = st?.external ? quantityString(st.external.current?.value) : "<unknown>";
          list.push(`${cur}/${quantityString(t?.value)}`);
        }
        break;
      }
      case "Pods": {
        const cur = st?.pods ? quantityString(st.pods.current?.averageValue) : "<unknown>";
        list.push(`${cur}/${quantityString(spec.pods?.target?.averageValue)}`);
        break;
      }
      case "Object": {
        const t = spec.object?.target;
        if (t?.averageValue != null) {
          const cur = st?.object?.current?.averageValue;
          list.push(
            `${cur != null ? quantityString(cur) : "<unknown>"}/${quantityString(t.averageValue)} (avg)`,
          );
        } else {
          const cur = st?.object ? quantityString(st.object.current?.value) : "<unknown>";
          list.push(`${cur}/${quantityString(t?.value)}`);
        }
        break;
      }
      case "Resource":
      case "ContainerResource": {
        const source = spec.type === "Resource" ? spec.resource : spec.containerResource;
        const current = spec.type === "Resource" ? st?.resource : st?.containerResource;
        const name = str(source?.name);
        const t = source?.target;
        if (t?.averageValue != null) {
          const cur = current ? quantityString(current.current?.averageValue) : "<unknown>";
          list.push(`${name}: ${cur}/${quantityString(t.averageValue)}`);
        } else {
          const util = current?.current?.averageUtilization;
          const cur = typeof util === "number" ? percent(util) : "<unknown>";
          const target = typeof t?.averageUtilization === "number" ? percent(t.averageUtilization) : "<auto>";
          list.push(`${name}: ${cur}/${target}`);
        }
        break;
      }
      default:
        list.push("<unknown type>");
    }
    count++;
  });
  if (count > max) return `${list.slice(0, max).join(", ")} + ${count - max} more...`;
  return list.join(", ");
}

export const horizontalPodAutoscalerPrinter: RowPrinter = {
  columns: [
    nameColumn,
    column("Reference", "string", docs["autoscaling/v2 HorizontalPodAutoscalerSpec.scaleTargetRef"]),
    column("Targets", "string", docs["autoscaling/v2 HorizontalPodAutoscalerSpec.metrics"]),
    column("MinPods", "string", docs["autoscaling/v2 HorizontalPodAutoscalerSpec.minReplicas"]),
    column("MaxPods", "string", docs["autoscaling/v2 HorizontalPodAutoscalerSpec.maxReplicas"]),
    column("Replicas", "string", docs["autoscaling/v2 HorizontalPodAutoscalerStatus.currentReplicas"]),
    ageColumn,
  ],
  cells(obj, now) {
    const hpa = hpaAsV2(obj);
    const ref = hpa.spec?.scaleTargetRef;
    const min = hpa.spec?.minReplicas;
    return [
      str(hpa.metadata?.name),
      `${str(ref?.kind)}/${str(ref?.name)}`,
      formatHPAMetrics(hpa.spec?.metrics, hpa.status?.currentMetrics),
      typeof min === "number" ? String(int(min)) : "<unset>",
      int(hpa.spec?.maxReplicas),
      int(hpa.status?.currentReplicas),
      since(hpa.metadata?.creationTimestamp, now),
    ];
  },
};

/** autoscaling/v1 Scale, the table of `kubectl get --subresource=scale`. */
export const scalePrinter: RowPrinter = {
  columns: [
    column("Name", "string", docs["meta/v1 ObjectMeta.name"]),
    column("Desired", "integer", docs["autoscaling/v1 ScaleSpec.replicas"]),
    column("Available", "integer", docs["autoscaling/v1 ScaleStatus.replicas"]),
    ageColumn,
  ],
  cells(obj, now) {
    const spec = isRecord(obj.spec) ? obj.spec : {};
    const status = isRecord(obj.status) ? obj.status : {};
    return [
      str(obj.metadata?.name),
      int(spec.replicas),
      int(status.replicas),
      since(obj.metadata?.creationTimestamp, now),
    ];
  },
};

// ---------------------------------------------------------------- policy, scheduling, node

export const podDisruptionBudgetPrinter: RowPrinter = {
  columns: [
    nameColumn,
    column("Min Available", "string", "The minimum number of pods that must be available."),
    column("Max Unavailable", "string", "The maximum number of pods that may be unavailable."),
    column("Allowed Disruptions", "integer", "Calculated number of pods that may be disrupted at this time."),
    ageColumn,
  ],
  cells(obj, now) {
    const pdb = as<PodDisruptionBudget>(obj);
    const min = pdb.spec?.minAvailable;
    const max = pdb.spec?.maxUnavailable;
    return [
      str(pdb.metadata?.name),
      min != null ? intOrString(min) : "N/A",
      max != null ? intOrString(max) : "N/A",
      int(pdb.status?.disruptionsAllowed),
      since(pdb.metadata?.creationTimestamp, now),
    ];
  },
};

export const priorityClassPrinter: RowPrinter = {
  columns: [
    nameColumn,
    column("Value", "integer", docs["scheduling/v1 PriorityClass.value"]),
    column("Global-Default", "boolean", docs["scheduling/v1 PriorityClass.globalDefault"]),
    ageColumn,
    column("PreemptionPolicy", "string", docs["scheduling/v1 PriorityClass.preemptionPolicy"]),
  ],
  cells(obj, now) {
    const pc = as<PriorityClass>(obj);
    return [
      str(pc.metadata?.name),
      int(pc.value),
      pc.globalDefault === true,
      since(pc.metadata?.creationTimestamp, now),
      str(pc.preemptionPolicy),
    ];
  },
};

export const runtimeClassPrinter: RowPrinter = {
  // upstream looks the handler's description up in ObjectMeta's docs, where it is empty
  columns: [nameColumn, column("Handler", "string", ""), ageColumn],
  cells(obj, now) {
    const rc = as<RuntimeClass>(obj);
    return [str(rc.metadata?.name), str(rc.handler), since(rc.metadata?.creationTimestamp, now)];
  },
};

// ---------------------------------------------------------------- networking

/** formatHosts: up to 3 rule hosts, "*" when none has a host. */
function formatHosts(rules: unknown): string {
  const list: string[] = [];
  const all = asArray<{ host?: string }>(rules);
  const max = 3;
  let more = false;
  for (const rule of all) {
    if (list.length === max) more = true;
    if (!more && str(rule?.host) !== "") list.push(str(rule.host));
  }
  if (list.length === 0) return "*";
  const ret = list.join(",");
  return more ? `${ret} + ${all.length - max} more...` : ret;
}

export const ingressPrinter: RowPrinter = {
  columns: [
    nameColumn,
    column(
      "Class",
      "string",
      "The name of the IngressClass resource that should be used for additional configuration",
    ),
    column("Hosts", "string", "Hosts that incoming requests are matched against before the ingress rule"),
    column("Address", "string", "Address is a list containing ingress points for the load-balancer"),
    column("Ports", "string", "Ports of TLS configurations that open"),
    ageColumn,
  ],
  cells(obj, now) {
    const ing = as<Ingress>(obj);
    return [
      str(ing.metadata?.name),
      typeof ing.spec?.ingressClassName === "string" ? ing.spec.ingressClassName : "<none>",
      formatHosts(ing.spec?.rules),
      loadBalancerIngress(ing.status?.loadBalancer?.ingress),
      asArray(ing.spec?.tls).length !== 0 ? "80, 443" : "80",
      since(ing.metadata?.creationTimestamp, now),
    ];
  },
};

export const ingressClassPrinter: RowPrinter = {
  columns: [
    nameColumn,
    column("Controller", "string", "Controller that is responsible for handling this class"),
    column("Parameters", "string", "A reference to a resource with additional parameters"),
    ageColumn,
  ],
  cells(obj, now) {
    const ic = as<IngressClass>(obj);
    const p = ic.spec?.parameters;
    let parameters = "<none>";
    if (p) {
      parameters = str(p.kind);
      if (typeof p.apiGroup === "string") parameters = `${parameters}.${p.apiGroup}`;
      parameters = `${parameters}/${str(p.name)}`;
    }
    return [
      str(ic.metadata?.name),
      str(ic.spec?.controller),
      parameters,
      since(ic.metadata?.creationTimestamp, now),
    ];
  },
};

export const networkPolicyPrinter: RowPrinter = {
  columns: [
    nameColumn,
    column("Pod-Selector", "string", docs["networking/v1 NetworkPolicySpec.podSelector"]),
    ageColumn,
  ],
  cells(obj, now) {
    const np = as<NetworkPolicy>(obj);
    // podSelector is a struct, not a pointer: an absent one is the empty (match-all) selector
    return [
      str(np.metadata?.name),
      formatLabelSelector(np.spec?.podSelector ?? {}),
      since(np.metadata?.creationTimestamp, now),
    ];
  },
};

export const endpointSlicePrinter: RowPrinter = {
  columns: [
    nameColumn,
    column("AddressType", "string", docs["discovery/v1 EndpointSlice.addressType"]),
    column("Ports", "string", docs["discovery/v1 EndpointSlice.ports"]),
    column("Endpoints", "string", docs["discovery/v1 EndpointSlice.endpoints"]),
    ageColumn,
  ],
  cells(obj, now) {
    const es = as<EndpointSlice>(obj);
    const max = 3;
    const ports: string[] = [];
    let portCount = 0;
    let morePorts = false;
    for (const p of asArray<{ port?: number; name?: string }>(es.ports)) {
      if (ports.length < max) {
        ports.push(
          typeof p?.port === "number" ? String(int(p.port)) : typeof p?.name === "string" ? p.name : "*",
        );
      } else if (ports.length === max) {
        morePorts = true;
      }
      portCount++;
    }
    const addresses: string[] = [];
    let addressCount = 0;
    let moreAddresses = false;
    for (const e of asArray<{ addresses?: string[] }>(es.endpoints)) {
      for (const a of asArray<string>(e?.addresses)) {
        if (addresses.length < max) addresses.push(str(a));
        else if (addresses.length === max) moreAddresses = true;
        addressCount++;
      }
    }
    return [
      str(es.metadata?.name),
      str(es.addressType),
      listWithMore(ports, morePorts, portCount, max),
      listWithMore(addresses, moreAddresses, addressCount, max),
      since(es.metadata?.creationTimestamp, now),
    ];
  },
};

// ---------------------------------------------------------------- rbac

/** rbac.SubjectsStrings: users, groups and "namespace/name" service accounts. */
export function subjectsStrings(subjects: unknown): [users: string[], groups: string[], sas: string[]] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of asArray<Subject>(subjects)) {
    if (s?.kind === "ServiceAccount") sas.push(`${str(s.namespace)}/${str(s.name)}`);
    else if (s?.kind === "User") users.push(str(s.name));
    else if (s?.kind === "Group") groups.push(str(s.name));
  }
  return [users, groups, sas];
}

function bindingPrinter(what: "roleBinding" | "clusterRoleBinding"): RowPrinter {
  return {
    columns: [
      nameColumn,
      column(
        "Role",
        "string",
        what === "roleBinding"
          ? docs["rbac/v1 RoleBinding.roleRef"]
          : docs["rbac/v1 ClusterRoleBinding.roleRef"],
      ),
      ageColumn,
      wide("Users", "string", `Users in the ${what}`),
      wide("Groups", "string", `Groups in the ${what}`),
      wide("ServiceAccounts", "string", `ServiceAccounts in the ${what}`),
    ],
    cells(obj, now) {
      const b = as<RoleBinding | ClusterRoleBinding>(obj);
      const [users, groups, sas] = subjectsStrings(b.subjects);
      return [
        str(b.metadata?.name),
        `${str(b.roleRef?.kind)}/${str(b.roleRef?.name)}`,
        since(b.metadata?.creationTimestamp, now),
        users.join(", "),
        groups.join(", "),
        sas.join(", "),
      ];
    },
  };
}

export const roleBindingPrinter = bindingPrinter("roleBinding");
export const clusterRoleBindingPrinter = bindingPrinter("clusterRoleBinding");

// ---------------------------------------------------------------- storage

const DEFAULT_STORAGE_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";
const BETA_DEFAULT_STORAGE_CLASS_ANNOTATION = "storageclass.beta.kubernetes.io/is-default-class";

export const storageClassPrinter: RowPrinter = {
  columns: [
    nameColumn,
    column("Provisioner", "string", docs["storage/v1 StorageClass.provisioner"]),
    column("ReclaimPolicy", "string", docs["storage/v1 StorageClass.reclaimPolicy"]),
    column("VolumeBindingMode", "string", docs["storage/v1 StorageClass.volumeBindingMode"]),
    column("AllowVolumeExpansion", "string", docs["storage/v1 StorageClass.allowVolumeExpansion"]),
    ageColumn,
  ],
  cells(obj, now) {
    const sc = as<StorageClass>(obj);
    const ann = isRecord(sc.metadata?.annotations) ? sc.metadata.annotations : {};
    const isDefault =
      ann[DEFAULT_STORAGE_CLASS_ANNOTATION] === "true" ||
      ann[BETA_DEFAULT_STORAGE_CLASS_ANNOTATION] === "true";
    return [
      str(sc.metadata?.name) + (isDefault ? " (default)" : ""),
      str(sc.provisioner),
      typeof sc.reclaimPolicy === "string" ? sc.reclaimPolicy : "Delete",
      typeof sc.volumeBindingMode === "string" ? sc.volumeBindingMode : "Immediate",
      sc.allowVolumeExpansion === true,
      since(sc.metadata?.creationTimestamp, now),
    ];
  },
};

export const volumeAttachmentPrinter: RowPrinter = {
  columns: [
    nameColumn,
    column("Attacher", "string", docs["storage/v1 VolumeAttachmentSpec.attacher"], { format: "name" }),
    column("PV", "string", docs["storage/v1 VolumeAttachmentSource.persistentVolumeName"]),
    column("Node", "string", docs["storage/v1 VolumeAttachmentSpec.nodeName"]),
    column("Attached", "boolean", docs["storage/v1 VolumeAttachmentStatus.attached"]),
    ageColumn,
  ],
  cells(obj, now) {
    const va = as<VolumeAttachment>(obj);
    return [
      str(va.metadata?.name),
      str(va.spec?.attacher),
      str(va.spec?.source?.persistentVolumeName),
      str(va.spec?.nodeName),
      va.status?.attached === true,
      since(va.metadata?.creationTimestamp, now),
    ];
  },
};

export const csiNodePrinter: RowPrinter = {
  columns: [
    nameColumn,
    column("Drivers", "integer", "Drivers indicates the number of CSI drivers registered on the node"),
    ageColumn,
  ],
  cells(obj, now) {
    const n = as<CSINode>(obj);
    return [
      str(n.metadata?.name),
      asArray(n.spec?.drivers).length,
      since(n.metadata?.creationTimestamp, now),
    ];
  },
};

export const csiDriverPrinter: RowPrinter = {
  columns: [
    nameColumn,
    column("AttachRequired", "boolean", docs["storage/v1 CSIDriverSpec.attachRequired"]),
    column("PodInfoOnMount", "boolean", docs["storage/v1 CSIDriverSpec.podInfoOnMount"]),
    column("StorageCapacity", "boolean", docs["storage/v1 CSIDriverSpec.storageCapacity"]),
    column("TokenRequests", "string", docs["storage/v1 CSIDriverSpec.tokenRequests"]),
    column("RequiresRepublish", "boolean", docs["storage/v1 CSIDriverSpec.requiresRepublish"]),
    column("Modes", "string", docs["storage/v1 CSIDriverSpec.volumeLifecycleModes"]),
    ageColumn,
  ],
  cells(obj, now) {
    const d = as<CSIDriver>(obj);
    const spec = d.spec ?? {};
    const modes = asArray<string>(spec.volumeLifecycleModes).join(",");
    const tokenRequests = Array.isArray(spec.tokenRequests)
      ? spec.tokenRequests.map((t) => str(t?.audience)).join(",")
      : "<unset>";
    return [
      str(d.metadata?.name),
      typeof spec.attachRequired === "boolean" ? spec.attachRequired : true,
      spec.podInfoOnMount === true,
      spec.storageCapacity === true,
      tokenRequests,
      spec.requiresRepublish === true,
      modes === "" ? "<none>" : modes,
      since(d.metadata?.creationTimestamp, now),
    ];
  },
};

export const csiStorageCapacityPrinter: RowPrinter = {
  columns: [
    nameColumn,
    column("StorageClassName", "string", docs["storage/v1 CSIStorageCapacity.storageClassName"]),
    column("Capacity", "string", docs["storage/v1 CSIStorageCapacity.capacity"]),
  ],
  cells(obj) {
    const c = as<CSIStorageCapacity>(obj);
    return [
      str(c.metadata?.name),
      str(c.storageClassName),
      c.capacity != null ? quantityString(c.capacity) : "<unset>",
    ];
  },
};

// ---------------------------------------------------------------- coordination, certificates

export const leasePrinter: RowPrinter = {
  columns: [
    nameColumn,
    column("Holder", "string", docs["coordination/v1 LeaseSpec.holderIdentity"]),
    ageColumn,
  ],
  cells(obj, now) {
    const l = as<Lease>(obj);
    return [str(l.metadata?.name), str(l.spec?.holderIdentity), since(l.metadata?.creationTimestamp, now)];
  },
};

/** extractCSRStatus: Denied / Approved / Pending, then ",Failed" and ",Issued". */
export function csrStatus(csr: CertificateSigningRequest): string {
  const types = new Set(asArray<{ type?: string }>(csr.status?.conditions).map((c) => c?.type));
  let status = types.has("Denied") ? "Denied" : types.has("Approved") ? "Approved" : "Pending";
  if (types.has("Failed")) status += ",Failed";
  if (str(csr.status?.certificate).length > 0) status += ",Issued";
  return status;
}

export const certificateSigningRequestPrinter: RowPrinter = {
  columns: [
    nameColumn,
    ageColumn,
    column("SignerName", "string", docs["certificates/v1 CertificateSigningRequestSpec.signerName"]),
    column("Requestor", "string", docs["certificates/v1 CertificateSigningRequestSpec.request"]),
    column(
      "RequestedDuration",
      "string",
      docs["certificates/v1 CertificateSigningRequestSpec.expirationSeconds"],
    ),
    column("Condition", "string", docs["certificates/v1 CertificateSigningRequestStatus.conditions"]),
  ],
  cells(obj, now) {
    const csr = as<CertificateSigningRequest>(obj);
    const seconds = csr.spec?.expirationSeconds;
    return [
      str(csr.metadata?.name),
      since(csr.metadata?.creationTimestamp, now),
      str(csr.spec?.signerName) || "<none>",
      str(csr.spec?.username),
      typeof seconds === "number" ? humanDuration(int(seconds) * 1000) : "<none>",
      csrStatus(csr),
    ];
  },
};

// ---------------------------------------------------------------- admissionregistration, flowcontrol

function webhookConfigurationPrinter(): RowPrinter {
  return {
    columns: [
      nameColumn,
      column(
        "Webhooks",
        "integer",
        "Webhooks indicates the number of webhooks registered in this configuration",
      ),
      ageColumn,
    ],
    cells(obj, now) {
      return [
        str(obj.metadata?.name),
        asArray(obj.webhooks).length,
        since(obj.metadata?.creationTimestamp, now),
      ];
    },
  };
}

export const mutatingWebhookConfigurationPrinter = webhookConfigurationPrinter();
export const validatingWebhookConfigurationPrinter = webhookConfigurationPrinter();

export const validatingAdmissionPolicyPrinter: RowPrinter = {
  columns: [
    nameColumn,
    column(
      "Validations",
      "integer",
      "Validations indicates the number of validation rules defined in this configuration",
    ),
    column(
      "ParamKind",
      "string",
      "ParamKind specifies the kind of resources used to parameterize this policy",
    ),
    ageColumn,
  ],
  cells(obj, now) {
    const spec = isRecord(obj.spec) ? obj.spec : {};
    const pk = isRecord(spec.paramKind) ? spec.paramKind : undefined;
    return [
      str(obj.metadata?.name),
      asArray(spec.validations).length,
      pk ? `${str(pk.apiVersion)}/${str(pk.kind)}` : "<unset>",
      since(obj.metadata?.creationTimestamp, now),
    ];
  },
};

export const validatingAdmissionPolicyBindingPrinter: RowPrinter = {
  columns: [
    nameColumn,
    column(
      "PolicyName",
      "string",
      "PolicyName indicates the policy definition which the policy binding binded to",
    ),
    column("ParamRef", "string", "ParamRef indicates the param resource which sets the configration param"),
    ageColumn,
  ],
  cells(obj, now) {
    const spec = isRecord(obj.spec) ? obj.spec : {};
    const pr = isRecord(spec.paramRef) ? spec.paramRef : undefined;
    let paramName = "<unset>";
    if (pr) {
      if (str(pr.name) !== "") {
        // cannot tell here whether the param is cluster-scoped, so a missing namespace reads "*"
        paramName = str(pr.namespace) !== "" ? `${str(pr.namespace)}/${str(pr.name)}` : `*/${str(pr.name)}`;
      } else if (isRecord(pr.selector)) {
        paramName = labelSelectorString(pr.selector) ?? "";
      }
    }
    return [
      str(obj.metadata?.name),
      str(spec.policyName),
      paramName,
      since(obj.metadata?.creationTimestamp, now),
    ];
  },
};

export const flowSchemaPrinter: RowPrinter = {
  columns: [
    nameColumn,
    column("PriorityLevel", "string", docs["flowcontrol/v1 PriorityLevelConfigurationReference.name"]),
    column("MatchingPrecedence", "string", docs["flowcontrol/v1 FlowSchemaSpec.matchingPrecedence"]),
    column("DistinguisherMethod", "string", docs["flowcontrol/v1 FlowSchemaSpec.distinguisherMethod"]),
    ageColumn,
    column("MissingPL", "string", "references a broken or non-existent PriorityLevelConfiguration"),
  ],
  cells(obj, now) {
    const spec = isRecord(obj.spec) ? obj.spec : {};
    const status = isRecord(obj.status) ? obj.status : {};
    const pl = isRecord(spec.priorityLevelConfiguration) ? spec.priorityLevelConfiguration : {};
    const dm = isRecord(spec.distinguisherMethod) ? str(spec.distinguisherMethod.type) : "<none>";
    const dangling = asArray<{ type?: string; status?: string }>(status.conditions).find(
      (c) => c?.type === "Dangling",
    );
    return [
      str(obj.metadata?.name),
      str(pl.name),
      int(spec.matchingPrecedence),
      dm,
      since(obj.metadata?.creationTimestamp, now),
      dangling ? str(dangling.status) : "?",
    ];
  },
};

export const priorityLevelConfigurationPrinter: RowPrinter = {
  columns: [
    nameColumn,
    column("Type", "string", docs["flowcontrol/v1 PriorityLevelConfigurationSpec.type"]),
    column(
      "NominalConcurrencyShares",
      "string",
      docs["flowcontrol/v1 LimitedPriorityLevelConfiguration.nominalConcurrencyShares"],
    ),
    column("Queues", "string", docs["flowcontrol/v1 QueuingConfiguration.queues"]),
    column("HandSize", "string", docs["flowcontrol/v1 QueuingConfiguration.handSize"]),
    column("QueueLengthLimit", "string", docs["flowcontrol/v1 QueuingConfiguration.queueLengthLimit"]),
    ageColumn,
  ],
  cells(obj, now) {
    const spec = isRecord(obj.spec) ? obj.spec : {};
    let ncs: unknown = "<none>";
    let queues: unknown = "<none>";
    let handSize: unknown = "<none>";
    let queueLengthLimit: unknown = "<none>";
    if (isRecord(spec.limited)) {
      ncs = int(spec.limited.nominalConcurrencyShares);
      const lr = isRecord(spec.limited.limitResponse) ? spec.limited.limitResponse : {};
      if (isRecord(lr.queuing)) {
        queues = int(lr.queuing.queues);
        handSize = int(lr.queuing.handSize);
        queueLengthLimit = int(lr.queuing.queueLengthLimit);
      }
    }
    return [
      str(obj.metadata?.name),
      str(spec.type),
      ncs,
      queues,
      handSize,
      queueLengthLimit,
      since(obj.metadata?.creationTimestamp, now),
    ];
  },
};
