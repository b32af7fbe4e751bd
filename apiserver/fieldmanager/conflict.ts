// The apply conflict as kube-apiserver returns it (managedfields/internal/conflict.go,
// NewConflictError; errors.NewApplyConflict): 409, reason Conflict, one FieldManagerConflict cause
// per field. kubectl prints the message after "error: " and adds its own help text. Pure.
import { parseManagerIdentifier } from "./managedfields.js";
import { pathToString } from "./pathelement.js";
import type { Conflict } from "./updater.js";

/** A metav1.Status failure body (the shape apiserver/handlers/status.ts' ApiError carries). */
export interface FailureStatus {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure";
  message: string;
  reason?: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: { reason?: string; message?: string; field?: string }[];
  };
  code: number;
}

/** A Status with its fields in metav1.Status' order (kind, apiVersion, metadata, status, message, reason, details, code). */
export function failureStatus(
  code: number,
  reason: string | undefined,
  message: string,
  details?: FailureStatus["details"],
): FailureStatus {
  const s: FailureStatus = {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
  } as FailureStatus;
  if (reason) s.reason = reason;
  if (details) s.details = details;
  s.code = code;
  return s;
}

/** printManager: `"kubectl"`, `"kubectl-client-side-apply" using v1`, `"kubelet" with subresource "status" using v1`. */
export function printManager(id: string): string {
  const m = parseManagerIdentifier(id);
  if (!m) return JSON.stringify(id);
  let s = JSON.stringify(m.manager ?? "");
  if (m.subresource) s = `${s} with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === "Update") s = `${s} using ${m.apiVersion ?? ""}`;
  return s;
}

/** The message: one conflict on one line, several grouped by manager (sorted) with one path a line. */
export function conflictMessage(conflicts: Conflict[]): string {
  if (conflicts.length === 1) {
    const c = conflicts[0]!;
    return `Apply failed with 1 conflict: conflict with ${printManager(c.manager)}: ${pathToString(c.path)}`;
  }
  const byManager = new Map<string, string[]>();
  for (const c of conflicts)
    byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), pathToString(c.path)]);
  const lines: string[] = [];
  for (const manager of [...byManager.keys()].sort()) {
    lines.push(`conflicts with ${printManager(manager)}:`);
    for (const p of byManager.get(manager)!) lines.push(`- ${p}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
}

/** NewConflictError: the 409 Status of an apply that conflicts. */
export function conflictStatus(conflicts: Conflict[]): FailureStatus {
  return failureStatus(409, "Conflict", conflictMessage(conflicts), {
    causes: conflicts.map((c) => ({
      reason: "FieldManagerConflict",
      message: `conflict with ${printManager(c.manager)}`,
      field: pathToString(c.path),
    })),
  });
}
