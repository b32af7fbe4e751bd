// The apiserver's kubelet client against a real TLS server: it presents its client certificate, and
// with a CA it accepts only a kubelet serving certificate from that CA naming the node.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { TLSSocket } from "node:tls";
import { kubeletGet, loadKubeletClientConfig } from "../../../apiserver/kubeletclient/client.js";
import { makePki, type Pki } from "./harness.js";

let pki: Pki;
let kubelet: Server;
let selfSigned: Server;
let seenClientCN = "";

function serve(cert: string, key: string): Promise<Server> {
  const s = createServer(
    {
      cert: readFileSync(cert),
      key: readFileSync(key),
      ca: readFileSync(pki.ca),
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      const sock = req.socket as TLSSocket;
      seenClientCN = sock.authorized ? String(sock.getPeerCertificate().subject?.CN ?? "") : "";
      res.end(`{"path":"${req.url}"}`);
    },
  );
  return new Promise((r) => s.listen(0, "127.0.0.1", () => r(s)));
}

const port = (s: Server) => (s.address() as AddressInfo).port;

before(async () => {
  pki = makePki();
  const d = pki.dir;
  const run = (args: string[]) => execFileSync("openssl", args, { cwd: d, stdio: "pipe" });
  writeFileSync(join(d, "kubelet.cnf"), "[k]\nsubjectAltName=DNS:node-1\nextendedKeyUsage=serverAuth\n");
  run([
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "kubelet.key",
    "-out",
    "kubelet.csr",
    "-subj",
    "/CN=kubelet",
  ]);
  run([
    "x509",
    "-req",
    "-in",
    "kubelet.csr",
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "kubelet.crt",
    "-days",
    "2",
    "-extfile",
    "kubelet.cnf",
    "-extensions",
    "k",
  ]);
  run([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "self.key",
    "-out",
    "self.crt",
    "-days",
    "2",
    "-subj",
    "/CN=node-1",
    "-addext",
    "subjectAltName=DNS:node-1",
  ]);
  kubelet = await serve(join(d, "kubelet.crt"), join(d, "kubelet.key"));
  selfSigned = await serve(join(d, "self.crt"), join(d, "self.key"));
});

after(() => {
  kubelet?.close();
  selfSigned?.close();
});

describe("kubelet client", () => {
  it("presents the client certificate and verifies the kubelet's for the node name", async () => {
    const cfg = loadKubeletClientConfig({ certFile: pki.adminCert, keyFile: pki.adminKey, caFile: pki.ca });
    const r = await kubeletGet(
      cfg,
      { host: "127.0.0.1", port: port(kubelet), nodeName: "node-1" },
      "/metrics/resource",
    );
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), '{"path":"/metrics/resource"}');
    assert.equal(seenClientCN, "kubernetes-admin");
  });
  it("refuses a serving certificate for another node", async () => {
    const cfg = loadKubeletClientConfig({ certFile: pki.adminCert, keyFile: pki.adminKey, caFile: pki.ca });
    await assert.rejects(
      kubeletGet(cfg, { host: "127.0.0.1", port: port(kubelet), nodeName: "node-2" }, "/"),
      /node-2|altnames/i,
    );
  });
  it("refuses a certificate from another CA, and accepts it without a CA (no verification)", async () => {
    const withCA = loadKubeletClientConfig({ caFile: pki.ca });
    await assert.rejects(
      kubeletGet(withCA, { host: "127.0.0.1", port: port(selfSigned), nodeName: "node-1" }, "/"),
    );
    const r = await kubeletGet({}, { host: "127.0.0.1", port: port(selfSigned), nodeName: "node-1" }, "/");
    assert.equal(r.status, 200);
    assert.equal(seenClientCN, "");
  });
});
