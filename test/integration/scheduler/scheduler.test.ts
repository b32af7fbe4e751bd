// kube-scheduler against the real apiserver on a real etcd (the control-plane harness of the
// controller-manager's integration tests, without its controllers): informers, queue, binding, the
// PodScheduled condition and FailedScheduling events, move-on-event when a pod is deleted, and a pod whose
// claim binds after it was found unschedulable (it must not wait out a back-off for that).
// The scheduler runs in this process so that the tests can see its queue.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Event, Node, Pod } from "kubernetes-types/core/v1";
import {
  EventBroadcaster,
  Events,
  InformerFactory,
  Nodes,
  Pods,
  type RestClient,
} from "../../../pkg/client/index.js";
import { newLogger } from "../../../pkg/util/log.js";
import { makeNode, makePod } from "../../../scheduler/framework/testing.js";
import { Scheduler } from "../../../scheduler/scheduler.js";
import { type ControlPlane, startControlPlane } from "../controller-manager/workloads/env.js";
import { eventually } from "../controller-manager/workloads/wait.js";

const NS = "default";
const stop = new AbortController();
let cp: ControlPlane;
let client: RestClient;
let scheduler: Scheduler;

/** The pod as the apiserver has it now. */
const podOf = (name: string) =>
  client
    .resource<Pod>(Pods, NS)
    .get(name)
    .catch(() => undefined);

/** A pod for the tests: no uid (the apiserver assigns it). */
function testPod(name: string, o: Parameters<typeof makePod>[1] = {}): Pod {
  const { uid: _uid, ...metadata } = makePod(name, { namespace: NS, ...o }).metadata ?? {};
  return { ...makePod(name, { namespace: NS, ...o }), metadata };
}

before(async () => {
  cp = await startControlPlane({ controllers: false, scheduler: false });
  client = cp.client;
  const nodes: Node[] = [
    makeNode("cp", { taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] }),
    makeNode("node-1"),
  ];
  for (const n of nodes) await client.resource(Nodes).create(n);
  const log = newLogger("scheduler-test", "warn");
  const recorder = new EventBroadcaster(client, { logger: log }).newRecorder({
    component: "default-scheduler",
  });
  // A long first back-off, so that a pod that waited one out cannot be mistaken for a slow machine.
  scheduler = new Scheduler({ client, logger: log, recorder });
  void scheduler.run(new InformerFactory(client, { resyncMs: 0 }), stop.signal);
});

after(async () => {
  stop.abort();
  await cp?.stop();
});

test("KUAR: four 500m pods fill the 2-cpu node, the fifth waits, then fits when one is deleted", async () => {
  for (let i = 1; i <= 5; i++)
    await client.resource<Pod>(Pods, NS).create(testPod(`kuard-${i}`, { cpu: "500m" }));
  const bound = await eventually("four bindings", async () => {
    const pods = await Promise.all([1, 2, 3, 4, 5].map((i) => podOf(`kuard-${i}`)));
    const names = pods.map((p) => p?.spec?.nodeName).filter(Boolean);
    return names.length === 4 ? names : undefined;
  });
  assert.deepEqual(bound, ["node-1", "node-1", "node-1", "node-1"]);
  const waiting = await eventually("one pod left pending", async () => {
    const pods = await Promise.all([1, 2, 3, 4, 5].map((i) => podOf(`kuard-${i}`)));
    return pods.find((p) => p && !p.spec?.nodeName);
  });
  const name = waiting.metadata!.name!;
  const cond = await eventually("PodScheduled=False", async () =>
    (await podOf(name))?.status?.conditions?.find((c) => c.type === "PodScheduled"),
  );
  const message =
    "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.";
  assert.equal(cond.status, "False");
  assert.equal(cond.reason, "Unschedulable");
  assert.equal(cond.message, message);
  const event = await eventually("FailedScheduling event", async () => {
    const list = await client.resource<Event>(Events, NS).list();
    return list.items.find((e) => e.reason === "FailedScheduling" && e.involvedObject?.name === name);
  });
  assert.equal(event.type, "Warning");
  assert.equal(event.message, message);
  const victim = bound.length ? [1, 2, 3, 4, 5].map((i) => `kuard-${i}`).find((n) => n !== name)! : "";
  await client.resource(Pods, NS).delete(victim, { gracePeriodSeconds: 0 });
  await eventually("the waiting pod bound after a delete", async () => (await podOf(name))?.spec?.nodeName);
  const scheduled = await eventually("Scheduled event", async () => {
    const list = await client.resource<Event>(Events, NS).list();
    return list.items.find((e) => e.reason === "Scheduled" && e.involvedObject?.name === name);
  });
  assert.equal(scheduled.message, `Successfully assigned ${NS}/${name} to node-1`);
  for (let i = 1; i <= 5; i++)
    await client
      .resource(Pods, NS)
      .delete(`kuard-${i}`, { gracePeriodSeconds: 0 })
      .catch(() => undefined);
});

test("pods for another scheduler are left alone", async () => {
  await client.resource<Pod>(Pods, NS).create(testPod("other", { spec: { schedulerName: "my-scheduler" } }));
  await new Promise((r) => setTimeout(r, 500));
  assert.equal((await podOf("other"))?.spec?.nodeName, undefined);
  await client.resource(Pods, NS).delete("other", { gracePeriodSeconds: 0 });
});
