// The ServiceAccount admission plugin's mutation of pods (plugin/pkg/admission/serviceaccount): every pod
// that does not opt out gets the projected `kube-api-access-<suffix>` volume (a bound service-account token,
// the cluster CA from the kube-root-ca.crt ConfigMap, and the namespace) mounted read-only at
// /var/run/secrets/kubernetes.io/serviceaccount in each container. Pure: the caller supplies the suffix.
import type { Pod, Volume } from "kubernetes-types/core/v1";

export const SERVICE_ACCOUNT_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";
export const TOKEN_EXPIRATION_SECONDS = 3607;

export function serviceAccountVolume(name: string): Volume {
  return {
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: TOKEN_EXPIRATION_SECONDS, path: "token" } },
        { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
        {
          downwardAPI: {
            items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }],
          },
        },
      ],
    },
  };
}

/**
 * Adds the service-account token volume and mounts to a pod being created, unless
 * automountServiceAccountToken is false (on the pod, or on its ServiceAccount when known) or a container
 * already mounts something at the token path. Returns whether the pod changed.
 */
export function mountServiceAccountToken(pod: Pod, suffix: string, accountAutomount?: boolean): boolean {
  const spec = pod.spec;
  if (!spec) return false;
  const automount = spec.automountServiceAccountToken ?? accountAutomount ?? true;
  if (!automount) return false;
  const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  if (containers.some((c) => (c.volumeMounts ?? []).some((m) => m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH)))
    return false;
  const existing = (spec.volumes ?? []).find((v) => v.name.startsWith("kube-api-access-") && v.projected);
  const name = existing?.name ?? `kube-api-access-${suffix}`;
  if (!existing) spec.volumes = [...(spec.volumes ?? []), serviceAccountVolume(name)];
  for (const c of containers) {
    c.volumeMounts = [
      ...(c.volumeMounts ?? []),
      { name, mountPath: SERVICE_ACCOUNT_MOUNT_PATH, readOnly: true },
    ];
  }
  return true;
}
