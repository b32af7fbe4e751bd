// shared/seeds/000: the "learn-kubernetes" appendices, run in the document's order with the real kubectl:
// Nodes, ReplicaSet, Deployment (rolling update, history, undo, scaling, proportional scaling, pause and
// resume, progress deadline), DaemonSet, the StatefulSet tutorial, Ingress. The document works in
// `default`; here `default` is a fresh namespace set as the current context's in a private kubeconfig.
// Appendix 0 (docker build/push of the hello app) runs outside the cluster and is not repeated here.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import YAML from "yaml";
import {
  type Background,
  byName,
  describeConditions,
  describeEvents,
  describeField,
  genericName,
  parseTable,
  parseWatch,
  type Row,
  runningPods,
  Tutorial,
} from "./lib.js";

const t = new Tutorial("000", "tut-000-learn-kubernetes", 150_000);

/** The rows of nginx-deployment's pods. */
const ofDeployment = (rows: Row[]) => rows.filter((r) => r.NAME.startsWith("nginx-deployment-"));

/** Pods of the namespace, as `kubectl get pods` prints them. */
const pods = (...args: string[]) => t.table("get", "pods", ...args);

interface Scaling {
  up: boolean;
  rs: string;
  to: number;
}

/** The ScalingReplicaSet events of `kubectl describe deployment`, oldest first. */
function scalingEvents(describeOut: string): Scaling[] {
  return describeEvents(describeOut)
    .filter((e) => e.Reason === "ScalingReplicaSet")
    .map((e) => {
      const m = e.Message.match(/^Scaled (up|down) replica set (\S+) (?:from \d+ )?to (\d+)/);
      assert.ok(m, `unexpected ScalingReplicaSet message: ${e.Message}`);
      return { up: m[1] === "up", rs: m[2], to: Number(m[3]) };
    });
}

