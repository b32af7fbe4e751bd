export { statefulSetDescriptor } from "./controller.js";
