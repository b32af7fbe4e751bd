// Probe workers (pkg/kubelet/prober/worker.go): one per running container and probe kind, honouring
// initialDelaySeconds, periodSeconds, timeoutSeconds and the success/failure thresholds. The results feed
// computePodActions (liveness, startup) and the pod status (readiness, started); a change re-syncs the pod.
import type { Container, Pod, Probe } from "kubernetes-types/core/v1";
import type { PodRuntimeStatus } from "../runtime/types.js";
import { type ExecRunner, runProbe } from "./prober.js";

export type ProbeKind = "liveness" | "readiness" | "startup";

interface Worker {
  kind: ProbeKind;
  containerId: string;
  uid: string;
  timer?: NodeJS.Timeout;
  stopped: boolean;
  result: boolean | undefined;
  successes: number;
  failures: number;
}

export interface ProbeEvents {
  /** a probe failed (every failure, as the kubelet's Unhealthy event) */
  unhealthy(pod: Pod, c: Container, kind: ProbeKind, output: string): void;
  /** a result changed: the pod should be synced */
  changed(uid: string): void;
}

const KIND_NAME: Record<ProbeKind, string> = {
  liveness: "Liveness",
  readiness: "Readiness",
  startup: "Startup",
};

export class ProbeManager {
  private workers = new Map<string, Worker>();
  /** latest pods by uid, so that workers read the current spec */
  private pods = new Map<string, { pod: Pod; podIP: string }>();

  constructor(
    private runner: ExecRunner,
    private events: ProbeEvents,
  ) {}

  private key(kind: ProbeKind, containerId: string): string {
    return `${kind}/${containerId}`;
  }

  private result(kind: ProbeKind, containerId: string): boolean | undefined {
    return this.workers.get(this.key(kind, containerId))?.result;
  }

  liveness(containerId: string): "success" | "failure" | undefined {
    const r = this.result("liveness", containerId);
    return r === undefined ? undefined : r ? "success" : "failure";
  }

  startupFailed(containerId: string): "success" | "failure" | undefined {
    const r = this.result("startup", containerId);
    return r === false ? "failure" : r ? "success" : undefined;
  }

  /** undefined when the container has no readiness probe (ready once started). */
  readiness(containerId: string): boolean | undefined {
    const w = this.workers.get(this.key("readiness", containerId));
    if (!w) return undefined;
    return w.result === true;
  }

  /** undefined when it has no startup probe. */
  started(containerId: string): boolean | undefined {
    const w = this.workers.get(this.key("startup", containerId));
    if (!w) return undefined;
    return w.result === true;
  }

  /** Starts workers for the running containers of a pod and stops those of containers that are gone. */
  sync(pod: Pod, runtime: PodRuntimeStatus | undefined, podIP: string): void {
    const uid = pod.metadata?.uid ?? "";
    this.pods.set(uid, { pod, podIP });
    const live = new Set<string>();
    const terminating = !!pod.metadata?.deletionTimestamp;
    for (const c of pod.spec?.containers ?? []) {
      const s = runtime?.containers.find((x) => x.name === c.name);
      if (!s || s.state !== "running" || terminating) continue;
      const probes: Array<[ProbeKind, Probe | undefined]> = [
        ["startup", c.startupProbe],
        ["liveness", c.livenessProbe],
        ["readiness", c.readinessProbe],
      ];
      for (const [kind, probe] of probes) {
        if (!probe) continue;
        const k = this.key(kind, s.id);
        live.add(k);
        if (this.workers.has(k)) continue;
        const w: Worker = {
          kind,
          containerId: s.id,
          uid,
          stopped: false,
          // readiness starts false, liveness true (not yet failed), startup unknown
          result: kind === "liveness" ? true : kind === "readiness" ? false : undefined,
          successes: 0,
          failures: 0,
        };
        this.workers.set(k, w);
        const startedAt = s.startedAt ?? Date.now();
        const delay = Math.max(0, startedAt + (probe.initialDelaySeconds ?? 0) * 1000 - Date.now());
        w.timer = setTimeout(() => this.tick(w, c.name), delay);
      }
    }
    for (const [k, w] of this.workers) {
      if (w.uid === uid && !live.has(k)) this.stop(k, w);
    }
  }

  removePod(uid: string): void {
    this.pods.delete(uid);
    for (const [k, w] of this.workers) if (w.uid === uid) this.stop(k, w);
  }

  stopAll(): void {
    for (const [k, w] of this.workers) this.stop(k, w);
  }

  private stop(k: string, w: Worker): void {
    w.stopped = true;
    if (w.timer) clearTimeout(w.timer);
    this.workers.delete(k);
  }

  private async tick(w: Worker, containerName: string): Promise<void> {
    if (w.stopped) return;
    const entry = this.pods.get(w.uid);
    const c = entry?.pod.spec?.containers?.find((x) => x.name === containerName);
    const probe = c?.[`${w.kind}Probe` as "livenessProbe"];
    if (!entry || !c || !probe) return;
    const period = (probe.periodSeconds ?? 10) * 1000;
    // Liveness and readiness wait for the startup probe to succeed.
    const startupPending = w.kind !== "startup" && this.started(w.containerId) === false;
    if (!startupPending) {
      const r = await runProbe(probe, entry.pod, c, w.containerId, entry.podIP, this.runner);
      if (w.stopped) return;
      if (r.ok) {
        w.successes++;
        w.failures = 0;
      } else {
        w.failures++;
        w.successes = 0;
        this.events.unhealthy(entry.pod, c, w.kind, `${KIND_NAME[w.kind]} probe failed: ${r.output}`);
      }
      const before = w.result;
      if (r.ok && w.successes >= (probe.successThreshold ?? 1)) w.result = true;
      if (!r.ok && w.failures >= (probe.failureThreshold ?? 3)) w.result = false;
      if (w.result !== before) this.events.changed(w.uid);
      // A failed liveness/startup verdict stands until the container is replaced.
      if ((w.kind === "liveness" || w.kind === "startup") && w.result === false) return;
      // A startup probe stops once it has succeeded.
      if (w.kind === "startup" && w.result === true) return;
    }
    w.timer = setTimeout(() => this.tick(w, containerName), period);
  }
}
