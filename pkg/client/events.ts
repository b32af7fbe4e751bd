// Recording core/v1 Events, as client-go's tools/record: recorders hand events to one broadcaster
// per process, which never blocks the caller (a bounded queue; overflow is dropped with a log line)
// and writes them one at a time through the EventCorrelator:
// - identical events (same source, object, type, reason, message) become one Event whose count and
//   lastTimestamp are PATCHed;
// - more than 10 events differing only in message within 10 minutes are combined into one
//   "(combined from similar events): ..." Event;
// - a source may burst 25 events about one object, then 1 every 5 minutes.
// A write is retried 12 times, 10 s apart, while the apiserver is unreachable; a rejection is final.
import type { Event, EventSource, ObjectReference } from "kubernetes-types/core/v1";
import type { Logger } from "../util/log.js";
import { ApiError, describeError, isAlreadyExists, isNotFound } from "./errors.js";
import { Events } from "./gvr.js";
import { sleep, TokenBucket } from "./ratelimit.js";
import type { RestClient } from "./rest.js";
import type { ApiObject } from "./types.js";

export type EventType = "Normal" | "Warning";

export interface RecorderSource {
  component: string;
  host?: string;
}

export interface CorrelatorOptions {
  lruCacheSize?: number;
  spamBurst?: number;
  spamQPS?: number;
  aggregateMaxEvents?: number;
  aggregateIntervalMs?: number;
  now?: () => number;
}

/** metav1.Time: RFC 3339, whole seconds. */
export function metaTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

let lastNanos = 0n;
/** `<name>.<hex unix nanoseconds>`, the name client-go gives events; strictly increasing within the process. */
export function eventName(objectName: string, nowMs: number): string {
  let nanos = BigInt(Math.floor(nowMs)) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
  if (nanos <= lastNanos) nanos = lastNanos + 1n;
  lastNanos = nanos;
  return `${objectName}.${nanos.toString(16)}`;
}

/** An ObjectReference for an object (its kind and apiVersion must be set: informer objects have them). */
export function referenceTo(obj: ApiObject | ObjectReference): ObjectReference {
  if (!("metadata" in obj) || obj.metadata === undefined) return obj as ObjectReference;
  const o = obj as ApiObject;
  const ref: ObjectReference = { kind: o.kind, apiVersion: o.apiVersion, name: o.metadata?.name };
  if (o.metadata?.namespace) ref.namespace = o.metadata.namespace;
  if (o.metadata?.uid) ref.uid = o.metadata.uid;
  if (o.metadata?.resourceVersion) ref.resourceVersion = o.metadata.resourceVersion;
  return ref;
}

function joinKey(parts: Array<string | undefined>): string {
  return parts.map((p) => p ?? "").join("\u0000");
}

function eventKey(e: Event): string {
  const o = e.involvedObject;
  return joinKey([
    e.source?.component,
    e.source?.host,
    o.kind,
    o.namespace,
    o.name,
    o.fieldPath,
    o.uid,
    o.apiVersion,
    e.type,
    e.reason,
    e.message,
  ]);
}

function spamKey(e: Event): string {
  const o = e.involvedObject;
  return joinKey([e.source?.component, e.source?.host, o.kind, o.namespace, o.name, o.uid, o.apiVersion]);
}

function aggregateKeys(e: Event): [string, string] {
  const o = e.involvedObject;
  return [
    joinKey([
      e.source?.component,
      e.source?.host,
      o.kind,
      o.namespace,
      o.name,
      o.uid,
      o.apiVersion,
      e.type,
      e.reason,
      e.reportingComponent,
      e.reportingInstance,
    ]),
    e.message ?? "",
  ];
}

/** A Map used as an LRU cache: reads move an entry to the back; the front is evicted. */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly size: number) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, v: V): void {
    this.map.delete(key);
    this.map.set(key, v);
    if (this.map.size > this.size) this.map.delete(this.map.keys().next().value!);
  }
}

interface Observation {
  count: number;
  firstTimestamp?: string;
  name: string;
  resourceVersion?: string;
}

export interface CorrelateResult {
  event: Event;
  /** Set when the event repeats one already written: a strategic-merge patch of count, lastTimestamp, message. */
  patch?: { count: number; lastTimestamp?: string; message?: string };
  skip: boolean;
}

/** client-go's EventCorrelator: aggregate, count, and rate-limit spam. Pure apart from its caches. */
export class EventCorrelator {
  private readonly spam: Lru<TokenBucket>;
  private readonly aggregates: Lru<{ localKeys: Set<string>; last: number }>;
  private readonly observations: Lru<Observation>;
  private readonly burst: number;
  private readonly qps: number;
  private readonly maxEvents: number;
  private readonly intervalMs: number;
  private readonly now: () => number;

