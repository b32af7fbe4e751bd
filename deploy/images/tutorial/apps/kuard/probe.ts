// kuard's /healthy and /ready: a probe endpoint that succeeds until told to fail, for the next N calls
// (failNext > 0) or for ever (failNext < 0), and remembers its last 20 calls for the UI.

export interface ProbeStatus {
  probePath: string;
  failNext: number;
  history: { id: number; when: string; relWhen: string; code: number }[];
}

const maxHistory = 20;

export class Probe {
  private failNext = 0;
  private lastId = 0;
  private history: { id: number; when: Date; code: number }[] = [];

  constructor(readonly path: string) {}

  /** Answers one probe call and records it. */
  check(now: Date): { status: number; body: string } {
    let status = 200;
    let body = "ok";
    if (this.failNext > 0) {
      status = 500;
      this.failNext--;
      body = `fail, ${this.failNext} left`;
    } else if (this.failNext < 0) {
      status = 500;
      body = "fail, permanent";
    }
    this.history.push({ id: ++this.lastId, when: now, code: status });
    if (this.history.length > maxHistory) this.history = this.history.slice(-maxHistory);
    return { status, body };
  }

  setFailNext(n: number): void {
    this.failNext = Math.trunc(n);
  }

  status(now: Date): ProbeStatus {
    return {
      probePath: this.path,
      failNext: this.failNext,
      history: [...this.history].reverse().map((h) => ({
        id: h.id,
        when: clockTime(h.when),
        relWhen: relativeTime(h.when, now),
        code: h.code,
      })),
    };
  }
}

export function clockTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** "now", "4 seconds ago", "1 minute ago", ... as go-humanize says it. */
export function relativeTime(then: Date, now: Date): string {
  const s = Math.round((now.getTime() - then.getTime()) / 1000);
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"} ago`;
  if (s < 1) return "now";
  if (s < 60) return unit(s, "second");
  if (s < 3600) return unit(Math.floor(s / 60), "minute");
  if (s < 86400) return unit(Math.floor(s / 3600), "hour");
  return unit(Math.floor(s / 86400), "day");
}
