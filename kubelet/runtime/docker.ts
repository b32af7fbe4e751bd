// The runtime adapter: the only code that talks to the Docker engine (through dockerode). Thin: every
// decision is made elsewhere; this creates, starts, stops, removes, lists and inspects, pulls images, and
// runs exec sessions and log streams.
import { readdir, readFile } from "node:fs/promises";
import { Writable } from "node:stream";
import Docker from "dockerode";
import type { Logger } from "../../pkg/util/log.js";
import { groupPods } from "./inspect.js";
import { LABEL_CLUSTER, LABEL_NODE, LABEL_POD_UID } from "./labels.js";
import type { PodRuntimeStatus } from "./types.js";

export class DockerRuntime {
  readonly docker: Docker;
  /**
   * inspect results by id, reused while Docker's listed state is unchanged (running ones too: nothing the
   * kubelet reads changes while a container runs), dropped on the container's events and on every
   * start, stop and remove made here. Syncs re-read a pod often (events, status echoes, resyncs): without
   * this each one inspected every running container again, work the engine then lacked for starts.
   */
  private inspectCache = new Map<string, { state: string; info: Docker.ContainerInspectInfo }>();

  constructor(
    readonly cluster: string,
    readonly nodeName: string,
    private log: Logger,
    socketPath = "/var/run/docker.sock",
  ) {
    this.docker = new Docker({ socketPath });
  }

  private baseFilters(): string[] {
    return [`${LABEL_CLUSTER}=${this.cluster}`, `${LABEL_NODE}=${this.nodeName}`];
  }

  async version(): Promise<string> {
    const v = await this.docker.version();
    return v.Version;
  }

  private async inspectListed(list: Docker.ContainerInfo[]): Promise<Docker.ContainerInspectInfo[]> {
    const out = await Promise.all(
      list.map(async (c) => {
        const cached = this.inspectCache.get(c.Id);
        if (cached && cached.state === c.State) return cached.info;
        try {
          const info = await this.docker.getContainer(c.Id).inspect();
          this.inspectCache.set(c.Id, { state: c.State, info });
          return info;
        } catch (e) {
          if ((e as { statusCode?: number }).statusCode === 404) return undefined;
          throw e;
        }
      }),
    );
    return out.filter((x): x is Docker.ContainerInspectInfo => x !== undefined);
  }

  /** Every pod this node's kubelet created, from the engine. */
  async listPods(): Promise<Map<string, PodRuntimeStatus>> {
    const list = await this.docker.listContainers({ all: true, filters: { label: this.baseFilters() } });
    const live = new Set(list.map((c) => c.Id));
    for (const id of this.inspectCache.keys()) if (!live.has(id)) this.inspectCache.delete(id);
    return groupPods(await this.inspectListed(list));
  }

  async podStatus(uid: string): Promise<PodRuntimeStatus | undefined> {
    const list = await this.docker.listContainers({
      all: true,
      filters: { label: [...this.baseFilters(), `${LABEL_POD_UID}=${uid}`] },
    });
    return groupPods(await this.inspectListed(list)).get(uid);
  }

  async create(opts: Docker.ContainerCreateOptions): Promise<string> {
    const c = await this.docker.createContainer(opts);
    return c.id;
  }

  async start(id: string): Promise<void> {
    this.inspectCache.delete(id);
    await this.docker.getContainer(id).start();
  }

  /** Stops with the image's stop signal, then SIGKILL after graceSeconds (docker stop -t). */
  async stop(id: string, graceSeconds: number): Promise<void> {
    this.inspectCache.delete(id);
    try {
      await this.docker.getContainer(id).stop({ t: Math.max(0, Math.floor(graceSeconds)) });
    } catch (e) {
      const code = (e as { statusCode?: number }).statusCode;
      if (code !== 304 && code !== 404) throw e;
    }
  }

  async remove(id: string): Promise<void> {
    this.inspectCache.delete(id);
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (e) {
      const code = (e as { statusCode?: number }).statusCode;
      if (code !== 404 && code !== 409) throw e;
    }
  }

