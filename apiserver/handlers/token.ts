// serviceaccounts/token: TokenRequest (authentication.k8s.io/v1) -> a JWT signed with the SA key.
import type { TokenIssuer } from "../auth/tokens.js";
import { decodeObjectBody, readBody } from "./negotiation.js";
import { readObject } from "./read.js";
import { writeJson } from "./response.js";
import type { ApiContext, RequestScope } from "./scope.js";
import { badRequest, methodNotSupported, serviceUnavailable } from "./status.js";

export async function handleTokenRequest(
  ctx: ApiContext,
  scope: RequestScope,
  issuer: TokenIssuer | null,
): Promise<void> {
  if (scope.info.verb !== "create") throw methodNotSupported(scope.gr, scope.info.verb);
  if (!issuer)
    throw serviceUnavailable("the token signing key is not configured (--service-account-signing-key-file)");
  const body = await decodeObjectBody(await readBody(scope.req), scope.req.headers["content-type"]);
  if (body.kind && body.kind !== "TokenRequest")
    throw badRequest(
      `the kind in the data ("${body.kind}") does not match the expected kind ("TokenRequest")`,
    );
  const sa = await readObject(ctx, scope, scope.info.name);
  const spec = (body.spec ?? {}) as {
    audiences?: string[];
    expirationSeconds?: number;
    boundObjectRef?: { kind?: string; name?: string; uid?: string };
  };
  const expiration = Math.max(600, Math.min(spec.expirationSeconds ?? 3600, 2 ** 32));
  const now = Math.floor(ctx.now().getTime() / 1000);
  const audiences = spec.audiences?.length ? spec.audiences : [issuer.issuer];
  const k8s: {
    namespace: string;
    serviceaccount: { name: string; uid: string };
    pod?: { name: string; uid: string };
  } = {
    namespace: scope.info.namespace,
    serviceaccount: { name: sa.metadata.name, uid: sa.metadata.uid ?? "" },
  };
  if (spec.boundObjectRef?.kind === "Pod" && spec.boundObjectRef.name) {
    k8s.pod = { name: spec.boundObjectRef.name, uid: spec.boundObjectRef.uid ?? "" };
  }
  const token = issuer.issue({
    sub: `system:serviceaccount:${scope.info.namespace}:${sa.metadata.name}`,
    aud: audiences,
    exp: now + expiration,
    iat: now,
    nbf: now,
    "kubernetes.io": k8s,
  });
  writeJson(scope.res, 201, {
    kind: "TokenRequest",
    apiVersion: "authentication.k8s.io/v1",
    metadata: { name: sa.metadata.name, namespace: scope.info.namespace, creationTimestamp: null },
    spec: { audiences, expirationSeconds: expiration, boundObjectRef: spec.boundObjectRef ?? null },
    status: {
      token,
      expirationTimestamp: new Date((now + expiration) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"),
    },
  });
}
