// Reads deploy/images/tutorial/images.list (the catalogue the build script builds from), and finds the
// repository root from wherever the compiled test runs.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface ImageBuild {
  stage: number;
  recipe: string;
  buildArgs: Record<string, string>;
  /** The first is built, the others tagged from it. */
  names: string[];
}

export interface Catalogue {
  builds: ImageBuild[];
  /** Names the tutorials use as broken images: they must not exist. */
  absent: string[];
}

export const catalogueFile = "deploy/images/tutorial/images.list";

export function parseCatalogue(text: string): Catalogue {
  const cat: Catalogue = { builds: [], absent: [] };
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const [first, ...rest] = line.split(/\s+/);
    if (first === "absent") {
      cat.absent.push(...rest);
      continue;
    }
    const [recipe, args, ...names] = rest;
    if (!recipe || !args || names.length === 0) throw new Error(`bad line in ${catalogueFile}: ${line}`);
    const buildArgs: Record<string, string> = {};
    if (args !== "-") {
      for (const kv of args.split(",")) {
        const eq = kv.indexOf("=");
        buildArgs[kv.slice(0, eq)] = kv.slice(eq + 1);
      }
    }
    cat.builds.push({ stage: Number(first), recipe, buildArgs, names });
  }
  return cat;
}

/** The repository root: the nearest directory above this file holding the catalogue. */
export function repoRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, catalogueFile))) return dir;
    if (dirname(dir) === dir) throw new Error(`no ${catalogueFile} above ${from}`);
  }
}

export function loadCatalogue(root = repoRoot()): Catalogue {
  return parseCatalogue(readFileSync(join(root, catalogueFile), "utf8"));
}
