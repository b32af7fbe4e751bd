// shared/seeds/003: edX "Introduction to Kubernetes" notes, in the document's order with the real kubectl:
// kubectl's configuration, the API through `kubectl proxy` and with a bearer token, namespaces, a
// deployment's labels and selectors, a NodePort service reached from the host, an exec liveness probe,
// ConfigMaps and Secrets, annotations. `default` is a fresh namespace set as the current context's in a
// private kubeconfig.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import YAML from "yaml";
import { run } from "../lib/cluster.js";
import { describeEvents, describeField, httpGet, runningPods, Tutorial } from "./lib.js";

const t = new Tutorial("003", "tut-003-edx", 120_000);
/** A shell line from the document, with `kubectl` pointed at this suite's kubeconfig. */
const sh = (line: string) =>
  run("bash", ["-c", `export KUBECONFIG='${t.kubeconfig}'; ${line}`], { timeoutMs: 60_000 });

describe("003 edX introduction", () => {
  before(() => t.setUp());
  after(() => t.tearDown());

  describe("kubectl configuration and API access", () => {
    it("kubectl config view; kubectl cluster-info", async () => {
      const view = await t.ok("config", "view");
      assert.match(view, /^\s+certificate-authority-data: DATA\+OMITTED$/m);
      assert.match(view, /^\s+server: https:\/\/127\.0\.0\.1:6443$/m);
      const info = await t.ok("cluster-info");
      assert.match(info, /Kubernetes control plane\S* is running at \S*https:\/\/127\.0\.0\.1:6443/);
      assert.match(
        info,
        /CoreDNS\S* is running at \S*https:\/\/127\.0\.0\.1:6443\/api\/v1\/namespaces\/kube-system\/services\/kube-dns:dns\/proxy/,
      );
    });

    it("with kubectl proxy: curl http://localhost:8001/ lists the API paths", async () => {
      const proxy = t.background("proxy");
      try {
        await proxy.waitFor(/Starting to serve on 127\.0\.0\.1:8001/);
        const r = await httpGet("http://localhost:8001/");
        assert.equal(r.status, 200, r.body);
        const paths: string[] = JSON.parse(r.body).paths;
        for (const p of ["/api", "/api/v1", "/apis", "/apis/apps", "/version"])
          assert.ok(paths.includes(p), `${p} in ${paths}`);
      } finally {
        await proxy.stop();
      }
    });

    it("without kubectl proxy: a bearer token and the server from the kubeconfig", async () => {
      // The notes read the token of kube-system's default-token secret; since Kubernetes 1.24 service
      // accounts get no such secret, and `kubectl create token` is how one asks for a token.
      const token = await sh("kubectl create token default -n kube-system");
      assert.equal(token.code, 0, token.stderr);
      assert.match(token.stdout.trim(), /^[\w-]+\.[\w-]+\.[\w-]+$/, "a JWT");
      const api = await sh(`kubectl config view | grep https | cut -f 2- -d ":" | tr -d " "`);
      assert.equal(api.stdout.trim(), "https://127.0.0.1:6443");
      const r = await sh(
        `curl -s ${api.stdout.trim()}/api --header "Authorization: Bearer ${token.stdout.trim()}" --insecure`,
      );
      assert.equal(r.code, 0, r.stderr);
      const body = JSON.parse(r.stdout);
      assert.equal(body.kind, "APIVersions");
      assert.deepEqual(body.versions, ["v1"]);
      const anon = await sh(
        `curl -s -o /dev/null -w '%{http_code}' ${api.stdout.trim()}/api/v1/namespaces/kube-system/secrets --insecure`,
      );
      assert.match(anon.stdout, /^40[13]$/, "without the token the secrets stay closed");
    });

    it("kubectl get namespaces", async () => {
      const ns = (await t.table("get", "namespaces")).map((r) => `${r.NAME} ${r.STATUS}`);
      for (const n of ["default", "kube-node-lease", "kube-public", "kube-system"])
        assert.ok(ns.includes(`${n} Active`), ns.join("\n"));
    });
  });

  describe("Deploying an application", () => {
    it("the webserver deployment: get pods -L k8s-app,label2; -l k8s-app=webserver; -l k8s-app=webserver1", async () => {
      await t.ok("apply", "-f", t.manifest("webserver-dashboard.yaml"));
      await t.waitTable(
        "three webserver pods",
        ["pods"],
        (r) => runningPods(r, "webserver").length === 3,
        60_000,
      );
      const rows = await t.table("get", "pods", "-L", "k8s-app,label2");
      assert.deepEqual(
        rows.map((r) => [r.READY, r.STATUS, r["K8S-APP"], r.LABEL2]),
        [0, 1, 2].map(() => ["1/1", "Running", "webserver", ""]),
      );
      assert.equal((await t.table("get", "pods", "-l", "k8s-app=webserver")).length, 3);
      const none = await t.kubectl("get", "pods", "-l", "k8s-app=webserver1");
      assert.equal(none.code, 0);
      assert.match(none.stderr, new RegExp(`No resources found in ${t.namespace} namespace\\.`));
    });

    it("kubectl delete deployments webserver also deletes its ReplicaSets and Pods", async () => {
      assert.match(
        await t.ok("delete", "deployments", "webserver"),
        /^deployment\.apps "webserver" deleted$/m,
      );
      await t.waitTable("no replicasets", ["replicasets"], (r) => r.length === 0, 30_000);
      await t.waitTable("no pods", ["pods"], (r) => r.length === 0, 60_000);
    });

    it("kubectl create -f webserver.yaml; create -f webserver-svc.yaml; get svc; describe svc web-service", async () => {
      assert.match(
        await t.ok("create", "-f", t.manifest("webserver.yaml")),
        /^deployment\.apps\/webserver created$/m,
      );
      assert.match(
        await t.ok("create", "-f", t.manifest("webserver-svc.yaml")),
        /^service\/web-service created$/m,
      );
      const svc = await t.table("get", "svc");
      assert.equal(svc.length, 1);
      assert.equal(svc[0].NAME, "web-service");
      assert.equal(svc[0].TYPE, "NodePort");
      assert.match(svc[0]["PORT(S)"], /^80:3\d{4}\/TCP$/);
      await t.waitTable(
        "three webserver pods",
        ["pods"],
        (r) => runningPods(r, "webserver").length === 3,
        60_000,
      );
      const d = await t.wait("three endpoints", async () => {
        const out = await t.ok("describe", "svc", "web-service");
        return (describeField(out, "Endpoints") ?? "").split(",").length === 3 ? out : undefined;
      });
      assert.equal(describeField(d, "Labels"), "run=web-service");
      assert.equal(describeField(d, "Selector"), "app=nginx");
      assert.equal(describeField(d, "Type"), "NodePort");
      assert.equal(describeField(d, "IP"), svc[0]["CLUSTER-IP"]);
      assert.equal(describeField(d, "Port"), "<unset>  80/TCP");
      assert.equal(describeField(d, "TargetPort"), "80/TCP");
      assert.equal(describeField(d, "NodePort"), `<unset>  ${svc[0]["PORT(S)"].match(/:(\d+)\//)?.[1]}/TCP`);
      assert.match(describeField(d, "Endpoints") ?? "", /^(10\.244\.\d+\.\d+:80,){2}10\.244\.\d+\.\d+:80$/);
    });

    it("the service answers on <node IP>:<node port> from outside the cluster", async () => {
      const port = (
        await t.ok("get", "svc", "web-service", "-o", "jsonpath={.spec.ports[0].nodePort}")
      ).trim();
      const ips = (
        await t.ok(
          "get",
          "nodes",
          "-o",
          'jsonpath={.items[*].status.addresses[?(@.type=="InternalIP")].address}',
        )
      )
        .trim()
        .split(/\s+/);
      for (const ip of ips) {
        const r = await t.wait(
          `http://${ip}:${port}/`,
          async () => {
            const x = await httpGet(`http://${ip}:${port}/`);
            return x.status === 200 ? x : undefined;
          },
          15_000,
        );
        assert.match(r.body, /Welcome to nginx!/);
      }
    });

    it("annotations: kubectl describe deployment webserver shows them", async () => {
      await t.ok(
        "annotate",
        "deployment",
        "webserver",
        "description=Deployment based PoC dates 2nd June'2017",
      );
      const out = await t.ok("describe", "deployment", "webserver");
      assert.match(
        out,
        /^Annotations:\s+deployment\.kubernetes\.io\/revision: 1\n\s+description: Deployment based PoC dates 2nd June'2017$/m,
      );
      await t.ok("delete", "-f", t.manifest("webserver.yaml"), "-f", t.manifest("webserver-svc.yaml"));
    });
  });

  describe("Liveness probes", () => {
    it("liveness-exec: once /tmp/healthy is gone the probe fails and the container restarts", async () => {
      assert.match(
        await t.ok("create", "-f", t.manifest("liveness-exec.yaml")),
        /^pod\/liveness-exec created$/m,
      );
      const created = Date.now();
      await t.waitTable(
        "liveness-exec restarted",
        ["pods", "liveness-exec"],
        (r) => Number(r[0]?.RESTARTS.split(" ")[0]) >= 1,
        120_000,
      );
      // Healthy for its first 30 s, then three failed probes 5 s apart: not restarted before that.
      const after = (Date.now() - created) / 1000;
      assert.ok(after > 30, `restarted after only ${after} s`);
      const out = await t.ok("describe", "pod", "liveness-exec");
      assert.match(
        out,
        /^\s+Liveness:\s+exec \[cat \/tmp\/healthy\] delay=3s timeout=1s period=5s #success=1 #failure=3$/m,
      );
      const ev = describeEvents(out);
      assert.ok(
        ev.some(
          (e) =>
            e.Type === "Warning" &&
            e.Reason === "Unhealthy" &&
            /^Liveness probe failed: cat: .*\/tmp\/healthy.*: No such file or directory/.test(e.Message),
        ),
        out,
      );
      assert.ok(
        ev.some(
          (e) =>
            e.Reason === "Killing" &&
            /Container liveness failed liveness probe, will be restarted/.test(e.Message),
        ),
        out,
      );
      await t.ok("delete", "pod", "liveness-exec", "--wait=false");
    });
  });

  describe("ConfigMaps and Secrets", () => {
    it("kubectl create configmap my-config --from-literal=key1=value1 --from-literal=key2=value2; get -o yaml", async () => {
      assert.match(
        await t.ok(
          "create",
          "configmap",
          "my-config",
          "--from-literal=key1=value1",
          "--from-literal=key2=value2",
        ),
        /^configmap\/my-config created$/m,
      );
      const cm = YAML.parse(await t.ok("get", "configmaps", "my-config", "-o", "yaml"));
      assert.deepEqual(cm.data, { key1: "value1", key2: "value2" });
      assert.equal(cm.metadata.namespace, t.namespace);
      assert.match(cm.metadata.uid, /^[0-9a-f-]{36}$/);
    });

    it("kubectl create -f customer1-configmap.yaml; the keys reach a container's environment", async () => {
      assert.match(
        await t.ok("create", "-f", t.manifest("customer1-configmap.yaml")),
        /^configmap\/customer1 created$/m,
      );
      // The notes' rsvp-app pod, reduced to what it shows: TEXT1/TEXT2/COMPANY from the ConfigMap.
      const overrides = JSON.stringify({
        spec: {
          restartPolicy: "Never",
          containers: [
            {
              name: "env",
              image: "busybox:1.28",
              command: ["sh", "-c", "echo $TEXT1/$TEXT2/$COMPANY"],
              env: ["TEXT1", "TEXT2", "COMPANY"].map((k) => ({
                name: k,
                valueFrom: { configMapKeyRef: { name: "customer1", key: k } },
              })),
            },
          ],
        },
      });
      const r = await t.kubectl(
        "run",
        "env",
        "-i",
        "--rm",
        "--image=busybox:1.28",
        "--restart=Never",
        `--overrides=${overrides}`,
        { input: "", timeoutMs: 60_000 },
      );
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /^Customer1_Company\/Welcomes You\/Customer1 Company Technology Pct\. Ltd\.$/m);
    });

    it("kubectl create secret generic my-password --from-literal=password=mysqlpassword; or by hand (base64)", async () => {
      assert.match(
        await t.ok("create", "secret", "generic", "my-password", "--from-literal=password=mysqlpassword"),
        /^secret\/my-password created$/m,
      );
      const fromCmd = await t.ok("get", "secret", "my-password", "-o", "jsonpath={.data.password}");
      assert.equal(Buffer.from(fromCmd, "base64").toString(), "mysqlpassword");
      const b64 = await sh("echo mysqlpassword | base64");
      assert.equal(b64.stdout.trim(), "bXlzcWxwYXNzd29yZAo=");
      await t.ok("delete", "secret", "my-password");
      assert.match(
        await t.ok("create", "-f", t.manifest("my-password.yaml")),
        /^secret\/my-password created$/m,
      );
      const d = await t.ok("describe", "secret", "my-password");
      assert.equal(describeField(d, "Type"), "Opaque");
      assert.match(d, /^password:\s+14 bytes$/m);
    });

    it("a secret as an environment variable (secretKeyRef)", async () => {
      const overrides = JSON.stringify({
        spec: {
          restartPolicy: "Never",
          containers: [
            {
              name: "env",
              image: "busybox:1.28",
              command: ["sh", "-c", 'echo "[$WORDPRESS_DB_PASSWORD]"'],
              env: [
                {
                  name: "WORDPRESS_DB_PASSWORD",
                  valueFrom: { secretKeyRef: { name: "my-password", key: "password" } },
                },
              ],
            },
          ],
        },
      });
      const r = await t.kubectl(
        "run",
        "env",
        "-i",
        "--rm",
        "--image=busybox:1.28",
        "--restart=Never",
        `--overrides=${overrides}`,
        { input: "", timeoutMs: 60_000 },
      );
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /^\[mysqlpassword\n\]$/m, "the manual secret keeps echo's newline");
    });
  });
});
