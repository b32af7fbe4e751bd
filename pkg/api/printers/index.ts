// Server-side Table printing for every built-in resource, with the columns of Kubernetes' own
// printers (k8s.io/kubernetes pkg/printers/internalversion). printerFor picks the printer of a
// group/resource; toTable turns objects into the metav1.Table that `kubectl get` asks for.
import type { TablePrinter } from "../resource-definition.js";
import {
  controllerRevisionPrinter,
  cronJobPrinter,
  daemonSetPrinter,
  deploymentPrinter,
  jobPrinter,
  replicaSetPrinter,
  statefulSetPrinter,
} from "./apps.js";
import {
  certificateSigningRequestPrinter,
  clusterRoleBindingPrinter,
  csiDriverPrinter,
  csiNodePrinter,
  csiStorageCapacityPrinter,
  endpointSlicePrinter,
  flowSchemaPrinter,
  horizontalPodAutoscalerPrinter,
  ingressClassPrinter,
  ingressPrinter,
  leasePrinter,
  mutatingWebhookConfigurationPrinter,
  networkPolicyPrinter,
  podDisruptionBudgetPrinter,
  priorityClassPrinter,
  priorityLevelConfigurationPrinter,
  roleBindingPrinter,
  runtimeClassPrinter,
  storageClassPrinter,
  validatingAdmissionPolicyBindingPrinter,
  validatingAdmissionPolicyPrinter,
  validatingWebhookConfigurationPrinter,
  volumeAttachmentPrinter,
} from "./cluster.js";
import {
  componentStatusPrinter,
  configMapPrinter,
  endpointsPrinter,
  eventPrinter,
  namespacePrinter,
  nodePrinter,
  persistentVolumeClaimPrinter,
  persistentVolumePrinter,
  podPrinter,
  podTemplatePrinter,
  replicationControllerPrinter,
  resourceQuotaPrinter,
  secretPrinter,
  serviceAccountPrinter,
  servicePrinter,
} from "./core.js";
import { defaultPrinter } from "./table.js";

export { jobStatus } from "./apps.js";
export { scalePrinter } from "./cluster.js";
export type {
  PartialObjectMetadata,
  RowPrinter,
  Table,
  TableColumnDefinition,
  TableRow,
  TableRowCondition,
} from "./columns.js";
export { nodeRoles, nodeStatus, podSummary } from "./core.js";
export { humanDuration, since } from "./format.js";
export {
  columnDefinitions,
  defaultPrinter,
  type IncludeObject,
  rowObject,
  type ToTableOptions,
  tableRow,
  toTable,
} from "./table.js";

/**
 * Printers by "group/resource" (core group: "/pods"). Kinds missing here (roles, clusterroles,
 * limitranges, podtemplates' siblings, CRDs...) get the default NAME / CREATED AT table, as upstream.
 */
const printers: Record<string, TablePrinter> = {
  "/pods": podPrinter,
  "/podtemplates": podTemplatePrinter,
  "/replicationcontrollers": replicationControllerPrinter,
  "/services": servicePrinter,
  "/endpoints": endpointsPrinter,
  "/nodes": nodePrinter,
  "/events": eventPrinter,
  "/namespaces": namespacePrinter,
  "/secrets": secretPrinter,
  "/serviceaccounts": serviceAccountPrinter,
  "/configmaps": configMapPrinter,
  "/persistentvolumes": persistentVolumePrinter,
  "/persistentvolumeclaims": persistentVolumeClaimPrinter,
  "/componentstatuses": componentStatusPrinter,
  "/resourcequotas": resourceQuotaPrinter,
  "apps/deployments": deploymentPrinter,
  "apps/replicasets": replicaSetPrinter,
  "apps/statefulsets": statefulSetPrinter,
  "apps/daemonsets": daemonSetPrinter,
  "apps/controllerrevisions": controllerRevisionPrinter,
  "extensions/deployments": deploymentPrinter,
  "extensions/replicasets": replicaSetPrinter,
  "extensions/daemonsets": daemonSetPrinter,
  "extensions/ingresses": ingressPrinter,
  "extensions/networkpolicies": networkPolicyPrinter,
  "batch/jobs": jobPrinter,
  "batch/cronjobs": cronJobPrinter,
  "autoscaling/horizontalpodautoscalers": horizontalPodAutoscalerPrinter,
  "policy/poddisruptionbudgets": podDisruptionBudgetPrinter,
  "networking.k8s.io/ingresses": ingressPrinter,
  "networking.k8s.io/ingressclasses": ingressClassPrinter,
  "networking.k8s.io/networkpolicies": networkPolicyPrinter,
  "discovery.k8s.io/endpointslices": endpointSlicePrinter,
  "events.k8s.io/events": eventPrinter,
  "rbac.authorization.k8s.io/rolebindings": roleBindingPrinter,
  "rbac.authorization.k8s.io/clusterrolebindings": clusterRoleBindingPrinter,
  "storage.k8s.io/storageclasses": storageClassPrinter,
  "storage.k8s.io/volumeattachments": volumeAttachmentPrinter,
  "storage.k8s.io/csinodes": csiNodePrinter,
  "storage.k8s.io/csidrivers": csiDriverPrinter,
  "storage.k8s.io/csistoragecapacities": csiStorageCapacityPrinter,
  "coordination.k8s.io/leases": leasePrinter,
  "scheduling.k8s.io/priorityclasses": priorityClassPrinter,
  "node.k8s.io/runtimeclasses": runtimeClassPrinter,
  "certificates.k8s.io/certificatesigningrequests": certificateSigningRequestPrinter,
  "admissionregistration.k8s.io/mutatingwebhookconfigurations": mutatingWebhookConfigurationPrinter,
  "admissionregistration.k8s.io/validatingwebhookconfigurations": validatingWebhookConfigurationPrinter,
  "admissionregistration.k8s.io/validatingadmissionpolicies": validatingAdmissionPolicyPrinter,
  "admissionregistration.k8s.io/validatingadmissionpolicybindings": validatingAdmissionPolicyBindingPrinter,
  "flowcontrol.apiserver.k8s.io/flowschemas": flowSchemaPrinter,
  "flowcontrol.apiserver.k8s.io/prioritylevelconfigurations": priorityLevelConfigurationPrinter,
};

/** The printer for a group ("" for core) and plural resource; the default NAME / CREATED AT table otherwise. */
export function printerFor(group: string, resource: string): TablePrinter {
  return printers[`${group}/${resource}`] ?? defaultPrinter;
}

/** Whether a group/resource has a printer of its own (false: it prints the default table). */
export function hasPrinter(group: string, resource: string): boolean {
  return `${group}/${resource}` in printers;
}
