// Pure decisions of the service-account controllers (pkg/controller/serviceaccount and
// pkg/controller/certificates/rootcacertpublisher): which namespaces need a `default` ServiceAccount,
// what the kube-root-ca.crt ConfigMap holds, and what a service-account-token Secret still lacks.
import type { ConfigMap, Namespace, Secret, ServiceAccount } from "kubernetes-types/core/v1";

export const DEFAULT_SERVICE_ACCOUNT = "default";
export const ROOT_CA_CONFIGMAP = "kube-root-ca.crt";
export const TOKEN_SECRET_TYPE = "kubernetes.io/service-account-token";
export const SA_NAME_ANNOTATION = "kubernetes.io/service-account.name";
export const SA_UID_ANNOTATION = "kubernetes.io/service-account.uid";
/** Upstream marks the ConfigMap it publishes so that other tools can tell. */
export const ROOT_CA_DESCRIPTION_ANNOTATION = "kubernetes.io/description";
export const ROOT_CA_DESCRIPTION =
  "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

export function isActive(ns: Namespace | undefined): boolean {
  return !!ns && !ns.metadata?.deletionTimestamp && ns.status?.phase !== "Terminating";
}

/** The `default` ServiceAccount to create in a namespace, if it is active and has none. */
export function missingDefaultServiceAccount(
  ns: Namespace | undefined,
  existing: ServiceAccount | undefined,
): ServiceAccount | undefined {
  if (!isActive(ns) || existing) return undefined;
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace: ns?.metadata?.name },
  };
}

/**
 * The ConfigMap to write: a new one when absent, the existing one with ca.crt fixed when it differs,
 * undefined when it is right (or the namespace is going away).
 */
export function rootCAConfigMap(
  ns: Namespace | undefined,
  existing: ConfigMap | undefined,
  caPem: string,
): { create?: ConfigMap; update?: ConfigMap } | undefined {
  if (!isActive(ns)) return undefined;
  const name = ns?.metadata?.name ?? "";
  if (!existing) {
    return {
      create: {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
          name: ROOT_CA_CONFIGMAP,
          namespace: name,
          annotations: { [ROOT_CA_DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION },
        },
        data: { "ca.crt": caPem },
      },
    };
  }
  const data = existing.data ?? {};
  if (data["ca.crt"] === caPem && Object.keys(data).length === 1) return undefined;
  return { update: { ...structuredClone(existing), data: { "ca.crt": caPem } } };
}

export type TokenSecretAction =
  | { kind: "none" }
  /** The account it names is gone (or was replaced): the secret goes too. */
  | { kind: "delete" }
  /** Needs token/ca.crt/namespace (and the account's uid annotation). */
  | { kind: "populate"; serviceAccount: ServiceAccount };

/** tokens_controller's syncSecret for a secret of type kubernetes.io/service-account-token. */
export function decideTokenSecret(
  secret: Secret,
  sa: ServiceAccount | undefined,
  caPem: string | undefined,
): TokenSecretAction {
  if (secret.type !== TOKEN_SECRET_TYPE || secret.metadata?.deletionTimestamp) return { kind: "none" };
  const ann = secret.metadata?.annotations ?? {};
  const wantUid = ann[SA_UID_ANNOTATION];
  if (!sa || (wantUid && wantUid !== sa.metadata?.uid)) return { kind: "delete" };
  const d = secret.data ?? {};
  const needsCa = caPem !== undefined && d["ca.crt"] !== Buffer.from(caPem).toString("base64");
  if (!d.token || !d.namespace || needsCa || !wantUid) return { kind: "populate", serviceAccount: sa };
  return { kind: "none" };
}

/** The secret with its token data filled in (base64, as Secret.data holds). */
export function populatedTokenSecret(
  secret: Secret,
  sa: ServiceAccount,
  token: string,
  caPem: string | undefined,
): Secret {
  const next = structuredClone(secret);
  next.metadata = {
    ...next.metadata,
    annotations: { ...next.metadata?.annotations, [SA_UID_ANNOTATION]: sa.metadata?.uid ?? "" },
  };
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  next.data = {
    ...next.data,
    token: next.data?.token ?? b64(token),
    namespace: b64(secret.metadata?.namespace ?? ""),
    ...(caPem !== undefined ? { "ca.crt": b64(caPem) } : {}),
  };
  return next;
}
