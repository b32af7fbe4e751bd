// Strategic merge patch: pkg/api/strategicpatch (one import, so the apiserver depends on it in one place).
export { applyStrategicMergePatch, StrategicMergePatchError } from "../../pkg/api/strategicpatch/index.js";
