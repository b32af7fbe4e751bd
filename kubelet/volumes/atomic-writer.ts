// Kubernetes' AtomicWriter (pkg/volume/util/atomic_writer.go): the files of a configMap, secret, downward
// API or projected volume are written into a fresh timestamped directory, then the `..data` symlink is
// swapped to it in one rename, so that a reader never sees a half-updated volume. Each visible entry is a
// symlink through `..data`.
import { chmod, mkdir, readdir, readFile, readlink, rename, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";

export interface FileProjection {
  /** path relative to the volume root (may contain "/") */
  path: string;
  data: Buffer;
  mode: number;
}

const DATA_DIR = "..data";

async function currentPayload(dir: string): Promise<Map<string, Buffer> | undefined> {
  let target: string;
  try {
    target = await readlink(path.join(dir, DATA_DIR));
  } catch {
    return undefined;
  }
  const out = new Map<string, Buffer>();
  const walk = async (rel: string) => {
    for (const e of await readdir(path.join(dir, target, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(r);
      else out.set(r, await readFile(path.join(dir, target, r)));
    }
  };
  await walk("");
  return out;
}

function samePayload(a: Map<string, Buffer>, files: FileProjection[]): boolean {
  if (a.size !== files.length) return false;
  return files.every((f) => a.get(f.path)?.equals(f.data));
}

/** Writes the payload; returns true when something changed. */
export async function writeAtomically(
  dir: string,
  files: FileProjection[],
  now = Date.now(),
): Promise<boolean> {
  for (const f of files) {
    if (f.path.startsWith("/") || f.path.split("/").some((p) => p === ".." || p.startsWith(".."))) {
      throw new Error(`invalid path ${f.path}: must not be absolute or contain '..'`);
    }
  }
  await mkdir(dir, { recursive: true, mode: 0o777 });
  const existing = await currentPayload(dir);
  if (existing && samePayload(existing, files)) return false;
  const stamp = `..${new Date(now).toISOString().replace(/[-:]/g, "_").replace("T", "_").replace("Z", "")}.${process.pid}${Math.floor(Math.random() * 1e6)}`;
  const tsDir = path.join(dir, stamp);
  await mkdir(tsDir, { mode: 0o755 });
  for (const f of files) {
    const p = path.join(tsDir, f.path);
    await mkdir(path.dirname(p), { recursive: true, mode: 0o755 });
    await writeFile(p, f.data, { mode: f.mode });
    await chmod(p, f.mode);
  }
  const oldTarget = existing ? await readlink(path.join(dir, DATA_DIR)) : undefined;
  const tmpLink = path.join(dir, "..data_tmp");
  await rm(tmpLink, { force: true });
  await symlink(stamp, tmpLink);
  await rename(tmpLink, path.join(dir, DATA_DIR));
  // User-visible entries: one symlink per top-level name through ..data.
  const top = new Set(files.map((f) => f.path.split("/")[0]));
  for (const name of top) {
    const link = path.join(dir, name);
    try {
      if ((await readlink(link)) === path.join(DATA_DIR, name)) continue;
    } catch {
      // absent or not a link
    }
    await rm(link, { force: true, recursive: true });
    await symlink(path.join(DATA_DIR, name), link);
  }
  for (const e of await readdir(dir)) {
    if (e.startsWith("..")) continue;
    if (!top.has(e)) await rm(path.join(dir, e), { force: true, recursive: true });
  }
  if (oldTarget) await rm(path.join(dir, oldTarget), { recursive: true, force: true });
  return true;
}
