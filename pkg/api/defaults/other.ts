// Defaults of the smaller groups: autoscaling, networking, discovery, rbac, storage, scheduling
// (their k8s.io/kubernetes/pkg/apis/<group>/v1/defaults.go in 1.32).
import { child, defPtr, defStr, each, existing, type Obj } from "./util.js";

export function defaultHPAv2(hpa: Obj): void {
  const spec = child(hpa, "spec");
  if (!spec) return;
  defPtr(spec, "minReplicas", 1);
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
    spec.metrics = [
      {
        type: "Resource",
        resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } },
      },
    ];
  }
  const behavior = existing(spec, "behavior");
  if (behavior) {
    const up = child(behavior, "scaleUp");
    if (up) {
      defPtr(up, "stabilizationWindowSeconds", 0);
      defPtr(up, "selectPolicy", "Max");
      defPtr(up, "policies", [
        { type: "Pods", value: 4, periodSeconds: 15 },
        { type: "Percent", value: 100, periodSeconds: 15 },
      ]);
    }
    const down = child(behavior, "scaleDown");
    if (down) {
      defPtr(down, "stabilizationWindowSeconds", 300);
      defPtr(down, "selectPolicy", "Max");
      defPtr(down, "policies", [{ type: "Percent", value: 100, periodSeconds: 15 }]);
    }
  }
}

export function defaultHPAv1(hpa: Obj): void {
  const spec = child(hpa, "spec");
  if (spec) defPtr(spec, "minReplicas", 1);
}

/** Ingress v1beta1 only: pathType defaults to ImplementationSpecific (v1 requires it). */
export function defaultIngressV1beta1(ing: Obj): void {
  each(existing(ing, "spec"), "rules", (r) =>
    each(existing(r, "http"), "paths", (p) => defPtr(p, "pathType", "ImplementationSpecific")),
  );
}

export function defaultNetworkPolicy(np: Obj): void {
  const spec = child(np, "spec");
  if (!spec) return;
  for (const dir of ["ingress", "egress"])
    each(spec, dir, (rule) => each(rule, "ports", (p) => defPtr(p, "protocol", "TCP")));
  if (!Array.isArray(spec.policyTypes) || spec.policyTypes.length === 0) {
    spec.policyTypes =
      Array.isArray(spec.egress) && spec.egress.length > 0 ? ["Ingress", "Egress"] : ["Ingress"];
  }
}

export function defaultEndpointSlice(es: Obj): void {
  each(es, "ports", (p) => {
    defPtr(p, "name", "");
    defPtr(p, "protocol", "TCP");
  });
}

const RBAC_GROUP = "rbac.authorization.k8s.io";

export function defaultRoleBinding(rb: Obj): void {
  const ref = existing(rb, "roleRef");
  if (ref) defStr(ref, "apiGroup", RBAC_GROUP);
  each(rb, "subjects", (s) => {
    if (s.apiGroup === undefined || s.apiGroup === null || s.apiGroup === "") {
      // ServiceAccount subjects keep the empty (omitted) group.
      if (s.kind === "User" || s.kind === "Group") s.apiGroup = RBAC_GROUP;
    }
  });
}

export function defaultStorageClass(sc: Obj): void {
  defPtr(sc, "reclaimPolicy", "Delete");
  defPtr(sc, "volumeBindingMode", "Immediate");
}

export function defaultPriorityClass(pc: Obj): void {
  defPtr(pc, "preemptionPolicy", "PreemptLowerPriority");
}
