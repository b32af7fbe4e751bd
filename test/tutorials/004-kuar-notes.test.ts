// shared/seeds/004: shorter notes on "Kubernetes Up and Running" (partly in Chinese), in the document's
// order with the real kubectl: component checks, contexts, kuard pods (probes, resources, volumes), labels
// and selectors, services (DNS, readiness, NodePort, LoadBalancer, endpoints), ReplicaSets, DaemonSets.
// The document works in `default`; here `default` is a fresh namespace set as the current context's in a
// private kubeconfig. Where kubectl 1.32 no longer takes the document's syntax, the comment says so.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import YAML from "yaml";
import {
  type Background,
  byName,
  describeEvents,
  describeField,
  genericName,
  httpGet,
  parseTable,
  parseWatch,
  REPO,
  runningPods,
  Tutorial,
} from "./lib.js";

const t = new Tutorial("004", "tut-004-kuar-notes", 100_000);
const pods = (...args: string[]) => t.table("get", "pods", ...args);
const podReady = (name: string, timeoutMs = 60_000) =>
  t.waitTable(
    `pod ${name} Running and ready`,
    ["pods", name],
    (r) => r[0]?.STATUS === "Running" && r[0]?.READY === "1/1",
    timeoutMs,
  );

/** A KUBE_EDITOR for `kubectl edit`: a node script that applies `change` to the object `o` in the file. */
function editor(name: string, change: string): string {
  const script = t.scratch(`${name}.cjs`);
  writeFileSync(
    script,
    `const fs = require("fs"); const YAML = require(${JSON.stringify(`${REPO}/node_modules/yaml`)});\n` +
      `const f = process.argv[2]; const o = YAML.parse(fs.readFileSync(f, "utf8"));\n${change}\nfs.writeFileSync(f, YAML.stringify(o));\n`,
  );
  return `node ${script}`;
}

/** `KUBE_EDITOR=... kubectl edit ...`, as the document types it with vim. */
async function edit(kubeEditor: string, ...args: string[]): Promise<string> {
  process.env.KUBE_EDITOR = kubeEditor;
  try {
    return await t.ok("edit", ...args);
  } finally {
    delete process.env.KUBE_EDITOR;
  }
}

