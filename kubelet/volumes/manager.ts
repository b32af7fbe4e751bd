// Volumes of the pods on this node: each pod volume becomes a directory (or Docker volume) on the host
// under the kubelet's root dir, bind-mounted into the containers. Node containers mount that directory at the
// same path, so a path the kubelet writes is the path Docker binds. configMap, secret, downwardAPI and
// projected volumes are written atomically and rewritten in place when their objects change.
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type Docker from "dockerode";
import type {
  ConfigMap,
  Container,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  Secret,
  Volume,
} from "kubernetes-types/core/v1";
import { type FileProjection, writeAtomically } from "./atomic-writer.js";
import { configMapFiles, downwardAPIFiles, secretFiles, VolumeError } from "./projections.js";

export interface VolumeObjects {
  configMap(ns: string, name: string): Promise<ConfigMap | undefined>;
  secret(ns: string, name: string): Promise<Secret | undefined>;
  pvc(ns: string, name: string): Promise<PersistentVolumeClaim | undefined>;
  pv(name: string): Promise<PersistentVolume | undefined>;
  /** a bound service account token (TokenRequest); undefined when the apiserver cannot issue one */
  token(pod: Pod, audience: string | undefined, expirationSeconds: number): Promise<string | undefined>;
}

export interface VolumeFacts {
  podIP: string;
  hostIP: string;
  nodeAllocatable: { cpuMilli: number; memoryBytes: number };
}

/** Where a volume lives for binding: a host path, or a Docker volume name. */
export interface VolumeSource {
  hostPath?: string;
  dockerVolume?: string;
  readOnly: boolean;
}

/**
 * Where a hostPath PersistentVolume's data lives on the host. A PersistentVolume is the cluster's, not a
 * node's: the same claim must find the same data on whichever node its pod lands (a StatefulSet pod
 * recreated elsewhere). So its path is taken in the one host directory that every node container mounts
 * at the same path: as it is when it lies inside that directory (the provisioner's
 * /var/lib/tskube/volumes/<pv>), else under <sharedRoot>/persistentvolumes (a hand-made PV's /mnt/data),
 * never on a node's own hostPath tree.
 */
export function persistentVolumeHostPath(pvPath: string, sharedRoot: string): string {
  const p = path.resolve("/", pvPath);
  const root = path.resolve("/", sharedRoot);
  if (p === root || p.startsWith(`${root}/`)) return p;
  return path.join(root, "persistentvolumes", p);
}

export class VolumeManager {
  constructor(
    readonly rootDir: string,
    /** where hostPath volumes of this node live on the host (keeps nodes apart on one machine) */
    readonly hostPathRoot: string,
    private objects: VolumeObjects,
    private docker: Docker,
    /** the host directory mounted into every node container at the same path (PersistentVolume data) */
    readonly sharedRoot = "/var/lib/tskube",
  ) {}

  podDir(uid: string): string {
    return path.join(this.rootDir, "pods", uid);
  }

  private volumeDir(uid: string, plugin: string, name: string): string {
    return path.join(this.podDir(uid), "volumes", `kubernetes.io~${plugin}`, name);
  }

  /** Sets up (or refreshes) every volume of a pod; throws VolumeError with Kubernetes' message. */
  async setUp(pod: Pod, facts: VolumeFacts): Promise<Map<string, VolumeSource>> {
    const out = new Map<string, VolumeSource>();
    for (const v of pod.spec?.volumes ?? []) {
      try {
        out.set(v.name, await this.setUpVolume(pod, v, facts, false));
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        throw new VolumeError(`MountVolume.SetUp failed for volume "${v.name}" : ${msg}`);
      }
    }
    return out;
  }

  /**
   * Rewrites the volumes of a running pod whose content comes from API objects (configMap, secret,
   * downwardAPI, projected), as the kubelet's periodic pod sync does: the containers see the new files
   * through the `..data` symlink swap. A service account token is kept until 80% of its lifetime has
   * passed (upstream's token manager), so a refresh does not ask the apiserver for one each time.
   * Returns the names of the volumes whose files changed.
   */
  async refresh(pod: Pod, facts: VolumeFacts): Promise<string[]> {
    const changed: string[] = [];
    for (const v of pod.spec?.volumes ?? []) {
      if (!isRefreshable(v)) continue;
      try {
        if ((await this.setUpVolume(pod, v, facts, true)).changed) changed.push(v.name);
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        throw new VolumeError(`MountVolume.SetUp failed for volume "${v.name}" : ${msg}`);
      }
    }
    return changed;
  }

