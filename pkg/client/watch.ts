// Watching: the newline-delimited JSON event stream of `?watch=true` decoded incrementally, one
// stream as an async iterator, and listAndWatch — client-go's reflector loop without the store:
// list, watch from the list's resourceVersion, resume from the last seen resourceVersion when the
// stream drops (with backoff), relist when the server says 410 Gone.
import { StringDecoder } from "node:string_decoder";
import type { Status } from "kubernetes-types/meta/v1";
import type { Logger } from "../util/log.js";
import { Backoff, type BackoffOptions } from "./backoff.js";
import { ApiError, describeError, isGone } from "./errors.js";
import { sleep } from "./ratelimit.js";
import type { ResourceClient, RestClient } from "./rest.js";
import type { ApiObject, WatchEvent, WatchEventType } from "./types.js";

const EVENT_TYPES = new Set<WatchEventType>(["ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"]);

/**
 * Incremental decoder for a watch body: feed chunks as they arrive, get the complete events out.
 * A line that is not a JSON watch event is reported to onMalformed and skipped, never thrown.
 */
export class WatchDecoder<T = ApiObject> {
  private readonly utf8 = new StringDecoder("utf8");
  private pending: string[] = [];

  constructor(private readonly onMalformed: (line: string, reason: string) => void = () => {}) {}

  push(chunk: string | Buffer): WatchEvent<T>[] {
    const text = typeof chunk === "string" ? chunk : this.utf8.write(chunk);
    const out: WatchEvent<T>[] = [];
    let start = 0;
    let nl = text.indexOf("\n");
    while (nl >= 0) {
      const piece = text.slice(start, nl);
      const line = this.pending.length > 0 ? this.pending.join("") + piece : piece;
      this.pending = [];
      this.decodeLine(line, out);
      start = nl + 1;
      nl = text.indexOf("\n", start);
    }
    if (start < text.length) this.pending.push(text.slice(start));
    return out;
  }

  /** The stream ended: decode what is left (a last event without its newline). */
  end(): WatchEvent<T>[] {
    const rest = this.pending.join("") + this.utf8.end();
    this.pending = [];
    const out: WatchEvent<T>[] = [];
    this.decodeLine(rest, out);
    return out;
  }

  private decodeLine(raw: string, out: WatchEvent<T>[]): void {
    const line = raw.trim();
    if (line === "") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (err) {
      this.onMalformed(line, `invalid JSON: ${(err as Error).message}`);
      return;
    }
    const ev = parsed as { type?: unknown; object?: unknown };
    if (
      typeof ev !== "object" ||
      ev === null ||
      !EVENT_TYPES.has(ev.type as WatchEventType) ||
      typeof ev.object !== "object" ||
      ev.object === null
    ) {
      this.onMalformed(line, "not a watch event {type, object}");
      return;
    }
    out.push(ev as WatchEvent<T>);
  }
}

export interface WatchOptions {
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Server-side limit of the stream's life. */
  timeoutSeconds?: number;
  /** Default true. */
  allowWatchBookmarks?: boolean;
  signal?: AbortSignal;
  logger?: Logger;
}

/** How long after its timeoutSeconds a silent watch stream is given up by the client. */
const WATCH_GRACE_MS = 30_000;

/**
 * One watch stream on a collection path. Ends when the server ends it or the signal aborts (no
 * error); an ERROR event is thrown as ApiError (410 ⇒ isGone).
 */
export async function* watchStream<T>(
  client: RestClient,
  path: string,
  opts: WatchOptions = {},
): AsyncGenerator<WatchEvent<T>> {
  const logger = opts.logger ?? client.logger;
  const decoder = new WatchDecoder<T>((line, reason) =>
    logger?.warn({ path, line: line.slice(0, 300), reason }, "skipping malformed watch line"),
  );
  let res: Awaited<ReturnType<RestClient["stream"]>>;
  try {
    res = await client.stream({
      method: "GET",
      path,
      query: {
        watch: "true",
        resourceVersion: opts.resourceVersion,
        allowWatchBookmarks: opts.allowWatchBookmarks === false ? undefined : "true",
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
        timeoutSeconds: opts.timeoutSeconds,
      },
      signal: opts.signal,
      timeoutMs: 0,
    });
  } catch (err) {
    if (opts.signal?.aborted || client.closedSignal.aborted) return;
    throw err;
  }
  // A server that vanished without closing the connection (killed container, cut network) would leave
  // an HTTP/1.1 watch hanging for ever: end it ourselves a little after the server should have.
  let expired = false;
  const deadline =
    opts.timeoutSeconds !== undefined
      ? setTimeout(
          () => {
            expired = true;
            res.body.destroy();
          },
          opts.timeoutSeconds * 1000 + WATCH_GRACE_MS,
        )
      : undefined;
  try {
    for await (const chunk of res.body) {
      for (const ev of decoder.push(chunk as Buffer)) {
        if (ev.type === "ERROR") throw new ApiError(ev.object as Status);
        yield ev;
      }
    }
    for (const ev of decoder.end()) {
      if (ev.type === "ERROR") throw new ApiError(ev.object as Status);
      yield ev;
    }
  } catch (err) {
    if (opts.signal?.aborted || client.closedSignal.aborted || expired) return;
    throw err;
  } finally {
    if (deadline) clearTimeout(deadline);
    res.body.destroy();
  }
}

