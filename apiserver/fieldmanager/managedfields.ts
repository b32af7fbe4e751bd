// metadata.managedFields <-> managers (k8s.io/apimachinery/pkg/util/managedfields/internal:
// managedfields.go, buildmanagerinfo.go, capmanagers.go). A manager's identifier is the JSON of its
// entry without time and fields, and without apiVersion for appliers, so that an applier keeps one
// entry whatever version it applies with. Pure.
import type { ManagedFieldsEntry } from "kubernetes-types/meta/v1.js";
import { FieldSet } from "./fieldset.js";
import { compareStrings } from "./pathelement.js";
import type { Managers } from "./updater.js";

export type { ManagedFieldsEntry };

export type Operation = "Apply" | "Update";

/** Managers and the time of each one's last change (upstream's ManagedInterface). */
export interface Managed {
  fields: Managers;
  times: Map<string, string | undefined>;
}

export function emptyManaged(): Managed {
  return { fields: new Map(), times: new Map() };
}

/** Identifiers by their parts: every write builds its manager's and reads all of the object's. */
const identifiers = new Map<string, string>();
const MAX_IDENTIFIERS = 1000;

/** BuildManagerIdentifier: `{"manager":"kubectl","operation":"Apply"}`, `{...,"apiVersion":"v1"}` for updates. */
export function managerIdentifier(e: {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  subresource?: string;
}): string {
  const parts = `${e.manager ?? ""}\u0000${e.operation ?? ""}\u0000${e.apiVersion ?? ""}\u0000${e.subresource ?? ""}`;
  let id = identifiers.get(parts);
  if (id === undefined) {
    id = buildIdentifier(e);
    if (identifiers.size >= MAX_IDENTIFIERS) identifiers.clear();
    identifiers.set(parts, id);
  }
  return id;
}

function buildIdentifier(e: {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  subresource?: string;
}): string {
  const id: Record<string, string> = {};
  if (e.manager) id.manager = e.manager;
  if (e.operation) id.operation = e.operation;
  if (e.apiVersion && e.operation !== "Apply") id.apiVersion = e.apiVersion;
  if (e.subresource) id.subresource = e.subresource;
  return JSON.stringify(id);
}

/** The identifier of `manager` writing through `apiVersion` (and a subresource), as buildManagerInfo. */
export function buildManagerInfo(
  manager: string,
  operation: Operation,
  apiVersion: string,
  subresource = "",
): string {
  return managerIdentifier({ manager: manager || "unknown", operation, apiVersion, subresource });
}

export interface ParsedManager {
  manager: string;
  operation: string;
  apiVersion?: string;
  subresource?: string;
}

/** Parsed identifiers: a cluster has few managers, and every write encodes all of an object's. */
const parsedIds = new Map<string, ParsedManager | undefined>();
const MAX_PARSED_IDS = 1000;

export function parseManagerIdentifier(id: string): ParsedManager | undefined {
  if (parsedIds.has(id)) return parsedIds.get(id);
  let parsed: ParsedManager | undefined;
  try {
    const v = JSON.parse(id) as ParsedManager;
    parsed = typeof v === "object" && v !== null ? Object.freeze(v) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsedIds.size >= MAX_PARSED_IDS) parsedIds.clear();
  parsedIds.set(id, parsed);
  return parsed;
}

/**
 * The fieldsV1 each decoded set was read from. Sets are values, so a manager whose set no write
 * touched still holds that very set, and its entry is written back as it was read instead of being
 * encoded again (the same JSON: fieldsV1 is stored in its sorted form).
 */
const readFrom = new WeakMap<FieldSet, ManagedFieldsEntry["fieldsV1"]>();

