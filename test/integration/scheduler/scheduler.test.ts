// kube-scheduler against an apiserver over HTTP (the stand-in until apiserver/ runs in tests): informers,
// queue, binding, PodScheduled condition, move-on-event when a pod is deleted.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1";
import { EventBroadcaster, InformerFactory, RestClient } from "../../../pkg/client/index.js";
import { newLogger } from "../../../pkg/util/log.js";
import { makeNode, makePod } from "../../../scheduler/framework/testing.js";
import { Scheduler } from "../../../scheduler/scheduler.js";
import { StandinApiServer } from "./standin-apiserver.js";

const api = new StandinApiServer();
const stop = new AbortController();
let client: RestClient;

async function until<T>(what: string, fn: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const podOf = (name: string) => api.get("pods", `default/${name}`) as Pod | undefined;

before(async () => {
  const port = await api.listen();
  client = new RestClient({ server: `http://127.0.0.1:${port}` }, { http2: false });
  const log = newLogger("scheduler-test", "warn");
  api.put(
    "nodes",
    makeNode("cp", {
      taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }],
    }) as never,
    "ADDED",
  );
  api.put("nodes", makeNode("node-1") as never, "ADDED");
  const recorder = new EventBroadcaster(client, { logger: log }).newRecorder({
    component: "default-scheduler",
  });
  const scheduler = new Scheduler({ client, logger: log, recorder });
  void scheduler.run(new InformerFactory(client, { resyncMs: 0 }), stop.signal);
});

after(async () => {
  stop.abort();
  client.close();
  await api.close();
});

test("KUAR: four 500m pods fill the 2-cpu node, the fifth waits, then fits when one is deleted", async () => {
  for (let i = 1; i <= 5; i++) {
    await client
      .resource<Pod>({ group: "", version: "v1", resource: "pods", kind: "Pod", namespaced: true }, "default")
      .create(makePod(`kuard-${i}`, { cpu: "500m" }));
  }
  const bound = await until("four bindings", () => {
    const names = [1, 2, 3, 4, 5].map((i) => podOf(`kuard-${i}`)?.spec?.nodeName).filter(Boolean);
    return names.length === 4 ? names : undefined;
  });
  assert.deepEqual(bound, ["node-1", "node-1", "node-1", "node-1"]);
  const cond = await until("PodScheduled=False", () =>
    podOf("kuard-5")?.status?.conditions?.find((c) => c.type === "PodScheduled"),
  );
  assert.equal(cond.status, "False");
  assert.equal(cond.reason, "Unschedulable");
  assert.equal(
    cond.message,
    "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.",
  );
  await client
    .resource<Pod>({ group: "", version: "v1", resource: "pods", kind: "Pod", namespaced: true }, "default")
    .delete("kuard-1");
  await until("fifth bound after a delete", () => podOf("kuard-5")?.spec?.nodeName);
  await until("events written", () => (api.events >= 6 ? true : undefined));
});

test("pods for another scheduler are left alone", async () => {
  await client
    .resource<Pod>({ group: "", version: "v1", resource: "pods", kind: "Pod", namespaced: true }, "default")
    .create(makePod("other", { spec: { schedulerName: "my-scheduler" } }));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(podOf("other")?.spec?.nodeName, undefined);
});
