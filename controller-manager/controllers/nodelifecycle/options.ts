// The node lifecycle controller's settings. Defaults suit a small cluster whose kubelets renew their
// Lease every ~2.5 s; kube-controller-manager's own defaults are in the comments and can be set with
// the same flags (--node-monitor-grace-period=40s ...).
import type { ControllerManagerOptions } from "../../context.js";

export interface NodeLifecycleOptions {
  /** --node-monitor-period (upstream 5 s): how often node health is checked. */
  nodeMonitorPeriodMs: number;
  /** --node-monitor-grace-period (upstream 40 s): no heartbeat for this long ⇒ Ready=Unknown. */
  nodeMonitorGracePeriodMs: number;
  /** --node-eviction-rate (upstream 0.1): nodes per second that get a NoExecute taint in a healthy zone. */
  nodeEvictionRate: number;
  /** --secondary-node-eviction-rate (upstream 0.01): the same in a partially disrupted large zone. */
  secondaryNodeEvictionRate: number;
  /** --large-cluster-size-threshold (upstream 50): smaller zones stop evicting when partially disrupted. */
  largeClusterSizeThreshold: number;
  /** --unhealthy-zone-threshold (upstream 0.55). */
  unhealthyZoneThreshold: number;
}

export const smallClusterDefaults: NodeLifecycleOptions = {
  nodeMonitorPeriodMs: 1_000,
  nodeMonitorGracePeriodMs: 12_000,
  nodeEvictionRate: 10,
  secondaryNodeEvictionRate: 0.01,
  largeClusterSizeThreshold: 50,
  unhealthyZoneThreshold: 0.55,
};

/** The options in effect: whatever main.ts set on the process options, else the small-cluster defaults. */
export function nodeLifecycleOptions(opts: ControllerManagerOptions): NodeLifecycleOptions {
  const given = opts as ControllerManagerOptions & Partial<NodeLifecycleOptions>;
  const out = { ...smallClusterDefaults };
  for (const k of Object.keys(out) as (keyof NodeLifecycleOptions)[]) {
    const v = given[k];
    if (typeof v === "number" && Number.isFinite(v) && v >= 0) out[k] = v;
  }
  return out;
}
