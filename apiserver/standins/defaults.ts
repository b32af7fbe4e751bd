// Defaults the registry applies beyond a kind's own defaulting: pkg/api/defaults (one import).
export { generateJobSelector } from "../../pkg/api/defaults/index.js";
