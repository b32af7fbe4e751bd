// shared/seeds/002: a book on declarative systems, in the document's order with the real kubectl: pods
// from YAML, logs and port-forward, labels and selectors, node labels, namespaces, a liveness probe,
// ReplicationController, ReplicaSet, DaemonSet, Service, Deployment (rolling update, undo, readiness
// probe blocking a bad version), imperative vs declarative management, and the watch-driven operator.
// `default` is a fresh namespace set as the current context's in a private kubeconfig.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import YAML from "yaml";
import { run } from "../lib/cluster.js";
import {
  byName,
  describeConditions,
  describeField,
  genericName,
  httpGet,
  parseTable,
  parseWatch,
  type Row,
  runningPods,
  Tutorial,
} from "./lib.js";

const t = new Tutorial("002", "tut-002-declarative", 160_000);
const po = (...args: string[]) => t.table("get", "po", ...args);
/** The running pods of the kubia ReplicationController / ReplicaSet (kubia-xxxxx, not kubia-liveness). */
const kubiaPods = (rows: Row[]) =>
  runningPods(rows, "kubia").filter((r) => genericName(r.NAME) === "kubia-*");
/** A shell script from the document, run with `kubectl` pointed at this suite's kubeconfig. */
const script = (file: string) =>
  run("bash", ["-c", `KUBECONFIG='${t.kubeconfig}' sh '${t.manifest(file)}'`], { timeoutMs: 60_000 });

