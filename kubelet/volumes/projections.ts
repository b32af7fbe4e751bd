// The files of configMap, secret, downwardAPI and projected volumes (pure): which keys become which files
// with which modes, and the errors Kubernetes gives for missing objects and keys.
import type { ConfigMap, DownwardAPIVolumeFile, KeyToPath, Pod, Secret } from "kubernetes-types/core/v1";
import { resourceValue } from "../pod/env.js";
import type { FileProjection } from "./atomic-writer.js";

export class VolumeError extends Error {}

function keyFiles(
  data: Map<string, Buffer>,
  items: KeyToPath[] | undefined,
  defaultMode: number,
  what: string,
  optional: boolean,
): FileProjection[] {
  if (!items || items.length === 0) {
    return [...data].map(([k, v]) => ({ path: k, data: v, mode: defaultMode }));
  }
  const out: FileProjection[] = [];
  for (const it of items) {
    const v = data.get(it.key);
    if (v === undefined) {
      if (optional) continue;
      throw new VolumeError(
        `configmap references non-existent config key: ${it.key}`.replace("configmap", what),
      );
    }
    out.push({ path: it.path, data: v, mode: it.mode ?? defaultMode });
  }
  return out;
}

export function configMapFiles(
  cm: ConfigMap | undefined,
  src: { name?: string; items?: KeyToPath[]; optional?: boolean },
  defaultMode: number,
): FileProjection[] {
  if (!cm) {
    if (src.optional) return [];
    throw new VolumeError(`configmap "${src.name}" not found`);
  }
  const data = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(cm.data ?? {})) data.set(k, Buffer.from(v));
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) data.set(k, Buffer.from(v, "base64"));
  return keyFiles(data, src.items, defaultMode, "configmap", !!src.optional);
}

export function secretFiles(
  s: Secret | undefined,
  src: { name?: string; items?: KeyToPath[]; optional?: boolean },
  defaultMode: number,
): FileProjection[] {
  if (!s) {
    if (src.optional) return [];
    throw new VolumeError(`secret "${src.name}" not found`);
  }
  const data = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(s.data ?? {})) data.set(k, Buffer.from(v, "base64"));
  for (const [k, v] of Object.entries(s.stringData ?? {})) data.set(k, Buffer.from(v));
  return keyFiles(data, src.items, defaultMode, "secret", !!src.optional);
}

/** labels and annotations as the downward API writes them: key="value" lines, sorted. */
function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m?.[k] ?? "")}`)
    .join("\n");
}

export function downwardAPIFiles(
  pod: Pod,
  items: DownwardAPIVolumeFile[] | undefined,
  defaultMode: number,
  facts: { podIP: string; hostIP: string; nodeAllocatable: { cpuMilli: number; memoryBytes: number } },
): FileProjection[] {
  const out: FileProjection[] = [];
  for (const it of items ?? []) {
    let value = "";
    if (it.fieldRef) {
      const f = it.fieldRef.fieldPath;
      const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(f);
      if (f === "metadata.labels") value = formatMap(pod.metadata?.labels);
      else if (f === "metadata.annotations") value = formatMap(pod.metadata?.annotations);
      else if (m)
        value = (m[1] === "labels" ? pod.metadata?.labels : pod.metadata?.annotations)?.[m[2]] ?? "";
      else if (f === "metadata.name") value = pod.metadata?.name ?? "";
      else if (f === "metadata.namespace") value = pod.metadata?.namespace ?? "";
      else if (f === "metadata.uid") value = pod.metadata?.uid ?? "";
      else if (f === "spec.nodeName") value = pod.spec?.nodeName ?? "";
      else if (f === "spec.serviceAccountName") value = pod.spec?.serviceAccountName ?? "";
      else if (f === "status.podIP") value = facts.podIP;
      else if (f === "status.hostIP") value = facts.hostIP;
      else throw new VolumeError(`unsupported fieldPath: ${f}`);
    } else if (it.resourceFieldRef) {
      const r = it.resourceFieldRef;
      const c =
        (pod.spec?.containers ?? []).find((x) => x.name === r.containerName) ?? pod.spec?.containers?.[0];
      if (!c) throw new VolumeError(`container ${r.containerName} not found`);
      value = resourceValue(c, r.resource, r.divisor, facts.nodeAllocatable);
    }
    out.push({ path: it.path, data: Buffer.from(value), mode: it.mode ?? defaultMode });
  }
  return out;
}
