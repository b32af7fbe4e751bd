// Server-side Table printing: pkg/api/printers (one import, so the apiserver depends on it in one place).
export { type IncludeObject, printerFor, toTable } from "../../pkg/api/printers/index.js";