describe("000 learn-kubernetes appendices", () => {
  before(() => t.setUp());
  after(() => t.tearDown());

  describe("Appendix 1 - Kubernetes Node", () => {
    let nodeName = "";

    it("kubectl describe node shows addresses, conditions, capacity, allocatable and info", async () => {
      nodeName = (await t.ok("get", "nodes", "-o", "jsonpath={.items[0].metadata.name}")).trim();
      assert.ok(nodeName, "no node registered");
      const out = await t.ok("describe", "node", nodeName);
      assert.equal(describeField(out, "Name"), nodeName);
      assert.match(out, /^Addresses:\n\s+InternalIP:\s+\d+\.\d+\.\d+\.\d+\n\s+Hostname:\s+\S+/m);
      for (const c of ["MemoryPressure", "DiskPressure", "PIDPressure"])
        assert.match(out, new RegExp(`^\\s+${c}\\s+False\\s`, "m"));
      assert.match(out, /^\s+Ready\s+True\s.*KubeletReady/m);
      assert.match(out, /^Capacity:\n(\s+\S+:\s+\S+\n)*\s+cpu:\s+\d+/m);
      assert.match(out, /^Allocatable:\n(\s+\S+:\s+\S+\n)*\s+memory:\s+\d+(Ki|Mi|Gi)?\n/m);
      assert.match(out, /^System Info:\n(.*\n)*?\s+Kubelet Version:\s+v1\.\d+/m);
      assert.match(out, /^PodCIDR:\s+10\.244\.\d+\.0\/24/m);
    });

    it("kubectl cordon $NODENAME marks the node unschedulable (and uncordon undoes it)", async () => {
      try {
        assert.match(await t.ok("cordon", nodeName), new RegExp(`^node/${nodeName} cordoned`, "m"));
        const row = byName(await t.table("get", "nodes"), nodeName);
        assert.equal(row?.STATUS, "Ready,SchedulingDisabled");
      } finally {
        await t.kubectl("uncordon", nodeName);
      }
      assert.equal(byName(await t.table("get", "nodes"), nodeName)?.STATUS, "Ready");
    });
  });

  describe("Appendix 2 - ReplicaSet", () => {
    it("kubectl apply -f frontend.yaml; kubectl get rs shows frontend 3 3 3", async () => {
      assert.match(
        await t.ok("apply", "-f", t.manifest("frontend.yaml")),
        /^replicaset\.apps\/frontend created$/m,
      );
      const rows = await t.waitTable(
        "frontend 3/3 ready",
        ["rs"],
        (r) => byName(r, "frontend")?.READY === "3",
      );
      assert.deepEqual(
        rows.map(({ NAME, DESIRED, CURRENT, READY }) => ({ NAME, DESIRED, CURRENT, READY })),
        [{ NAME: "frontend", DESIRED: "3", CURRENT: "3", READY: "3" }],
      );
    });

    it("kubectl describe rs/frontend", async () => {
      const out = await t.ok("describe", "rs/frontend");
      assert.equal(describeField(out, "Name"), "frontend");
      assert.equal(describeField(out, "Namespace"), t.namespace);
      assert.equal(describeField(out, "Selector"), "tier=frontend");
      assert.match(out, /^Labels:\s+app=guestbook\n\s+tier=frontend$/m);
      assert.equal(describeField(out, "Replicas"), "3 current / 3 desired");
      assert.equal(describeField(out, "Pods Status"), "3 Running / 0 Waiting / 0 Succeeded / 0 Failed");
      assert.match(out, /^\s+php-redis:\n\s+Image:\s+gcr\.io\/google_samples\/gb-frontend:v3$/m);
      const created = describeEvents(out).filter((e) => e.Reason === "SuccessfulCreate");
      assert.equal(created.length, 3, out);
      for (const e of created) {
        assert.equal(e.Type, "Normal");
        assert.equal(e.From, "replicaset-controller");
        assert.match(e.Message, /^Created pod: frontend-\S{5}$/);
      }
    });

    it("kubectl get Pods shows three frontend-xxxxx pods Running", async () => {
      const rows = await pods();
      assert.deepEqual(
        rows.map((r) => [genericName(r.NAME), r.READY, r.STATUS, r.RESTARTS]),
        [0, 1, 2].map(() => ["frontend-*", "1/1", "Running", "0"]),
      );
    });

    it("kubectl get pods frontend-xxxxx -o yaml shows the ReplicaSet as controller owner", async () => {
      const name = (await pods())[0].NAME;
      const pod = YAML.parse(await t.ok("get", "pods", name, "-o", "yaml"));
      assert.equal(pod.metadata.generateName, "frontend-");
      assert.deepEqual(pod.metadata.labels, { tier: "frontend" });
      const [owner] = pod.metadata.ownerReferences;
      assert.equal(owner.kind, "ReplicaSet");
      assert.equal(owner.name, "frontend");
      assert.equal(owner.controller, true);
      assert.equal(owner.blockOwnerDeletion, true);
      assert.match(owner.apiVersion, /^apps\/v1$/);
    });

    it("bare pods matching the selector are acquired and terminated (pod-rs.yaml after frontend)", async () => {
      const out = await t.ok("apply", "-f", t.manifest("pod-rs.yaml"));
      assert.match(out, /^pod\/pod1 created\npod\/pod2 created$/m);
      const rows = await t.waitTable(
        "pod1 and pod2 gone, 3 frontend pods left",
        ["pods"],
        (r) => !byName(r, "pod1") && !byName(r, "pod2"),
      );
      assert.equal(runningPods(rows, "frontend").length, 3);
    });

    it("pod-rs.yaml first, then frontend.yaml: the ReplicaSet adopts pod1 and pod2 and creates one pod", async () => {
      await t.ok("delete", "rs", "frontend");
      await t.waitTable("frontend pods gone", ["pods"], (r) => r.length === 0);
      await t.ok("apply", "-f", t.manifest("pod-rs.yaml"));
      await t.ok("apply", "-f", t.manifest("frontend.yaml"));
      const rows = await t.waitTable(
        "pod1, pod2 and one frontend pod Running",
        ["pods"],
        (r) => r.length === 3 && r.every((p) => p.STATUS === "Running" && p.READY === "1/1"),
      );
      assert.deepEqual(rows.map((r) => genericName(r.NAME)).sort(), ["frontend-*", "pod1", "pod2"]);
      const owner = await t.ok(
        "get",
        "pod",
        "pod1",
        "-o",
        "jsonpath={.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}",
      );
      assert.equal(owner, "ReplicaSet/frontend");
    });

    it("REST delete through kubectl proxy with propagationPolicy Orphan keeps the pods", async () => {
      const proxy = t.background("proxy", "--port=8080");
      try {
        await proxy.waitFor(/Starting to serve on 127\.0\.0\.1:8080/);
        const res = await fetch(
          `http://localhost:8080/apis/extensions/v1beta1/namespaces/${t.namespace}/replicasets/frontend`,
          {
            method: "DELETE",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Orphan" }),
          },
        );
        assert.equal(res.status, 200, await res.text());
      } finally {
        await proxy.stop();
      }
      await t.waitTable("frontend gone", ["rs"], (r) => !byName(r, "frontend"));
      const rows = await pods();
      assert.equal(rows.length, 3, "the orphaned pods keep running");
      await t.wait("pods orphaned", async () => {
        const o = await t.ok("get", "pod", "pod1", "-o", "jsonpath={.metadata.ownerReferences}");
        return o === "" ? true : undefined;
      });
    });

    it("a new ReplicaSet with the same selector adopts the orphans; REST delete with Foreground removes them", async () => {
      await t.ok("apply", "-f", t.manifest("frontend.yaml"));
      await t.wait("pod1 adopted again", async () => {
        const o = await t.ok("get", "pod", "pod1", "-o", "jsonpath={.metadata.ownerReferences[0].name}");
        return o === "frontend" ? true : undefined;
      });
      assert.equal((await pods()).length, 3, "no pod created: the adopted ones fill the 3 replicas");
      const proxy = t.background("proxy", "--port=8080");
      try {
        await proxy.waitFor(/Starting to serve on 127\.0\.0\.1:8080/);
        const res = await fetch(
          `http://localhost:8080/apis/extensions/v1beta1/namespaces/${t.namespace}/replicasets/frontend`,
          {
            method: "DELETE",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({
              kind: "DeleteOptions",
              apiVersion: "v1",
              propagationPolicy: "Foreground",
            }),
          },
        );
        assert.equal(res.status, 200, await res.text());
      } finally {
        await proxy.stop();
      }
      await t.waitTable("frontend and its pods gone", ["pods"], (r) => r.length === 0);
      await t.waitTable("frontend gone", ["rs"], (r) => !byName(r, "frontend"));
    });

    it("ReplicaSet as an HPA target: kubectl apply -f hpa-rs.yaml; kubectl autoscale rs frontend --max=10", async () => {
      await t.ok("apply", "-f", t.manifest("frontend.yaml"));
      assert.match(
        await t.ok("apply", "-f", t.manifest("hpa-rs.yaml")),
        /^horizontalpodautoscaler\.autoscaling\/frontend-scaler created$/m,
      );
      assert.match(
        await t.ok("autoscale", "rs", "frontend", "--max=10"),
        /^horizontalpodautoscaler\.autoscaling\/frontend autoscaled$/m,
      );
      const rows = await t.table("get", "hpa");
      assert.deepEqual(
        rows.map(({ NAME, REFERENCE, MINPODS, MAXPODS }) => ({ NAME, REFERENCE, MINPODS, MAXPODS })),
        [
          { NAME: "frontend", REFERENCE: "ReplicaSet/frontend", MINPODS: "1", MAXPODS: "10" },
          { NAME: "frontend-scaler", REFERENCE: "ReplicaSet/frontend", MINPODS: "3", MAXPODS: "10" },
        ],
      );
      await t.ok("delete", "hpa", "frontend", "frontend-scaler");
      await t.ok("delete", "rs", "frontend");
      await t.waitTable("the frontend pods gone", ["pods"], (r) => r.length === 0);
    });
  });

  describe("Appendix 3 - Deployment", () => {
    after(() => t.kubectl("delete", "deployment", "nginx-deployment", "--ignore-not-found"));
    let firstRs = "";
    let secondRs = "";

    it("kubectl apply -f nginx-deployment.yaml --record; rollout status; get deployments shows 3/3", async () => {
      const r = await t.kubectl("apply", "-f", t.manifest("nginx-deployment.yaml"), "--record");
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^deployment\.apps\/nginx-deployment created$/m);
      assert.match(r.stderr, /Flag --record has been deprecated/);
      const status = await t.kubectl(
        "rollout",
        "status",
        "deployment.v1.apps/nginx-deployment",
        "--timeout=90s",
        { input: "", timeoutMs: 100_000 },
      );
      assert.equal(status.code, 0, status.stdout + status.stderr);
      assert.match(status.stdout, /deployment "nginx-deployment" successfully rolled out/);
      const rows = await t.table("get", "deployments");
      assert.deepEqual(
        rows.map(({ NAME, READY, "UP-TO-DATE": up, AVAILABLE }) => ({ NAME, READY, up, AVAILABLE })),
        [{ NAME: "nginx-deployment", READY: "3/3", up: "3", AVAILABLE: "3" }],
      );
    });

    it("kubectl get rs shows nginx-deployment-<hash> 3 3 3; pods carry app=nginx,pod-template-hash=<hash>", async () => {
      const rs = await t.table("get", "rs");
      assert.equal(rs.length, 1, JSON.stringify(rs));
      assert.match(rs[0].NAME, /^nginx-deployment-[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
      assert.deepEqual([rs[0].DESIRED, rs[0].CURRENT, rs[0].READY], ["3", "3", "3"]);
      firstRs = rs[0].NAME;
      const hash = firstRs.slice("nginx-deployment-".length);
      // Only this Deployment's pods: one left over from the previous section fails there, not here.
      const p = ofDeployment(await pods("--show-labels"));
      assert.equal(p.length, 3);
      for (const row of p) {
        assert.ok(row.NAME.startsWith(`${firstRs}-`), row.NAME);
        assert.equal(row.STATUS, "Running");
        assert.equal(row.LABELS, `app=nginx,pod-template-hash=${hash}`);
      }
    });

    it("kubectl set image deployment/nginx-deployment nginx=nginx:1.9.1 --record rolls out a new ReplicaSet", async () => {
      const out = await t.ok("set", "image", "deployment/nginx-deployment", "nginx=nginx:1.9.1", "--record");
      assert.match(out, /^deployment\.apps\/nginx-deployment image updated$/m);
      const status = await t.kubectl(
        "rollout",
        "status",
        "deployment.v1.apps/nginx-deployment",
        "--timeout=90s",
        { input: "", timeoutMs: 100_000 },
      );
      assert.equal(status.code, 0, status.stdout + status.stderr);
      assert.match(status.stdout, /successfully rolled out/);
      const dep = await t.table("get", "deployments");
      assert.equal(dep[0].READY, "3/3");
      const rs = await t.table("get", "rs");
      const fresh = rs.find((r) => r.NAME !== firstRs);
      assert.ok(fresh, JSON.stringify(rs));
      secondRs = fresh.NAME;
      assert.deepEqual([fresh.DESIRED, fresh.CURRENT, fresh.READY], ["3", "3", "3"]);
      const old = byName(rs, firstRs);
      assert.deepEqual([old?.DESIRED, old?.CURRENT, old?.READY], ["0", "0", "0"]);
      const p = ofDeployment(
        await t.waitTable("only the new pods left", ["pods"], (r) => ofDeployment(r).length === 3),
      );
      for (const row of p) assert.ok(row.NAME.startsWith(`${secondRs}-`), row.NAME);
    });

    it("kubectl describe deployments: replicas, strategy, image, conditions and the rolling update's events in order", async () => {
      const out = await t.ok("describe", "deployments");
      assert.equal(describeField(out, "Name"), "nginx-deployment");
      assert.equal(describeField(out, "Selector"), "app=nginx");
      assert.equal(
        describeField(out, "Replicas"),
        "3 desired | 3 updated | 3 total | 3 available | 0 unavailable",
      );
      assert.equal(describeField(out, "StrategyType"), "RollingUpdate");
      assert.equal(describeField(out, "MinReadySeconds"), "0");
      assert.equal(describeField(out, "RollingUpdateStrategy"), "25% max unavailable, 25% max surge");
      assert.match(out, /^Annotations:\s+deployment\.kubernetes\.io\/revision: 2$/m);
      assert.match(out, /^\s+Image:\s+nginx:1\.9\.1$/m);
      assert.match(out, /^\s+Port:\s+80\/TCP$/m);
      assert.deepEqual(
        describeConditions(out).map((c) => [c.Type, c.Status, c.Reason]),
        [
          ["Available", "True", "MinimumReplicasAvailable"],
          ["Progressing", "True", "NewReplicaSetAvailable"],
        ],
      );
      assert.equal(describeField(out, "NewReplicaSet"), `${secondRs} (3/3 replicas created)`);
      const events = scalingEvents(out);
      assert.deepEqual(
        events[0],
        { up: true, rs: firstRs, to: 3 },
        "first: the first ReplicaSet scaled up to 3",
      );
      assert.deepEqual(events[1], { up: true, rs: secondRs, to: 1 }, "then the new one scaled up to 1");
      assert.deepEqual(
        events[events.length - 1],
        { up: false, rs: firstRs, to: 0 },
        "last: the old one scaled down to 0",
      );
      // At least 2 pods available and at most 4 in total at all times: replay the events.
      const size: Record<string, number> = { [firstRs]: 0, [secondRs]: 0 };
      for (const e of events) {
        size[e.rs] = e.to;
        assert.ok(size[firstRs] + size[secondRs] <= 4, `more than 4 pods: ${JSON.stringify(events)}`);
        if (e.rs === firstRs && !e.up)
          assert.ok(size[firstRs] + size[secondRs] >= 2, `fewer than 2 pods: ${JSON.stringify(events)}`);
      }
      assert.equal(size[secondRs], 3);
    });

    it("a typo in the image (nginx:1.91): the rollout gets stuck with one pod in ErrImagePull/ImagePullBackOff", async () => {
      const out = await t.ok(
        "set",
        "image",
        "deployment.v1.apps/nginx-deployment",
        "nginx=nginx:1.91",
        "--record=true",
      );
      assert.match(out, /^deployment\.apps\/nginx-deployment image updated$/m);
      const status = await t.kubectl(
        "rollout",
        "status",
        "deployment.v1.apps/nginx-deployment",
        "--timeout=15s",
        { input: "", timeoutMs: 30_000 },
      );
      assert.notEqual(status.code, 0, "rollout status must not report success");
      assert.match(
        status.stdout,
        /Waiting for deployment "nginx-deployment" rollout to finish: 1 out of 3 new replicas have been updated\.\.\./,
      );
      assert.match(status.stderr, /error: timed out waiting for the condition/);
      const rs = await t.table("get", "rs");
      assert.equal(rs.length, 3, JSON.stringify(rs));
      const third = rs.find((r) => r.NAME !== firstRs && r.NAME !== secondRs);
      assert.deepEqual([third?.DESIRED, third?.CURRENT, third?.READY], ["1", "1", "0"]);
      assert.deepEqual(
        [byName(rs, secondRs)?.DESIRED, byName(rs, secondRs)?.READY],
        ["3", "3"],
        "the old ReplicaSet keeps its 3 pods (maxUnavailable 25% of 3 rounds down to 0)",
      );
      const p = await t.waitTable("the new pod failing to pull nginx:1.91", ["pods"], (r) =>
        r.some(
          (x) => x.NAME.startsWith(`${third?.NAME}-`) && /^(ErrImagePull|ImagePullBackOff)$/.test(x.STATUS),
        ),
      );
      const bad = p.filter((x) => x.NAME.startsWith(`${third?.NAME}-`));
      assert.equal(bad.length, 1);
      assert.equal(bad[0].READY, "0/1");
      const d = await t.ok("describe", "deployment");
      assert.equal(
        describeField(d, "Replicas"),
        "3 desired | 1 updated | 4 total | 3 available | 1 unavailable",
      );
      assert.match(d, /^\s+Image:\s+nginx:1\.91$/m);
      assert.deepEqual(
        describeConditions(d).map((c) => [c.Type, c.Status, c.Reason]),
        [
          ["Available", "True", "MinimumReplicasAvailable"],
          ["Progressing", "True", "ReplicaSetUpdated"],
        ],
      );
      assert.equal(describeField(d, "NewReplicaSet"), `${third?.NAME} (1/1 replicas created)`);
      const last = scalingEvents(d).pop();
      assert.deepEqual(last, { up: true, rs: third?.NAME, to: 1 });
    });

    it("kubectl rollout history lists revisions 1..3 with their CHANGE-CAUSE", async () => {
      const out = await t.ok("rollout", "history", "deployment.v1.apps/nginx-deployment");
      assert.match(out, /^deployment\.apps\/nginx-deployment\s*$/m);
      const rows = parseTable(out, "REVISION");
      assert.deepEqual(
        rows.map((r) => r.REVISION),
        ["1", "2", "3"],
      );
      assert.match(
        rows[0]["CHANGE-CAUSE"],
        /^kubectl apply --filename=\S*nginx-deployment\.yaml --record=true$/,
      );
      assert.equal(
        rows[1]["CHANGE-CAUSE"],
        "kubectl set image deployment/nginx-deployment nginx=nginx:1.9.1 --record=true",
      );
      assert.equal(
        rows[2]["CHANGE-CAUSE"],
        "kubectl set image deployment.v1.apps/nginx-deployment nginx=nginx:1.91 --record=true",
      );
    });

    it("kubectl rollout history --revision=2 shows that revision's template", async () => {
      const out = await t.ok("rollout", "history", "deployment.v1.apps/nginx-deployment", "--revision=2");
      assert.match(out, /^deployment\.apps\/nginx-deployment with revision #2$/m);
      assert.match(out, /^\s+Labels:\s+app=nginx\n\s+pod-template-hash=\S+$/m);
      assert.match(
        out,
        /^\s+Annotations:\s+kubernetes\.io\/change-cause:\s+kubectl set image deployment\/nginx-deployment nginx=nginx:1\.9\.1 --record=true$/m,
      );
      assert.match(out, /^\s+Image:\s+nginx:1\.9\.1$/m);
      assert.match(out, /^\s+Port:\s+80\/TCP$/m);
    });

    it("kubectl rollout undo goes back to revision 2 (now revision 4) and the deployment is 3/3 again", async () => {
      assert.match(
        await t.ok("rollout", "undo", "deployment.v1.apps/nginx-deployment"),
        /^deployment\.apps\/nginx-deployment rolled back$/m,
      );
      const rows = await t.waitTable(
        "nginx-deployment 3/3 on nginx:1.9.1",
        ["deployment", "nginx-deployment"],
        (r) => r[0]?.READY === "3/3" && r[0]?.["UP-TO-DATE"] === "3",
      );
      assert.deepEqual([rows[0].READY, rows[0]["UP-TO-DATE"], rows[0].AVAILABLE], ["3/3", "3", "3"]);
      const d = await t.ok("describe", "deployment", "nginx-deployment");
      assert.match(
        d,
        /^Annotations:\s+deployment\.kubernetes\.io\/revision: 4\n\s+kubernetes\.io\/change-cause:\s+kubectl set image deployment\/nginx-deployment nginx=nginx:1\.9\.1 --record=true$/m,
      );
      assert.match(d, /^\s+Image:\s+nginx:1\.9\.1$/m);
      await t.wait("the bad ReplicaSet scaled to 0 and a 3/3 rollout", async () => {
        const x = await t.ok("describe", "deployment", "nginx-deployment");
        return describeField(x, "Replicas") ===
          "3 desired | 3 updated | 3 total | 3 available | 0 unavailable"
          ? true
          : undefined;
      });
      const hist = parseTable(
        await t.ok("rollout", "history", "deployment.v1.apps/nginx-deployment"),
        "REVISION",
      );
      assert.deepEqual(
        hist.map((r) => r.REVISION),
        ["1", "3", "4"],
      );
    });

    it("kubectl scale --replicas=10, then autoscale --min=10 --max=15 --cpu-percent=80", async () => {
      assert.match(
        await t.ok("scale", "deployment.v1.apps/nginx-deployment", "--replicas=10"),
        /^deployment\.apps\/nginx-deployment scaled$/m,
      );
      assert.match(
        await t.ok(
          "autoscale",
          "deployment.v1.apps/nginx-deployment",
          "--min=10",
          "--max=15",
          "--cpu-percent=80",
        ),
        /^horizontalpodautoscaler\.autoscaling\/nginx-deployment autoscaled$/m,
      );
      const hpa = byName(await t.table("get", "hpa"), "nginx-deployment");
      assert.deepEqual(
        [hpa?.REFERENCE, hpa?.MINPODS, hpa?.MAXPODS],
        ["Deployment/nginx-deployment", "10", "15"],
      );
      // The document's next step stands in for the autoscaler with a manual scale; without a metrics server
      // the HPA would only get in the way, so it goes now.
      await t.ok("delete", "hpa", "nginx-deployment");
      const rows = await t.waitTable("10/10 ready", ["deploy"], (r) => r[0]?.READY === "10/10", 120_000);
      assert.deepEqual([rows[0]["UP-TO-DATE"], rows[0].AVAILABLE], ["10", "10"]);
    });

    it("proportional scaling: maxSurge=3, maxUnavailable=2, image nginx:sometag, then 15 replicas → 7 new / 11 old", async () => {
      // The document assumes "a Deployment with 10 replicas, maxSurge=3, and maxUnavailable=2".
      await t.ok(
        "patch",
        "deployment.v1.apps/nginx-deployment",
        "-p",
        '{"spec":{"strategy":{"rollingUpdate":{"maxSurge":3,"maxUnavailable":2}}}}',
      );
      assert.match(
        await t.ok("set", "image", "deployment.v1.apps/nginx-deployment", "nginx=nginx:sometag"),
        /image updated/,
      );
      const stuck = await t.waitTable(
        "new ReplicaSet 5, old 8",
        ["rs"],
        (r) =>
          r.some((x) => x.DESIRED === "5" && x.CURRENT === "5") &&
          r.some((x) => x.DESIRED === "8" && x.READY === "8"),
      );
      const fresh = stuck.find((x) => x.DESIRED === "5");
      const old = stuck.find((x) => x.DESIRED === "8");
      assert.equal(fresh?.READY, "0");
      assert.equal(stuck.filter((x) => x.DESIRED !== "0").length, 2);
      assert.match(await t.ok("scale", "deployment.v1.apps/nginx-deployment", "--replicas=15"), /scaled$/m);
      const rs = await t.waitTable(
        "new ReplicaSet 7, old 11",
        ["rs"],
        (r) =>
          byName(r, fresh?.NAME ?? "")?.CURRENT === "7" &&
          byName(r, old?.NAME ?? "")?.READY === "11" &&
          byName(r, old?.NAME ?? "")?.DESIRED === "11",
        90_000,
      );
      assert.deepEqual(
        [byName(rs, fresh?.NAME ?? "")?.DESIRED, byName(rs, fresh?.NAME ?? "")?.READY],
        ["7", "0"],
      );
      const deploy = await t.waitTable(
        "11 of 15 available",
        ["deploy"],
        (r) => r[0]?.AVAILABLE === "11",
        90_000,
      );
      assert.deepEqual([deploy[0].READY, deploy[0]["UP-TO-DATE"]], ["11/15", "7"]);
    });

    it("pause and resume: updates while paused start no rollout; resume rolls them out at once", async () => {
      // The document starts this section from "a Deployment that was just created".
      await t.ok("delete", "deployment", "nginx-deployment");
      await t.waitTable("the old pods gone", ["pods"], (r) => ofDeployment(r).length === 0, 90_000);
      // And its ReplicaSets: the new Deployment's first ReplicaSet has the same template, hence the same
      // name, as the old one the garbage collector is still deleting.
      await t.waitTable("the old ReplicaSets gone", ["rs"], (r) => ofDeployment(r).length === 0, 60_000);
      await t.ok("apply", "-f", t.manifest("nginx-deployment.yaml"));
      await t.waitTable("3/3", ["deploy"], (r) => r[0]?.READY === "3/3", 90_000);
      const before = await t.table("get", "rs");
      assert.equal(before.length, 1);
      assert.match(
        await t.ok("rollout", "pause", "deployment.v1.apps/nginx-deployment"),
        /^deployment\.apps\/nginx-deployment paused$/m,
      );
      assert.match(
        await t.ok("set", "image", "deployment.v1.apps/nginx-deployment", "nginx=nginx:1.9.1"),
        /^deployment\.apps\/nginx-deployment image updated$/m,
      );
      const hist = parseTable(
        await t.ok("rollout", "history", "deployment.v1.apps/nginx-deployment"),
        "REVISION",
      );
      assert.deepEqual(
        hist.map((r) => [r.REVISION, r["CHANGE-CAUSE"]]),
        [["1", "<none>"]],
      );
      const paused = await t.table("get", "rs");
      assert.deepEqual(
        paused.map((r) => [r.NAME, r.DESIRED, r.CURRENT, r.READY]),
        [[before[0].NAME, "3", "3", "3"]],
      );
      assert.match(
        await t.ok(
          "set",
          "resources",
          "deployment.v1.apps/nginx-deployment",
          "-c=nginx",
          "--limits=cpu=200m,memory=512Mi",
        ),
        /^deployment\.apps\/nginx-deployment resource requirements updated$/m,
      );
      assert.equal((await t.table("get", "rs")).length, 1, "still no new ReplicaSet while paused");
      let watch: Background | undefined;
      try {
        watch = t.background("get", "rs", "-w");
        await watch.waitFor(/^NAME\s+DESIRED/m);
        assert.match(
          await t.ok("rollout", "resume", "deployment.v1.apps/nginx-deployment"),
          /^deployment\.apps\/nginx-deployment resumed$/m,
        );
        const rs = await t.waitTable(
          "the new ReplicaSet 3/3 and the old one at 0",
          ["rs"],
          (r) =>
            r.length === 2 &&
            r.some((x) => x.NAME !== before[0].NAME && x.DESIRED === "3" && x.READY === "3") &&
            byName(r, before[0].NAME)?.CURRENT === "0",
          90_000,
        );
        const fresh = rs.find((r) => r.NAME !== before[0].NAME);
        assert.deepEqual([fresh?.DESIRED, fresh?.CURRENT, fresh?.READY], ["3", "3", "3"]);
        assert.deepEqual(
          [byName(rs, before[0].NAME)?.DESIRED, byName(rs, before[0].NAME)?.CURRENT],
          ["0", "0"],
        );
        await new Promise((r) => setTimeout(r, 500)); // let the watch print the last change
        const seen = parseWatch(watch.output());
        const oldDesired = seen.filter((r) => r.NAME === before[0].NAME).map((r) => Number(r.DESIRED));
        assert.ok(
          oldDesired.includes(2) || oldDesired.includes(1),
          `the old ReplicaSet went down step by step: ${oldDesired}`,
        );
        assert.equal(oldDesired[oldDesired.length - 1], 0);
        assert.ok(
          seen.some((r) => r.NAME === fresh?.NAME),
          "the watch saw the new ReplicaSet",
        );
      } finally {
        await watch?.stop();
      }
      const tmpl = await t.ok(
        "get",
        "deployment",
        "nginx-deployment",
        "-o",
        "jsonpath={.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].resources.limits.cpu} {.spec.template.spec.containers[0].resources.limits.memory}",
      );
      assert.equal(tmpl, "nginx:1.9.1 200m 512Mi");
    });

    it("rollout status returns 0 on a complete deployment; patch progressDeadlineSeconds", async () => {
      const status = await t.kubectl(
        "rollout",
        "status",
        "deployment.v1.apps/nginx-deployment",
        "--timeout=60s",
        { input: "", timeoutMs: 70_000 },
      );
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /deployment "nginx-deployment" successfully rolled out/);
      assert.match(
        await t.ok(
          "patch",
          "deployment.v1.apps/nginx-deployment",
          "-p",
          '{"spec":{"progressDeadlineSeconds":600}}',
        ),
        /^deployment\.apps\/nginx-deployment patched( \(no change\))?$/m,
      );
      const y = YAML.parse(await t.ok("get", "deployment", "nginx-deployment", "-o", "yaml"));
      assert.equal(y.spec.progressDeadlineSeconds, 600);
      assert.equal(y.spec.revisionHistoryLimit, 10);
      assert.deepEqual(y.spec.strategy, {
        type: "RollingUpdate",
        rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" },
      });
      assert.deepEqual(
        y.status.conditions
          .map((c: { type: string; status: string; reason: string }) => [c.type, c.status, c.reason])
          .sort(),
        [
          ["Available", "True", "MinimumReplicasAvailable"],
          ["Progressing", "True", "NewReplicaSetAvailable"],
        ],
      );
    });

    it("a stalled rollout exceeds its progress deadline: rollout status exits 1, Progressing False", async () => {
      // 600 s in the document; a short deadline shows the same thing within the suite's time.
      await t.ok(
        "patch",
        "deployment.v1.apps/nginx-deployment",
        "-p",
        '{"spec":{"progressDeadlineSeconds":10}}',
      );
      await t.ok("set", "image", "deployment.v1.apps/nginx-deployment", "nginx=nginx:1.91");
      const status = await t.kubectl(
        "rollout",
        "status",
        "deployment.v1.apps/nginx-deployment",
        "--timeout=60s",
        { input: "", timeoutMs: 70_000 },
      );
      assert.equal(status.code, 1, status.stdout + status.stderr);
      assert.match(status.stderr, /error: deployment "nginx-deployment" exceeded its progress deadline/);
      const d = await t.ok("describe", "deployment", "nginx-deployment");
      assert.deepEqual(
        describeConditions(d).map((c) => [c.Type, c.Status, c.Reason]),
        [
          ["Available", "True", "MinimumReplicasAvailable"],
          ["Progressing", "False", "ProgressDeadlineExceeded"],
        ],
      );
    });
  });

  describe("Appendix 4 - DaemonSet", () => {
    it("kubectl apply -f daemonset.yaml runs one fluentd-elasticsearch pod per node in kube-system", async () => {
      const nodes = (await t.ok("get", "nodes", "-o", "jsonpath={.items[*].metadata.name}"))
        .trim()
        .split(/\s+/);
      try {
        assert.match(
          await t.ok("apply", "-f", t.manifest("daemonset.yaml")),
          /^daemonset\.apps\/fluentd-elasticsearch created$/m,
        );
        const n = String(nodes.length);
        const ds = await t.waitTable(
          "the DaemonSet ready on every node",
          ["ds", "fluentd-elasticsearch", "--namespace=kube-system"],
          (r) => r[0]?.READY === n,
          90_000,
        );
        assert.deepEqual(
          [ds[0].DESIRED, ds[0].CURRENT, ds[0]["UP-TO-DATE"], ds[0].AVAILABLE, ds[0]["NODE SELECTOR"]],
          [n, n, n, n, "<none>"],
        );
        const p = (
          await t.table(
            "get",
            "pods",
            "-o",
            "wide",
            "--namespace=kube-system",
            "-l",
            "name=fluentd-elasticsearch",
          )
        ).filter((r) => r.STATUS === "Running");
        assert.deepEqual(p.map((r) => r.NODE).sort(), [...nodes].sort(), "one pod on each node");
      } finally {
        await t.kubectl("delete", "-f", t.manifest("daemonset.yaml"), "--wait=false");
      }
    });
  });

  describe("Appendix 5 - StatefulSet tutorial", () => {
    let watch: Background | undefined;
    const images = async (n: number) => {
      const out: string[] = [];
      for (let p = 0; p < n; p++) {
        out.push(
          await t.ok(
            "get",
            "po",
            `web-${p}`,
            "--template",
            "{{range $i, $c := .spec.containers}}{{$c.image}}{{end}}",
          ),
        );
      }
      return out;
    };
    const webRunning = (n: number, timeoutMs = 120_000) =>
      t.waitTable(
        `web-0..web-${n - 1} Running and Ready`,
        ["pods", "-l", "app=nginx"],
        (r) => r.length === n && runningPods(r, "web").length === n,
        timeoutMs,
      );
    const curlEach = async (n: number) => {
      const out: string[] = [];
      for (let i = 0; i < n; i++)
        out.push((await t.ok("exec", `web-${i}`, "--", "curl", "-s", "localhost")).trim());
      return out;
    };
    const podIPs = async () =>
      Object.fromEntries(
        (await t.table("get", "pods", "-o", "wide", "-l", "app=nginx")).map((r) => [r.NAME, r.IP]),
      );
    const nslookup = async () => {
      // The document types the lookups into `kubectl run -i --tty ... /bin/sh`; without a terminal the same
      // shell reads them from stdin (and --tty is left out: there is no TTY to attach).
      const r = await t.kubectl(
        "run",
        "-i",
        "--image",
        "busybox:1.28",
        "dns-test",
        "--restart=Never",
        "--rm",
        "/bin/sh",
        {
          input: "nslookup web-0.nginx\nnslookup web-1.nginx\nexit\n",
          timeoutMs: 90_000,
        },
      );
      assert.equal(r.code, 0, r.stdout + r.stderr);
      return r.stdout;
    };

    after(() => watch?.stop());

    it("kubectl apply -f web.yaml creates the headless service and the StatefulSet", async () => {
      // The Deployment appendix's pods carry app=nginx too; the tutorial starts without them.
      await t.waitTable("no app=nginx pods left", ["pods", "-l", "app=nginx"], (r) => r.length === 0, 60_000);
      watch = t.background("get", "pods", "-w", "-l", "app=nginx");
      const out = await t.ok("apply", "-f", t.manifest("web.yaml"));
      assert.match(out, /^service\/nginx created\nstatefulset\.apps\/web created$/m);
      const svc = await t.table("get", "service", "nginx");
      assert.deepEqual(
        svc.map(({ NAME, TYPE, "CLUSTER-IP": ip, "EXTERNAL-IP": ext, "PORT(S)": ports }) => ({
          NAME,
          TYPE,
          ip,
          ext,
          ports,
        })),
        [{ NAME: "nginx", TYPE: "ClusterIP", ip: "None", ext: "<none>", ports: "80/TCP" }],
      );
      const sts = await t.table("get", "statefulset", "web");
      assert.equal(sts[0].NAME, "web");
      assert.match(sts[0].READY, /^[0-2]\/2$/);
    });

    it("ordered pod creation: web-1 is not launched until web-0 is Running and Ready", async () => {
      await webRunning(2);
      await watch?.waitFor(/^web-1\s+1\/1\s+Running/m, 10_000);
      const seen = parseWatch(watch?.output() ?? "");
      const web0Ready = seen.findIndex(
        (r) => r.NAME === "web-0" && r.READY === "1/1" && r.STATUS === "Running",
      );
      const web1First = seen.findIndex((r) => r.NAME === "web-1");
      assert.ok(web0Ready >= 0 && web1First > web0Ready, `watch order:\n${watch?.output()}`);
      const p = await pods("-l", "app=nginx");
      assert.deepEqual(
        p.map((r) => [r.NAME, r.READY, r.STATUS]),
        [
          ["web-0", "1/1", "Running"],
          ["web-1", "1/1", "Running"],
        ],
      );
    });

    it("stable network identities: hostname and nslookup web-0.nginx / web-1.nginx", async () => {
      for (const i of [0, 1])
        assert.equal((await t.ok("exec", `web-${i}`, "--", "sh", "-c", "hostname")).trim(), `web-${i}`);
      const ips = await podIPs();
      const out = await nslookup();
      assert.match(
        out,
        /Server:\s+10\.96\.0\.10\nAddress 1: 10\.96\.0\.10 kube-dns\.kube-system\.svc\.cluster\.local/,
      );
      assert.match(
        out,
        new RegExp(`Name:\\s+web-0\\.nginx\\nAddress 1: ${ips["web-0"].replaceAll(".", "\\.")}`),
      );
      assert.match(
        out,
        new RegExp(`Name:\\s+web-1\\.nginx\\nAddress 1: ${ips["web-1"].replaceAll(".", "\\.")}`),
      );
    });

    it("kubectl delete pod -l app=nginx: both come back with the same names, hostnames and DNS names", async () => {
      const out = await t.ok("delete", "pod", "-l", "app=nginx");
      assert.match(out, /^pod "web-0" deleted\npod "web-1" deleted$/m);
      await webRunning(2);
      for (const i of [0, 1])
        assert.equal((await t.ok("exec", `web-${i}`, "--", "sh", "-c", "hostname")).trim(), `web-${i}`);
      const ips = await podIPs();
      const dns = await nslookup();
      assert.match(
        dns,
        new RegExp(`Name:\\s+web-0\\.nginx\\nAddress 1: ${ips["web-0"].replaceAll(".", "\\.")}`),
      );
      assert.match(
        dns,
        new RegExp(`Name:\\s+web-1\\.nginx\\nAddress 1: ${ips["web-1"].replaceAll(".", "\\.")}`),
      );
    });

    it("kubectl get pvc -l app=nginx: www-web-0 and www-web-1 Bound, 1Gi, RWO", async () => {
      const rows = await t.waitTable(
        "two claims Bound",
        ["pvc", "-l", "app=nginx"],
        (r) => r.length === 2 && r.every((x) => x.STATUS === "Bound"),
      );
      assert.deepEqual(
        rows.map((r) => [r.NAME, r.STATUS, r.CAPACITY, r["ACCESS MODES"]]),
        [
          ["www-web-0", "Bound", "1Gi", "RWO"],
          ["www-web-1", "Bound", "1Gi", "RWO"],
        ],
      );
    });

    it("stable storage: each pod serves its hostname, also after all pods are deleted", async () => {
      for (const i of [0, 1])
        await t.ok(
          "exec",
          `web-${i}`,
          "--",
          "sh",
          "-c",
          "echo $(hostname) > /usr/share/nginx/html/index.html",
        );
      assert.deepEqual(await curlEach(2), ["web-0", "web-1"]);
      await t.ok("delete", "pod", "-l", "app=nginx");
      await webRunning(2);
      assert.deepEqual(await curlEach(2), ["web-0", "web-1"]);
    });

    it("scaling up: kubectl scale sts web --replicas=5 creates web-2, web-3, web-4 one after the other", async () => {
      await watch?.stop();
      watch = t.background("get", "pods", "-w", "-l", "app=nginx");
      await watch.waitFor(/^web-1\s/m);
      assert.match(await t.ok("scale", "sts", "web", "--replicas=5"), /^statefulset\.apps\/web scaled$/m);
      await webRunning(5, 150_000);
      await watch.waitFor(/^web-4\s+1\/1\s+Running/m, 10_000);
      const seen = parseWatch(watch.output());
      for (const [prev, next] of [
        ["web-2", "web-3"],
        ["web-3", "web-4"],
      ]) {
        const ready = seen.findIndex((r) => r.NAME === prev && r.READY === "1/1" && r.STATUS === "Running");
        const first = seen.findIndex((r) => r.NAME === next);
        assert.ok(
          ready >= 0 && first > ready,
          `${next} launched before ${prev} was Running and Ready:\n${watch.output()}`,
        );
      }
    });

    it("scaling down: kubectl patch sts web replicas 3 terminates web-4, then web-3; the 5 claims stay", async () => {
      await watch?.stop();
      watch = t.background("get", "pods", "-w", "-l", "app=nginx");
      await watch.waitFor(/^web-4\s/m);
      assert.match(
        await t.ok("patch", "sts", "web", "-p", '{"spec":{"replicas":3}}'),
        /^statefulset\.apps\/web patched$/m,
      );
      await t.waitTable(
        "web-0..2 only",
        ["pods", "-l", "app=nginx"],
        (r) => r.length === 3 && runningPods(r, "web").length === 3,
        90_000,
      );
      const seen = parseWatch(watch.output());
      const term4 = seen.findIndex((r) => r.NAME === "web-4" && r.STATUS === "Terminating");
      const term3 = seen.findIndex((r) => r.NAME === "web-3" && r.STATUS === "Terminating");
      assert.ok(term4 >= 0 && term3 > term4, `web-4 must terminate before web-3:\n${watch.output()}`);
      const pvc = await t.table("get", "pvc", "-l", "app=nginx");
      assert.deepEqual(
        pvc.map((r) => [r.NAME, r.STATUS]),
        [0, 1, 2, 3, 4].map((i) => [`www-web-${i}`, "Bound"]),
      );
    });

    it("rolling update: patch the updateStrategy and the image; pods are updated in reverse ordinal order", async () => {
      assert.match(
        await t.ok(
          "patch",
          "statefulset",
          "web",
          "-p",
          '{"spec":{"updateStrategy":{"type":"RollingUpdate"}}}',
        ),
        // RollingUpdate is already the default in apps/v1, so kubectl 1.32 reports "(no change)".
        /^statefulset\.apps\/web patched( \(no change\))?$/m,
      );
      await watch?.stop();
      watch = t.background("get", "po", "-l", "app=nginx", "-w");
      await watch.waitFor(/^web-2\s/m);
      const out = await t.ok(
        "patch",
        "statefulset",
        "web",
        "--type=json",
        '-p=[{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value":"gcr.io/google_containers/nginx-slim:0.8"}]',
      );
      assert.match(out, /^statefulset\.apps\/web patched$/m);
      const status = await t.kubectl("rollout", "status", "sts/web", "--timeout=150s", {
        input: "",
        timeoutMs: 160_000,
      });
      assert.equal(status.code, 0, status.stdout + status.stderr);
      assert.match(
        status.stdout,
        /partitioned roll out complete: 3 new pods have been updated|statefulset rolling update complete 3 pods at revision/,
      );
      const seen = parseWatch(watch.output());
      const firstTerm = (n: string) => seen.findIndex((r) => r.NAME === n && r.STATUS === "Terminating");
      assert.ok(
        firstTerm("web-2") >= 0 &&
          firstTerm("web-2") < firstTerm("web-1") &&
          firstTerm("web-1") < firstTerm("web-0"),
        `order:\n${watch.output()}`,
      );
      assert.deepEqual(await images(3), Array(3).fill("gcr.io/google_containers/nginx-slim:0.8"));
    });

    it("staging an update with partition 3: a deleted web-2 comes back with its current image", async () => {
      await t.ok(
        "patch",
        "statefulset",
        "web",
        "-p",
        '{"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":3}}}}',
      );
      await t.ok(
        "patch",
        "statefulset",
        "web",
        "--type=json",
        '-p=[{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value":"k8s.gcr.io/nginx-slim:0.7"}]',
      );
      assert.match(await t.ok("delete", "po", "web-2"), /^pod "web-2" deleted$/m);
      await webRunning(3);
      // The document prints k8s.gcr.io/nginx-slim:0.8 here, the image before its previous step; the pod
      // keeps the image it had, which in this sequence is the one the rolling update set.
      assert.equal((await images(3))[2], "gcr.io/google_containers/nginx-slim:0.8");
    });

    it("canary with partition 2: web-2 gets nginx-slim:0.7; a deleted web-1 keeps the old image", async () => {
      await t.ok(
        "patch",
        "statefulset",
        "web",
        "-p",
        '{"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":2}}}}',
      );
      await t.wait(
        "web-2 on k8s.gcr.io/nginx-slim:0.7 and Ready",
        async () => {
          const img = await t.kubectl(
            "get",
            "po",
            "web-2",
            "--template",
            "{{range $i, $c := .spec.containers}}{{$c.image}}{{end}}",
          );
          if (img.stdout !== "k8s.gcr.io/nginx-slim:0.7") return undefined;
          return runningPods(await pods("-l", "app=nginx"), "web").length === 3 ? true : undefined;
        },
        90_000,
      );
      assert.match(await t.ok("delete", "po", "web-1"), /^pod "web-1" deleted$/m);
      await webRunning(3);
      assert.deepEqual(await images(3), [
        "gcr.io/google_containers/nginx-slim:0.8",
        "gcr.io/google_containers/nginx-slim:0.8",
        "k8s.gcr.io/nginx-slim:0.7",
      ]);
    });

    it("phased roll out with partition 0: all pods get nginx-slim:0.7", async () => {
      await t.ok(
        "patch",
        "statefulset",
        "web",
        "-p",
        '{"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":0}}}}',
      );
      await t.wait(
        "all three pods on nginx-slim:0.7 and Ready",
        async () => {
          const imgs = await images(3).catch(() => []);
          if (!imgs.every((i) => i === "k8s.gcr.io/nginx-slim:0.7")) return undefined;
          return runningPods(await pods("-l", "app=nginx"), "web").length === 3 ? true : undefined;
        },
        120_000,
      );
    });

    it("non-cascading delete keeps the pods; a recreated StatefulSet relaunches web-0, adopts web-1, removes web-2", async () => {
      const del = await t.kubectl("delete", "statefulset", "web", "--cascade=false");
      assert.equal(del.code, 0, del.stderr);
      assert.match(del.stdout, /^statefulset\.apps "web" deleted$/m);
      assert.match(
        del.stderr,
        /--cascade=false is deprecated \(boolean value\) and can be replaced with --cascade=orphan\./,
      );
      const left = await pods("-l", "app=nginx");
      assert.deepEqual(
        left.map((r) => [r.NAME, r.STATUS]),
        [
          ["web-0", "Running"],
          ["web-1", "Running"],
          ["web-2", "Running"],
        ],
      );
      await t.ok("delete", "pod", "web-0");
      const after = await t.waitTable(
        "web-0 gone for good",
        ["pods", "-l", "app=nginx"],
        (r) => !byName(r, "web-0"),
      );
      assert.deepEqual(
        after.map((r) => r.NAME),
        ["web-1", "web-2"],
      );
      const out = await t.ok("apply", "-f", t.manifest("web.yaml"));
      assert.match(out, /^service\/nginx unchanged$/m);
      assert.match(out, /^statefulset\.apps\/web created$/m);
      await webRunning(2);
      // The adopted web-1 still runs the template of before the delete (nginx-slim:0.7): the RollingUpdate
      // replaces it right after, as on any cluster. A reader curling at that moment would race it; the
      // test lets the rollout finish first.
      const rollout = await t.kubectl("rollout", "status", "statefulset/web", "--timeout=90s", {
        input: "",
        timeoutMs: 100_000,
      });
      assert.equal(rollout.code, 0, rollout.stdout + rollout.stderr);
      assert.match(rollout.stdout, /roll out complete|rolling update complete/);
      await webRunning(2);
      assert.deepEqual(await curlEach(2), ["web-0", "web-1"], "web-0's claim was remounted");
    });

    it("cascading delete removes the pods, not the service; recreated pods serve their hostnames again", async () => {
      assert.match(await t.ok("delete", "statefulset", "web"), /^statefulset\.apps "web" deleted$/m);
      await t.waitTable("all web pods gone", ["pods", "-l", "app=nginx"], (r) => r.length === 0, 90_000);
      assert.equal((await t.table("get", "service", "nginx")).length, 1, "the headless service stays");
      assert.match(await t.ok("delete", "service", "nginx"), /^service "nginx" deleted$/m);
      const out = await t.ok("apply", "-f", t.manifest("web.yaml"));
      assert.match(out, /^service\/nginx created\nstatefulset\.apps\/web created$/m);
      await webRunning(2);
      assert.deepEqual(await curlEach(2), ["web-0", "web-1"]);
      assert.match(await t.ok("delete", "service", "nginx"), /^service "nginx" deleted$/m);
      assert.match(await t.ok("delete", "statefulset", "web"), /^statefulset\.apps "web" deleted$/m);
      await t.waitTable("all web pods gone", ["pods", "-l", "app=nginx"], (r) => r.length === 0, 90_000);
    });

    it("Parallel pod management: web-0 and web-1 start together; scale to 4; delete", async () => {
      // The previous step ends with the StatefulSet and the service deleted; make sure of it.
      await t.kubectl("delete", "statefulset", "web", "--ignore-not-found");
      await t.kubectl("delete", "service", "nginx", "--ignore-not-found");
      await t.waitTable("no web pods", ["pods", "-l", "app=nginx"], (r) => r.length === 0, 60_000);
      await watch?.stop();
      watch = t.background("get", "po", "-l", "app=nginx", "-w");
      await new Promise((r) => setTimeout(r, 500)); // the watch's initial (empty) list
      const out = await t.ok("apply", "-f", t.manifest("web-parallel.yaml"));
      assert.match(out, /^service\/nginx created\nstatefulset\.apps\/web created$/m);
      await webRunning(2);
      const seen = parseWatch(watch.output());
      const web1First = seen.findIndex((r) => r.NAME === "web-1");
      const web0Ready = seen.findIndex((r) => r.NAME === "web-0" && r.READY === "1/1");
      assert.ok(
        web1First >= 0 && (web0Ready < 0 || web1First < web0Ready),
        `web-1 waited for web-0:\n${watch.output()}`,
      );
      assert.match(
        await t.ok("scale", "statefulset/web", "--replicas=4"),
        /^statefulset\.apps\/web scaled$/m,
      );
      await webRunning(4);
      await t.ok("delete", "sts", "web");
      await t.waitTable("all web pods gone", ["pods", "-l", "app=nginx"], (r) => r.length === 0, 90_000);
      await t.ok("delete", "svc", "nginx");
    });
  });

  describe("Appendix 7 - Ingress", () => {
    it("kubectl get ingress test-ingress shows the single-service Ingress", async () => {
      assert.match(
        await t.ok("apply", "-f", t.manifest("ingress.yaml")),
        /^ingress\.networking\.k8s\.io\/test-ingress created$/m,
      );
      const rows = await t.table("get", "ingress", "test-ingress");
      assert.deepEqual(
        rows.map(({ NAME, HOSTS, PORTS }) => ({ NAME, HOSTS, PORTS })),
        [{ NAME: "test-ingress", HOSTS: "*", PORTS: "80" }],
      );
    });

    it("kubectl describe ingress simple-fanout-example lists the host, paths and backends", async () => {
      await t.ok("apply", "-f", t.manifest("simple-fanout-example.yaml"));
      const out = await t.ok("describe", "ingress", "simple-fanout-example");
      assert.equal(describeField(out, "Name"), "simple-fanout-example");
      assert.equal(describeField(out, "Namespace"), t.namespace);
      assert.match(
        out,
        /^\s+Host\s+Path\s+Backends\n\s+----\s+----\s+--------\n\s+foo\.bar\.com\s*\n\s+\/foo\s+service1:4200 \(.*\)\n\s+\/bar\s+service2:8080 \(.*\)/m,
      );
      assert.match(out, /^Annotations:\s+nginx\.ingress\.kubernetes\.io\/rewrite-target: \/$/m);
    });
  });
});
