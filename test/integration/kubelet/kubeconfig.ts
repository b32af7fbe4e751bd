// A kubeconfig for the real kubectl pointing at a test's stand-in apiserver (plain HTTP, no credentials).
import { mkdtempSync, writeFileSync } from "node:fs";
import type http from "node:http";
import type net from "node:net";
import os from "node:os";
import path from "node:path";

/** Writes the kubeconfig in a new temporary folder named after `prefix`; returns its path. */
export function standInKubeconfig(api: http.Server, prefix: string): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), `${prefix}-`)), "kubeconfig");
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters: [{name: t, cluster: {server: "http://127.0.0.1:${(api.address() as net.AddressInfo).port}"}}]
users: [{name: t, user: {}}]
contexts: [{name: t, context: {cluster: t, user: t}}]
current-context: t
`,
  );
  return file;
}
