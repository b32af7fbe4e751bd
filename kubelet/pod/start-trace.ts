// Where a pod's start goes: the kubelet marks the steps of each pod's first start (seen, sync, sandbox,
// network, volumes, image, create, start, Running) and, once the pod runs, logs the time between
// consecutive steps — upstream's pod start SLI, broken down. Pure bookkeeping; the clock is passed in.

export interface StartSteps {
  /** ms from the pod being seen to it running */
  totalMs: number;
  /** step name → ms since the previous step (the first step counts from "seen"), summed when repeated */
  steps: Record<string, number>;
}

export class PodStartTrace {
  private marks = new Map<string, Array<[string, number]>>();
  private done = new Set<string>();

  /** The pod was first seen (only the first call counts). */
  seen(uid: string, now: number): void {
    if (this.done.has(uid) || this.marks.has(uid)) return;
    this.marks.set(uid, [["seen", now]]);
  }

  /** A step of a pod still starting ended at `now`; ignored once the pod has run or before it was seen. */
  mark(uid: string, step: string, now: number): void {
    this.marks.get(uid)?.push([step, now]);
  }

  /** The pod runs: its steps, once (undefined if it was not traced or already reported). */
  running(uid: string, now: number): StartSteps | undefined {
    const marks = this.marks.get(uid);
    if (!marks) return undefined;
    this.marks.delete(uid);
    this.done.add(uid);
    marks.push(["running", now]);
    const steps: Record<string, number> = {};
    for (let i = 1; i < marks.length; i++) {
      const [name, t] = marks[i] as [string, number];
      steps[name] = (steps[name] ?? 0) + (t - (marks[i - 1] as [string, number])[1]);
    }
    return { totalMs: now - (marks[0] as [string, number])[1], steps };
  }

  forget(uid: string): void {
    this.marks.delete(uid);
    this.done.delete(uid);
  }
}