  constructor(opts: CorrelatorOptions = {}) {
    const size = opts.lruCacheSize ?? 4096;
    this.spam = new Lru(size);
    this.aggregates = new Lru(size);
    this.observations = new Lru(size);
    this.burst = opts.spamBurst ?? 25;
    this.qps = opts.spamQPS ?? 1 / 300;
    this.maxEvents = opts.aggregateMaxEvents ?? 10;
    this.intervalMs = opts.aggregateIntervalMs ?? 600_000;
    this.now = opts.now ?? Date.now;
  }

  private aggregate(event: Event): [Event, string] {
    const now = this.now();
    const key = eventKey(event);
    const [aggKey, localKey] = aggregateKeys(event);
    let record = this.aggregates.get(aggKey);
    if (!record || now - record.last > this.intervalMs) record = { localKeys: new Set(), last: now };
    record.localKeys.add(localKey);
    record.last = now;
    this.aggregates.set(aggKey, record);
    if (record.localKeys.size < this.maxEvents) return [event, key];
    const first = record.localKeys.values().next().value;
    if (first !== undefined) record.localKeys.delete(first);
    const ts = metaTime(now);
    return [
      {
        apiVersion: "v1",
        kind: "Event",
        metadata: {
          name: eventName(event.involvedObject.name ?? "", now),
          namespace: event.metadata?.namespace,
        },
        count: 1,
        firstTimestamp: ts,
        lastTimestamp: ts,
        involvedObject: event.involvedObject,
        message: `(combined from similar events): ${event.message ?? ""}`,
        type: event.type,
        reason: event.reason,
        source: event.source,
      },
      aggKey,
    ];
  }

  private observe(event: Event, key: string): { event: Event; patch?: CorrelateResult["patch"] } {
    const last = this.observations.get(key);
    let out = event;
    let patch: CorrelateResult["patch"];
    if (last && last.count > 0) {
      out = {
        ...event,
        metadata: { ...event.metadata, name: last.name, resourceVersion: last.resourceVersion },
        firstTimestamp: last.firstTimestamp,
        count: last.count + 1,
      };
      patch = { count: out.count!, lastTimestamp: out.lastTimestamp, message: out.message };
    }
    this.observations.set(key, {
      count: out.count ?? 1,
      firstTimestamp: out.firstTimestamp,
      name: out.metadata?.name ?? "",
      resourceVersion: out.metadata?.resourceVersion,
    });
    return { event: out, patch };
  }

  private filter(event: Event): boolean {
    const key = spamKey(event);
    let bucket = this.spam.get(key);
    if (!bucket) bucket = new TokenBucket(this.qps, this.burst, this.now);
    const skip = !bucket.tryAccept();
    this.spam.set(key, bucket);
    return skip;
  }

  correlate(event: Event): CorrelateResult {
    const [aggregated, key] = this.aggregate(event);
    const observed = this.observe(aggregated, key);
    if (this.filter(observed.event)) return { event: observed.event, skip: true };
    return { event: observed.event, patch: observed.patch, skip: false };
  }

  /** Remember what the server stored (name, resourceVersion, count) for the next repeat. */
  updateState(stored: Event): void {
    this.observations.set(eventKey(stored), {
      count: stored.count ?? 1,
      firstTimestamp: stored.firstTimestamp,
      name: stored.metadata?.name ?? "",
      resourceVersion: stored.metadata?.resourceVersion,
    });
  }
}

export interface EventBroadcasterOptions {
  logger?: Logger;
  /** Queued events beyond this are dropped. Default 1000. */
  queueSize?: number;
  /** Attempts per event while the apiserver is unreachable. Default 12. */
  maxTries?: number;
  /** Pause between attempts (the first one randomized). Default 10 s. */
  retryDelayMs?: number;
  correlator?: CorrelatorOptions;
}

export class EventRecorder {
  constructor(
    private readonly broadcaster: EventBroadcaster,
    readonly source: RecorderSource,
  ) {}

  /** Records an event about obj (an object with kind/apiVersion/metadata, or an ObjectReference). Never blocks, never throws. */
  event(
    obj: ApiObject | ObjectReference,
    type: EventType,
    reason: string,
    message: string,
    annotations?: Record<string, string>,
  ): void {
    this.broadcaster.record(this.source, obj, type, reason, message, annotations);
  }
}

export class EventBroadcaster {
  private readonly queue: Event[] = [];
  private readonly correlator: EventCorrelator;
  private readonly logger: Logger | undefined;
  private readonly queueSize: number;
  private readonly maxTries: number;
  private readonly retryDelayMs: number;
  private readonly now: () => number;
  private pumping: Promise<void> | undefined;
  private readonly stop = new AbortController();
  private dropped = 0;

