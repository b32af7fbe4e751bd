import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  inClusterConfig,
  KubeconfigError,
  loadClientConfig,
  loadKubeconfig,
  parseKubeconfig,
} from "./kubeconfig.js";

const b64 = (s: string) => Buffer.from(s).toString("base64");

const kubeconfig = `
apiVersion: v1
kind: Config
current-context: admin@tskube
clusters:
- name: tskube
  cluster:
    server: https://127.0.0.1:6443/
    certificate-authority-data: ${b64("CA PEM")}
- name: other
  cluster:
    server: https://other:6443
    certificate-authority: pki/ca.crt
    tls-server-name: apiserver
contexts:
- name: admin@tskube
  context: { cluster: tskube, user: admin }
- name: sched
  context: { cluster: other, user: scheduler }
users:
- name: admin
  user:
    client-certificate-data: ${b64("CERT PEM")}
    client-key-data: ${b64("KEY PEM")}
- name: scheduler
  user:
    client-certificate: pki/sched.crt
    client-key: /abs/never-read-because-token
    token: abc
`;

describe("kubeconfig", () => {
  it("reads the current context with inline data", () => {
    const c = parseKubeconfig(kubeconfig, "/nowhere");
    assert.equal(c.server, "https://127.0.0.1:6443");
    assert.equal(c.caData?.toString(), "CA PEM");
    assert.equal(c.certData?.toString(), "CERT PEM");
    assert.equal(c.keyData?.toString(), "KEY PEM");
  });

  it("resolves files relative to the kubeconfig and picks a named context", () => {
    const dir = mkdtempSync(join(tmpdir(), "kc-"));
    writeFileSync(join(dir, "config"), kubeconfig.replace("/abs/never-read-because-token", "pki/sched.key"));
    const pki = join(dir, "pki");
    mkdirSync(pki, { recursive: true });
    writeFileSync(join(pki, "ca.crt"), "OTHER CA");
    writeFileSync(join(pki, "sched.crt"), "SCHED CERT");
    writeFileSync(join(pki, "sched.key"), "SCHED KEY");
    const c = loadKubeconfig(join(dir, "config"), { context: "sched" });
    assert.equal(c.server, "https://other:6443");
    assert.equal(c.caData?.toString(), "OTHER CA");
    assert.equal(c.certData?.toString(), "SCHED CERT");
    assert.equal(c.token, "abc");
    assert.equal(c.tlsServerName, "apiserver");
    const viaLoader = loadClientConfig({
      kubeconfig: join(dir, "config"),
      server: "https://override:1/",
      env: {},
    });
    assert.equal(viaLoader.server, "https://override:1");
  });

  it("explains what is missing", () => {
    assert.throws(
      () => parseKubeconfig(kubeconfig, "/", { context: "nope" }),
      /context "nope" does not exist/,
    );
    assert.throws(() => parseKubeconfig("clusters: [", "/"), KubeconfigError);
    assert.throws(() => loadKubeconfig("/does/not/exist"), /cannot read kubeconfig/);
  });

  it("in-cluster: service account token, CA and service env", () => {
    const dir = mkdtempSync(join(tmpdir(), "sa-"));
    writeFileSync(join(dir, "token"), "jwt");
    writeFileSync(join(dir, "ca.crt"), "SA CA");
    const c = inClusterConfig({ KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" }, dir);
    assert.equal(c.server, "https://10.96.0.1:443");
    assert.equal(c.tokenFile, join(dir, "token"));
    assert.equal(c.caData?.toString(), "SA CA");
    const v6 = inClusterConfig({ KUBERNETES_SERVICE_HOST: "fd00::1", KUBERNETES_SERVICE_PORT: "443" }, dir);
    assert.equal(v6.server, "https://[fd00::1]:443");
    assert.throws(() => inClusterConfig({}, dir), /KUBERNETES_SERVICE_HOST/);
  });

  it("falls back through KUBECONFIG", () => {
    const dir = mkdtempSync(join(tmpdir(), "kc-"));
    writeFileSync(join(dir, "config"), kubeconfig);
    const c = loadClientConfig({ env: { KUBECONFIG: `/missing:${join(dir, "config")}`, HOME: dir } });
    assert.equal(c.server, "https://127.0.0.1:6443");
    assert.throws(() => loadClientConfig({ env: { HOME: dir } }), /no kubeconfig/);
  });
});