describe("004 kuar notes", () => {
  before(() => t.setUp());
  after(() => t.tearDown());

  describe("Verify", () => {
    it("kubectl get componentstatuses: scheduler, controller-manager and etcd-0 Healthy", async () => {
      const r = await t.kubectl("get", "componentstatuses");
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /Warning: v1 ComponentStatus is deprecated in v1\.19\+/);
      const rows = parseTable(r.stdout);
      assert.deepEqual(rows.map((x) => [x.NAME, x.STATUS, x.ERROR]).sort(), [
        ["controller-manager", "Healthy", ""],
        ["etcd-0", "Healthy", ""],
        ["scheduler", "Healthy", ""],
      ]);
      assert.equal(byName(rows, "scheduler")?.MESSAGE, "ok");
      assert.match(byName(rows, "etcd-0")?.MESSAGE ?? "", /"health":\s*"true"/);
    });

    it("kubectl get nodes; kubectl describe nodes node-1", async () => {
      const nodes = await t.table("get", "nodes");
      assert.ok(nodes.length >= 1);
      for (const n of nodes) assert.equal(n.STATUS, "Ready", `${n.NAME} is ${n.STATUS}`);
      const out = await t.ok("describe", "nodes", "node-1");
      assert.equal(describeField(out, "Name"), "node-1");
      assert.match(out, /^\s+Ready\s+True\s/m);
    });

    it("kubectl get daemonSets --namespace=kube-system kube-proxy", async () => {
      const rows = await t.table("get", "daemonSets", "--namespace=kube-system", "kube-proxy");
      assert.equal(rows[0]?.NAME, "kube-proxy");
      assert.equal(rows[0].DESIRED, rows[0].READY);
    });

    it("DNS: kubectl get deployments / services --namespace=kube-system kube-dns", async () => {
      // The document's deployment is kube-dns; clusters since 1.13 run CoreDNS under the Deployment name
      // `coredns` behind the Service still called kube-dns (the document's `kubedns` is a typo).
      const dep = await t.table("get", "deployments", "--namespace=kube-system", "coredns");
      assert.match(dep[0]?.READY ?? "", /^([1-9]\d*)\/\1$/);
      const svc = await t.table("get", "services", "--namespace=kube-system", "kube-dns");
      assert.deepEqual([svc[0]?.TYPE, svc[0]?.["CLUSTER-IP"]], ["ClusterIP", "10.96.0.10"]);
      assert.match(svc[0]["PORT(S)"], /53\/UDP,53\/TCP/);
    });

    it("kubectl proxy serves the API on localhost:8001", async () => {
      const proxy = t.background("proxy");
      try {
        await proxy.waitFor(/Starting to serve on 127\.0\.0\.1:8001/);
        const r = await httpGet(`http://localhost:8001/api/v1/namespaces/${t.namespace}/pods`);
        assert.equal(r.status, 200, r.body);
        assert.equal(JSON.parse(r.body).kind, "PodList");
      } finally {
        await proxy.stop();
      }
    });
  });

  describe("Common kubectl commands", () => {
    it("kubectl config set-context my-context --namespace=mystuff; use-context my-context", async () => {
      assert.match(
        await t.ok("config", "set-context", "my-context", "--namespace=mystuff"),
        /^Context "my-context" created\.$/m,
      );
      const cfg = YAML.parse(await t.ok("config", "view"));
      const ctx = cfg.contexts.find((c: { name: string }) => c.name === "my-context");
      assert.deepEqual(ctx, { name: "my-context", context: { cluster: "", namespace: "mystuff", user: "" } });
      const before = (await t.ok("config", "current-context")).trim();
      assert.match(
        await t.ok("config", "use-context", "my-context"),
        /^Switched to context "my-context"\.$/m,
      );
      assert.equal((await t.ok("config", "current-context")).trim(), "my-context");
      await t.ok("config", "use-context", before);
    });

    it("kubectl run kuard; get pods / deployments / replicasets; delete deployments/kuard", async () => {
      // `kubectl run` made a Deployment before 1.18; today's equivalent is `kubectl create deployment`.
      assert.match(
        await t.ok("create", "deployment", "kuard", "--image=gcr.io/kuar-demo/kuard-amd64:1"),
        /^deployment\.apps\/kuard created$/m,
      );
      const p = await t.waitTable(
        "a kuard pod Running",
        ["pods"],
        (r) => runningPods(r, "kuard").length === 1,
      );
      assert.equal(genericName(p[0].NAME), "kuard-*-*");
      assert.equal((await t.table("get", "deployments"))[0]?.READY, "1/1");
      const rs = await t.table("get", "replicasets");
      assert.deepEqual([genericName(rs[0]?.NAME ?? ""), rs[0]?.DESIRED, rs[0]?.READY], ["kuard-*", "1", "1"]);
      assert.match(await t.ok("delete", "deployments/kuard"), /^deployment\.apps "kuard" deleted$/m);
      await t.waitTable("kuard pods gone", ["pods"], (r) => r.length === 0);
    });
  });

  describe("Pods", () => {
    it("kubectl apply -f kuard-pod.yaml; get pods; get deployments / replicasets are empty", async () => {
      assert.match(await t.ok("apply", "-f", t.manifest("kuard-pod.yaml")), /^pod\/kuard created$/m);
      const p = await podReady("kuard");
      assert.deepEqual([p[0].NAME, p[0].READY, p[0].STATUS, p[0].RESTARTS], ["kuard", "1/1", "Running", "0"]);
      for (const kind of ["deployments", "replicasets"]) {
        const r = await t.kubectl("get", kind);
        assert.equal(r.code, 0);
        assert.match(r.stderr, new RegExp(`No resources found in ${t.namespace} namespace\\.`));
      }
    });

    it("kubectl describe pods kuard", async () => {
      const out = await t.ok("describe", "pods", "kuard");
      assert.equal(describeField(out, "Name"), "kuard");
      assert.equal(describeField(out, "Namespace"), t.namespace);
      assert.match(describeField(out, "Node") ?? "", /^node-\d+\/\d+\.\d+\.\d+\.\d+$/);
      assert.equal(describeField(out, "Status"), "Running");
      assert.match(describeField(out, "IP") ?? "", /^10\.244\.\d+\.\d+$/);
      assert.match(
        out,
        /^\s+kuard:\n\s+Container ID:\s+docker:\/\/[0-9a-f]{64}\n\s+Image:\s+gcr\.io\/kuar-demo\/kuard-amd64:1$/m,
      );
      assert.match(out, /^\s+Port:\s+8080\/TCP$/m);
      assert.match(out, /^\s+State:\s+Running$/m);
      assert.equal(describeField(out, "QoS Class"), "BestEffort");
      const ev = describeEvents(out).map((e) => [e.Type, e.Reason, e.From]);
      assert.deepEqual(ev[0], ["Normal", "Scheduled", "default-scheduler"]);
      assert.deepEqual(
        ev.slice(-2).map((e) => e[1]),
        ["Created", "Started"],
      );
    });

    it("kubectl get pod kuard -o jsonpath --template={.status.podIP}; -o yaml; -o json; --no-headers", async () => {
      // The document's `-o jsonpath --namespace={.status.podIP}` is a typo for --template.
      const ip = await t.ok("get", "pod", "kuard", "-o", "jsonpath", "--template={.status.podIP}");
      assert.match(ip, /^10\.244\.\d+\.\d+$/);
      assert.equal(YAML.parse(await t.ok("get", "pods", "kuard", "-o", "yaml")).status.podIP, ip);
      assert.equal(JSON.parse(await t.ok("get", "pods", "kuard", "-o", "json")).metadata.name, "kuard");
      assert.match(await t.ok("get", "pods", "--no-headers"), /^kuard\s+1\/1\s+Running\s+0\s+\S+\n$/);
    });

    it("kubectl label pods kuard color=red; --overwrite; color- removes it", async () => {
      assert.match(await t.ok("label", "pods", "kuard", "color=red"), /^pod\/kuard labeled$/m);
      const again = await t.kubectl("label", "pods", "kuard", "color=blue");
      assert.notEqual(again.code, 0);
      assert.match(again.stderr, /error: 'color' already has a value \(red\), and --overwrite is false/);
      assert.match(
        await t.ok("label", "pods", "kuard", "color=red", "--overwrite"),
        /^pod\/kuard (labeled|not labeled)$/m,
      );
      // The document's `-color` is a typo: a trailing dash removes a label.
      assert.match(await t.ok("label", "pods", "kuard", "color-"), /^pod\/kuard unlabeled$/m);
      assert.equal(byName(await pods("--show-labels"), "kuard")?.LABELS, "<none>");
    });

    it("kubectl port-forward kuard 8080:8080 serves kuard on localhost:8080", async () => {
      const pf = t.background("port-forward", "kuard", "8080:8080");
      try {
        await pf.waitFor(/Forwarding from 127\.0\.0\.1:8080 -> 8080/);
        const r = await httpGet("http://localhost:8080/");
        assert.equal(r.status, 200, r.body);
        assert.match(r.body, /kuard/i);
      } finally {
        await pf.stop();
      }
    });

    it("kubectl logs kuard; kubectl exec kuard -- date; kubectl exec -i kuard -- ash", async () => {
      const logs = await t.kubectl("logs", "kuard");
      assert.equal(logs.code, 0, logs.stderr);
      assert.notEqual(logs.stdout.trim(), "", "kuard logs its start-up");
      assert.equal((await t.kubectl("logs", "kuard", "-c", "kuard")).stdout, logs.stdout);
      // `kubectl exec kuard date` (no `--`) is refused since kubectl 1.31.
      const old = await t.kubectl("exec", "kuard", "date");
      assert.notEqual(old.code, 0);
      const date = await t.ok("exec", "kuard", "--", "date");
      assert.match(date, /\d{2}:\d{2}:\d{2}/);
      // `-ti` wants a terminal; with a script on stdin, -i alone.
      const sh = await t.ok("exec", "-i", "kuard", "--", "ash", { input: "hostname\nexit\n" });
      assert.equal(sh.trim(), "kuard");
    });

    it("kubectl cp kuard:/etc/hostname ./hostname copies a file out of the container", async () => {
      const dest = t.scratch("hostname");
      await t.ok("cp", "kuard:/etc/hostname", dest);
      assert.equal(readFileSync(dest, "utf8").trim(), "kuard");
    });

    it("kubectl delete pods/kuard goes through Terminating; delete -f kuard-pod.yaml does the same by file", async () => {
      assert.match(await t.ok("delete", "pods/kuard", "--wait=false"), /^pod "kuard" deleted$/m);
      const term = await t.kubectl("get", "pods", "kuard");
      if (term.code === 0) assert.match(term.stdout, /Terminating/);
      await t.waitTable("kuard gone", ["pods"], (r) => r.length === 0, 45_000);
      await t.ok("apply", "-f", t.manifest("kuard-pod.yaml"));
      assert.match(await t.ok("delete", "-f", t.manifest("kuard-pod.yaml")), /^pod "kuard" deleted$/m);
    });

    it("liveness probe (5-2-kuard-pod-health.yaml): describe shows the probe; the pod runs", async () => {
      await t.waitTable("kuard gone", ["pods"], (r) => r.length === 0, 45_000);
      assert.match(
        await t.ok("apply", "-f", t.manifest("5-2-kuard-pod-health.yaml")),
        /^pod\/kuard created$/m,
      );
      await podReady("kuard");
      const out = await t.ok("describe", "pods", "kuard");
      assert.match(
        out,
        /^\s+Liveness:\s+http-get http:\/\/:8080\/healthy delay=5s timeout=1s period=10s #success=1 #failure=3$/m,
      );
      await t.ok("delete", "pods/kuard");
    });

    it("resource requests (5-3): describe shows cpu 500m / memory 128Mi and QoS Burstable", async () => {
      await t.ok("apply", "-f", t.manifest("5-3-kaurd-pod-resreq.yaml"));
      await podReady("kuard");
      const out = await t.ok("describe", "pods", "kuard");
      assert.match(out, /^\s+Requests:\n\s+cpu:\s+500m\n\s+memory:\s+128Mi$/m);
      assert.equal(describeField(out, "QoS Class"), "Burstable");
      await t.ok("delete", "pods/kuard");
    });

    it("resource limits (5-4): describe shows the limits", async () => {
      await t.ok("apply", "-f", t.manifest("5-4-kaurd-pod-reslim.yaml"));
      await podReady("kuard");
      const out = await t.ok("describe", "pods", "kuard");
      assert.match(out, /^\s+Limits:\n\s+cpu:\s+1\n\s+memory:\s+256Mi$/m);
      assert.match(out, /^\s+Requests:\n\s+cpu:\s+500m\n\s+memory:\s+128Mi$/m);
      await t.ok("delete", "pods/kuard");
    });

    it("hostPath volume (5-5): /data is the host's /var/lib/kuard", async () => {
      await t.ok("apply", "-f", t.manifest("5-5-kuard-pod-vol.yaml"));
      await podReady("kuard");
      const out = await t.ok("describe", "pods", "kuard");
      assert.match(out, /^\s+\/data from kuard-data \(rw\)$/m);
      assert.match(
        out,
        /^\s+kuard-data:\n\s+Type:\s+HostPath \(bare host directory volume\)\n\s+Path:\s+\/var\/lib\/kuard$/m,
      );
      await t.ok("exec", "kuard", "--", "sh", "-c", "echo persisted > /data/tutorial-004");
      assert.equal((await t.ok("exec", "kuard", "--", "cat", "/data/tutorial-004")).trim(), "persisted");
      await t.ok("exec", "kuard", "--", "rm", "-f", "/data/tutorial-004");
      await t.ok("delete", "pods/kuard");
    });

    it("putting it all together (5-6, an NFS volume): the pod is accepted with both probes", async () => {
      assert.match(await t.ok("apply", "-f", t.manifest("5-6-kuard-pod-full.yaml")), /^pod\/kuard created$/m);
      const out = await t.ok("describe", "pods", "kuard");
      assert.match(
        out,
        /^\s+Readiness:\s+http-get http:\/\/:8080\/ready delay=30s timeout=1s period=10s #success=1 #failure=3$/m,
      );
      assert.match(
        out,
        /^\s+Type:\s+NFS \(an NFS mount that lasts the lifetime of a pod\)\n\s+Server:\s+my\.nfs\.server\.local\n\s+Path:\s+\/exports$/m,
      );
      await t.ok("delete", "pods/kuard", "--wait=false");
    });
  });

  describe("Labels and annotations", () => {
    it("kubectl run alpaca-prod ... --replicas --labels (four deployments); get deployments --show-labels", async () => {
      // `kubectl run --replicas` made Deployments before kubectl 1.18; the manifests are what it made.
      for (const f of [
        "run-alpaca-prod.yaml",
        "run-alpaca-test.yaml",
        "run-bandicoot-prod.yaml",
        "run-bandicoot-staging.yaml",
      ]) {
        assert.match(await t.ok("apply", "-f", t.manifest(f)), /^deployment\.apps\/\S+ created$/m);
      }
      const rows = await t.waitTable(
        "all four deployments available",
        ["deployments", "--show-labels"],
        (r) => r.length === 4 && r.every((x) => x.READY.split("/")[0] === x.READY.split("/")[1]),
        90_000,
      );
      assert.deepEqual(
        rows.map((r) => [r.NAME, r.READY, r["UP-TO-DATE"], r.AVAILABLE, r.LABELS]),
        [
          ["alpaca-prod", "2/2", "2", "2", "app=alpaca,env=prod,ver=1"],
          ["alpaca-test", "1/1", "1", "1", "app=alpaca,env=test,ver=2"],
          ["bandicoot-prod", "2/2", "2", "2", "app=bandicoot,env=prod,ver=2"],
          ["bandicoot-staging", "1/1", "1", "1", "app=bandicoot,env=staging,ver=2"],
        ],
      );
    });

    it("kubectl label deployments alpaca-test canary=true; get all --show-labels; get deployments -L canary", async () => {
      assert.match(
        await t.ok("label", "deployments", "alpaca-test", "canary=true"),
        /^deployment\.apps\/alpaca-test labeled$/m,
      );
      // `get all -a`: -a (--show-all) is gone since kubectl 1.14; completed pods are always listed now.
      const all = await t.ok("get", "all", "--show-labels");
      assert.match(all, /^deployment\.apps\/alpaca-test\s.*\sapp=alpaca,canary=true,env=test,ver=2$/m);
      assert.doesNotMatch(
        all,
        /^pod\/alpaca-test\S*\s.*canary=true/m,
        "labeling the deployment leaves its pods alone",
      );
      assert.match(all, /^replicaset\.apps\/alpaca-test-\S+\s/m);
      const rows = await t.table("get", "deployments", "-L", "canary");
      assert.deepEqual(
        rows.map((r) => [r.NAME, r.CANARY]),
        [
          ["alpaca-prod", ""],
          ["alpaca-test", "true"],
          ["bandicoot-prod", ""],
          ["bandicoot-staging", ""],
        ],
      );
      assert.match(
        await t.ok("label", "deployments", "alpaca-test", "canary-"),
        /^deployment\.apps\/alpaca-test unlabeled$/m,
      );
    });

    it("kubectl get pods --show-labels shows the pod-template-hash label", async () => {
      const rows = await pods("--show-labels");
      assert.equal(rows.length, 6);
      for (const r of rows) {
        const hash = r.NAME.split("-").slice(-2, -1)[0];
        assert.match(r.LABELS, new RegExp(`(^|,)pod-template-hash=${hash}(,|$)`), `${r.NAME}: ${r.LABELS}`);
        assert.equal(r.STATUS, "Running");
      }
    });

    it("label selectors: ver=2; app=bandicoot,ver=2; app in (alpaca,bandicoot); ver!=2; !canary", async () => {
      const names = async (sel: string) => (await pods(`--selector=${sel}`)).map((r) => genericName(r.NAME));
      assert.deepEqual(await names("ver=2"), [
        "alpaca-test-*-*",
        "bandicoot-prod-*-*",
        "bandicoot-prod-*-*",
        "bandicoot-staging-*-*",
      ]);
      assert.deepEqual(await names("app=bandicoot,ver=2"), [
        "bandicoot-prod-*-*",
        "bandicoot-prod-*-*",
        "bandicoot-staging-*-*",
      ]);
      assert.equal((await names("app in (alpaca,bandicoot)")).length, 6);
      assert.deepEqual(await names("ver!=2"), ["alpaca-prod-*-*", "alpaca-prod-*-*"]);
      assert.deepEqual(await names("env notin (prod,test)"), ["bandicoot-staging-*-*"]);
      assert.equal((await names("!canary")).length, 6);
    });

    it("kubectl delete deployments --all", async () => {
      const out = await t.ok("delete", "deployments", "--all");
      for (const n of ["alpaca-prod", "alpaca-test", "bandicoot-prod", "bandicoot-staging"]) {
        assert.match(out, new RegExp(`^deployment\\.apps "${n}" deleted$`, "m"));
      }
      await t.waitTable("their pods gone", ["pods"], (r) => r.length === 0, 60_000);
    });
  });

  describe("Service discovery", () => {
    let clusterIP = "";
    let endpointsWatch: Background | undefined;
    after(() => endpointsWatch?.stop());

    it("kubectl run ... --port=8080; kubectl expose deployment alpaca-prod / bandicoot-prod", async () => {
      await t.ok("apply", "-f", t.manifest("run-alpaca-prod-port.yaml"));
      assert.match(await t.ok("expose", "deployment", "alpaca-prod"), /^service\/alpaca-prod exposed$/m);
      await t.ok("apply", "-f", t.manifest("run-bandicoot-prod-port.yaml"));
      assert.match(
        await t.ok("expose", "deployment", "bandicoot-prod"),
        /^service\/bandicoot-prod exposed$/m,
      );
      const rows = await t.table("get", "services", "-o", "wide");
      assert.deepEqual(
        rows.map((r) => [r.NAME, r.TYPE, r["EXTERNAL-IP"], r["PORT(S)"], r.SELECTOR]),
        [
          ["alpaca-prod", "ClusterIP", "<none>", "8080/TCP", "app=alpaca,env=prod,ver=1"],
          ["bandicoot-prod", "ClusterIP", "<none>", "8080/TCP", "app=bandicoot,env=prod,ver=2"],
        ],
      );
      clusterIP = byName(rows, "alpaca-prod")?.["CLUSTER-IP"] ?? "";
      assert.match(clusterIP, /^10\.(9[6-9]|10\d|11[01])\.\d+\.\d+$/, "from the service CIDR 10.96.0.0/12");
      // The document lists `kubernetes` too: it lives in `default`, which this suite does not use.
      const k = await t.table("get", "services", "kubernetes", "--namespace=default");
      assert.deepEqual([k[0]?.["CLUSTER-IP"], k[0]?.["PORT(S)"]], ["10.96.0.1", "443/TCP"]);
    });

    it("ALPACA_POD=$(kubectl get pods -l app=alpaca -o jsonpath=...); kubectl port-forward $ALPACA_POD 48858:8080", async () => {
      await t.waitTable(
        "alpaca-prod 3/3",
        ["deployment", "alpaca-prod"],
        (r) => r[0]?.READY === "3/3",
        90_000,
      );
      const pod = await t.ok("get", "pods", "-l", "app=alpaca", "-o", "jsonpath={.items[0].metadata.name}");
      assert.match(pod, /^alpaca-prod-/);
      const pf = t.background("port-forward", pod, "48858:8080");
      try {
        await pf.waitFor(/Forwarding from 127\.0\.0\.1:48858 -> 8080/);
        const r = await httpGet("http://localhost:48858/");
        assert.equal(r.status, 200, r.body);
      } finally {
        await pf.stop();
      }
    });

    it("service DNS: alpaca-prod.<namespace>.svc.cluster.local resolves to the cluster IP", async () => {
      const fqdn = `alpaca-prod.${t.namespace}.svc.cluster.local`;
      const r = await t.kubectl(
        "run",
        "-i",
        "--rm",
        "--image=busybox:1.28",
        "--restart=Never",
        "dns-test",
        "--",
        "nslookup",
        fqdn,
        {
          input: "",
          timeoutMs: 90_000,
        },
      );
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(
        r.stdout,
        new RegExp(
          `Name:\\s+${fqdn.replaceAll(".", "\\.")}\\nAddress 1: ${clusterIP.replaceAll(".", "\\.")}`,
        ),
      );
    });

    it("readiness check added with kubectl edit deployment/alpaca-prod; the pods are recreated", async () => {
      const ed = editor(
        "readiness",
        `o.spec.template.spec.containers[0].readinessProbe = { httpGet: { path: "/ready", port: 8080 }, periodSeconds: 2, initialDelaySeconds: 0, failureThreshold: 3, successThreshold: 1 };`,
      );
      assert.match(await edit(ed, "deployment/alpaca-prod"), /^deployment\.apps\/alpaca-prod edited$/m);
      endpointsWatch = t.background("get", "endpoints", "alpaca-prod", "--watch");
      await t.wait(
        "three new alpaca pods ready with the probe",
        async () => {
          const p = await t.kubectl(
            "get",
            "pods",
            "-l",
            "app=alpaca",
            "-o",
            "jsonpath={range .items[*]}{.spec.containers[0].readinessProbe.periodSeconds}{' '}{.status.containerStatuses[0].ready}{'\\n'}{end}",
          );
          const lines = p.stdout.trim().split("\n");
          return lines.length === 3 && lines.every((l) => l === "2 true") ? true : undefined;
        },
        90_000,
      );
      const ep = await t.waitTable(
        "3 endpoints",
        ["endpoints", "alpaca-prod"],
        (r) => (r[0]?.ENDPOINTS ?? "").split(",").length === 3,
      );
      assert.match(ep[0].ENDPOINTS, /^(10\.244\.\d+\.\d+:8080,){2}10\.244\.\d+\.\d+:8080$/);
    });

    it("kubectl edit service alpaca-prod to NodePort: describe shows the node port, reachable on a node", async () => {
      const ed = editor("nodeport", `o.spec.type = "NodePort";`);
      assert.match(await edit(ed, "service", "alpaca-prod"), /^service\/alpaca-prod edited$/m);
      const out = await t.ok("describe", "service", "alpaca-prod");
      assert.equal(describeField(out, "Name"), "alpaca-prod");
      assert.match(out, /^Labels:\s+app=alpaca\n\s+env=prod\n\s+ver=1$/m);
      assert.equal(describeField(out, "Selector"), "app=alpaca,env=prod,ver=1");
      assert.equal(describeField(out, "Type"), "NodePort");
      assert.equal(describeField(out, "IP"), clusterIP);
      assert.equal(describeField(out, "Port"), "<unset>  8080/TCP");
      assert.equal(describeField(out, "TargetPort"), "8080/TCP");
      const nodePort = (describeField(out, "NodePort") ?? "").match(/^<unset>\s+(\d+)\/TCP$/)?.[1];
      assert.ok(nodePort && Number(nodePort) >= 30000 && Number(nodePort) <= 32767, out);
      assert.equal((describeField(out, "Endpoints") ?? "").split(",").length, 3);
      assert.equal(describeField(out, "Session Affinity"), "None");
      assert.equal(describeField(out, "External Traffic Policy"), "Cluster");
      const nodeIP = await t.ok(
        "get",
        "nodes",
        "-o",
        'jsonpath={.items[0].status.addresses[?(@.type=="InternalIP")].address}',
      );
      const r = await t.wait(
        `http://${nodeIP}:${nodePort}/ answering`,
        async () => {
          const x = await httpGet(`http://${nodeIP}:${nodePort}/`);
          return x.status === 200 ? x : undefined;
        },
        20_000,
      );
      assert.equal(r.status, 200);
    });

    it("kubectl edit service alpaca-prod to LoadBalancer: an EXTERNAL-IP reachable from the host", async () => {
      const ed = editor("lb", `o.spec.type = "LoadBalancer";`);
      assert.match(await edit(ed, "service", "alpaca-prod"), /^service\/alpaca-prod edited$/m);
      const svc = await t.waitTable(
        "an EXTERNAL-IP",
        ["services", "alpaca-prod"],
        (r) => /^\d+\.\d+\.\d+\.\d+$/.test(r[0]?.["EXTERNAL-IP"] ?? ""),
        30_000,
      );
      assert.equal(svc[0].TYPE, "LoadBalancer");
      const out = await t.ok("describe", "service", "alpaca-prod");
      // kubectl 1.32 appends the ingress's ipMode: "172.28.1.1 (VIP)".
      assert.equal(
        describeField(out, "LoadBalancer Ingress")?.replace(/ \((VIP|Proxy)\)$/, ""),
        svc[0]["EXTERNAL-IP"],
      );
      // As a user would retry curl: the address answers once every node's kube-proxy has the Service's
      // new rules (one sync after the status change).
      const r = await t.wait(
        "the EXTERNAL-IP answering",
        async () => {
          const res = await httpGet(`http://${svc[0]["EXTERNAL-IP"]}:8080/`);
          return res.status === 200 ? res : undefined;
        },
        10_000,
      );
      assert.equal(r.status, 200, r.body);
    });

    it("kubectl describe endpoints alpaca-prod", async () => {
      const out = await t.ok("describe", "endpoints", "alpaca-prod");
      assert.equal(describeField(out, "Name"), "alpaca-prod");
      assert.match(out, /^Labels:\s+app=alpaca\n\s+env=prod\n\s+ver=1$/m);
      assert.match(
        out,
        /^Subsets:\n\s+Addresses:\s+(10\.244\.\d+\.\d+,){2}10\.244\.\d+\.\d+\n\s+NotReadyAddresses:\s+<none>\n\s+Ports:\n\s+Name\s+Port\s+Protocol\n\s+----\s+----\s+--------\n\s+<unset>\s+8080\s+TCP$/m,
      );
    });

    it("kubectl get endpoints alpaca-prod --watch while the deployment is deleted and re-run", async () => {
      await endpointsWatch?.stop();
      endpointsWatch = t.background("get", "endpoints", "alpaca-prod", "--watch");
      await endpointsWatch.waitFor(/^alpaca-prod\s/m);
      await t.ok("delete", "deployment", "alpaca-prod");
      await endpointsWatch.waitFor(/^alpaca-prod\s+<none>/m, 60_000);
      await t.ok("apply", "-f", t.manifest("run-alpaca-prod-port.yaml"));
      await t.wait(
        "3 endpoints again",
        async () => {
          const rows = parseWatch(endpointsWatch?.output() ?? "");
          return rows.length && rows[rows.length - 1].ENDPOINTS.split(",").length === 3 ? true : undefined;
        },
        90_000,
      );
      const seen = parseWatch(endpointsWatch.output()).map((r) =>
        r.ENDPOINTS === "<none>" ? 0 : r.ENDPOINTS.split(",").length,
      );
      const none = seen.indexOf(0);
      assert.ok(none > 0, `went down to <none>: ${seen}`);
      assert.deepEqual(seen.slice(none), [...seen.slice(none)].sort(), `then grew back one by one: ${seen}`);
    });

    it("manual service discovery: kubectl get pods -o wide --show-labels / --selector=app=alpaca,env=prod", async () => {
      const all = await pods("-o", "wide", "--show-labels");
      assert.equal(all.length, 5);
      for (const r of all) {
        assert.match(r.IP, /^10\.244\.\d+\.\d+$/);
        assert.match(r.NODE, /^node-\d+$/);
      }
      const alpaca = await pods("-o", "wide", "--selector=app=alpaca,env=prod");
      assert.equal(alpaca.length, 3);
      assert.equal(alpaca[0].LABELS, undefined);
    });

    it("cluster IP environment variables: a bandicoot pod sees ALPACA_PROD_SERVICE_HOST", async () => {
      const pod = await t.ok(
        "get",
        "pods",
        "-l",
        "app=bandicoot",
        "-o",
        "jsonpath={.items[0].metadata.name}",
      );
      const env = await t.ok(
        "exec",
        pod,
        "--",
        "printenv",
        "ALPACA_PROD_SERVICE_HOST",
        "ALPACA_PROD_SERVICE_PORT",
      );
      assert.deepEqual(env.trim().split("\n"), [clusterIP, "8080"]);
    });

    it("kubectl delete services,deployments -l app", async () => {
      const out = await t.ok("delete", "services,deployments", "-l", "app");
      assert.match(out, /^service "alpaca-prod" deleted$/m);
      assert.match(out, /^service "bandicoot-prod" deleted$/m);
      assert.match(out, /^deployment\.apps "alpaca-prod" deleted$/m);
      assert.match(out, /^deployment\.apps "bandicoot-prod" deleted$/m);
    });
  });

  describe("ReplicaSets", () => {
    it("kubectl apply -f 8-1-kuard-rs.yaml (extensions/v1beta1, no selector); describe rs kuard", async () => {
      await t.waitTable("no pods left", ["pods"], (r) => r.length === 0, 60_000);
      assert.match(
        await t.ok("apply", "-f", t.manifest("8-1-kuard-rs.yaml")),
        /^replicaset\.extensions\/kuard created$/m,
      );
      await t.waitTable("one kuard pod Running", ["pods"], (r) => runningPods(r, "kuard").length === 1);
      const out = await t.ok("describe", "rs", "kuard");
      assert.equal(describeField(out, "Name"), "kuard");
      assert.equal(describeField(out, "Selector"), "app=kuard,version=2");
      assert.match(out, /^Labels:\s+app=kuard\n\s+version=2$/m);
      // The notes' kubectl showed the last-applied-configuration annotation here; kubectl 1.32's describe
      // hides it (it is still on the object, as `get -o jsonpath` shows).
      assert.match(out, /^Annotations:\s+<none>$/m);
      assert.match(
        await t.ok("get", "rs", "kuard", "-o", "jsonpath={.metadata.annotations}"),
        /kubectl\.kubernetes\.io\/last-applied-configuration/,
      );
      assert.equal(describeField(out, "Replicas"), "1 current / 1 desired");
      assert.equal(describeField(out, "Pods Status"), "1 Running / 0 Waiting / 0 Succeeded / 0 Failed");
      assert.match(out, /^\s+kuard:\n\s+Image:\s+gcr\.io\/kuar-demo\/kuard-amd64:2\n\s+Port:\s+<none>$/m);
      const ev = describeEvents(out);
      assert.deepEqual(
        ev.map((e) => [e.Type, e.Reason, e.From]),
        [["Normal", "SuccessfulCreate", "replicaset-controller"]],
      );
      assert.match(ev[0].Message, /^Created pod: kuard-\S{5}$/);
    });

    it("finding a ReplicaSet from a pod and the pods of a ReplicaSet", async () => {
      const pod = (await pods())[0].NAME;
      assert.equal(describeField(await t.ok("describe", "pods", pod), "Controlled By"), "ReplicaSet/kuard");
      assert.deepEqual(
        (await pods("-l", "app=kuard,version=2")).map((r) => r.NAME),
        [pod],
      );
    });

    it("kubectl scale rs kuard --replicas=4; then apply kuard-rs.yaml with replicas: 3", async () => {
      assert.match(await t.ok("scale", "rs", "kuard", "--replicas=4"), /^replicaset\.apps\/kuard scaled$/m);
      await t.waitTable("4 kuard pods", ["pods"], (r) => runningPods(r, "kuard").length === 4, 60_000);
      const three = t.scratch("kuard-rs.yaml");
      writeFileSync(three, t.manifestText("8-1-kuard-rs.yaml").replace("replicas: 1", "replicas: 3"));
      assert.match(await t.ok("apply", "-f", three), /^replicaset\.extensions\/kuard configured$/m);
      await t.waitTable(
        "3 kuard pods",
        ["pods"],
        (r) => r.length === 3 && runningPods(r, "kuard").length === 3,
        60_000,
      );
    });

    it("kubectl autoscale rs kuard --min=2 --max=5 --cpu-percent=80; get horizontalpodautoscalers / hpa", async () => {
      assert.equal((await t.kubectl("get", "pods", "--namespace=kube-system")).code, 0);
      assert.match(
        await t.ok("autoscale", "rs", "kuard", "--min=2", "--max=5", "--cpu-percent=80"),
        /^horizontalpodautoscaler\.autoscaling\/kuard autoscaled$/m,
      );
      const long = await t.table("get", "horizontalpodautoscalers");
      const short = await t.table("get", "hpa");
      assert.deepEqual(
        long.map((r) => [r.NAME, r.REFERENCE, r.MINPODS, r.MAXPODS]),
        [["kuard", "ReplicaSet/kuard", "2", "5"]],
      );
      assert.deepEqual(
        short.map((r) => r.NAME),
        ["kuard"],
      );
      await t.ok("delete", "hpa", "kuard");
    });

    it("kubectl delete rs kuard removes its pods; --cascade=false keeps them", async () => {
      assert.match(await t.ok("delete", "rs", "kuard"), /^replicaset\.apps "kuard" deleted$/m);
      await t.waitTable("the kuard pods gone", ["pods"], (r) => r.length === 0, 60_000);
      await t.ok("apply", "-f", t.manifest("8-1-kuard-rs.yaml"));
      await t.waitTable("one kuard pod", ["pods"], (r) => runningPods(r, "kuard").length === 1);
      const r = await t.kubectl("delete", "rs", "kuard", "--cascade=false");
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /--cascade=false is deprecated/);
      const left = await pods();
      assert.equal(runningPods(left, "kuard").length, 1, "the pod stays");
      assert.equal((await t.table("get", "rs")).length, 0);
      await t.ok("delete", "pods", "--all", "--wait=false");
    });
  });

  describe("DaemonSets", () => {
    const nodes = ["node-2", "node-3"]; // the document's node2 and node3 (and node4 → node-1)
    after(async () => {
      for (const n of ["node-1", "node-2", "node-3"]) await t.kubectl("label", "nodes", n, "ssd-");
      await t.kubectl("delete", "-f", t.manifest("9-1-fluentd.yaml"), "--wait=false", "--ignore-not-found");
    });

    it("kubectl apply -f 9-1-fluentd.yaml; get / describe daemonset fluentd --namespace=kube-system", async () => {
      assert.match(
        await t.ok("apply", "-f", t.manifest("9-1-fluentd.yaml")),
        /^daemonset\.extensions\/fluentd created$/m,
      );
      const n = String((await t.table("get", "nodes")).length);
      const ds = await t.waitTable(
        "fluentd on every node",
        ["daemonset", "fluentd", "--namespace=kube-system"],
        (r) => r[0]?.READY === n,
        90_000,
      );
      assert.deepEqual(
        [ds[0].DESIRED, ds[0].CURRENT, ds[0]["UP-TO-DATE"], ds[0].AVAILABLE, ds[0]["NODE SELECTOR"]],
        [n, n, n, n, "<none>"],
      );
      const out = await t.ok("describe", "daemonset", "fluentd", "--namespace=kube-system");
      assert.equal(describeField(out, "Selector"), "app=fluentd");
      assert.equal(describeField(out, "Node-Selector"), "<none>");
      assert.equal(describeField(out, "Labels"), "app=fluentd");
      assert.equal(describeField(out, "Desired Number of Nodes Scheduled"), n);
      assert.equal(describeField(out, "Current Number of Nodes Scheduled"), n);
      assert.equal(describeField(out, "Number of Nodes Scheduled with Up-to-date Pods"), n);
      assert.equal(describeField(out, "Number of Nodes Scheduled with Available Pods"), n);
      assert.equal(describeField(out, "Number of Nodes Misscheduled"), "0");
      assert.equal(describeField(out, "Pods Status"), `${n} Running / 0 Waiting / 0 Succeeded / 0 Failed`);
      assert.match(
        out,
        /^\s+Limits:\n\s+memory:\s+200Mi\n\s+Requests:\n\s+cpu:\s+100m\n\s+memory:\s+200Mi$/m,
      );
      assert.match(
        out,
        /^\s+\/var\/lib\/docker\/containers from varlibdockercontainers \(ro\)\n\s+\/var\/log from varlog \(rw\)$/m,
      );
      const created = describeEvents(out).filter((e) => e.Reason === "SuccessfulCreate");
      assert.equal(created.length, Number(n));
      for (const e of created) assert.match(e.Message, /^Created pod: fluentd-\S{5}$/);
      const p = (await t.table("get", "pods", "-o", "wide", "--namespace=kube-system")).filter((r) =>
        r.NAME.startsWith("fluentd-"),
      );
      assert.equal(new Set(p.map((r) => r.NODE)).size, Number(n), "one per node");
    });

    it("kubectl label nodes node2/node3 ssd=true; get nodes --selector ssd=true", async () => {
      for (const n of nodes)
        assert.match(await t.ok("label", "nodes", n, "ssd=true"), new RegExp(`^node/${n} labeled$`, "m"));
      const rows = await t.table("get", "nodes", "--selector", "ssd=true");
      assert.deepEqual(
        rows.map((r) => r.NAME),
        nodes,
      );
    });

    it("nginx-fast-storage (nodeSelector ssd=true) runs on the labelled nodes and follows the labels", async () => {
      assert.match(
        await t.ok("apply", "-f", t.manifest("9-2-nginx-fast-storage.yaml")),
        /^daemonset\.extensions\/nginx-fast-storage created$/m,
      );
      const onNodes = async (want: string[]) =>
        t.waitTable(
          `nginx-fast-storage pods on ${want}`,
          ["pods", "-o", "wide"],
          (r) => {
            const live = runningPods(r, "nginx-fast-storage");
            return (
              live.length === want.length &&
              r.length === want.length &&
              live
                .map((x) => x.NODE)
                .sort()
                .join() === want.join()
            );
          },
          60_000,
        );
      await onNodes(nodes);
      assert.match(await t.ok("label", "node", "node-1", "ssd=true"), /^node\/node-1 labeled$/m);
      await onNodes(["node-1", "node-2", "node-3"]);
      assert.match(await t.ok("label", "node", "node-2", "ssd-"), /^node\/node-2 unlabeled$/m);
      await onNodes(["node-1", "node-3"]);
    });

    it("rolling update of the DaemonSet (kubectl edit); kubectl rollout status ds nginx-fast-storage", async () => {
      // extensions/v1beta1 defaults updateStrategy to OnDelete; the document sets RollingUpdate in the edit.
      const ed = editor(
        "ds",
        `o.spec.updateStrategy = { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } }; o.spec.template.spec.containers[0].image = "nginx:1.11";`,
      );
      assert.match(
        await edit(ed, "daemonsets", "nginx-fast-storage"),
        /^daemonset\.apps\/nginx-fast-storage edited$/m,
      );
      const r = await t.kubectl("rollout", "status", "ds", "nginx-fast-storage", "--timeout=90s", {
        input: "",
        timeoutMs: 100_000,
      });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /daemon set "nginx-fast-storage" successfully rolled out/);
      const images = await t.ok(
        "get",
        "pods",
        "-l",
        "app=nginx",
        "-o",
        "jsonpath={.items[*].spec.containers[0].image}",
      );
      assert.deepEqual(images.split(" "), ["nginx:1.11", "nginx:1.11"]);
    });

    it("kubectl delete -f 9-2-nginx-fast-storage.yaml removes the DaemonSet and its pods", async () => {
      assert.match(
        await t.ok("delete", "-f", t.manifest("9-2-nginx-fast-storage.yaml")),
        /^daemonset\.extensions "nginx-fast-storage" deleted$/m,
      );
      await t.waitTable("its pods gone", ["pods"], (r) => r.length === 0, 60_000);
    });
  });
});
