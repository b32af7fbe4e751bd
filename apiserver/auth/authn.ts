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
 * The user of a TLS connection's verified client certificate, read once per connection: the certificate
 * is fixed at the handshake (a TLS 1.2 renegotiation could only swap in another certificate the same
 * client holds), and getPeerCertificate() builds a fresh object from the X.509 structure on every call.
 * kube-apiserver gets the same from Go's crypto/tls, which parses the peer certificates once per
 * connection (req.TLS.PeerCertificates).
 */
const certUsers = new WeakMap<object, UserInfo | null>();

export function certificateUser(sock: TLSSocket): UserInfo | null {
  const cached = certUsers.get(sock);
  if (cached !== undefined) return cached;
  let user: UserInfo | null = null;
  if (sock.authorized && typeof sock.getPeerCertificate === "function") {
    const cert = sock.getPeerCertificate();
    user = cert && Object.keys(cert).length > 0 ? userFromCertificate(cert) : null;
  }
  // Plain sockets (some tests) carry no certificate: nothing to remember.
  if (typeof sock.getPeerCertificate === "function") certUsers.set(sock, user);
  return user;
}

/**
 * Returns the request's user, ANONYMOUS when it carries no credentials, or null when it carries
 * credentials that are not valid (a 401).
 */
export function authenticate(req: IncomingMessage, tokens: TokenAuthenticator[]): UserInfo | null {
  const u = certificateUser(req.socket as TLSSocket);
  if (u) return u;
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
