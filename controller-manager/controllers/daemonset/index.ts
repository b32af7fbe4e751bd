export { daemonSetDescriptor } from "./controller.js";