describe("002 declarative systems", () => {
  before(() => t.setUp());
  after(async () => {
    await t.kubectl("label", "node", "node-1", "gpu-", "disk-");
    await t.kubectl("delete", "namespace", "custom-namespace", "--wait=false", "--ignore-not-found");
    await t.tearDown();
  });

  describe("Pods", () => {
    it("kubectl create -f nginx-pod.yaml; get po nginx -o yaml / -o json; get po", async () => {
      assert.match(await t.ok("create", "-f", t.manifest("nginx-pod.yaml")), /^pod\/nginx created$/m);
      const rows = await t.waitTable(
        "nginx Running",
        ["po"],
        (r) => byName(r, "nginx")?.STATUS === "Running" && byName(r, "nginx")?.READY === "1/1",
      );
      assert.deepEqual(
        rows.map((r) => [r.NAME, r.READY, r.STATUS, r.RESTARTS]),
        [["nginx", "1/1", "Running", "0"]],
      );
      const y = YAML.parse(await t.ok("get", "po", "nginx", "-o", "yaml"));
      assert.equal(y.apiVersion, "v1");
      assert.equal(y.kind, "Pod");
      assert.equal(y.status.phase, "Running");
      assert.match(y.status.podIP, /^10\.244\./);
      assert.equal(y.status.containerStatuses[0].ready, true);
      assert.equal(y.spec.containers[0].ports[0].protocol, "TCP");
      assert.equal(JSON.parse(await t.ok("get", "po", "nginx", "-o", "json")).metadata.name, "nginx");
    });

    it("kubectl logs po/nginx; kubectl port-forward nginx 8080:80 and the request shows up in logs -f", async () => {
      assert.equal((await t.kubectl("logs", "po/nginx")).code, 0);
      const follow = t.background("logs", "po/nginx", "-f");
      const pf = t.background("port-forward", "nginx", "8080:80");
      try {
        await pf.waitFor(/Forwarding from 127\.0\.0\.1:8080 -> 80/);
        const r = await httpGet("http://localhost:8080/");
        assert.equal(r.status, 200);
        assert.match(r.body, /Welcome to nginx!/);
        await follow.waitFor(/"GET \/ HTTP\/1\.1" 200/, 10_000);
      } finally {
        await pf.stop();
        await follow.stop();
      }
    });
  });

  describe("Labels and selectors", () => {
    it("kubectl create -f nginx-manual-with-labels.yaml; get po --show-labels", async () => {
      assert.match(
        await t.ok("create", "-f", t.manifest("nginx-manual-with-labels.yaml")),
        /^pod\/nginx-manual-v2 created$/m,
      );
      await t.waitTable(
        "nginx-manual-v2 Running",
        ["po"],
        (r) => byName(r, "nginx-manual-v2")?.STATUS === "Running",
      );
      const rows = await po("--show-labels");
      assert.equal(byName(rows, "nginx-manual-v2")?.LABELS, "creation_method=manual,env=prod");
      assert.equal(byName(rows, "nginx")?.LABELS, "<none>");
    });

    it("kubectl label po nginx-manual-v2 env=debug --overwrite; label po nginx env=debug --overwrite", async () => {
      assert.match(
        await t.ok("label", "po", "nginx-manual-v2", "env=debug", "--overwrite"),
        /^pod\/nginx-manual-v2 labeled$/m,
      );
      assert.match(await t.ok("label", "po", "nginx", "env=debug", "--overwrite"), /^pod\/nginx labeled$/m);
      const rows = await po("--show-labels");
      assert.equal(byName(rows, "nginx-manual-v2")?.LABELS, "creation_method=manual,env=debug");
      assert.equal(byName(rows, "nginx")?.LABELS, "env=debug");
    });

    it("kubectl get po -l creation_method=manual / -l env / -l '!env'", async () => {
      assert.deepEqual(
        (await po("-l", "creation_method=manual")).map((r) => r.NAME),
        ["nginx-manual-v2"],
      );
      assert.deepEqual((await po("-l", "env")).map((r) => r.NAME).sort(), ["nginx", "nginx-manual-v2"]);
      const none = await t.kubectl("get", "po", "-l", "!env");
      assert.equal(none.code, 0);
      assert.equal(none.stdout, "");
      assert.match(none.stderr, new RegExp(`^No resources found in ${t.namespace} namespace\\.$`, "m"));
    });

    it("kubectl label node <node> gpu=true; get nodes -l gpu=true", async () => {
      assert.match(await t.ok("label", "node", "node-1", "gpu=true"), /^node\/node-1 labeled$/m);
      assert.deepEqual(
        (await t.table("get", "nodes", "-l", "gpu=true")).map((r) => r.NAME),
        ["node-1"],
      );
    });
  });

  describe("Namespaces", () => {
    it("kubectl get ns; get po --namespace kube-system", async () => {
      const ns = (await t.table("get", "ns")).map((r) => r.NAME);
      for (const n of ["default", "kube-node-lease", "kube-public", "kube-system"])
        assert.ok(ns.includes(n), `${n} in ${ns}`);
      assert.ok(
        runningPods(await po("--namespace", "kube-system"), "coredns").length >= 1,
        "the DNS pods run in kube-system",
      );
    });

    it("custom-namespace.yaml, or kubectl create namespace; create -f nginx-pod.yaml -n custom-namespace", async () => {
      assert.match(
        await t.ok("create", "-f", t.manifest("custom-namespace.yaml")),
        /^namespace\/custom-namespace created$/m,
      );
      const again = await t.kubectl("create", "namespace", "custom-namespace");
      assert.notEqual(again.code, 0);
      assert.match(
        again.stderr,
        /Error from server \(AlreadyExists\): namespaces "custom-namespace" already exists/,
      );
      assert.match(
        await t.ok("create", "-f", t.manifest("nginx-pod.yaml"), "-n", "custom-namespace"),
        /^pod\/nginx created$/m,
      );
      assert.deepEqual(
        (await po("-n", "custom-namespace")).map((r) => r.NAME),
        ["nginx"],
      );
    });

    it("kubectl delete po -l env=debug; delete po nginx-manual-v2; delete ns custom-namespace", async () => {
      const out = await t.ok("delete", "po", "-l", "env=debug");
      assert.match(out, /^pod "nginx" deleted$/m);
      assert.match(out, /^pod "nginx-manual-v2" deleted$/m);
      const gone = await t.kubectl("delete", "po", "nginx-manual-v2");
      assert.match(gone.stderr, /Error from server \(NotFound\): pods "nginx-manual-v2" not found/);
      assert.match(
        await t.ok("delete", "ns", "custom-namespace", "--wait=false"),
        /^namespace "custom-namespace" deleted$/m,
      );
      await t.waitTable("custom-namespace gone", ["ns"], (r) => !byName(r, "custom-namespace"), 60_000);
    });
  });

  describe("Liveness probes", () => {
    after(() => t.kubectl("delete", "po", "kubia-liveness", "--wait=false", "--ignore-not-found"));
    it("kubia-liveness: the container is restarted after the app starts failing (exit 137)", async () => {
      assert.match(
        await t.ok("create", "-f", t.manifest("kubia-liveness-probe.yaml")),
        /^pod\/kubia-liveness created$/m,
      );
      const rows = await t.waitTable(
        "kubia-liveness restarted once",
        ["po", "kubia-liveness"],
        (r) => Number(r[0]?.RESTARTS.split(" ")[0]) >= 1,
        // The 6th request fails (~60 s), three failed probes 10 s apart kill it (~80 s), and kubia ignores
        // SIGTERM like the book's image, so the kill ends with SIGKILL after the 30 s grace period (~110 s).
        150_000,
      );
      assert.equal(rows[0].STATUS, "Running");
      const out = await t.ok("describe", "po", "kubia-liveness");
      assert.equal(describeField(out, "Status"), "Running");
      assert.match(out, /^\s+Last State:\s+Terminated\n\s+Reason:\s+Error\n\s+Exit Code:\s+137$/m);
      assert.match(out, /^\s+Restart Count:\s+[1-9]$/m);
      assert.match(
        out,
        /^\s+Liveness:\s+http-get http:\/\/:8080\/ delay=0s timeout=1s period=10s #success=1 #failure=3$/m,
      );
      const prev = await t.kubectl("logs", "kubia-liveness", "--previous");
      assert.equal(prev.code, 0, prev.stderr);
      assert.match(prev.stdout, /Kubia server starting/);
    });
  });

  describe("ReplicationController, ReplicaSet, DaemonSet", () => {
    it("kubectl create -f kubia-rc.yaml; a deleted pod is replaced", async () => {
      assert.match(
        await t.ok("create", "-f", t.manifest("kubia-rc.yaml")),
        /^replicationcontroller\/kubia created$/m,
      );
      const rows = await t.waitTable("three kubia pods", ["pods"], (r) => kubiaPods(r).length === 3);
      const victim = kubiaPods(rows)[0].NAME;
      assert.match(
        await t.ok("delete", "pod", victim, "--wait=false"),
        new RegExp(`^pod "${victim}" deleted$`, "m"),
      );
      await t.waitTable(
        "three kubia pods again, without the deleted one",
        ["pods"],
        (r) => kubiaPods(r).filter((p) => p.NAME !== victim).length === 3,
      );
      const rc = await t.table("get", "rc");
      assert.deepEqual(
        rc.map((r) => [r.NAME, r.DESIRED, r.CURRENT, r.READY]),
        [["kubia", "3", "3", "3"]],
      );
      const d = await t.ok("describe", "rc", "kubia");
      assert.equal(describeField(d, "Selector"), "app=kubia");
      assert.equal(describeField(d, "Replicas"), "3 current / 3 desired");
    });

    it("kubectl scale rc kubia --replicas=10, back to 3 with edit; delete rc kubia --cascade=false", async () => {
      assert.match(
        await t.ok("scale", "rc", "kubia", "--replicas=10"),
        /^replicationcontroller\/kubia scaled$/m,
      );
      await t.waitTable("ten kubia pods", ["po"], (r) => kubiaPods(r).length === 10, 90_000);
      // `kubectl edit rc kubia` in an editor; the same change as a patch.
      await t.ok("patch", "rc", "kubia", "-p", '{"spec":{"replicas":3}}');
      await t.waitTable(
        "three kubia pods",
        ["po"],
        // The seven removed pods show Terminating for kubia's 30 s grace period meanwhile.
        (r) => r.filter((p) => genericName(p.NAME) === "kubia-*" && p.STATUS !== "Terminating").length === 3,
        60_000,
      );
      const del = await t.kubectl("delete", "rc", "kubia", "--cascade=false");
      assert.equal(del.code, 0, del.stderr);
      assert.equal(kubiaPods(await po()).length, 3, "the pods outlive their controller");
    });

    it("kubectl create -f kubia-replicaset.yaml adopts the three orphans; describe rs", async () => {
      const before = kubiaPods(await po())
        .map((r) => r.NAME)
        .sort();
      assert.match(
        await t.ok("create", "-f", t.manifest("kubia-replicaset.yaml")),
        /^replicaset\.apps\/kubia created$/m,
      );
      await t.wait("the orphans adopted", async () => {
        const owners = await t.ok(
          "get",
          "pods",
          "-l",
          "app=kubia",
          "-o",
          "jsonpath={.items[*].metadata.ownerReferences[0].kind}",
        );
        return owners === "ReplicaSet ReplicaSet ReplicaSet" ? true : undefined;
      });
      assert.deepEqual(
        kubiaPods(await po())
          .map((r) => r.NAME)
          .sort(),
        before,
        "no new pod",
      );
      const d = await t.ok("describe", "rs");
      assert.equal(describeField(d, "Replicas"), "3 current / 3 desired");
      assert.equal(describeField(d, "Pods Status"), "3 Running / 0 Waiting / 0 Succeeded / 0 Failed");
    });

    it("ssd-monitor DaemonSet: no pod until a node is labelled disk=ssd; gone when relabelled hdd", async () => {
      assert.match(
        await t.ok("create", "-f", t.manifest("ssd-monitor-daemonset.yaml")),
        /^daemonset\.apps\/ssd-monitor created$/m,
      );
      const ds = await t.table("get", "ds");
      assert.deepEqual(
        ds.map((r) => [r.NAME, r.DESIRED, r.CURRENT, r["NODE SELECTOR"]]),
        [["ssd-monitor", "0", "0", "disk=ssd"]],
      );
      assert.match(await t.ok("label", "node", "node-1", "disk=ssd"), /^node\/node-1 labeled$/m);
      await t.waitTable("an ssd-monitor pod", ["po"], (r) => runningPods(r, "ssd-monitor").length === 1);
      const pod = runningPods(await po(), "ssd-monitor")[0].NAME;
      await t.wait(
        "SSD OK in its log",
        async () => ((await t.kubectl("logs", pod)).stdout.includes("SSD OK") ? true : undefined),
        15_000,
      );
      assert.match(
        await t.ok("label", "node", "node-1", "disk=hdd", "--overwrite"),
        /^node\/node-1 labeled$/m,
      );
      await t.waitTable(
        "the ssd-monitor pod gone",
        ["po"],
        (r) => !r.some((p) => p.NAME.startsWith("ssd-monitor-")),
      );
      await t.ok("delete", "ds", "ssd-monitor");
    });
  });

  describe("Services", () => {
    it("kubectl create -f kubia-svc.yaml; exec curl the cluster IP from a pod; describe svc; endpoints", async () => {
      assert.match(await t.ok("create", "-f", t.manifest("kubia-svc.yaml")), /^service\/kubia created$/m);
      const svc = byName(await t.table("get", "service"), "kubia");
      assert.deepEqual(
        [svc?.TYPE, svc?.["EXTERNAL-IP"], svc?.["PORT(S)"]],
        ["ClusterIP", "<none>", "80/TCP"],
      );
      const ip = svc?.["CLUSTER-IP"] ?? "";
      const pod = kubiaPods(await po())[0].NAME;
      const hit = await t.wait(
        "the service answering from a pod",
        async () => {
          const r = await t.kubectl("exec", pod, "--", "curl", "-s", `http://${ip}`);
          return r.code === 0 && /You've hit kubia-/.test(r.stdout) ? r.stdout : undefined;
        },
        20_000,
      );
      assert.match(hit, /^You've hit kubia-\S+$/m);
      const d = await t.ok("describe", "svc", "kubia");
      assert.equal(describeField(d, "Selector"), "app=kubia");
      assert.equal(describeField(d, "TargetPort"), "8080/TCP");
      assert.equal((describeField(d, "Endpoints") ?? "").split(",").length, 3);
      const ep = await t.table("get", "endpoints", "kubia");
      assert.match(ep[0].ENDPOINTS, /^(10\.244\.\d+\.\d+:8080,){2}10\.244\.\d+\.\d+:8080$/);
    });
  });

  describe("Deployments", () => {
    let v1Rs = "";

    it("kubectl delete rs,rc --all; create -f kubia-deployment-v1.yaml --record; rollout status; get po / replicaset", async () => {
      // The notes delete ReplicationControllers here; the pods are owned by the ReplicaSet by now.
      await t.ok("delete", "rc", "--all");
      await t.ok("delete", "rs", "--all");
      await t.waitTable("old kubia pods gone", ["po"], (r) => r.length === 0, 60_000);
      const r = await t.kubectl("create", "-f", t.manifest("kubia-deployment-v1.yaml"), "--record");
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^deployment\.apps\/kubia created$/m);
      const st = await t.kubectl("rollout", "status", "deployment", "kubia", "--timeout=90s", {
        input: "",
        timeoutMs: 100_000,
      });
      assert.equal(st.code, 0, st.stdout + st.stderr);
      assert.match(st.stdout, /deployment "kubia" successfully rolled out/);
      const pods = await po();
      assert.deepEqual(
        pods.map((p) => [genericName(p.NAME), p.READY, p.STATUS]),
        [0, 1, 2].map(() => ["kubia-*-*", "1/1", "Running"]),
      );
      const rs = await t.table("get", "replicaset");
      assert.equal(rs.length, 1);
      v1Rs = rs[0].NAME;
      assert.ok(
        pods.every((p) => p.NAME.startsWith(`${v1Rs}-`)),
        "the pods carry the ReplicaSet's hash",
      );
    });

    it("patch minReadySeconds 10; set image nodejs=luksa/kubia:v2: a second ReplicaSet takes over", async () => {
      assert.match(
        await t.ok("patch", "deployment", "kubia", "-p", '{"spec": {"minReadySeconds": 10}}'),
        /^deployment\.apps\/kubia patched$/m,
      );
      assert.match(
        await t.ok("set", "image", "deployment", "kubia", "nodejs=luksa/kubia:v2"),
        /^deployment\.apps\/kubia image updated$/m,
      );
      const st = await t.kubectl("rollout", "status", "deployment", "kubia", "--timeout=120s", {
        input: "",
        timeoutMs: 130_000,
      });
      assert.equal(st.code, 0, st.stdout + st.stderr);
      const rs = await t.table("get", "rs");
      assert.deepEqual(rs.map((r) => [r.NAME === v1Rs ? "v1" : "v2", r.DESIRED, r.CURRENT, r.READY]).sort(), [
        ["v1", "0", "0", "0"],
        ["v2", "3", "3", "3"],
      ]);
      const pod = runningPods(await po(), "kubia")[0].NAME;
      const out = await t.ok("exec", pod, "--", "curl", "-s", "http://kubia");
      assert.match(out, /^This is v2 running in pod kubia-\S+$/m);
    });

    it("set image luksa/kubia:v3 (fails from the 5th request on); rollout undo; rollout history", async () => {
      assert.match(
        await t.ok("set", "image", "deployment", "kubia", "nodejs=luksa/kubia:v3"),
        /image updated/,
      );
      const st = await t.kubectl("rollout", "status", "deployment", "kubia", "--timeout=120s", {
        input: "",
        timeoutMs: 130_000,
      });
      assert.equal(st.code, 0, st.stdout + st.stderr);
      const pod = runningPods(await po(), "kubia")[0].NAME;
      const answers: string[] = [];
      // 13 requests over 3 pods: at least one pod gets its fifth.
      for (let i = 0; i < 13; i++)
        answers.push((await t.ok("exec", pod, "--", "curl", "-s", "http://kubia")).trim());
      assert.ok(
        answers.some((a) => /^Some internal error has occurred! This is pod kubia-/.test(a)),
        answers.join("\n"),
      );
      assert.match(
        await t.ok("rollout", "undo", "deployment", "kubia"),
        /^deployment\.apps\/kubia rolled back$/m,
      );
      const hist = parseTable(await t.ok("rollout", "history", "deployment", "kubia"), "REVISION");
      assert.deepEqual(
        hist.map((r) => r.REVISION),
        ["1", "3", "4"],
      );
      assert.match(
        hist[0]["CHANGE-CAUSE"],
        /^kubectl create --filename=\S*kubia-deployment-v1\.yaml --record=true$/,
      );
      // The notes' next command, while the undo is still rolling out (an undo works at any stage).
      assert.match(
        await t.ok("rollout", "undo", "deployment", "kubia", "--to-revision=1"),
        /^deployment\.apps\/kubia rolled back$/m,
      );
      const st1 = await t.kubectl("rollout", "status", "deployment", "kubia", "--timeout=120s", {
        input: "",
        timeoutMs: 130_000,
      });
      assert.equal(st1.code, 0, st1.stdout + st1.stderr);
      const img = await t.ok(
        "get",
        "deployment",
        "kubia",
        "-o",
        "jsonpath={.spec.template.spec.containers[0].image}",
      );
      assert.equal(img, "luksa/kubia:v1");
    });

    it("kubia-deployment-v3-with-readinesscheck.yaml: the new pod never gets ready; the rollout stalls", async () => {
      // The notes return to v2 first, and say one may go straight to v3: this goes from v1 (revision 1).
      const r = await t.kubectl("apply", "-f", t.manifest("kubia-deployment-v3-with-readinesscheck.yaml"));
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^deployment\.apps\/kubia configured$/m);
      const st = await t.kubectl("rollout", "status", "deployment", "kubia", "--timeout=20s", {
        input: "",
        timeoutMs: 30_000,
      });
      assert.notEqual(st.code, 0, "the rollout does not finish");
      assert.match(
        st.stdout,
        /Waiting for deployment "kubia" rollout to finish: 1 out of 3 new replicas have been updated\.\.\./,
      );
      // Pods of the previous rollout may still be Terminating (kubia waits out its 30 s grace period).
      const pods = (await po()).filter((p) => p.STATUS !== "Terminating");
      const notReady = pods.filter((p) => p.READY === "0/1");
      assert.equal(notReady.length, 1, JSON.stringify(pods));
      assert.equal(
        pods.filter((p) => p.READY === "1/1").length,
        3,
        "maxUnavailable 0 keeps the three v1 pods",
      );
      const pod = pods.find((p) => p.READY === "1/1" && p.STATUS === "Running")?.NAME ?? "";
      // The v3 pod is never ready, so the service sends every request to the v1 pods.
      for (let i = 0; i < 6; i++)
        assert.match(
          await t.ok("exec", pod, "--", "curl", "-s", "http://kubia"),
          /^This is v1 running in pod kubia-/,
        );
    });

    it("past progressDeadlineSeconds the deployment shows ProgressDeadlineExceeded; rollout undo aborts it", async () => {
      // 600 s by default; a short deadline (it must exceed minReadySeconds, 10) shows the same condition
      // within the suite's time.
      await t.ok("patch", "deployment", "kubia", "-p", '{"spec": {"progressDeadlineSeconds": 15}}');
      await t.wait(
        "ProgressDeadlineExceeded",
        async () => {
          const d = await t.ok("describe", "deploy", "kubia");
          return describeConditions(d).some(
            (c) =>
              c.Type === "Progressing" && c.Status === "False" && c.Reason === "ProgressDeadlineExceeded",
          )
            ? d
            : undefined;
        },
        45_000,
      );
      assert.match(
        await t.ok("rollout", "undo", "deployment", "kubia"),
        /^deployment\.apps\/kubia rolled back$/m,
      );
      await t.waitTable(
        "only ready pods",
        ["po"],
        (r) => r.length === 3 && r.every((p) => p.READY === "1/1"),
        60_000,
      );
      await t.ok("delete", "deployment", "kubia");
      await t.ok("delete", "svc", "kubia");
    });
  });

  describe("Declarative vs imperative", () => {
    it("imperative-deployment.sh works once and fails when run again", async () => {
      const first = await script("imperative-deployment.sh");
      assert.equal(first.code, 0, first.stderr);
      assert.deepEqual(first.stdout.trim().split("\n"), [
        "deployment.apps/nginx-imperative created",
        "deployment.apps/nginx-imperative scaled",
        "deployment.apps/nginx-imperative annotated",
        "deployment.apps/nginx-imperative annotated",
      ]);
      await t.waitTable(
        "nginx-imperative 3/3",
        ["deployments", "nginx-imperative"],
        (r) => r[0]?.READY === "3/3",
        60_000,
      );
      const second = await script("imperative-deployment-marketing.sh");
      assert.match(
        second.stderr,
        /error: failed to create deployment: deployments\.apps "nginx-imperative" already exists/,
      );
      assert.match(second.stdout, /^deployment\.apps\/nginx-imperative scaled$/m);
      // kubectl 1.32 no longer objects to re-setting an annotation to the value it has (environment=prod).
      assert.match(
        second.stderr,
        /error: --overwrite is false but found the following declared annotation\(s\): 'organization' already has a value \(sales\)/,
      );
    });

    it("kubectl apply -f declarative-deployment.yaml; kubectl diff; apply the changed file", async () => {
      assert.match(
        await t.ok("apply", "-f", t.manifest("declarative-deployment.yaml")),
        /^deployment\.apps\/nginx-declarative created$/m,
      );
      const rows = await t.waitTable(
        "both 3/3",
        ["deployment"],
        (r) => r.length === 2 && r.every((x) => x.READY === "3/3"),
        60_000,
      );
      assert.deepEqual(
        rows.map((r) => r.NAME),
        ["nginx-declarative", "nginx-imperative"],
      );
      const diff = await t.kubectl("diff", "-f", t.manifest("declarative-deployment2.yaml"));
      assert.equal(diff.code, 1, `kubectl diff exits 1 when there is a difference: ${diff.stderr}`);
      assert.match(diff.stdout, /^-\s+organization: sales$/m);
      assert.match(diff.stdout, /^\+\s+organization: marketing$/m);
      // The notes' diff also shows generation 1 → 2; Kubernetes bumps the generation only for spec changes,
      // and this one changes an annotation.
      assert.match(
        await t.ok("apply", "-f", t.manifest("declarative-deployment2.yaml")),
        /^deployment\.apps\/nginx-declarative configured$/m,
      );
      const y = YAML.parse(await t.ok("get", "deployment", "nginx-declarative", "-o=yaml"));
      assert.equal(y.metadata.annotations.organization, "marketing");
      assert.equal(y.metadata.annotations.environment, "prod");
      assert.ok(y.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]);
      assert.equal(y.spec.progressDeadlineSeconds, 600);
      assert.equal(y.spec.revisionHistoryLimit, 10);
      assert.deepEqual(y.spec.strategy, {
        rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" },
        type: "RollingUpdate",
      });
      const again = await t.ok("apply", "-f", t.manifest("declarative-deployment2.yaml"));
      assert.match(again, /^deployment\.apps\/nginx-declarative unchanged$/m, "apply is idempotent");
      await t.ok("delete", "deployment", "nginx-declarative", "nginx-imperative");
    });
  });

  describe("Controllers: the watch-driven NGINX operator", () => {
    it("kubectl get --watch --output-watch-events configmap shows ADDED and DELETED", async () => {
      const watch = t.background("get", "--watch", "--output-watch-events", "configmap");
      try {
        // The header comes with the first event; give the watch a moment to start before creating.
        await new Promise((r) => setTimeout(r, 1_500));
        assert.match(await t.ok("apply", "-f", t.manifest("sample.yaml")), /^configmap\/sample created$/m);
        await watch.waitFor(/^ADDED\s+sample\s+1\s/m);
        await t.ok("delete", "-f", t.manifest("sample.yaml"));
        await watch.waitFor(/^DELETED\s+sample\s+1\s/m);
        const rows = parseWatch(watch.output()).filter((r) => r.NAME === "sample");
        assert.deepEqual(
          rows.map((r) => r.EVENT),
          ["ADDED", "DELETED"],
        );
      } finally {
        await watch.stop();
      }
    });

    it("bash controller.sh: a ConfigMap gets an nginx Deployment serving it; deleting it removes the Deployment", async () => {
      const controller = t.backgroundShell(
        `KUBECONFIG='${t.kubeconfig}' bash '${t.manifest("controller.sh")}'`,
      );
      try {
        await new Promise((r) => setTimeout(r, 1_000)); // the controller's watch starts
        assert.match(await t.ok("apply", "-f", t.manifest("sample.yaml")), /^configmap\/sample created$/m);
        await controller.waitFor(/^deployment\.apps\/sample created$/m, 30_000);
        const rows = await t.waitTable(
          "sample 1/1",
          ["deployment", "sample"],
          (r) => r[0]?.READY === "1/1",
          60_000,
        );
        assert.equal(rows[0].NAME, "sample");
        const pod = await t.ok("get", "pods", "-l", "app=sample", "-o", "jsonpath={.items[0].metadata.name}");
        assert.equal((await t.ok("exec", pod, "--", "curl", "-s", "localhost")).trim(), "hello world");
        await t.ok("delete", "-f", t.manifest("sample.yaml"));
        await controller.waitFor(/^deployment\.apps "sample" deleted$/m, 30_000);
      } finally {
        await controller.stop();
      }
    });
  });
});
