// Server-side apply and managed fields (metadata.managedFields), as kube-apiserver's field manager.
// The apiserver calls `update` on every create/update/non-apply patch and `apply` on apply patches.
export { alignWithLive } from "./align.js";
export {
  conflictMessage,
  conflictStatus,
  type FailureStatus,
  printManager,
} from "./conflict.js";
export {
  type ApplyResult,
  apply,
  type FieldManagerOptions,
  fieldSetOf,
  type GroupVersionKind,
  LAST_APPLIED_ANNOTATION,
  resetFieldsFor,
  update,
  updateObject,
} from "./fieldmanager.js";
export { FieldSet } from "./fieldset.js";
export { decodeManagedFields, encodeManagedFields, type ManagedFieldsEntry } from "./managedfields.js";
export {
  invalidOptionsStatus,
  managerOrUserAgent,
  parseForce,
  prefixFromUserAgent,
  validateFieldManager,
  validatePatchOptions,
} from "./manager-name.js";
export { type Path, type PathElement, pathToString } from "./pathelement.js";
export {
  type Endpoint,
  endpointOptions,
  type WriteManager,
  type WriteVerb,
  writeManagerOf,
} from "./request.js";
export { rootType, toFieldSet } from "./typed.js";
