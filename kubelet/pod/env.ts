// A container's environment (kubelet_pods.go makeEnvironmentVariables): envFrom, env with $(VAR) expansion,
// configMapKeyRef, secretKeyRef, fieldRef, resourceFieldRef, and the Docker-link style variables of the
// services in the pod's namespace. Pure: the objects it reads are passed in.
import type { ConfigMap, Container, EnvVar, Pod, Secret, Service } from "kubernetes-types/core/v1";
import { parseQuantity } from "../../pkg/api/quantity.js";

export interface EnvInputs {
  pod: Pod;
  podIP: string;
  hostIP: string;
  configMaps: Map<string, ConfigMap | undefined>;
  secrets: Map<string, Secret | undefined>;
  /** services of the pod's namespace, plus `kubernetes` of default */
  services: Service[];
  /** node allocatable, for resourceFieldRef without a limit */
  nodeAllocatable: { cpuMilli: number; memoryBytes: number };
}

/** An error the kubelet reports as CreateContainerConfigError. */
export class ContainerConfigError extends Error {}

/** expansion.Expand: $(VAR) from the mapping when defined, $$ for a literal $, anything else as is. */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  let out = "";
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== "$" || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1];
    if (next === "$") {
      out += "$";
      i++;
    } else if (next === "(") {
      const end = input.indexOf(")", i + 2);
      if (end < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, end);
      const v = lookup(name);
      out += v ?? `$(${name})`;
      i = end;
    } else {
      out += ch;
    }
  }
  return out;
}

function envName(serviceName: string): string {
  return serviceName.toUpperCase().replace(/-/g, "_");
}

