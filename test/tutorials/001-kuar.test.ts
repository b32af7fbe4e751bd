// shared/seeds/001: notes on "Kubernetes Up and Running", in the document's order with the real kubectl.
// The chapters the shorter notes (004) share with this one — labels, services, ReplicaSets, DaemonSets —
// are exercised step by step in 004's suite; this one runs the cluster checks, the common commands, the
// kuard pod and its liveness probe, Jobs (one shot, failures, parallel, work queue), ConfigMaps, Secrets and
// Deployments. `default` is a fresh namespace set as the current context's in a private kubeconfig.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import YAML from "yaml";
import {
  byName,
  describeEvents,
  describeField,
  genericName,
  httpGet,
  parseTable,
  parseWatch,
  runningPods,
  Tutorial,
} from "./lib.js";

const t = new Tutorial("001", "tut-001-kuar", 150_000);
const pods = (...args: string[]) => t.table("get", "pods", ...args);

describe("001 kuar notes", () => {
  before(() => t.setUp());
  after(() => t.tearDown());

  describe("Cluster and common kubectl commands", () => {
    it("kubectl version prints the client's and the server's versions", async () => {
      const out = await t.ok("version");
      assert.match(out, /^Client Version: v1\.32\.\d+/m);
      assert.match(out, /^Server Version: v1\.32\.\d+/m);
    });

    it("kubectl get componentstatuses; get nodes; describe nodes node-1", async () => {
      const cs = parseTable((await t.kubectl("get", "componentstatuses")).stdout);
      assert.deepEqual(cs.map((r) => `${r.NAME} ${r.STATUS}`).sort(), [
        "controller-manager Healthy",
        "etcd-0 Healthy",
        "scheduler Healthy",
      ]);
      const nodes = await t.table("get", "nodes");
      assert.deepEqual(
        nodes.map((n) => [n.NAME, n.STATUS]),
        nodes.map((n) => [n.NAME, "Ready"]),
      );
      assert.equal(describeField(await t.ok("describe", "nodes", "node-1"), "Name"), "node-1");
    });

    it("kubectl get services --namespace=kube-system kube-dns", async () => {
      const svc = await t.table("get", "services", "--namespace=kube-system", "kube-dns");
      assert.equal(svc[0]?.["CLUSTER-IP"], "10.96.0.10");
    });

    it("kubectl get deployments --namespace=mystuff; a context whose namespace is mystuff", async () => {
      const r = await t.kubectl("get", "deployments", "--namespace=mystuff");
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /No resources found in mystuff namespace\./);
      assert.match(
        await t.ok("config", "set-context", "my-context", "--namespace=mystuff"),
        /Context "my-context" created\./,
      );
      assert.match(await t.ok("config", "use-context", "my-context"), /Switched to context "my-context"\./);
      assert.equal((await t.ok("config", "current-context")).trim(), "my-context");
      await t.ok("config", "use-context", "tskube");
    });

    it("kubectl get pods --all-namespaces / -o=wide / -o=yaml / label selectors / jsonpath", async () => {
      const all = await t.table("get", "pods", "--all-namespaces");
      assert.ok(
        all.some((r) => r.NAMESPACE === "kube-system"),
        "kube-system pods are listed",
      );
      assert.equal((await t.kubectl("get", "pods", `--namespace=${t.namespace}`, "-o=wide")).code, 0);
      assert.equal(YAML.parse(await t.ok("get", "pods", "-o=yaml")).kind, "List");
      for (const sel of [
        "environment=production,tier=frontend",
        "environment in (production, qa),tier notin (backend)",
      ]) {
        const r = await t.kubectl("get", "pods", "-l", sel);
        assert.equal(r.code, 0, `${sel}: ${r.stderr}`);
      }
      assert.equal(await t.ok("get", "pods", "-o=jsonpath={.items[*].spec.containers[*].image}"), "");
    });
  });

  describe("Pods", () => {
    it("kubectl run kuard ...; kubectl get pods; kubectl delete deployments/kuard", async () => {
      // `kubectl run` made a Deployment before 1.18; today's equivalent is `kubectl create deployment`.
      assert.match(
        await t.ok("create", "deployment", "kuard", "--image=gcr.io/kuar-demo/kuard-amd64:1"),
        /deployment\.apps\/kuard created/,
      );
      const p = await t.waitTable(
        "a kuard pod Running",
        ["pods"],
        (r) => runningPods(r, "kuard").length === 1,
      );
      assert.equal(genericName(p[0].NAME), "kuard-*-*");
      assert.match(await t.ok("delete", "deployments/kuard"), /deployment\.apps "kuard" deleted/);
    });

    it("health checks: kuard-pod-health.yaml; a failing /healthy gets the container restarted", async () => {
      await t.waitTable("no pods left", ["pods"], (r) => r.length === 0);
      assert.match(await t.ok("apply", "-f", t.manifest("kuard-pod-health.yaml")), /^pod\/kuard created$/m);
      try {
        await t.waitTable("kuard Running", ["pods", "kuard"], (r) => r[0]?.READY === "1/1");
        const pf = t.background("port-forward", "kuard", "8080:8080");
        try {
          await pf.waitFor(/Forwarding from 127\.0\.0\.1:8080 -> 8080/);
          // The notes click "fail" on the liveness probe page; this is the request the page sends.
          const res = await fetch("http://localhost:8080/healthy/api", {
            method: "PUT",
            body: JSON.stringify({ failNext: -1 }),
          });
          assert.equal(res.status, 200, await res.text());
        } finally {
          await pf.stop();
        }
        const rows = await t.waitTable(
          "kuard restarted",
          ["pods", "kuard"],
          (r) => Number(r[0]?.RESTARTS.split(" ")[0]) >= 1,
          75_000,
        );
        assert.match(rows[0].RESTARTS, /^1/);
        const out = await t.ok("describe", "pods", "kuard");
        assert.match(out, /^\s+Last State:\s+Terminated$/m);
        assert.match(out, /^\s+Restart Count:\s+1$/m);
        const ev = describeEvents(out);
        assert.ok(
          ev.some(
            (e) =>
              e.Type === "Warning" &&
              e.Reason === "Unhealthy" &&
              /^Liveness probe failed: HTTP probe failed with statuscode: 500/.test(e.Message),
          ),
          out,
        );
        assert.ok(
          ev.some(
            (e) =>
              e.Reason === "Killing" &&
              /Container kuard failed liveness probe, will be restarted/.test(e.Message),
          ),
          out,
        );
      } finally {
        await t.kubectl("delete", "pods/kuard", "--wait=false");
      }
    });
  });

  describe("Jobs", () => {
    after(() => t.kubectl("delete", "rs,svc,job", "-l", "chapter=jobs", "--ignore-not-found"));
    it("kubectl run -i oneshot ... --restart=OnFailure -- --keygen-enable ... prints the keys it makes", async () => {
      await t.waitTable("no pods left", ["pods"], (r) => r.length === 0, 45_000);
      // The notes' image gcr/kuar-demo is a typo for gcr.io/kuar-demo. Since kubectl 1.18 `run` makes a Pod
      // (not a Job) whatever the restart policy; -i still attaches and shows its output.
      const r = await t.kubectl(
        "run",
        "-i",
        "oneshot",
        "--image=gcr.io/kuar-demo/kuard-amd64:1",
        "--restart=OnFailure",
        "--",
        "--keygen-enable",
        "--keygen-exit-on-complete",
        "--keygen-num-to-gen",
        "10",
        { input: "", timeoutMs: 120_000 },
      );
      assert.equal(r.code, 0, r.stdout + r.stderr);
      // kuard logs with Go's log package, to stderr, and attach keeps the container's streams apart: the
      // reader's terminal shows both.
      const terminal = r.stdout + r.stderr;
      const keys = (terminal.match(/\(ID \S+ \d+\/10\) Item done: SHA256:\S+/g) ?? []).length;
      assert.equal(keys, 10, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
      assert.match(terminal, /\(ID \S+\) Workload exiting/);
      await t.ok("delete", "pod", "oneshot");
    });

    it("kubectl apply -f job-oneshot.yaml; describe jobs oneshot; logs of its pod", async () => {
      assert.match(
        await t.ok("apply", "-f", t.manifest("job-oneshot.yaml")),
        /^job\.batch\/oneshot created$/m,
      );
      const jobs = await t.waitTable(
        "oneshot Complete",
        ["jobs"],
        (r) => byName(r, "oneshot")?.STATUS === "Complete",
        120_000,
      );
      assert.equal(byName(jobs, "oneshot")?.COMPLETIONS, "1/1");
      const out = await t.ok("describe", "jobs", "oneshot");
      assert.equal(describeField(out, "Name"), "oneshot");
      assert.equal(describeField(out, "Parallelism"), "1");
      assert.equal(describeField(out, "Completions"), "1");
      assert.equal(describeField(out, "Pods Statuses"), "0 Active (0 Ready) / 1 Succeeded / 0 Failed");
      assert.match(out, /^\s+Image:\s+gcr\.io\/kuar-demo\/kuard-amd64:1$/m);
      const created = describeEvents(out).find((e) => e.Reason === "SuccessfulCreate");
      const pod = created?.Message.match(/^Created pod: (oneshot-\S{5})$/)?.[1];
      assert.ok(pod, out);
      const logs = await t.ok("logs", pod);
      assert.equal((logs.match(/Item done: SHA256:/g) ?? []).length, 10, logs);
      assert.match(
        await t.ok("get", "pods", pod, "--show-labels"),
        /batch\.kubernetes\.io\/job-name=oneshot|job-name=oneshot/,
      );
      assert.match(await t.ok("delete", "jobs", "oneshot"), /^job\.batch "oneshot" deleted$/m);
    });

    it("job-oneshot-failure1.yaml (exit 1, OnFailure): the same pod restarts into CrashLoopBackOff", async () => {
      await t.waitTable(
        "the oneshot pod gone",
        ["pods", "-l", "job-name=oneshot"],
        (r) => r.length === 0,
        45_000,
      );
      await t.ok("apply", "-f", t.manifest("job-oneshot-failure1.yaml"));
      // `get pods -a`: -a is gone since kubectl 1.14 (finished pods are always listed).
      const rows = await t.waitTable(
        "a CrashLoopBackOff",
        ["pods", "-l", "job-name=oneshot"],
        (r) => r.some((x) => x.STATUS === "CrashLoopBackOff" && Number(x.RESTARTS.split(" ")[0]) >= 1),
        90_000,
      );
      assert.equal(rows.length, 1, "one pod, restarted in place by the kubelet");
      assert.match(await t.ok("delete", "jobs", "oneshot"), /^job\.batch "oneshot" deleted$/m);
    });

    it("jobs-oneshot-failure2.yaml (restartPolicy Never): failed pods are replaced by new ones", async () => {
      await t.waitTable(
        "the oneshot pods gone",
        ["pods", "-l", "job-name=oneshot"],
        (r) => r.length === 0,
        45_000,
      );
      await t.ok("apply", "-f", t.manifest("jobs-oneshot-failure2.yaml"));
      const rows = await t.waitTable(
        "several pods in Error",
        ["pods", "-l", "job-name=oneshot"],
        (r) => r.filter((x) => x.STATUS === "Error").length >= 2,
        90_000,
      );
      for (const r of rows.filter((x) => x.STATUS === "Error"))
        assert.deepEqual([r.READY, r.RESTARTS], ["0/1", "0"]);
      assert.match(await t.ok("delete", "jobs", "oneshot"), /^job\.batch "oneshot" deleted$/m);
    });

    it("job-parallel.yaml: 10 completions, at most 5 pods at a time (kubectl get pods -w)", async () => {
      const watch = t.background("get", "pods", "-w", "-l", "job-name=parallel");
      try {
        assert.match(
          await t.ok("apply", "-f", t.manifest("job-parallel.yaml")),
          /^job\.batch\/parallel created$/m,
        );
        const jobs = await t.waitTable(
          "parallel 10/10",
          ["jobs", "parallel"],
          (r) => r[0]?.COMPLETIONS === "10/10",
          150_000,
        );
        assert.equal(jobs[0].STATUS, "Complete");
        const seen = parseWatch(watch.output());
        const names = new Set(seen.map((r) => r.NAME));
        assert.equal(names.size, 10, `ten pods in all:\n${watch.output()}`);
        const p = await pods("-l", "job-name=parallel");
        assert.ok(
          p.every((r) => r.STATUS === "Completed"),
          JSON.stringify(p),
        );
      } finally {
        await watch.stop();
      }
      assert.match(await t.ok("delete", "job", "parallel"), /^job\.batch "parallel" deleted$/m);
    });

    it("work queue: rs-queue.yaml, service-queue.yaml, load the queue, job-consumers.yaml empties it", async () => {
      assert.match(
        await t.ok("apply", "-f", t.manifest("rs-queue.yaml")),
        /^replicaset\.extensions\/queue created$/m,
      );
      await t.waitTable(
        "the queue pod Running",
        ["pods", "-l", "app=work-queue,component=queue"],
        (r) => runningPods(r, "queue").length === 1,
      );
      const queuePod = await t.ok(
        "get",
        "pods",
        "-l",
        "app=work-queue,component=queue",
        "-o",
        "jsonpath={.items[0].metadata.name}",
      );
      assert.match(await t.ok("apply", "-f", t.manifest("service-queue.yaml")), /^service\/queue created$/m);
      const pf = t.background("port-forward", queuePod, "8080:8080");
      try {
        await pf.waitFor(/Forwarding from 127\.0\.0\.1:8080 -> 8080/);
        assert.equal(
          (await fetch("http://localhost:8080/memq/server/queues/keygen", { method: "PUT" })).status,
          200,
        );
        // load-queue.sh enqueues work-item-0..99; 10 keep the suite within its time (a 4096-bit key costs
        // seconds here).
        for (let i = 0; i < 10; i++) {
          const r = await fetch("http://localhost:8080/memq/server/queues/keygen/enqueue", {
            method: "POST",
            body: `work-item-${i}`,
          });
          assert.equal(r.status, 200);
          assert.equal(typeof (await r.json()), "object");
        }
        const stats = JSON.parse((await httpGet("http://127.0.0.1:8080/memq/server/stats")).body);
        assert.equal(stats.kind, "stats");
        assert.deepEqual(stats.queues, [
          { name: "keygen", depth: 10, enqueued: 10, dequeued: 0, drained: 0 },
        ]);
        assert.match(
          await t.ok("apply", "-f", t.manifest("job-consumers.yaml")),
          /^job\.batch\/consumers created$/m,
        );
        const running = await t.waitTable(
          "five consumers",
          ["pods"],
          (r) => r.filter((x) => x.NAME.startsWith("consumers-")).length === 5,
          60_000,
        );
        assert.ok(byName(running, queuePod));
        await t.waitTable(
          "consumers complete",
          ["jobs", "consumers"],
          (r) => r[0]?.STATUS === "Complete",
          120_000,
        );
        const after = JSON.parse((await httpGet("http://127.0.0.1:8080/memq/server/stats")).body);
        assert.deepEqual([after.queues[0].depth, after.queues[0].dequeued], [0, 10]);
      } finally {
        await pf.stop();
      }
      const out = await t.ok("delete", "rs,svc,job", "-l", "chapter=jobs");
      assert.match(out, /^replicaset\.apps "queue" deleted$/m);
      assert.match(out, /^service "queue" deleted$/m);
      assert.match(out, /^job\.batch "consumers" deleted$/m);
    });
  });

  describe("ConfigMaps and Secrets", () => {
    it("kubectl create configmap my-config --from-file=my-config.txt --from-literal=...; get -o yaml", async () => {
      const out = await t.ok(
        "create",
        "configmap",
        "my-config",
        `--from-file=${t.manifest("my-config.txt")}`,
        "--from-literal=extra-param=extra-value",
        "--from-literal=another-param=another-value",
      );
      assert.match(out, /^configmap\/my-config created$/m);
      const cm = YAML.parse(await t.ok("get", "configmaps", "my-config", "-o", "yaml"));
      assert.deepEqual(cm.data, {
        "another-param": "another-value",
        "extra-param": "extra-value",
        "my-config.txt": "# Sample configuration file\nparameter1 = value1\nparameter2 = value2\n",
      });
      assert.equal(cm.kind, "ConfigMap");
      assert.equal(cm.metadata.namespace, t.namespace);
    });

    it("kuard-config.yaml: the ConfigMap as environment, command line and files", async () => {
      assert.match(
        await t.ok("apply", "-f", t.manifest("kuard-config.yaml")),
        /^pod\/kuard-config created$/m,
      );
      await t.waitTable(
        "kuard-config Running",
        ["pods", "kuard-config"],
        (r) => r[0]?.STATUS === "Running" && r[0]?.READY === "1/1",
        60_000,
      );
      // The notes port-forward without a local port; kubectl then uses the same one.
      const pf = t.background("port-forward", "kuard-config", "8080");
      try {
        await pf.waitFor(/Forwarding from 127\.0\.0\.1:8080 -> 8080/);
        const env = JSON.parse((await httpGet("http://localhost:8080/env/api")).body);
        assert.deepEqual(env.commandLine, ["/kuard", "extra-value"]);
        assert.equal(env.env.ANOTHER_PARAM, "another-value");
        assert.equal(env.env.EXTRA_PARAM, "extra-value");
      } finally {
        await pf.stop();
      }
      const ls = await t.ok("exec", "kuard-config", "--", "ls", "-a", "/config");
      for (const f of ["another-param", "extra-param", "my-config.txt", "..data"])
        assert.match(ls, new RegExp(`^${f.replace(/\./g, "\\.")}$`, "m"));
      assert.equal(await t.ok("exec", "kuard-config", "--", "cat", "/config/extra-param"), "extra-value");
    });

    it("kubectl create secret generic kuard-tls --from-file=kuard.crt --from-file=kuard.key; describe", async () => {
      const out = await t.ok(
        "create",
        "secret",
        "generic",
        "kuard-tls",
        `--from-file=${t.manifest("kuard.crt")}`,
        `--from-file=${t.manifest("kuard.key")}`,
      );
      assert.match(out, /^secret\/kuard-tls created$/m);
      const d = await t.ok("describe", "secrets", "kuard-tls");
      assert.equal(describeField(d, "Name"), "kuard-tls");
      assert.equal(describeField(d, "Type"), "Opaque");
      assert.match(d, /^kuard\.crt:\s+\d+ bytes$/m);
      assert.match(d, /^kuard\.key:\s+\d+ bytes$/m);
    });

    it("kuard-secret.yaml mounts the secret under /tls (read-only)", async () => {
      assert.match(await t.ok("apply", "-f", t.manifest("kuard-secret.yaml")), /^pod\/kuard-tls created$/m);
      await t.waitTable(
        "kuard-tls Running",
        ["pods", "kuard-tls"],
        (r) => r[0]?.STATUS === "Running",
        60_000,
      );
      const ls = await t.ok("exec", "kuard-tls", "--", "ls", "/tls");
      assert.deepEqual(ls.trim().split("\n"), ["kuard.crt", "kuard.key"]);
      assert.match(
        await t.ok("exec", "kuard-tls", "--", "cat", "/tls/kuard.crt"),
        /^-----BEGIN CERTIFICATE-----/,
      );
      const write = await t.kubectl("exec", "kuard-tls", "--", "sh", "-c", "echo x > /tls/new");
      assert.notEqual(write.code, 0, "the secret volume is read-only");
    });

    it("kubectl create secret docker-registry my-image-pull-secret ...", async () => {
      const out = await t.ok(
        "create",
        "secret",
        "docker-registry",
        "my-image-pull-secret",
        "--docker-username=tskube",
        "--docker-password=secret",
        "--docker-email=tskube@example.com",
      );
      assert.match(out, /^secret\/my-image-pull-secret created$/m);
      const type = await t.ok("get", "secret", "my-image-pull-secret", "-o", "jsonpath={.type}");
      assert.equal(type, "kubernetes.io/dockerconfigjson");
    });

    it("kubectl get secrets / configmaps; describe configmap; get secret kuard-tls -o yaml", async () => {
      const secrets = (await t.table("get", "secrets")).map((r) => [r.NAME, r.TYPE, r.DATA]);
      assert.deepEqual(
        secrets.filter((s) => s[0] !== "default-token"),
        [
          ["kuard-tls", "Opaque", "2"],
          ["my-image-pull-secret", "kubernetes.io/dockerconfigjson", "1"],
        ],
      );
      const cms = await t.table("get", "configmaps");
      assert.equal(byName(cms, "my-config")?.DATA, "3");
      const d = await t.ok("describe", "configmap", "my-config");
      assert.match(d, /^extra-param:\n----\nextra-value/m);
      const s = YAML.parse(await t.ok("get", "secret", "kuard-tls", "-o", "yaml"));
      assert.match(Buffer.from(s.data["kuard.crt"], "base64").toString(), /^-----BEGIN CERTIFICATE-----/);
    });

    it("updating a secret: create --dry-run=client -o yaml | kubectl replace -f -", async () => {
      // kubectl 1.32 still takes the bare `--dry-run` (with a warning that it means --dry-run=client).
      const yaml = await t.ok(
        "create",
        "secret",
        "generic",
        "kuard-tls",
        `--from-file=${t.manifest("kuard.crt")}`,
        `--from-file=${t.manifest("kuard.key")}`,
        `--from-literal=extra=1`,
        "--dry-run",
        "-o",
        "yaml",
      );
      assert.match(await t.ok("replace", "-f", "-", { input: yaml }), /^secret\/kuard-tls replaced$/m);
      assert.equal((await t.table("get", "secrets", "kuard-tls"))[0]?.DATA, "3");
      await t.ok("delete", "pod", "kuard-tls", "kuard-config", "--wait=false");
    });
  });

  describe("Deployments", () => {
    let firstRs = "";
    const file = () => t.scratch("nginx-deployment.yaml");

    it("kubectl run nginx --image=nginx:1.7.12; get deployments nginx; its selector run=nginx", async () => {
      await t.ok("apply", "-f", t.manifest("nginx-deployment-run.yaml"));
      const d = await t.waitTable("nginx 1/1", ["deployments", "nginx"], (r) => r[0]?.READY === "1/1");
      assert.deepEqual([d[0]["UP-TO-DATE"], d[0].AVAILABLE], ["1", "1"]);
      assert.equal(
        await t.ok(
          "get",
          "deployments",
          "nginx",
          "-o",
          "jsonpath",
          "--template",
          "{.spec.selector.matchLabels}",
        ),
        '{"run":"nginx"}',
      );
      const rs = await t.table("get", "replicasets", "--selector=run=nginx");
      assert.equal(rs.length, 1);
      firstRs = rs[0].NAME;
      assert.deepEqual([rs[0].DESIRED, rs[0].CURRENT, rs[0].READY], ["1", "1", "1"]);
    });

    it("scaling the Deployment scales its ReplicaSet; scaling the ReplicaSet alone is undone", async () => {
      assert.match(
        await t.ok("scale", "deployments", "nginx", "--replicas=2"),
        /^deployment\.apps\/nginx scaled$/m,
      );
      await t.waitTable(
        "the ReplicaSet at 2",
        ["replicasets", "--selector=run=nginx"],
        (r) => r[0]?.READY === "2",
      );
      assert.match(
        await t.ok("scale", "replicasets", firstRs, "--replicas=1"),
        new RegExp(`^replicaset\\.apps/${firstRs} scaled$`, "m"),
      );
      await t.wait("the Deployment to put 2 back", async () => {
        const rs = await t.table("get", "replicasets", "--selector=run=nginx");
        return rs[0]?.DESIRED === "2" && rs[0]?.READY === "2" ? true : undefined;
      });
    });

    it("kubectl get deployments nginx -o yaml > nginx-deployment.yaml; kubectl replace --save-config", async () => {
      // `--export` was removed in kubectl 1.18; the plain -o yaml replaces fine.
      writeFileSync(file(), await t.ok("get", "deployments", "nginx", "-o", "yaml"));
      assert.match(
        await t.ok("replace", "-f", file(), "--save-config"),
        /^deployment\.apps\/nginx replaced$/m,
      );
      const ann = await t.ok(
        "get",
        "deployment",
        "nginx",
        "-o",
        "jsonpath={.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}",
      );
      assert.equal(JSON.parse(ann).metadata.name, "nginx");
      const out = await t.ok("describe", "deployments", "nginx");
      assert.equal(describeField(out, "NewReplicaSet"), `${firstRs} (2/2 replicas created)`);
      const scaled = describeEvents(out).map((e) => e.Message);
      assert.match(scaled[0], new RegExp(`^Scaled up replica set ${firstRs} (from 0 )?to 1`));
    });

    it("kubectl scale --replicas=3 deployment/nginx; then apply the file with replicas: 3", async () => {
      assert.match(
        await t.ok("scale", "--replicas=3", "deployment/nginx"),
        /^deployment\.apps\/nginx scaled$/m,
      );
      const y = YAML.parse(await t.ok("get", "deployments", "nginx", "-o", "yaml"));
      delete y.status;
      delete y.metadata.resourceVersion;
      y.spec.replicas = 3;
      writeFileSync(file(), YAML.stringify(y));
      assert.match(await t.ok("apply", "-f", file()), /^deployment\.apps\/nginx (configured|unchanged)$/m);
      const d = await t.waitTable(
        "nginx 3/3",
        ["deployments", "nginx"],
        (r) => r[0]?.READY === "3/3",
        60_000,
      );
      assert.deepEqual([d[0]["UP-TO-DATE"], d[0].AVAILABLE], ["3", "3"]);
    });

    it("updating the image with a change-cause annotation; rollout status; get replicasets -o wide", async () => {
      const y = YAML.parse(await t.ok("get", "deployments", "nginx", "-o", "yaml"));
      delete y.status;
      delete y.metadata.resourceVersion;
      y.spec.template.spec.containers[0].image = "nginx:1.9.10";
      y.spec.template.metadata.annotations = { "kubernetes.io/change-cause": "Update nginx to 1.9.10" };
      writeFileSync(file(), YAML.stringify(y));
      assert.match(await t.ok("apply", "-f", file()), /^deployment\.apps\/nginx configured$/m);
      const st = await t.kubectl("rollout", "status", "deployments", "nginx", "--timeout=90s", {
        input: "",
        timeoutMs: 100_000,
      });
      assert.equal(st.code, 0, st.stdout + st.stderr);
      assert.match(st.stdout, /deployment "nginx" successfully rolled out/);
      const rs = await t.table("get", "replicasets", "-o", "wide");
      assert.deepEqual(
        rs.map((r) => [r.NAME === firstRs ? "old" : "new", r.DESIRED, r.CURRENT, r.READY, r.IMAGES]).sort(),
        [
          ["new", "3", "3", "3", "nginx:1.9.10"],
          ["old", "0", "0", "0", "nginx:1.7.12"],
        ],
      );
    });

    it("kubectl rollout pause / resume deployments nginx", async () => {
      assert.match(
        await t.ok("rollout", "pause", "deployments", "nginx"),
        /^deployment\.apps\/nginx paused$/m,
      );
      assert.equal(await t.ok("get", "deployment", "nginx", "-o", "jsonpath={.spec.paused}"), "true");
      assert.match(
        await t.ok("rollout", "resume", "deployments", "nginx"),
        /^deployment\.apps\/nginx resumed$/m,
      );
    });

    it("rollout history; undo; undo --to-revision reorders the revisions", async () => {
      const h1 = parseTable(await t.ok("rollout", "history", "deployment", "nginx"), "REVISION");
      assert.deepEqual(
        h1.map((r) => [r.REVISION, r["CHANGE-CAUSE"]]),
        [
          ["1", "<none>"],
          ["2", "Update nginx to 1.9.10"],
        ],
      );
      const rev2 = await t.ok("rollout", "history", "deployment", "nginx", "--revision=2");
      assert.match(rev2, /^\s+Image:\s+nginx:1\.9\.10$/m);
      // A third revision, as in the notes (Update nginx to 1.10.2).
      await t.ok("set", "image", "deployment/nginx", "nginx=nginx:1.10.0");
      await t.ok("annotate", "deployment/nginx", "kubernetes.io/change-cause=Update nginx to 1.10.0");
      await t.kubectl("rollout", "status", "deployments", "nginx", "--timeout=90s", {
        input: "",
        timeoutMs: 100_000,
      });
      assert.match(
        await t.ok("rollout", "undo", "deployment", "nginx"),
        /^deployment\.apps\/nginx rolled back$/m,
      );
      await t.kubectl("rollout", "status", "deployments", "nginx", "--timeout=90s", {
        input: "",
        timeoutMs: 100_000,
      });
      const h2 = parseTable(await t.ok("rollout", "history", "deployment", "nginx"), "REVISION");
      assert.deepEqual(
        h2.map((r) => r.REVISION),
        ["1", "3", "4"],
        "revision 2 is missing: the undo reused it as revision 4",
      );
      assert.match(
        await t.ok("rollout", "undo", "deployments", "nginx", "--to-revision=3"),
        /^deployment\.apps\/nginx rolled back$/m,
      );
      const h3 = parseTable(await t.ok("rollout", "history", "deployment", "nginx"), "REVISION");
      assert.deepEqual(
        h3.map((r) => r.REVISION),
        ["1", "4", "5"],
      );
      await t.wait(
        "nginx:1.10.0 rolled out again",
        async () => {
          const img = await t.ok(
            "get",
            "pods",
            "-l",
            "run=nginx",
            "-o",
            "jsonpath={.items[*].spec.containers[0].image}",
          );
          return img === "nginx:1.10.0 nginx:1.10.0 nginx:1.10.0" ? true : undefined;
        },
        90_000,
      );
    });

    it("kubectl delete deployments nginx", async () => {
      assert.match(await t.ok("delete", "deployments", "nginx"), /^deployment\.apps "nginx" deleted$/m);
    });
  });
});
