// Authentication: client certificates signed by the cluster CA (CN = user, O = groups, as Kubernetes'
// x509 authenticator), then bearer tokens (service-account JWTs, see tokens.ts), else anonymous.
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export const ANONYMOUS: UserInfo = { name: "system:anonymous", groups: ["system:unauthenticated"] };

export type TokenAuthenticator = (token: string) => UserInfo | null;

export interface PeerCertificateLike {
  subject?: { CN?: string | string[]; O?: string | string[] };
}

/** The user a verified client certificate names. Pure. */
export function userFromCertificate(cert: PeerCertificateLike): UserInfo | null {
  const cn = cert.subject?.CN;
  const name = Array.isArray(cn) ? cn[0] : cn;
  if (!name) return null;
  const o = cert.subject?.O;
  const orgs = o === undefined ? [] : Array.isArray(o) ? o : [o];
  return { name, groups: [...orgs, "system:authenticated"] };
}

/**
 * Returns the request's user, ANONYMOUS when it carries no credentials, or null when it carries
 * credentials that are not valid (a 401).
 */
export function authenticate(req: IncomingMessage, tokens: TokenAuthenticator[]): UserInfo | null {
  const sock = req.socket as TLSSocket;
  if (sock.authorized && typeof sock.getPeerCertificate === "function") {
    const cert = sock.getPeerCertificate();
    const u = cert && Object.keys(cert).length > 0 ? userFromCertificate(cert) : null;
    if (u) return u;
  }
  const auth = req.headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (!m) return null;
    for (const t of tokens) {
      const u = t(m[1]!);
      if (u) return u;
    }
    return null;
  }
  return ANONYMOUS;
}