  constructor(
    private readonly client: RestClient,
    opts: EventBroadcasterOptions = {},
  ) {
    this.correlator = new EventCorrelator(opts.correlator);
    this.logger = opts.logger ?? client.logger;
    this.queueSize = opts.queueSize ?? 1000;
    this.maxTries = opts.maxTries ?? 12;
    this.retryDelayMs = opts.retryDelayMs ?? 10_000;
    this.now = opts.correlator?.now ?? Date.now;
  }

  newRecorder(source: RecorderSource): EventRecorder {
    return new EventRecorder(this, source);
  }

  /** Builds the Event and queues it. */
  record(
    source: RecorderSource,
    obj: ApiObject | ObjectReference,
    type: string,
    reason: string,
    message: string,
    annotations?: Record<string, string>,
  ): void {
    if (this.stop.signal.aborted) return;
    if (type !== "Normal" && type !== "Warning") {
      this.logger?.error({ type, reason }, "unsupported event type, event not recorded");
      return;
    }
    const ref = referenceTo(obj);
    if (!ref.name || !ref.kind) {
      this.logger?.error(
        { ref, reason },
        "could not construct reference (kind and name needed), event not recorded",
      );
      return;
    }
    const now = this.now();
    const ts = metaTime(now);
    const eventSource: EventSource = { component: source.component };
    if (source.host) eventSource.host = source.host;
    const event: Event = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: eventName(ref.name, now), namespace: ref.namespace || "default" },
      involvedObject: ref,
      reason,
      message,
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      type,
      source: eventSource,
      reportingComponent: source.component,
      reportingInstance: source.host ?? "",
    };
    if (annotations) event.metadata!.annotations = annotations;
    this.logger?.debug(
      { object: `${ref.namespace ?? ""}/${ref.name}`, kind: ref.kind, type, reason, message },
      "event",
    );
    if (this.queue.length >= this.queueSize) {
      if (this.dropped++ % 100 === 0) {
        this.logger?.error(
          { reason, object: ref.name, droppedSoFar: this.dropped },
          "unable to record event: too many queued events, dropped event",
        );
      }
      return;
    }
    this.queue.push(event);
    this.pumping ??= this.pump().finally(() => {
      this.pumping = undefined;
    });
  }

  private async pump(): Promise<void> {
    for (;;) {
      const event = this.queue.shift();
      if (!event) return;
      try {
        await this.recordToSink(event);
      } catch (err) {
        this.logger?.error({ err: describeError(err) }, "event write failed");
      }
    }
  }

  private async recordToSink(raw: Event): Promise<void> {
    const result = this.correlator.correlate(raw);
    if (result.skip) return;
    const shuttingDown = this.stop.signal.aborted;
    const tries = shuttingDown ? 1 : this.maxTries;
    for (let attempt = 1; ; attempt++) {
      if (await this.write(result)) return;
      if (attempt >= tries) {
        this.logger?.error(
          { reason: raw.reason, object: raw.involvedObject.name },
          "unable to write event (retry limit exceeded), dropped",
        );
        return;
      }
      const delay = attempt === 1 ? this.retryDelayMs * Math.random() : this.retryDelayMs;
      if (!(await sleep(delay, AbortSignal.any([this.stop.signal, this.client.closedSignal])))) {
        this.logger?.error(
          { reason: raw.reason, object: raw.involvedObject.name },
          "unable to write event (shutting down), dropped",
        );
        return;
      }
    }
  }

  /** True when done (written, or rejected for good); false to retry. */
  private async write(result: CorrelateResult): Promise<boolean> {
    const event = result.event;
    const ns = event.metadata?.namespace ?? "default";
    const events = this.client.resource(Events, ns);
    try {
      let stored: Event | undefined;
      if (result.patch && (event.count ?? 1) > 1) {
        try {
          stored = await events.patch(event.metadata!.name!, result.patch, "strategic");
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      if (!stored) {
        const { resourceVersion: _rv, ...metadata } = event.metadata ?? {};
        stored = await events.create({ ...event, metadata });
      }
      this.correlator.updateState(stored);
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.code !== 429 && err.code < 500) {
        // The server answered: the same request would get the same answer. (client-go gives up on
        // any answer; we also retry 429 and 5xx, which say "not now" rather than "never".)
        if (isAlreadyExists(err))
          this.logger?.debug({ err: describeError(err) }, "server rejected event (will not retry)");
        else
          this.logger?.error(
            { err: describeError(err), reason: event.reason },
            "server rejected event (will not retry)",
          );
        return true;
      }
      this.logger?.warn(
        { err: describeError(err), reason: event.reason },
        "unable to write event (may retry after sleeping)",
      );
      return false;
    }
  }

  /** Resolves when the queue is empty and nothing is being written (tests, orderly shutdown). */
  async flush(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  /** Stops accepting events; queued ones get one attempt each. */
  async shutdown(): Promise<void> {
    this.stop.abort();
    await this.flush();
  }
}