/** Where listAndWatch delivers state. Called synchronously, in order. */
export interface ListWatchSink<T> {
  /** After every (re)list: the complete current state at resourceVersion. */
  replace(items: T[], resourceVersion: string): void;
  /** ADDED, MODIFIED, DELETED, and BOOKMARK (object carries only metadata.resourceVersion). */
  event(ev: WatchEvent<T>): void;
}

export interface ListAndWatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Start watching from here without a first list (a 410 still causes a list). */
  resourceVersion?: string;
  /** List page size; default 500. */
  pageSize?: number;
  /** Server-side life of each watch stream; default a random 5–10 minutes, as client-go's reflector. */
  watchTimeoutSeconds?: number;
  backoff?: BackoffOptions;
  logger?: Logger;
  signal: AbortSignal;
}

/** A watch that ended this quickly without any event counts as a failure (back off), as client-go's "very short watch". */
const SHORT_WATCH_MS = 1000;

/**
 * List then watch, for ever (until opts.signal aborts): resumes from the last resourceVersion seen,
 * relists on 410 Gone, backs off (1 s doubling to 30 s, jittered) on errors. Never throws.
 */
export async function listAndWatch<T extends ApiObject>(
  rc: ResourceClient<T>,
  sink: ListWatchSink<T>,
  opts: ListAndWatchOptions,
): Promise<void> {
  const signal = AbortSignal.any([opts.signal, rc.client.closedSignal]);
  const logger = opts.logger ?? rc.client.logger;
  const backoff = new Backoff({ initialMs: 1000, maxMs: 30_000, ...opts.backoff });
  let resourceVersion = opts.resourceVersion;
  let needList = resourceVersion === undefined;
  // The first list may be served at any revision ("0"), as client-go's reflector asks: the apiserver
  // answers it from its watch cache in one response instead of pages; after a 410 only a consistent
  // list ("") can say what happened meanwhile.
  let listResourceVersion: string | undefined = "0";
  const what = { resource: rc.ref.resource, namespace: rc.namespace };

  while (!signal.aborted) {
    try {
      if (needList) {
        const list = await rc.listAll({
          labelSelector: opts.labelSelector,
          fieldSelector: opts.fieldSelector,
          limit: opts.pageSize ?? 500,
          resourceVersion: listResourceVersion,
          signal,
        });
        if (signal.aborted) return;
        resourceVersion = list.metadata?.resourceVersion ?? "";
        sink.replace(list.items, resourceVersion);
        needList = false;
      }
      const started = Date.now();
      let events = 0;
      const timeoutSeconds = opts.watchTimeoutSeconds ?? Math.floor(300 * (1 + Math.random()));
      for await (const ev of rc.watch({
        resourceVersion,
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
        timeoutSeconds,
        allowWatchBookmarks: true,
        signal,
        logger,
      })) {
        const rv = (ev.object as ApiObject | undefined)?.metadata?.resourceVersion;
        if (rv) resourceVersion = rv;
        events++;
        sink.event(ev);
      }
      if (signal.aborted) return;
      if (events === 0 && Date.now() - started < SHORT_WATCH_MS) {
        throw new Error("very short watch: the server closed the stream at once without any event");
      }
      backoff.reset();
    } catch (err) {
      if (signal.aborted) return;
      if (isGone(err)) {
        // Our resourceVersion is compacted away: only a fresh list can tell what happened meanwhile.
        logger?.info({ ...what, resourceVersion, err: describeError(err) }, "watch expired, relisting");
        needList = true;
        listResourceVersion = undefined;
        // Relist at once the first time; back off if the server keeps saying Gone.
        const delay = backoff.next();
        if (delay > 2000) await sleep(delay, signal);
        continue;
      }
      const delay = backoff.next();
      logger?.warn(
        { ...what, resourceVersion, err: describeError(err), retryInMs: Math.round(delay) },
        needList ? "list failed" : "watch failed, will resume",
      );
      await sleep(delay, signal);
    }
  }
}
