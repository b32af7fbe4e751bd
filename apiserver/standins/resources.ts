// The served resources: pkg/api's catalogue (one import, so a test can swap it).
export { resources } from "../../pkg/api/resources.js";
