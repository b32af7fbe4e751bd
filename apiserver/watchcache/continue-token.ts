// The opaque `continue` token of paginated lists, in Kubernetes' format
// (k8s.io/apiserver/pkg/storage/continue.go): base64url of {"v":"meta.k8s.io/v1","rv":N,"start":"<key>"},
// where start is the next key relative to the resource prefix. Pure.
import { badRequest } from "../handlers/status.js";

export interface ContinueToken {
  rv: number;
  /** Key relative to the listed prefix, at which the next page starts (inclusive). */
  start: string;
}

export function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv: token.rv, start: token.start })).toString(
    "base64url",
  );
}

export function decodeContinue(s: string): ContinueToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(s, "base64url").toString("utf8"));
  } catch {
    throw badRequest(`invalid continue token: ${s}`);
  }
  const t = parsed as { v?: unknown; rv?: unknown; start?: unknown };
  if (t.v !== "meta.k8s.io/v1" || typeof t.rv !== "number" || typeof t.start !== "string" || t.rv <= 0) {
    throw badRequest(
      "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
    );
  }
  if (t.start.includes("..") || t.start.startsWith("/"))
    throw badRequest("continue key is not valid: path traversal");
  return { rv: t.rv, start: t.start };
}

/** The key just after `key` in etcd order: the start of the next page. */
export function nextKey(key: string): string {
  return `${key}\u0000`;
}
