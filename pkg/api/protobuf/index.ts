// Decoding of Kubernetes protobuf request bodies (application/vnd.kubernetes.protobuf), which
// client-go's typed clients send for `kubectl create deployment|job|secret|...` and `autoscale`:
// the magic "k8s\0", a runtime.Unknown envelope {typeMeta, raw, contentEncoding, contentType}, and
// in raw the object's message from k8s.io/api's generated.proto. The result is the object as the
// apiserver would see it after decoding into the Go type and encoding as JSON: Go's zero values
// left out where the JSON tag says omitempty (pointer fields keep an explicit 0, "" or false).
import protobuf from "protobufjs";
import type { KubeObject } from "../types.js";
import { messages } from "./descriptors.js";
import { isProtobufBody, PROTOBUF_MAGIC } from "./magic.js";

export { isProtobufBody, PROTOBUF_MAGIC };

export class ProtobufDecodeError extends Error {
  /** The metav1.Status reason to answer with: a malformed body, or a kind we have no message for. */
  readonly reason: "BadRequest" | "UnsupportedMediaType";
  constructor(message: string, reason: "BadRequest" | "UnsupportedMediaType" = "BadRequest") {
    super(message);
    this.name = "ProtobufDecodeError";
    this.reason = reason;
  }
}

const FLAG_REPEATED = 1;
const FLAG_MAP = 2;
const FLAG_POINTER = 4;
const FLAG_OMITEMPTY = 8;
const FLAG_INLINE = 16;

/** proto package segment of each API group (k8s.io.api.<segment>.<version>). */
const GROUP_PACKAGES: Record<string, string> = {
  "": "core",
  apps: "apps",
  batch: "batch",
  autoscaling: "autoscaling",
  policy: "policy",
  "rbac.authorization.k8s.io": "rbac",
  "networking.k8s.io": "networking",
  "scheduling.k8s.io": "scheduling",
  "authentication.k8s.io": "authentication",
  "authorization.k8s.io": "authorization",
  "coordination.k8s.io": "coordination",
  "storage.k8s.io": "storage",
  "discovery.k8s.io": "discovery",
};

const META = "k8s.io.apimachinery.pkg.apis.meta.v1";
const UNKNOWN = "k8s.io.apimachinery.pkg.runtime.Unknown";

let root: protobuf.Root | undefined;

/** The protobufjs types, built once from the generated descriptors. */
function types(): protobuf.Root {
  if (root) return root;
  const r = new protobuf.Root();
  for (const [fullName, fields] of Object.entries(messages)) {
    const path = fullName.split(".");
    const name = path.pop() as string;
    const type = new protobuf.Type(name);
    for (const [fieldName, id, fieldType, flags, , keyType] of fields) {
      const t = fieldType.includes(".") ? `.${fieldType}` : fieldType;
      if (flags & FLAG_MAP) type.add(new protobuf.MapField(fieldName, id, keyType ?? "string", t));
      else type.add(new protobuf.Field(fieldName, id, t, flags & FLAG_REPEATED ? "repeated" : "optional"));
    }
    r.define(path).add(type);
  }
  r.resolveAll();
  root = r;
  return r;
}

/** The message type of an apiVersion/kind, or undefined when we have no definition for it. */
export function protoTypeName(apiVersion: string, kind: string): string | undefined {
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const pkg = GROUP_PACKAGES[group];
  if (!pkg || !/^[a-z0-9]+$/.test(version) || !/^[A-Za-z0-9]+$/.test(kind)) return undefined;
  const name = `k8s.io.api.${pkg}.${version}.${kind}`;
  return name in messages ? name : undefined;
}

/**
 * Decode a protobuf request body into the JSON object it stands for (apiVersion and kind from the
 * envelope). Throws ProtobufDecodeError for a malformed body or an unknown kind.
 */
