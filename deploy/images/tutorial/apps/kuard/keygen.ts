// kuard's KeyGen workload: generate 4096-bit RSA keys and log their SSH fingerprints, as a stand-in for
// CPU-heavy work. The Jobs chapter runs it with --keygen-enable, --keygen-num-to-gen,
// --keygen-exit-on-complete, --keygen-exit-code, or fed from a MemQ server (--keygen-memq-server and
// --keygen-memq-queue), exiting when the queue is empty.
import { createHash, generateKeyPair } from "node:crypto";
import { goLog } from "../shared/server.js";

export interface KeygenConfig {
  enable: boolean;
  numToGen: number;
  timeToRun: number;
  memQServer: string;
  memQQueue: string;
  exitOnComplete: boolean;
  exitCode: number;
}

/** SSH's wire encoding of an mpint: big-endian, no leading zeros, a 0 byte first if the top bit is set. */
export function mpint(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  const v = b.subarray(i);
  const body = v.length > 0 && (v[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), v]) : v;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

function sshString(s: string): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(Buffer.byteLength(s));
  return Buffer.concat([len, Buffer.from(s)]);
}

/** "SHA256:..." as ssh-keygen -l (and Go's ssh.FingerprintSHA256) prints it for an RSA public key. */
export function sshFingerprintRSA(n: Buffer, e: Buffer): string {
  const blob = Buffer.concat([sshString("ssh-rsa"), mpint(e), mpint(n)]);
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

export function generateKeyFingerprint(): Promise<string> {
  return new Promise((resolve) => {
    generateKeyPair("rsa", { modulusLength: 4096 }, (err, publicKey) => {
      if (err) {
        resolve(`Error generating key: ${err.message}`);
        return;
      }
      const jwk = publicKey.export({ format: "jwk" });
      resolve(
        sshFingerprintRSA(Buffer.from(jwk.n ?? "", "base64url"), Buffer.from(jwk.e ?? "", "base64url")),
      );
    });
  });
}

/** "12 seconds left" / "3 seconds overdue", as go-humanize's RelTime says it. */
export function timeLeft(now: number, end: number): string {
  const s = Math.round(Math.abs(end - now) / 1000);
  const amount =
    s < 60 ? `${s} second${s === 1 ? "" : "s"}` : `${Math.floor(s / 60)} minute${s < 120 ? "" : "s"}`;
  return `${amount} ${end >= now ? "left" : "overdue"}`;
}

/** The progress part of a log line: " 3/10", " 3/Inf", and the time left when time-bounded. */
export function progress(generated: number, numToGen: number, left?: string): string {
  const count = numToGen > 0 ? ` ${generated}/${numToGen}` : ` ${generated}/Inf`;
  return left ? `${count} ${left}` : count;
}

const maxHistory = 100;

/** Runs the workload in the background; a new config cancels the running one and starts again. */
export class KeyGen {
  config: KeygenConfig = {
    enable: false,
    numToGen: 0,
    timeToRun: 0,
    memQServer: "",
    memQQueue: "",
    exitOnComplete: false,
    exitCode: 0,
  };
  history: string[] = [];
  private run = 0;

  constructor(private readonly exit: (code: number) => void = (code) => process.exit(code)) {}

  load(config: KeygenConfig): void {
    this.config = config;
    const run = ++this.run;
    if (!config.enable) return;
    const id = `0xc42${(0x100000 + Math.floor(Math.random() * 0xeffff)).toString(16)}`;
    const work =
      config.memQServer !== "" && config.memQQueue !== "" ? this.memqWork(run, id) : this.work(run, id);
    work.catch((err) => this.log(`(ID ${id}) Workload failed: ${String(err)}`));
  }

  private cancelled(run: number): boolean {
    return run !== this.run;
  }

  private log(line: string): void {
    goLog(line);
    this.history.push(line);
    if (this.history.length > maxHistory) this.history = this.history.slice(-maxHistory);
  }

  private async work(run: number, id: string): Promise<void> {
    const c = this.config;
    const end = c.timeToRun > 0 ? Date.now() + c.timeToRun * 1000 : undefined;
    let generated = 0;
    for (;;) {
      if (this.cancelled(run)) {
        this.log(`(ID ${id}) Workload exiting`);
        return;
      }
      if ((end !== undefined && Date.now() >= end) || (c.numToGen > 0 && generated >= c.numToGen)) {
        this.log(`(ID ${id}) Workload exiting`);
        if (c.exitOnComplete) this.exit(c.exitCode);
        return;
      }
      const desc = await generateKeyFingerprint();
      if (this.cancelled(run)) continue;
      generated++;
      const left = end !== undefined ? timeLeft(Date.now(), end) : undefined;
      this.log(`(ID ${id}${progress(generated, c.numToGen, left)}) Item done: ${desc}`);
    }
  }

  private async memqWork(run: number, id: string): Promise<void> {
    const c = this.config;
    const url = `${c.memQServer}/queues/${c.memQQueue}/dequeue`;
    const sleep = () => new Promise((r) => setTimeout(r, 1000));
    this.log(`(ID ${id}) MemQ Worker starting`);
    while (!this.cancelled(run)) {
      let status: number;
      try {
        const scheme = new URL(url).protocol.replace(/:$/, "");
        if (scheme !== "http" && scheme !== "https")
          throw new Error(`unsupported protocol scheme "${scheme}"`);
        const res = await fetch(url, { method: "POST", signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        status = res.status;
        if (status >= 300) throw new Error(`HTTP Error: ${status} ${res.statusText}`);
      } catch (err) {
        const reason =
          err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
        this.log(`(ID ${id}) Error talking to server: Post "${url}": ${reason}. Retrying after 1s.`);
        await sleep();
        continue;
      }
      if (status === 204) {
        if (c.exitOnComplete) {
          this.log(`(ID ${id}) Queue is empty. Exiting.`);
          this.exit(c.exitCode);
          return;
        }
        this.log(`(ID ${id}) Queue is empty. Retrying after 1s.`);
        await sleep();
        continue;
      }
      this.log(`(ID ${id}) Item done: ${await generateKeyFingerprint()}`);
    }
    this.log(`(ID ${id}) MemQ Worker shutting down`);
  }
}
