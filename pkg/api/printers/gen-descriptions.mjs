// Regenerates descriptions.ts from the doc comments of kubernetes-types: `node pkg/api/printers/gen-descriptions.mjs`,
// then `npx biome format --write pkg/api/printers/descriptions.ts`. It collects every docs["..."] key the printers use.
import fs from "node:fs";

const root = new URL("../../../node_modules/kubernetes-types/", import.meta.url).pathname;
const cache = {};
function parse(file) {
  if (cache[file]) return cache[file];
  const src = fs.readFileSync(`${root + file}.d.ts`, "utf8");
  const out = {};
  let iface = null;
  const re = /(\/\*\*([\s\S]*?)\*\/\s*)?(export interface (\w+)|(?:readonly )?(\w+)\??:)/g;
  for (const m of src.matchAll(re)) {
    if (m[4]) {
      iface = m[4];
      out[iface] = out[iface] || {};
      out[iface].__doc = clean(m[2]);
      continue;
    }
    if (iface && m[5]) out[iface][m[5]] = clean(m[2]);
  }
  cache[file] = out;
  return out;
}
function clean(s) {
  if (!s) return "";
  return s
    .split("\n")
    .map((l) => l.replace(/^\s*\* ?/, ""))
    .join("\n")
    .trim();
}
function doc(file, type, field) {
  const d = parse(file)[type];
  if (!d) throw new Error(`no type ${file} ${type}`);
  if (!(field in d)) throw new Error(`no field ${file} ${type}.${field}`);
  return d[field];
}
const dir = new URL("./", import.meta.url).pathname;
const keys = new Set();
for (const f of fs.readdirSync(dir)) {
  if (!f.endsWith(".ts") || f === "descriptions.ts") continue;
  for (const m of fs.readFileSync(dir + f, "utf8").matchAll(/docs\["([^"]+)"\]/g)) keys.add(m[1]);
}
const lines = [...keys].sort().map((k) => {
  const [file, path] = k.split(" ");
  const [type, field] = path.split(".");
  return `  ${JSON.stringify(k)}:\n    ${JSON.stringify(doc(file, type, field))},`;
});
fs.writeFileSync(
  `${dir}descriptions.ts`,
  `// Column descriptions: the API field docs (SwaggerDoc) upstream's printers use, keyed by
// "<group>/<version> <Type>.<field>". Generated from the doc comments of the kubernetes-types
// package; where upstream cites a beta version (extensions/v1beta1, batch/v1beta1, ...) the GA
// version's text is used. Regenerate rather than edit by hand.
export const docs = {
${lines.join("\n")}
} as const;

export type DocKey = keyof typeof docs;
`,
);
console.log(keys.size, "keys");
