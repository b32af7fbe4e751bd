// Writing responses: JSON bodies, metav1.Status errors, Warning headers.
import type { ServerResponse } from "node:http";
import { type ApiError, toApiError } from "./status.js";

export function warningHeader(text: string): string {
  return `299 - "${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export function addWarnings(res: ServerResponse, warnings: string[]): void {
  if (warnings.length === 0 || res.headersSent) return;
  const existing = res.getHeader("Warning");
  const list = Array.isArray(existing) ? existing : existing ? [String(existing)] : [];
  res.setHeader("Warning", [...list, ...warnings.map(warningHeader)]);
}

export function writeRaw(
  res: ServerResponse,
  code: number,
  body: string,
  contentType = "application/json",
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(code, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

export function writeJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  contentType = "application/json",
): void {
  writeRaw(res, code, JSON.stringify(body), contentType);
}

export function writeError(res: ServerResponse, err: unknown): ApiError {
  const e = toApiError(err);
  const retry = e.status.details?.retryAfterSeconds;
  if (retry && !res.headersSent) res.setHeader("Retry-After", String(retry));
  writeJson(res, e.status.code, e.status);
  return e;
}