  async inspect(id: string): Promise<Docker.ContainerInspectInfo> {
    return this.docker.getContainer(id).inspect();
  }

  async imagePresent(ref: string): Promise<boolean> {
    try {
      await this.docker.getImage(ref).inspect();
      return true;
    } catch {
      return false;
    }
  }

  /** Pulls an image; rejects with Docker's message when the registry refuses or cannot be reached. */
  async pull(ref: string): Promise<void> {
    const stream = await this.docker.pull(ref);
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(stream, (err: Error | null, output: Array<{ error?: string }>) => {
        const failed = output?.find((o) => o.error);
        if (err) reject(err);
        else if (failed?.error) reject(new Error(failed.error));
        else resolve();
      });
    });
  }

  /** Runs a command in a container and collects its output (probes, hooks). */
  async exec(
    containerId: string,
    cmd: string[],
    timeoutMs: number,
  ): Promise<{ exitCode: number; output: string }> {
    const ex = await this.docker
      .getContainer(containerId)
      .exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
    const stream = await ex.start({ hijack: true, stdin: false });
    let output = "";
    const sink = new Writable({
      write(chunk, _enc, cb) {
        if (output.length < 10_240) output += chunk.toString();
        cb();
      },
    });
    this.docker.modem.demuxStream(stream, sink, sink);
    const finished = new Promise<void>((resolve) => {
      stream.on("end", resolve);
      stream.on("close", resolve);
      stream.on("error", () => resolve());
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    const r = await Promise.race([finished, timedOut]);
    clearTimeout(timer);
    if (r === "timeout") {
      (stream as unknown as { destroy(): void }).destroy();
      return { exitCode: -1, output: `command "${cmd.join(" ")}" timed out` };
    }
    const info = await ex.inspect();
    return { exitCode: info.ExitCode ?? -1, output };
  }

  /** The pid, as seen from this (node) PID namespace, of a container's first process: found by its cgroup. */
  async pidInNode(containerId: string): Promise<number | undefined> {
    // Newest first: the container has just been started, so its process is almost always among the
    // highest pids, and the scan ends after a few reads instead of one per process on the node.
    const pids = (await readdir("/proc"))
      .filter((e) => /^\d+$/.test(e))
      .map(Number)
      .sort((a, b) => b - a);
    for (const pid of pids) {
      try {
        const cg = await readFile(`/proc/${pid}/cgroup`, "utf8");
        if (cg.includes(containerId)) return pid;
      } catch {
        // the process went away
      }
    }
    return undefined;
  }

  /** Container events of this node's containers (die, start, oom, destroy), one callback per event. */
  async watchEvents(
    onEvent: (ev: { status: string; id: string; uid?: string }) => void,
    signal: AbortSignal,
  ): Promise<void> {
    while (!signal.aborted) {
      try {
        const stream = (await this.docker.getEvents({
          filters: {
            type: ["container"],
            label: this.baseFilters(),
            event: ["die", "start", "oom", "destroy"],
          },
        })) as NodeJS.ReadableStream & { destroy(): void };
        signal.addEventListener("abort", () => stream.destroy(), { once: true });
        let buf = "";
        for await (const chunk of stream) {
          buf += chunk.toString();
          let nl = buf.indexOf("\n");
          while (nl >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            nl = buf.indexOf("\n");
            try {
              const ev = JSON.parse(line) as {
                status: string;
                id: string;
                Actor?: { Attributes?: Record<string, string> };
              };
              this.inspectCache.delete(ev.id);
              onEvent({ status: ev.status, id: ev.id, uid: ev.Actor?.Attributes?.[LABEL_POD_UID] });
            } catch {
              // a partial or malformed line: skip
            }
          }
        }
      } catch (e) {
        if (signal.aborted) return;
        this.log.warn({ err: (e as Error).message }, "docker events stream failed; retrying");
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
