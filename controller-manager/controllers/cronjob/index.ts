export { cronJobDescriptor } from "./controller.js";
