// Quota usage accounting: the resource quota controller's (controller-manager/controllers/resourcequota),
// so that admission and the controller count the same way. One import; it belongs in pkg/api.
export {
  type NamespaceObjects,
  usageFor,
} from "../../controller-manager/controllers/resourcequota/decide.js";