/** DecodeManagedFields; throws on an entry upstream refuses. */
export function decodeManagedFields(entries: ManagedFieldsEntry[] | undefined): Managed {
  const m = emptyManaged();
  (entries ?? []).forEach((e, i) => {
    if (e.operation !== "Apply" && e.operation !== "Update")
      throw new Error("operation must be `Apply` or `Update`");
    if (!e.apiVersion) throw new Error("apiVersion must not be empty");
    if (!e.fieldsType) throw new Error(`missing fieldsType in managed fields entry ${i}`);
    if (e.fieldsType !== "FieldsV1")
      throw new Error(`invalid fieldsType "${e.fieldsType}" in managed fields entry ${i}`);
    const id = managerIdentifier(e);
    let set: FieldSet;
    try {
      set = FieldSet.fromFieldsV1(e.fieldsV1 ?? {});
    } catch (err) {
      throw new Error(`error decoding versioned set from ${JSON.stringify(e)}: ${(err as Error).message}`);
    }
    if (e.fieldsV1) readFrom.set(set, e.fieldsV1);
    m.fields.set(id, { set, apiVersion: e.apiVersion, applied: e.operation === "Apply" });
    m.times.set(id, e.time);
  });
  return m;
}

function seconds(t: string | undefined): number {
  if (!t) return 0;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

/** encodeManagedFields: one entry per manager, sorted as upstream; undefined when there is none. */
export function encodeManagedFields(m: Managed): ManagedFieldsEntry[] | undefined {
  if (m.fields.size === 0) return undefined;
  const entries: ManagedFieldsEntry[] = [];
  for (const [id, vs] of m.fields) {
    const parsed = parseManagerIdentifier(id) ?? { manager: id, operation: "Update" };
    const e: ManagedFieldsEntry = { manager: parsed.manager };
    e.operation = vs.applied ? "Apply" : parsed.operation;
    e.apiVersion = vs.apiVersion;
    const t = m.times.get(id);
    if (t) e.time = t;
    e.fieldsType = "FieldsV1";
    e.fieldsV1 = readFrom.get(vs.set) ?? vs.set.toFieldsV1();
    if (parsed.subresource) e.subresource = parsed.subresource;
    entries.push(e);
  }
  return entries.sort(
    (p, q) =>
      compareStrings(p.operation ?? "", q.operation ?? "") ||
      seconds(p.time) - seconds(q.time) ||
      compareStrings(p.manager ?? "", q.manager ?? "") ||
      compareStrings(p.apiVersion ?? "", q.apiVersion ?? "") ||
      compareStrings(p.subresource ?? "", q.subresource ?? ""),
  );
}

let lastSecond = Number.NaN;
let lastFormatted = "";

/** metav1.Time as it is serialized: RFC 3339, seconds, UTC (the last one kept: writes come many a second). */
export function formatTime(d: Date): string {
  const second = Math.floor(d.getTime() / 1000);
  if (second !== lastSecond) {
    lastFormatted = `${d.toISOString().slice(0, 19)}Z`;
    lastSecond = second;
  }
  return lastFormatted;
}

export const MAX_UPDATE_MANAGERS = 10;
const ANCIENT_CHANGES = "ancient-changes";

/**
 * capManagersManager: beyond `max` Update entries, the oldest are merged into one
 * "ancient-changes" entry per version.
 */
export function capUpdateManagers(m: Managed, max = MAX_UPDATE_MANAGERS): Managed {
  const updaters = [...m.fields].filter(([, vs]) => !vs.applied).map(([id]) => id);
  if (updaters.length <= max) return m;
  updaters.sort((a, b) => seconds(m.times.get(a)) - seconds(m.times.get(b)) || compareStrings(a, b));
  const fields = new Map(m.fields);
  const times = new Map(m.times);
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const id = updaters[i]!;
    const vs = fields.get(id)!;
    const time = times.get(id);
    const bucket = managerIdentifier({
      manager: ANCIENT_CHANGES,
      operation: "Update",
      apiVersion: vs.apiVersion,
    });
    const first = firstOfVersion.get(vs.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(vs.apiVersion, id);
      continue;
    }
    if (!fields.has(bucket)) {
      fields.set(bucket, fields.get(first)!);
      fields.delete(first);
      times.delete(first);
    }
    fields.set(bucket, { ...vs, set: vs.set.union(fields.get(bucket)!.set) });
    fields.delete(id);
    times.delete(id);
    times.set(bucket, time);
    length--;
  }
  return { fields, times };
}
