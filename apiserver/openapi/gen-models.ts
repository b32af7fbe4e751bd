// Writes the OpenAPI model cache (k8s-models.json) from @kubernetes/client-node's models and
// kubernetes-types' doc comments, for images that install production dependencies only:
//   node dist/apiserver/openapi/gen-models.js node_modules/@kubernetes/client-node/dist/gen/models \
//     dist/apiserver/openapi/k8s-models.json [node_modules/kubernetes-types]
import { writeFileSync } from "node:fs";
import { readModels } from "./k8s-models.js";

const [dir, out, typeDocs] = process.argv.slice(2);
if (!dir || !out) {
  process.stderr.write("usage: gen-models.js <client-node models dir> <out.json> [kubernetes-types dir]\n");
  process.exit(2);
}
const models = readModels(dir, typeDocs);
const count = Object.keys(models).length;
if (count < 100) {
  process.stderr.write(`only ${count} models found in ${dir}\n`);
  process.exit(1);
}
writeFileSync(out, JSON.stringify(models));
process.stdout.write(`${count} models -> ${out}\n`);
