import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { loadCatalogue, parseCatalogue, repoRoot } from "./catalogue.js";

test("the catalogue parses: stages, recipes, build args, names, absent names", () => {
  const cat = parseCatalogue(
    "# comment\n0 tools - t:1\n\n2  kuard  VERSION=v1,X=y  k:1 k2:1\nabsent nginx:1.91 nginx:sometag\n",
  );
  assert.deepEqual(cat, {
    builds: [
      { stage: 0, recipe: "tools", buildArgs: {}, names: ["t:1"] },
      { stage: 2, recipe: "kuard", buildArgs: { VERSION: "v1", X: "y" }, names: ["k:1", "k2:1"] },
    ],
    absent: ["nginx:1.91", "nginx:sometag"],
  });
  assert.throws(() => parseCatalogue("1 nginx -\n"), /bad line/);
});

test("the real catalogue: every recipe has a Dockerfile, every name is tagged and listed once", () => {
  const root = repoRoot();
  const cat = loadCatalogue(root);
  const names = cat.builds.flatMap((b) => b.names);
  assert.equal(new Set(names).size, names.length, "no name twice");
  for (const name of [...names, ...cat.absent])
    assert.match(name, /:[\w.-]+$/, `${name} has an explicit tag`);
  for (const b of cat.builds) {
    assert.ok(existsSync(join(root, "deploy/images/tutorial", b.recipe, "Dockerfile")), b.recipe);
  }
  for (const name of cat.absent) assert.ok(!names.includes(name), `${name} is broken on purpose`);
  // A stage only builds on earlier ones: tools first, the app images last.
  assert.deepEqual([...new Set(cat.builds.map((b) => b.stage))], [0, 1, 2]);
});
