// Pods made from a controller's template (controller.GetPodFromTemplate): labels, annotations and
// finalizers from the template, a generated name after the owner's, and the controllerRef.
import type { Pod, PodTemplateSpec } from "kubernetes-types/core/v1";
import type { OwnerReference } from "kubernetes-types/meta/v1";

/** "<owner>-", as Kubernetes' getPodsPrefix (dropped when it would not be a valid name prefix). */
export function podNamePrefix(ownerName: string): string {
  const prefix = `${ownerName}-`;
  return prefix.length <= 58 ? prefix : prefix.slice(0, 58);
}

export function podFromTemplate(
  template: PodTemplateSpec | undefined,
  namespace: string,
  controllerRef: OwnerReference | undefined,
  name?: { name?: string; generateName?: string },
): Pod {
  const t = structuredClone(template ?? {});
  const meta = t.metadata ?? {};
  const pod: Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      namespace,
      labels: { ...(meta.labels ?? {}) },
      annotations: { ...(meta.annotations ?? {}) },
    },
    spec: t.spec ?? { containers: [] },
  };
  const m = pod.metadata!;
  if (name?.name) m.name = name.name;
  else if (name?.generateName) m.generateName = name.generateName;
  if (meta.finalizers?.length) m.finalizers = [...meta.finalizers];
  if (controllerRef) m.ownerReferences = [controllerRef];
  if (Object.keys(m.annotations ?? {}).length === 0) delete m.annotations;
  return pod;
}