  private async setUpVolume(
    pod: Pod,
    v: Volume,
    facts: VolumeFacts,
    refresh: boolean,
  ): Promise<VolumeSource & { changed?: boolean }> {
    const uid = pod.metadata?.uid ?? "";
    const ns = pod.metadata?.namespace ?? "default";
    if (v.emptyDir) {
      if (v.emptyDir.medium === "Memory") {
        const name = `k8s_${uid}_${v.name}`;
        const size = v.emptyDir.sizeLimit ? `,size=${String(v.emptyDir.sizeLimit).replace(/i$/, "")}` : "";
        try {
          await this.docker.getVolume(name).inspect();
        } catch {
          await this.docker.createVolume({
            Name: name,
            Driver: "local",
            DriverOpts: { type: "tmpfs", device: "tmpfs", o: `mode=1777${size}` },
            Labels: { "io.kubernetes.pod.uid": uid },
          });
        }
        return { dockerVolume: name, readOnly: false };
      }
      const dir = this.volumeDir(uid, "empty-dir", v.name);
      await mkdir(dir, { recursive: true });
      await import("node:fs/promises").then((fs) => fs.chmod(dir, 0o777));
      return { hostPath: dir, readOnly: false };
    }
    if (v.hostPath)
      return { hostPath: await this.hostPath(v.hostPath.path, v.hostPath.type ?? ""), readOnly: false };
    if (v.persistentVolumeClaim) {
      const claim = v.persistentVolumeClaim.claimName;
      const pvc = await this.objects.pvc(ns, claim);
      if (!pvc) throw new VolumeError(`persistentvolumeclaim "${claim}" not found`);
      const pvName = pvc.spec?.volumeName;
      if (!pvName || pvc.status?.phase !== "Bound") throw new VolumeError(`PVC ${ns}/${claim} is not bound`);
      const pv = await this.objects.pv(pvName);
      if (!pv?.spec?.hostPath) throw new VolumeError(`PersistentVolume "${pvName}" is not a hostPath volume`);
      return {
        hostPath: await checkHostPath(
          persistentVolumeHostPath(pv.spec.hostPath.path, this.sharedRoot),
          pv.spec.hostPath.path,
          pv.spec.hostPath.type || "DirectoryOrCreate",
        ),
        readOnly: !!v.persistentVolumeClaim.readOnly,
      };
    }
    const mode = (m: number | undefined) => m ?? 0o644;
    let files: FileProjection[] | undefined;
    let plugin = "";
    if (v.configMap) {
      plugin = "configmap";
      files = configMapFiles(
        await this.objects.configMap(ns, v.configMap.name ?? ""),
        v.configMap,
        mode(v.configMap.defaultMode),
      );
    } else if (v.secret) {
      plugin = "secret";
      const name = v.secret.secretName ?? "";
      files = secretFiles(
        await this.objects.secret(ns, name),
        { ...v.secret, name },
        mode(v.secret.defaultMode),
      );
    } else if (v.downwardAPI) {
      plugin = "downward-api";
      files = downwardAPIFiles(pod, v.downwardAPI.items, mode(v.downwardAPI.defaultMode), facts);
    } else if (v.projected) {
      plugin = "projected";
      files = [];
      const dm = mode(v.projected.defaultMode);
      for (const s of v.projected.sources ?? []) {
        if (s.configMap)
          files.push(
            ...configMapFiles(await this.objects.configMap(ns, s.configMap.name ?? ""), s.configMap, dm),
          );
        if (s.secret)
          files.push(...secretFiles(await this.objects.secret(ns, s.secret.name ?? ""), s.secret, dm));
        if (s.downwardAPI) files.push(...downwardAPIFiles(pod, s.downwardAPI.items, dm, facts));
        if (s.serviceAccountToken) {
          const ttl = s.serviceAccountToken.expirationSeconds ?? 3607;
          const current = refresh
            ? await freshToken(
                path.join(this.volumeDir(uid, "projected", v.name), s.serviceAccountToken.path),
                ttl,
              )
            : undefined;
          const token = current ?? (await this.objects.token(pod, s.serviceAccountToken.audience, ttl));
          if (token !== undefined)
            files.push({
              path: s.serviceAccountToken.path,
              data: Buffer.from(token),
              mode: dm === 0o644 ? 0o600 : dm,
            });
        }
      }
    }
    if (!files) throw new VolumeError(`volume "${v.name}": unsupported volume type`);
    const dir = this.volumeDir(uid, plugin, v.name);
    const changed = await writeAtomically(dir, files);
    return { hostPath: dir, readOnly: true, changed };
  }