export function decodeProtobufObject(buf: Uint8Array): KubeObject {
  if (!isProtobufBody(buf))
    throw new ProtobufDecodeError(
      "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]",
    );
  let envelope: Record<string, unknown>;
  try {
    envelope = types().lookupType(UNKNOWN).decode(buf.subarray(4)) as unknown as Record<string, unknown>;
  } catch (e) {
    throw new ProtobufDecodeError(`unable to decode the protobuf envelope: ${(e as Error).message}`);
  }
  const typeMeta = (envelope.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const apiVersion = typeMeta.apiVersion ?? "";
  const kind = typeMeta.kind ?? "";
  if (envelope.contentEncoding) {
    throw new ProtobufDecodeError(`unsupported content encoding ${JSON.stringify(envelope.contentEncoding)}`);
  }
  const typeName = protoTypeName(apiVersion, kind);
  if (!typeName) {
    throw new ProtobufDecodeError(
      `no kind "${kind}" is registered for version "${apiVersion}" in the protobuf decoder`,
      "UnsupportedMediaType",
    );
  }
  const raw = (envelope.raw as Uint8Array | undefined) ?? new Uint8Array();
  let message: Record<string, unknown>;
  try {
    message = types().lookupType(typeName).decode(raw) as unknown as Record<string, unknown>;
  } catch (e) {
    throw new ProtobufDecodeError(`unable to decode ${apiVersion}, Kind=${kind}: ${(e as Error).message}`);
  }
  return { apiVersion, kind, ...(messageToJSON(typeName, message) as Record<string, unknown>) };
}

/** Decode one message of a named type from its bytes (no envelope) into its JSON form. */
export function decodeMessage(typeName: string, bytes: Uint8Array): unknown {
  const message = types().lookupType(typeName).decode(bytes) as unknown as Record<string, unknown>;
  return messageToJSON(typeName, message);
}

/** Encode a message from protobufjs-shaped fields (used by tests to build bodies). */
export function encodeMessage(typeName: string, fields: Record<string, unknown>): Uint8Array {
  const type = types().lookupType(typeName);
  return type.encode(type.fromObject(fields)).finish();
}

/** Wrap an encoded object in the runtime.Unknown envelope with the "k8s\0" prefix. */
export function encodeEnvelope(apiVersion: string, kind: string, raw: Uint8Array): Uint8Array {
  const unknown = encodeMessage(UNKNOWN, { typeMeta: { apiVersion, kind }, raw, contentType: "" });
  const out = new Uint8Array(4 + unknown.length);
  out.set(PROTOBUF_MAGIC);
  out.set(unknown, 4);
  return out;
}

const has = (o: object, k: string) => Object.hasOwn(o, k);

/** The JSON form of a decoded message, or undefined for a value Go's JSON writes as null. */
function messageToJSON(typeName: string, m: Record<string, unknown>): unknown {
  switch (typeName) {
    case `${META}.Time`:
      return rfc3339(m, false);
    case `${META}.MicroTime`:
      return rfc3339(m, true);
    case `${META}.Duration`:
      return has(m, "duration") ? m.duration : "";
    case "k8s.io.apimachinery.pkg.util.intstr.IntOrString":
      return toNumber(m.type) === 1 ? (has(m, "strVal") ? m.strVal : "") : toNumber(m.intVal);
    case "k8s.io.apimachinery.pkg.api.resource.Quantity":
      return has(m, "string") ? m.string : "0";
    case "k8s.io.apimachinery.pkg.runtime.RawExtension":
    case `${META}.FieldsV1`:
      return rawJSON(m[typeName.endsWith("FieldsV1") ? "Raw" : "raw"]);
  }
  const out: Record<string, unknown> = {};
  for (const [fieldName, , fieldType, flags, jsonName] of messages[typeName] ?? []) {
    if (!has(m, fieldName)) continue;
    const json = jsonName ?? fieldName;
    const v = m[fieldName];
    // protobufjs gives every message empty lists and maps; an empty one was not on the wire (Go nil)
    if (flags & FLAG_MAP) {
      const entries = Object.entries(v as Record<string, unknown>);
      if (entries.length === 0) continue;
      out[json] = Object.fromEntries(entries.map(([k, x]) => [k, valueToJSON(fieldType, x) ?? null]));
    } else if (flags & FLAG_REPEATED) {
      const list = (v as unknown[]).map((x) => valueToJSON(fieldType, x) ?? null);
      if (list.length === 0) continue;
      out[json] = list;
    } else if (fieldType in messages) {
      const value = messageToJSON(fieldType, v as Record<string, unknown>);
      if (value === undefined) continue;
      if (flags & FLAG_INLINE && typeof value === "object" && value !== null) Object.assign(out, value);
      else out[json] = value;
    } else {
      const value = scalarToJSON(fieldType, v);
      // Go writes every non-pointer field; its JSON leaves zero values out when omitempty
      if (!(flags & FLAG_POINTER) && flags & FLAG_OMITEMPTY && isZero(value)) continue;
      out[json] = value;
    }
  }
  return out;
}

function valueToJSON(type: string, v: unknown): unknown {
  return type in messages ? messageToJSON(type, v as Record<string, unknown>) : scalarToJSON(type, v);
}

function scalarToJSON(type: string, v: unknown): unknown {
  switch (type) {
    case "bytes":
      return Buffer.from(v as Uint8Array).toString("base64");
    case "int64":
    case "uint64":
    case "sint64":
    case "fixed64":
    case "sfixed64":
      return toNumber(v);
    default:
      return v;
  }
}

function isZero(v: unknown): boolean {
  return v === "" || v === 0 || v === false;
}

/** int64 values arrive as Long objects (long.js) or numbers. */
function toNumber(v: unknown): number {
  if (typeof v === "number") return v;
  if (v && typeof v === "object" && "low" in v) return Number(String(v));
  return Number(v ?? 0);
}

/** metav1.Time / MicroTime as RFC 3339 (UTC); the zero time is Go's null. */
function rfc3339(m: Record<string, unknown>, micro: boolean): string | undefined {
  const seconds = toNumber(m.seconds);
  const nanos = toNumber(m.nanos);
  if (seconds === 0 && nanos === 0) return undefined;
  const iso = new Date(seconds * 1000).toISOString().slice(0, 19);
  return micro ? `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, "0")}Z` : `${iso}Z`;
}

/** RawExtension / FieldsV1: the embedded JSON document. */
function rawJSON(raw: unknown): unknown {
  if (!(raw instanceof Uint8Array) || raw.length === 0) return undefined;
  const text = Buffer.from(raw).toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
