// Strategic merge patch: pkg/api/strategicpatch (one import, so the apiserver depends on it in one place).
// Its patch metadata (merge keys, strategies: PatchSchema, schemaFor) is also what server-side apply reads.
export {
  applyStrategicMergePatch,
  type Schema as PatchSchema,
  StrategicMergePatchError,
  schemaFor,
} from "../../pkg/api/strategicpatch/index.js";
