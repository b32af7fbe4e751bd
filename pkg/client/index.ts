// The client's public API: import from here. See README.md.
export * from "./backoff.js";
export * from "./errors.js";
export * from "./events.js";
export * from "./expectations.js";
export * from "./gvr.js";
export * from "./informer.js";
export * from "./kubeconfig.js";
export * from "./leaderelection.js";
export * from "./ratelimit.js";
export * from "./rest.js";
export * from "./store.js";
export * from "./transport.js";
export * from "./types.js";
export * from "./watch.js";
export * from "./workqueue.js";