  /** A hostPath volume, kept under this node's own directory on the machine, checked as its type says. */
  private hostPath(p: string, type: string): Promise<string> {
    return checkHostPath(path.join(this.hostPathRoot, path.resolve("/", p)), p, type);
  }

  /** Removes a pod's volumes and directory (after its containers are gone). */
  async tearDown(uid: string): Promise<void> {
    await rm(this.podDir(uid), { recursive: true, force: true });
    const vols = await this.docker.listVolumes({ filters: { label: [`io.kubernetes.pod.uid=${uid}`] } });
    for (const v of vols.Volumes ?? [])
      await this.docker
        .getVolume(v.Name)
        .remove()
        .catch(() => undefined);
  }
}

/** Checks (and for the *OrCreate types makes) the host path `real` standing for `p`, as its type says. */
/** Volumes whose files follow API objects (and the pod's own fields): rewritten while the pod runs. */
export function isRefreshable(v: Volume): boolean {
  return !!(v.configMap || v.secret || v.downwardAPI || v.projected);
}

/** The token in `file` while it is younger than 80% of `ttlSeconds`; undefined when it should be renewed. */
async function freshToken(file: string, ttlSeconds: number, now = Date.now()): Promise<string | undefined> {
  try {
    const st = await stat(file);
    if (now - st.mtimeMs >= ttlSeconds * 800) return undefined;
    return await readFile(file, "utf8");
  } catch {
    return undefined;
  }
}

async function checkHostPath(real: string, p: string, type: string): Promise<string> {
  const st = await stat(real).catch(() => undefined);
  switch (type) {
    case "DirectoryOrCreate":
      if (!st) await mkdir(real, { recursive: true, mode: 0o755 });
      else if (!st.isDirectory())
        throw new VolumeError(`hostPath type check failed: ${p} is not a directory`);
      break;
    case "Directory":
      if (!st?.isDirectory()) throw new VolumeError(`hostPath type check failed: ${p} is not a directory`);
      break;
    case "FileOrCreate":
      if (!st) {
        await mkdir(path.dirname(real), { recursive: true });
        await writeFile(real, "", { mode: 0o644 });
      } else if (!st.isFile()) throw new VolumeError(`hostPath type check failed: ${p} is not a file`);
      break;
    case "File":
      if (!st?.isFile()) throw new VolumeError(`hostPath type check failed: ${p} is not a file`);
      break;
    case "Socket":
      if (!st?.isSocket()) throw new VolumeError(`hostPath type check failed: ${p} is not a socket file`);
      break;
    case "CharDevice":
      if (!st?.isCharacterDevice())
        throw new VolumeError(`hostPath type check failed: ${p} is not a character device`);
      break;
    case "BlockDevice":
      if (!st?.isBlockDevice())
        throw new VolumeError(`hostPath type check failed: ${p} is not a block device`);
      break;
    default:
      // "" (no check): Docker would create a missing directory; create it here so it is ours.
      if (!st) await mkdir(real, { recursive: true, mode: 0o755 });
  }
  return real;
}

/** Docker binds for one container from its volumeMounts ("src:dst[:ro]"). */
export function containerBinds(c: Container, volumes: Map<string, VolumeSource>): string[] {
  const binds: string[] = [];
  for (const m of c.volumeMounts ?? []) {
    const v = volumes.get(m.name);
    if (!v) throw new VolumeError(`unable to find volume "${m.name}" for container "${c.name}"`);
    const ro = m.readOnly || v.readOnly ? ":ro" : "";
    if (v.dockerVolume) {
      binds.push(`${v.dockerVolume}:${m.mountPath}${ro}`);
      continue;
    }
    const src = m.subPath ? path.join(v.hostPath ?? "", path.resolve("/", m.subPath)) : (v.hostPath ?? "");
    binds.push(`${src}:${m.mountPath}${ro}`);
  }
  return binds;
}
