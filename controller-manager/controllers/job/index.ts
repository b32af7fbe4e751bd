export { jobDescriptor } from "./controller.js";
