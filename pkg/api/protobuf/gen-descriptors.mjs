// Regenerates descriptors.ts from the kubectl 1.32 binary installed on these machines, which carries
// both facts needed: the FileDescriptorProtos of k8s.io/api's generated.proto (gzipped, registered
// by the gogo-generated code) and the Go runtime type descriptors of the API structs (field types
// and `json` / `protobuf` struct tags, so pointer / omitempty / inline).
//   node pkg/api/protobuf/gen-descriptors.mjs [/usr/lib/google-cloud-sdk/bin/kubectl.1.32]
//   npx biome format --write pkg/api/protobuf/descriptors.ts
import fs from "node:fs";
import { createRequire } from "node:module";
import zlib from "node:zlib";

const require = createRequire(import.meta.url);
const protobuf = require("protobufjs");
const descriptor = require("protobufjs/ext/descriptor");
const binary = process.argv[2] ?? "/usr/lib/google-cloud-sdk/bin/kubectl.1.32";
const f = fs.readFileSync(binary);

// ---- 1. the proto file descriptors: gzip streams that inflate to a FileDescriptorProto
const fileDescriptors = {};
for (let i = 0; i < f.length - 3; i++) {
  if (f[i] !== 0x1f || f[i + 1] !== 0x8b || f[i + 2] !== 0x08) continue;
  try {
    const out = zlib.gunzipSync(f.subarray(i, i + 400000), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    if (out[0] !== 0x0a) continue;
    const name = out.subarray(2, 2 + out[1]).toString();
    if (name.startsWith("k8s.io/") && name.endsWith(".proto")) fileDescriptors[name] = out;
  } catch {}
}

// ---- 2. Go struct facts from the runtime type descriptors (abi.Type) in .rodata
// section headers
const shoff = Number(f.readBigUInt64LE(0x28)),
  shentsize = f.readUInt16LE(0x3a),
  shnum = f.readUInt16LE(0x3c),
  shstrndx = f.readUInt16LE(0x3e);
const secs = [];
for (let i = 0; i < shnum; i++) {
  const o = shoff + i * shentsize;
  secs.push({
    nameOff: f.readUInt32LE(o),
    addr: Number(f.readBigUInt64LE(o + 0x10)),
    off: Number(f.readBigUInt64LE(o + 0x18)),
    size: Number(f.readBigUInt64LE(o + 0x20)),
  });
}
const strtab = secs[shstrndx];
for (const s of secs) {
  let e = strtab.off + s.nameOff;
  let n = "";
  while (f[e]) n += String.fromCharCode(f[e++]);
  s.name = n;
}
const sec = (n) => secs.find((s) => s.name === n);
const rodata = sec(".rodata"),
  typelink = sec(".typelink");
function off(addr) {
  for (const s of secs)
    if (s.addr && addr >= s.addr && addr < s.addr + s.size) return s.off + (addr - s.addr);
  return -1;
}
const typesBase = rodata.addr;
function readName(addr) {
  const o = off(addr);
  if (o < 0) return { name: "?", tag: "" };
  const flags = f[o];
  let p = o + 1;
  const varint = () => {
    let v = 0,
      s = 0,
      b;
    do {
      b = f[p++];
      v |= (b & 0x7f) << s;
      s += 7;
    } while (b & 0x80);
    return v;
  };
  const n = varint();
  const name = f.subarray(p, p + n).toString();
  p += n;
  let tag = "";
  if (flags & 2) {
    const tn = varint();
    tag = f.subarray(p, p + tn).toString();
    p += tn;
  }
  return { name, tag, embedded: !!(flags & 8) };
}
const KIND = {
  22: "ptr",
  23: "slice",
  25: "struct",
  21: "map",
  24: "string",
  1: "bool",
  5: "int32",
  6: "int64",
  2: "int",
  17: "array",
  20: "interface",
};
const seen = new Map();
function typeAt(addr) {
  if (seen.has(addr)) return seen.get(addr);
  const o = off(addr);
  if (o < 0) return null;
  const t = { addr, kind: KIND[f[o + 23] & 0x1f] ?? String(f[o + 23] & 0x1f), tflag: f[o + 20] };
  seen.set(addr, t);
  let nm = readName(typesBase + f.readInt32LE(o + 40)).name;
  if (t.tflag & 2) nm = nm.slice(1);
  t.str = nm;
  if (t.kind === "ptr" || t.kind === "slice") t.elem = Number(f.readBigUInt64LE(o + 48));
  if (t.kind === "map") {
    t.key = Number(f.readBigUInt64LE(o + 48));
    t.elem = Number(f.readBigUInt64LE(o + 56));
  }
  if (t.kind === "struct") {
    t.pkg = readName(Number(f.readBigUInt64LE(o + 48))).name;
    if (t.tflag & 1) t.pkg = readName(typesBase + f.readInt32LE(o + 80)).name;
    const fp = Number(f.readBigUInt64LE(o + 56)),
      fl = Number(f.readBigUInt64LE(o + 64));
    t.fields = [];
    for (let i = 0; i < fl && i < 500; i++) {
      const fo = off(fp + i * 24);
      const nm2 = readName(Number(f.readBigUInt64LE(fo)));
      t.fields.push({
        name: nm2.name,
        tag: nm2.tag,
        embedded: nm2.embedded,
        typ: Number(f.readBigUInt64LE(fo + 8)),
      });
    }
  }
  return t;
}
const structs = new Map();
function walk(addr, _depth = 0) {
  const t = typeAt(addr);
  if (!t || t.walked) return t;
  t.walked = true;
  if (t.elem) walk(t.elem);
  if (t.key) walk(t.key);
  if (t.fields) {
    for (const fl of t.fields) walk(fl.typ);
    if (t.pkg.startsWith("k8s.io/")) structs.set(`${t.pkg}.${t.str.replace(/^.*\./, "")}`, t);
  }
  return t;
}
for (let i = 0; i < typelink.size; i += 4) walk(typesBase + f.readInt32LE(typelink.off + i));
// brute force: every 8-aligned abi.Type of kind struct in .rodata whose package is k8s.io/...
let _extra = 0;
for (let o = rodata.off; o < rodata.off + rodata.size - 72; o += 8) {
  if ((f[o + 23] & 0x1f) !== 25) continue;
  const size = Number(f.readBigUInt64LE(o));
  if (size === 0 || size > 1e6) continue;
  const fl = Number(f.readBigUInt64LE(o + 64)),
    fc = Number(f.readBigUInt64LE(o + 72));
  if (fl > 300 || fl !== fc) continue;
  if (!(f[o + 20] & 1)) continue;
  const addr = rodata.addr + (o - rodata.off);
  let t;
  try {
    t = typeAt(addr);
  } catch {
    continue;
  }
  if (!t?.pkg?.startsWith("k8s.io/")) {
    seen.delete(addr);
    continue;
  }
  if (!structs.has(`${t.pkg}.${t.str.replace(/^.*\./, "")}`)) {
    _extra++;
  }
  try {
    walk(addr);
  } catch {}
}
const go = {};
for (const [k, t] of structs) {
  go[k] = t.fields.map((fl) => {
    const ft = seen.get(fl.typ) ?? typeAt(fl.typ);
    const elem = ft?.elem ? (seen.get(ft.elem) ?? typeAt(ft.elem)) : undefined;
    return {
      field: fl.name,
      tag: fl.tag,
      kind: ft?.kind,
      elemKind: elem?.kind,
      type: ft?.str,
      elemType: elem?.str,
    };
  });
}

// ---- 3. the messages reachable from the kinds kubectl's typed generators send
const want = [
  "api_core_v1",
  "api_apps_v1",
  "api_batch_v1",
  "api_autoscaling_v1",
  "api_autoscaling_v2",
  "api_policy_v1",
  "api_rbac_v1",
  "api_networking_v1",
  "api_scheduling_v1",
  "api_authentication_v1",
  "api_authorization_v1",
  "api_coordination_v1",
  "api_storage_v1",
  "api_discovery_v1",
  "apimachinery_pkg_apis_meta_v1",
  "apimachinery_pkg_api_resource",
  "apimachinery_pkg_runtime_generated",
  "apimachinery_pkg_runtime_schema",
  "apimachinery_pkg_util_intstr",
];
const files = Object.keys(fileDescriptors).filter((n) =>
  want.some((w) => n.replace(/[/.]/g, "_").includes(`_${w}_`)),
);
const root = protobuf.Root.fromDescriptor({
  file: files.map((n) => descriptor.FileDescriptorProto.decode(fileDescriptors[n])),
});
root.resolveAll();

const roots = [
  "k8s.io.api.apps.v1.Deployment",
  "k8s.io.api.apps.v1.ReplicaSet",
  "k8s.io.api.apps.v1.StatefulSet",
  "k8s.io.api.apps.v1.DaemonSet",
  "k8s.io.api.core.v1.ConfigMap",
  "k8s.io.api.core.v1.Secret",
  "k8s.io.api.core.v1.Namespace",
  "k8s.io.api.core.v1.Service",
  "k8s.io.api.core.v1.ServiceAccount",
  "k8s.io.api.core.v1.Pod",
  "k8s.io.api.core.v1.PodTemplate",
  "k8s.io.api.core.v1.ReplicationController",
  "k8s.io.api.core.v1.Endpoints",
  "k8s.io.api.core.v1.Node",
  "k8s.io.api.core.v1.Event",
  "k8s.io.api.core.v1.PersistentVolume",
  "k8s.io.api.core.v1.PersistentVolumeClaim",
  "k8s.io.api.core.v1.ResourceQuota",
  "k8s.io.api.core.v1.LimitRange",
  "k8s.io.api.core.v1.Binding",
  "k8s.io.api.batch.v1.Job",
  "k8s.io.api.batch.v1.CronJob",
  "k8s.io.api.authentication.v1.TokenRequest",
  "k8s.io.api.authentication.v1.SelfSubjectReview",
  "k8s.io.api.authorization.v1.SelfSubjectAccessReview",
  "k8s.io.api.authorization.v1.SelfSubjectRulesReview",
  "k8s.io.api.authorization.v1.SubjectAccessReview",
  "k8s.io.api.authorization.v1.LocalSubjectAccessReview",
  "k8s.io.api.autoscaling.v1.HorizontalPodAutoscaler",
  "k8s.io.api.autoscaling.v1.Scale",
  "k8s.io.api.autoscaling.v2.HorizontalPodAutoscaler",
  "k8s.io.api.policy.v1.PodDisruptionBudget",
  "k8s.io.api.policy.v1.Eviction",
  "k8s.io.api.rbac.v1.Role",
  "k8s.io.api.rbac.v1.RoleBinding",
  "k8s.io.api.rbac.v1.ClusterRole",
  "k8s.io.api.rbac.v1.ClusterRoleBinding",
  "k8s.io.api.networking.v1.Ingress",
  "k8s.io.api.networking.v1.IngressClass",
  "k8s.io.api.networking.v1.NetworkPolicy",
  "k8s.io.api.scheduling.v1.PriorityClass",
  "k8s.io.api.coordination.v1.Lease",
  "k8s.io.api.storage.v1.StorageClass",
  "k8s.io.api.discovery.v1.EndpointSlice",
  "k8s.io.apimachinery.pkg.runtime.Unknown",
];
const out = {};
const queue = [...roots];
const goPkg = (full) => {
  const parts = full.split(".");
  const name = parts.pop();
  return `${parts.slice(0, 2).join(".")}/${parts.slice(2).join("/")}.${name}`; // k8s.io/api/apps/v1.Deployment
};
const problems = [];
while (queue.length) {
  const name = queue.shift();
  if (out[name]) continue;
  const t = root.lookupType(name);
  const gs = go[goPkg(name)];
  if (!gs) problems.push(`no Go struct for ${name}`);
  const fields = [];
  for (const f of t.fieldsArray) {
    f.resolve();
    let flags = 0;
    let json = f.name;
    const gf = gs?.find((x) => new RegExp(`protobuf:"[a-z]+,${f.id},`).test(x.tag));
    if (gs && !gf) problems.push(`no Go field for ${name}.${f.name}`);
    if (gf) {
      const m = /json:"([^"]*)"/.exec(gf.tag);
      const [jn, ...opts] = (m ? m[1] : "").split(",");
      if (opts.includes("inline")) flags |= 16;
      else if (jn) json = jn;
      if (opts.includes("omitempty")) flags |= 8;
      if (gf.kind === "ptr") flags |= 4;
    }
    if (f.repeated) flags |= 1;
    if (f.map) flags |= 2;
    const type = f.resolvedType ? f.resolvedType.fullName.slice(1) : f.type;
    const entry = [f.name, f.id, type, flags];
    if (json !== f.name) entry.push(json);
    if (f.map) {
      while (entry.length < 5) entry.push(json);
      entry.push(f.keyType);
    }
    fields.push(entry);
    if (f.resolvedType instanceof protobuf.Type) queue.push(type);
  }
  out[name] = fields;
}
console.error(problems.join("\n"));
const sorted = Object.fromEntries(
  Object.keys(out)
    .sort()
    .map((k) => [k, out[k]]),
);
const lines = Object.entries(sorted).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
fs.writeFileSync(
  new URL("./descriptors.ts", import.meta.url),
  `// GENERATED from the protobuf descriptors (k8s.io/api v0.32 generated.proto) and the Go struct tags
// compiled into kubectl 1.32: see gen-descriptors.mjs. Do not edit by hand.
// Each message: [protoName, fieldNumber, type, flags, jsonName?, mapKeyType?] per field, where flags
// is 1 repeated | 2 map | 4 Go pointer | 8 json omitempty | 16 json inline.
export const messages: Record<string, [string, number, string, number, string?, string?][]> = {
${lines.join("\n")}
};
`,
);
console.log(Object.keys(out).length, "messages");
