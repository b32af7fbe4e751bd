// The real kubectl 1.32 against the apiserver on a real etcd: the commands the tutorials use, with
// the outputs a user would check. Fails loudly when kubectl is missing.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Harness, startHarness } from "../../integration/apiserver/harness.js";

const KUBECTL = process.env.KUBECTL ?? "/usr/bin/kubectl";

let h: Harness;
let cacheDir: string;

function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(KUBECTL, ["--kubeconfig", h.kubeconfig, "--cache-dir", cacheDir, ...args], {
      env: { ...process.env, KUBECONFIG: h.kubeconfig },
    });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("error", reject);
    p.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx
  labels: {app: nginx}
spec:
  replicas: 2
  selector:
    matchLabels: {app: nginx}
  template:
    metadata:
      labels: {app: nginx}
    spec:
      containers:
      - name: nginx
        image: nginx:1.7.9
        ports:
        - containerPort: 80
`;

before(async () => {
  if (!existsSync(KUBECTL))
    throw new Error(`kubectl not found at ${KUBECTL}: these tests need the real kubectl`);
  execFileSync(KUBECTL, ["version", "--client"], { stdio: "pipe" });
  h = await startHarness();
  cacheDir = mkdtempSync(join(tmpdir(), "kubectl-cache-"));
});

after(async () => {
  await h?.stop();
});

describe("kubectl against the apiserver", () => {
  it("version reports 1.32 on both sides", async () => {
    const r = await kubectl("version");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Server Version: v1\.32\./);
  });

  it("get ns lists the system namespaces as Active", async () => {
    const r = await kubectl("get", "ns");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^NAME\s+STATUS\s+AGE/);
    for (const ns of ["default", "kube-node-lease", "kube-public", "kube-system"]) {
      assert.match(r.stdout, new RegExp(`\\n${ns}\\s+Active\\s+`));
    }
  });

  it("create -f, AlreadyExists, apply configured/unchanged, get -o wide", async () => {
    const dir = mkdtempSync(join(tmpdir(), "manifests-"));
    const file = join(dir, "deploy.yaml");
    writeFileSync(file, DEPLOYMENT);
    const c = await kubectl("create", "-f", file);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(c.stdout.trim(), "deployment.apps/nginx created");
    const again = await kubectl("create", "-f", file);
    assert.equal(again.code, 1);
    assert.match(
      again.stderr,
      /Error from server \(AlreadyExists\): error when creating ".*deploy.yaml": deployments.apps "nginx" already exists/,
    );
    writeFileSync(file, DEPLOYMENT.replace("nginx:1.7.9", "nginx:1.9.1"));
    const a = await kubectl("apply", "-f", file);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout.trim(), "deployment.apps/nginx configured");
    const u = await kubectl("apply", "-f", file);
    assert.equal(u.stdout.trim(), "deployment.apps/nginx unchanged");
    const w = await kubectl("get", "deploy", "-o", "wide");
    assert.match(w.stdout, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR/);
    assert.match(w.stdout, /nginx\s+0\/2\s+0\s+0\s+\S+\s+nginx\s+nginx:1\.9\.1\s+app=nginx/);
  });

  it("label, scale, patch (three types), set image, and their effects", async () => {
    assert.equal(
      (await kubectl("label", "deploy", "nginx", "tier=web")).stdout.trim(),
      "deployment.apps/nginx labeled",
    );
    assert.equal(
      (await kubectl("scale", "deploy", "nginx", "--replicas=4")).stdout.trim(),
      "deployment.apps/nginx scaled",
    );
    assert.equal(
      (await kubectl("patch", "deploy", "nginx", "--type=merge", "-p", '{"spec":{"minReadySeconds":5}}'))
        .code,
      0,
    );
    assert.equal(
      (
        await kubectl(
          "patch",
          "deploy",
          "nginx",
          "--type=json",
          "-p",
          '[{"op":"replace","path":"/spec/revisionHistoryLimit","value":3}]',
        )
      ).code,
      0,
    );
    assert.equal(
      (await kubectl("set", "image", "deploy/nginx", "nginx=nginx:1.27")).stdout.trim(),
      "deployment.apps/nginx image updated",
    );
    const j = await kubectl(
      "get",
      "deploy",
      "nginx",
      "-o",
      "jsonpath={.spec.replicas} {.spec.minReadySeconds} {.spec.revisionHistoryLimit} {.spec.template.spec.containers[0].image} {.metadata.labels.tier}",
    );
    assert.equal(j.stdout, "4 5 3 nginx:1.27 web");
    const sl = await kubectl("get", "deploy", "-l", "tier in (web,db)", "--show-labels");
    assert.match(sl.stdout, /app=nginx,tier=web/);
  });

  it("create namespace/configmap/secret (protobuf bodies), run, expose, get all", async () => {
    assert.equal((await kubectl("create", "namespace", "demo")).stdout.trim(), "namespace/demo created");
    assert.equal(
      (await kubectl("create", "configmap", "cfg", "--from-literal=a=1", "-n", "demo")).stdout.trim(),
      "configmap/cfg created",
    );
    assert.equal(
      (await kubectl("create", "secret", "generic", "s", "--from-literal=p=x", "-n", "demo")).stdout.trim(),
      "secret/s created",
    );
    assert.equal(
      (await kubectl("run", "web", "--image=nginx", "--port=80", "-n", "demo")).stdout.trim(),
      "pod/web created",
    );
    assert.equal(
      (await kubectl("expose", "pod", "web", "--port=8080", "--target-port=80", "-n", "demo")).stdout.trim(),
      "service/web exposed",
    );
    const svc = await kubectl("get", "svc", "web", "-n", "demo");
    assert.match(svc.stdout, /web\s+ClusterIP\s+10\.\d+\.\d+\.\d+\s+<none>\s+8080\/TCP/);
    const all = await kubectl("get", "all", "-n", "demo");
    assert.match(all.stdout, /pod\/web\s+0\/1\s+Pending/);
    assert.match(all.stdout, /service\/web\s+ClusterIP/);
  });

  it("errors read as Kubernetes' do", async () => {
    const nf = await kubectl("get", "deploy", "nosuch");
    assert.equal(nf.code, 1);
    assert.equal(nf.stderr.trim(), 'Error from server (NotFound): deployments.apps "nosuch" not found');
    const unknown = await kubectl("get", "foos");
    assert.match(unknown.stderr, /the server doesn't have a resource type "foos"/);
  });

  it("explain renders the OpenAPI v3 schemas", async () => {
    const r = await kubectl("explain", "deployment.spec.strategy");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /GROUP:\s+apps\nKIND:\s+Deployment\nVERSION:\s+v1/);
    assert.match(r.stdout, /FIELD: strategy <DeploymentStrategy>/);
    assert.match(r.stdout, /rollingUpdate\s+<RollingUpdateDeployment>/);
    assert.match(r.stdout, /type\s+<string>/);
    const pod = await kubectl("explain", "pods.spec.containers.resources");
    assert.equal(pod.code, 0, pod.stderr);
    assert.match(pod.stdout, /limits\s+<map\[string\]/);
  });

  it("unknown fields: rejected by default (Strict), warned with --validate=warn", async () => {
    const dir = mkdtempSync(join(tmpdir(), "manifests-"));
    const file = join(dir, "typo.yaml");
    writeFileSync(
      file,
      DEPLOYMENT.replace("name: nginx\n  labels", "name: typo\n  labels").replace(
        "  replicas: 2",
        "  replicas: 2\n  foo: bar",
      ),
    );
    const strict = await kubectl("create", "-f", file);
    assert.equal(strict.code, 1);
    assert.equal(
      strict.stderr.trim(),
      `Error from server (BadRequest): error when creating "${file}": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"`,
    );
    const warn = await kubectl("create", "-f", file, "--validate=warn");
    assert.equal(warn.code, 0, warn.stderr);
    assert.match(warn.stderr, /Warning: unknown field "spec.foo"/);
    assert.equal((await kubectl("delete", "deploy", "typo")).code, 0);
  });

  it("create -f of a Job without a selector generates it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "manifests-"));
    const file = join(dir, "job.yaml");
    writeFileSync(
      file,
      "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: pi\nspec:\n  template:\n    spec:\n      containers:\n      - name: pi\n        image: perl\n      restartPolicy: Never\n",
    );
    const c = await kubectl("create", "-f", file);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(c.stdout.trim(), "job.batch/pi created");
    const uid = (await kubectl("get", "job", "pi", "-o", "jsonpath={.metadata.uid}")).stdout;
    const sel = await kubectl("get", "job", "pi", "-o", "jsonpath={.spec.selector.matchLabels}");
    assert.equal(sel.stdout, `{"batch.kubernetes.io/controller-uid":"${uid}"}`);
    const labels = await kubectl(
      "get",
      "job",
      "pi",
      "-o",
      "jsonpath={.spec.template.metadata.labels.job-name}",
    );
    assert.equal(labels.stdout, "pi");
    assert.equal((await kubectl("delete", "job", "pi")).code, 0);
  });

  it("delete removes objects and namespaces go Terminating", async () => {
    const d = await kubectl("delete", "deploy", "nginx");
    assert.equal(d.code, 0, d.stderr);
    assert.equal(d.stdout.trim(), 'deployment.apps "nginx" deleted');
    const g = await kubectl("get", "deploy");
    assert.match(g.stderr, /No resources found in default namespace\./);
    const ns = await kubectl("delete", "ns", "demo", "--wait=false");
    assert.equal(ns.code, 0, ns.stderr);
    const st = await kubectl("get", "ns", "demo", "-o", "jsonpath={.status.phase}");
    assert.equal(st.stdout, "Terminating");
  });
});
