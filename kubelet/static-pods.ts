// Static pods from --pod-manifest-path (the kubelet's file source): every *.yaml, *.yml or *.json file
// holds one Pod; its name gets the node's name appended and its uid comes from its content, as the real
// kubelet's file source does. Lets a kubelet run pods without an apiserver (standalone mode).
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Pod } from "kubernetes-types/core/v1";
import { parse } from "yaml";
import { STATIC_POD_ANNOTATION } from "./kubelet.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function staticPod(raw: Pod, file: string, content: string, nodeName: string): Pod {
  const pod = structuredClone(raw) as Mutable<Pod> & { metadata: Mutable<NonNullable<Pod["metadata"]>> };
  pod.apiVersion = "v1";
  pod.kind = "Pod";
  pod.metadata = (pod.metadata ?? {}) as Mutable<NonNullable<Pod["metadata"]>>;
  const ns = pod.metadata.namespace ?? "default";
  pod.metadata.namespace = ns;
  pod.metadata.name = `${pod.metadata.name}-${nodeName}`;
  const uid = createHash("md5").update(nodeName).update(file).update(content).digest("hex");
  Object.assign(pod.metadata, {
    uid,
    creationTimestamp: pod.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  });
  pod.metadata.annotations = {
    ...pod.metadata.annotations,
    [STATIC_POD_ANNOTATION]: "file",
    "kubernetes.io/config.hash": uid,
  };
  pod.spec = pod.spec ?? { containers: [] };
  pod.spec.nodeName = nodeName;
  pod.spec.restartPolicy = pod.spec.restartPolicy ?? "Always";
  pod.spec.dnsPolicy = pod.spec.dnsPolicy ?? "ClusterFirst";
  pod.spec.terminationGracePeriodSeconds = pod.spec.terminationGracePeriodSeconds ?? 30;
  pod.status = { phase: "Pending" };
  return pod;
}

export async function readStaticPods(dir: string, nodeName: string): Promise<Pod[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => /\.(ya?ml|json)$/.test(f) && !f.startsWith(".")).sort();
  } catch {
    return [];
  }
  const out: Pod[] = [];
  for (const f of files) {
    try {
      const content = await readFile(path.join(dir, f), "utf8");
      const raw = parse(content) as Pod;
      if (raw?.kind !== "Pod" || !raw.metadata?.name) continue;
      out.push(staticPod(raw, f, content, nodeName));
    } catch {
      // a malformed manifest is skipped (and retried on the next scan)
    }
  }
  return out;
}
