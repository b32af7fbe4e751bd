// Service-account tokens: JWTs signed with the service-account key (RS256 for RSA keys, ES256 for EC
// keys), as kube-apiserver issues them through TokenRequest, and their verification for bearer auth.
import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from "node:crypto";
import type { ApiContext } from "../handlers/scope.js";
import type { TokenAuthenticator, UserInfo } from "./authn.js";

export const DEFAULT_ISSUER = "https://kubernetes.default.svc.cluster.local";

export interface ServiceAccountClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  "kubernetes.io": {
    namespace: string;
    serviceaccount: { name: string; uid: string };
    pod?: { name: string; uid: string };
  };
}

function b64url(x: Buffer | string): string {
  return Buffer.from(x).toString("base64url");
}

function algOf(key: KeyObject): "RS256" | "ES256" {
  return key.asymmetricKeyType === "ec" ? "ES256" : "RS256";
}

export class TokenIssuer {
  private readonly key: KeyObject;
  constructor(
    pem: string,
    readonly issuer = DEFAULT_ISSUER,
  ) {
    this.key = createPrivateKey(pem);
  }

  issue(claims: Omit<ServiceAccountClaims, "iss">): string {
    const alg = algOf(this.key);
    const header = b64url(JSON.stringify({ alg, kid: "" }));
    const payload = b64url(JSON.stringify({ ...claims, iss: this.issuer }));
    const input = `${header}.${payload}`;
    const sig =
      alg === "ES256"
        ? sign("sha256", Buffer.from(input), { key: this.key, dsaEncoding: "ieee-p1363" })
        : sign("sha256", Buffer.from(input), this.key);
    return `${input}.${b64url(sig)}`;
  }
}

/** Verifies a JWT's signature and lifetime; returns its claims or null. Pure apart from the clock. */
export function verifyJwt(token: string, key: KeyObject, nowSeconds: number): ServiceAccountClaims | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const [h, p, s] = parts as [string, string, string];
  let header: { alg?: string };
  let claims: ServiceAccountClaims;
  try {
    header = JSON.parse(Buffer.from(h, "base64url").toString("utf8"));
    claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  const alg = algOf(key);
  if (header.alg !== alg) return null;
  const ok =
    alg === "ES256"
      ? verify(
          "sha256",
          Buffer.from(`${h}.${p}`),
          { key, dsaEncoding: "ieee-p1363" },
          Buffer.from(s, "base64url"),
        )
      : verify("sha256", Buffer.from(`${h}.${p}`), key, Buffer.from(s, "base64url"));
  if (!ok) return null;
  if (typeof claims.exp === "number" && claims.exp < nowSeconds) return null;
  if (typeof claims.nbf === "number" && claims.nbf > nowSeconds + 60) return null;
  return claims;
}

export function userFromClaims(c: ServiceAccountClaims): UserInfo | null {
  const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(c.sub ?? "");
  if (!m) return null;
  const [, ns, name] = m;
  const user: UserInfo = {
    name: c.sub,
    uid: c["kubernetes.io"]?.serviceaccount?.uid,
    groups: ["system:serviceaccounts", `system:serviceaccounts:${ns}`, "system:authenticated"],
  };
  if (c["kubernetes.io"]?.pod) {
    user.extra = {
      "authentication.kubernetes.io/pod-name": [c["kubernetes.io"].pod.name],
      "authentication.kubernetes.io/pod-uid": [c["kubernetes.io"].pod.uid],
    };
  }
  void name;
  return user;
}

export function serviceAccountTokenAuthenticator(publicPem: string, ctx: ApiContext): TokenAuthenticator {
  const key = createPublicKey(publicPem);
  return (token) => {
    const claims = verifyJwt(token, key, Math.floor(ctx.now().getTime() / 1000));
    return claims ? userFromClaims(claims) : null;
  };
}
