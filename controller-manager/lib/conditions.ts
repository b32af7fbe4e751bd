// Status conditions as the workload controllers keep them (deploymentutil.SetDeploymentCondition and
// its siblings): one condition per type; a new reason replaces the old; the transition time only
// moves when the status changes.

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  lastProbeTime?: string;
}

export function getCondition<C extends Condition>(
  conds: readonly C[] | undefined,
  type: string,
): C | undefined {
  return conds?.find((c) => c.type === type);
}

/**
 * conditions with `cond` set. Same status and reason: unchanged (the same array). Same status,
 * other reason: the old lastTransitionTime is kept. The condition moves to the end, as upstream.
 */
export function setCondition<C extends Condition>(conds: readonly C[] | undefined, cond: C): C[] {
  const list = [...(conds ?? [])];
  const cur = list.find((c) => c.type === cond.type);
  if (cur && cur.status === cond.status && cur.reason === cond.reason) return list;
  const next = { ...cond };
  if (cur && cur.status === cond.status && cur.lastTransitionTime)
    next.lastTransitionTime = cur.lastTransitionTime;
  return [...list.filter((c) => c.type !== cond.type), next];
}

export function removeCondition<C extends Condition>(conds: readonly C[] | undefined, type: string): C[] {
  return (conds ?? []).filter((c) => c.type !== type);
}

/** RFC 3339 with seconds, as metav1.Time serializes. */
export function rfc3339(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}