/** Docker-link variables for services with a ClusterIP (envvars.FromServices). */
export function serviceEnv(services: Service[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const sorted = [...services].sort((a, b) => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""));
  for (const svc of sorted) {
    const ip = svc.spec?.clusterIP;
    if (!ip || ip === "None") continue;
    const ports = svc.spec?.ports ?? [];
    if (ports.length === 0) continue;
    const n = envName(svc.metadata?.name ?? "");
    out.push([`${n}_SERVICE_HOST`, ip]);
    out.push([`${n}_SERVICE_PORT`, String(ports[0].port)]);
    for (const p of ports) if (p.name) out.push([`${n}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
    const first = ports[0];
    const proto0 = (first.protocol ?? "TCP").toLowerCase();
    out.push([`${n}_PORT`, `${proto0}://${ip}:${first.port}`]);
    for (const p of ports) {
      const proto = p.protocol ?? "TCP";
      const prefix = `${n}_PORT_${p.port}_${proto.toUpperCase()}`;
      out.push([prefix, `${proto.toLowerCase()}://${ip}:${p.port}`]);
      out.push([`${prefix}_PROTO`, proto.toLowerCase()]);
      out.push([`${prefix}_PORT`, String(p.port)]);
      out.push([`${prefix}_ADDR`, ip]);
    }
  }
  return out;
}

function fieldValue(path: string, inputs: EnvInputs): string {
  const { pod } = inputs;
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) {
    const map = m[1] === "labels" ? pod.metadata?.labels : pod.metadata?.annotations;
    return map?.[m[2]] ?? "";
  }
  switch (path) {
    case "metadata.name":
      return pod.metadata?.name ?? "";
    case "metadata.namespace":
      return pod.metadata?.namespace ?? "";
    case "metadata.uid":
      return pod.metadata?.uid ?? "";
    case "spec.nodeName":
      return pod.spec?.nodeName ?? "";
    case "spec.serviceAccountName":
      return pod.spec?.serviceAccountName ?? "";
    case "status.hostIP":
    case "status.hostIPs":
      return inputs.hostIP;
    case "status.podIP":
    case "status.podIPs":
      return pod.spec?.hostNetwork ? inputs.hostIP : inputs.podIP;
    default:
      throw new ContainerConfigError(`unsupported fieldRef "${path}"`);
  }
}

/** resourceFieldRef: the container's limit or request divided by the divisor, rounded up (at least 1). */
export function resourceValue(
  c: Container,
  resource: string,
  divisor: string | number | undefined,
  alloc: EnvInputs["nodeAllocatable"],
): string {
  const [kind, name] = resource.split(".") as ["limits" | "requests", string];
  const raw = (kind === "limits" ? c.resources?.limits : c.resources?.requests)?.[name];
  const div = parseQuantity(divisor ?? (name === "cpu" ? "1" : "1"));
  if (name === "cpu") {
    let milli = raw !== undefined ? parseQuantity(raw).milliValue() : kind === "limits" ? alloc.cpuMilli : 0;
    if (kind === "requests" && raw === undefined) milli = 0;
    const d = div.milliValue() || 1000;
    return String(Math.max(1, Math.ceil(milli / d)));
  }
  if (name === "memory" || name === "ephemeral-storage") {
    let bytes = raw !== undefined ? parseQuantity(raw).value() : kind === "limits" ? alloc.memoryBytes : 0;
    if (kind === "requests" && raw === undefined) bytes = 0;
    const d = div.value() || 1;
    return String(Math.max(1, Math.ceil(bytes / d)));
  }
  throw new ContainerConfigError(`unsupported resourceFieldRef "${resource}"`);
}

function keyRef(
  kind: "configmap" | "secret",
  ns: string,
  ref: { name?: string; key: string; optional?: boolean },
  inputs: EnvInputs,
): string | undefined {
  const name = ref.name ?? "";
  if (kind === "configmap") {
    const cm = inputs.configMaps.get(name);
    if (!cm) {
      if (ref.optional) return undefined;
      throw new ContainerConfigError(`configmap "${name}" not found`);
    }
    const v =
      cm.data?.[ref.key] ??
      (cm.binaryData?.[ref.key] ? Buffer.from(cm.binaryData[ref.key], "base64").toString() : undefined);
    if (v === undefined && !ref.optional) {
      throw new ContainerConfigError(`couldn't find key ${ref.key} in ConfigMap ${ns}/${name}`);
    }
    return v;
  }
  const s = inputs.secrets.get(name);
  if (!s) {
    if (ref.optional) return undefined;
    throw new ContainerConfigError(`secret "${name}" not found`);
  }
  const b64 = s.data?.[ref.key];
  const v = b64 !== undefined ? Buffer.from(b64, "base64").toString() : s.stringData?.[ref.key];
  if (v === undefined && !ref.optional) {
    throw new ContainerConfigError(`couldn't find key ${ref.key} in Secret ${ns}/${name}`);
  }
  return v;
}

/** The container's environment as an ordered list of [name, value]; throws ContainerConfigError. */
export function containerEnv(c: Container, inputs: EnvInputs): Array<[string, string]> {
  const ns = inputs.pod.metadata?.namespace ?? "default";
  const env = new Map<string, string>();
  for (const from of c.envFrom ?? []) {
    const prefix = from.prefix ?? "";
    if (from.configMapRef) {
      const cm = inputs.configMaps.get(from.configMapRef.name ?? "");
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new ContainerConfigError(`configmap "${from.configMapRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) env.set(prefix + k, v);
    }
    if (from.secretRef) {
      const s = inputs.secrets.get(from.secretRef.name ?? "");
      if (!s) {
        if (from.secretRef.optional) continue;
        throw new ContainerConfigError(`secret "${from.secretRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(s.data ?? {}))
        env.set(prefix + k, Buffer.from(v, "base64").toString());
    }
  }
  const services =
    inputs.pod.spec?.enableServiceLinks === false
      ? serviceEnv(
          inputs.services.filter(
            (s) => s.metadata?.name === "kubernetes" && s.metadata.namespace === "default",
          ),
        )
      : serviceEnv(inputs.services);
  const serviceMap = new Map(services);
  const lookup = (name: string) => env.get(name) ?? serviceMap.get(name);
  for (const e of c.env ?? ([] as EnvVar[])) {
    let value: string | undefined;
    if (e.value !== undefined) value = expandVars(e.value, lookup);
    else if (e.valueFrom?.fieldRef) value = fieldValue(e.valueFrom.fieldRef.fieldPath, inputs);
    else if (e.valueFrom?.resourceFieldRef) {
      const r = e.valueFrom.resourceFieldRef;
      const target = r.containerName
        ? ((inputs.pod.spec?.containers ?? []).find((x) => x.name === r.containerName) ?? c)
        : c;
      value = resourceValue(target, r.resource, r.divisor, inputs.nodeAllocatable);
    } else if (e.valueFrom?.configMapKeyRef)
      value = keyRef("configmap", ns, e.valueFrom.configMapKeyRef, inputs);
    else if (e.valueFrom?.secretKeyRef) value = keyRef("secret", ns, e.valueFrom.secretKeyRef, inputs);
    else value = "";
    if (value !== undefined) env.set(e.name, value);
  }
  const out: Array<[string, string]> = [...env];
  for (const [k, v] of services) if (!env.has(k)) out.push([k, v]);
  return out;
}

/** command and args with $(VAR) expanded from the environment. */
export function expandCommand(
  c: Container,
  env: Array<[string, string]>,
): { command?: string[]; args?: string[] } {
  const map = new Map(env);
  const lookup = (n: string) => map.get(n);
  return {
    command: c.command?.map((s) => expandVars(s, lookup)),
    args: c.args?.map((s) => expandVars(s, lookup)),
  };
}

/** Names of the configMaps and secrets a pod's containers reference in env/envFrom. */
export function envReferences(pod: Pod): { configMaps: Set<string>; secrets: Set<string> } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const f of c.envFrom ?? []) {
      if (f.configMapRef?.name) configMaps.add(f.configMapRef.name);
      if (f.secretRef?.name) secrets.add(f.secretRef.name);
    }
    for (const e of c.env ?? []) {
      if (e.valueFrom?.configMapKeyRef?.name) configMaps.add(e.valueFrom.configMapKeyRef.name);
      if (e.valueFrom?.secretKeyRef?.name) secrets.add(e.valueFrom.secretKeyRef.name);
    }
  }
  return { configMaps, secrets };
}
