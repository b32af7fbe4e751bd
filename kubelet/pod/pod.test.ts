import assert from "node:assert/strict";
import { test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1";
import type { ContainerStatus, PodRuntimeStatus } from "../runtime/types.js";
import { computePodActions } from "./actions.js";
import { CrashLoopBackoff, goDuration } from "./backoff.js";
import { containerEnv, expandVars, serviceEnv } from "./env.js";
import { containerHash } from "./hash.js";
import { podQOSClass } from "./qos.js";
import { generatePodStatus } from "./status.js";

const pod = (spec: Partial<NonNullable<Pod["spec"]>> = {}, meta: Record<string, unknown> = {}): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p", namespace: "default", uid: "u1", ...meta },
  spec: { containers: [{ name: "c", image: "busybox:1.28" }], ...spec },
});

const ctr = (p: Pod, s: Partial<ContainerStatus>): ContainerStatus => ({
  id: "id-c",
  name: "c",
  state: "running",
  createdAt: 1000,
  image: "busybox:1.28",
  imageRef: "docker://sha256:x",
  restartCount: 0,
  hash: containerHash(p.spec?.containers?.[0] ?? { name: "c" }),
  isInit: false,
  ...s,
});

const rt = (containers: ContainerStatus[], ready = true): PodRuntimeStatus => ({
  uid: "u1",
  name: "p",
  namespace: "default",
  sandboxes: [{ id: "sb", ready, createdAt: 1, attempt: 0, ip: "10.244.1.2" }],
  containers,
});

test("computePodActions: table", () => {
  const now = 100_000;
  const cases: Array<{ name: string; pod: Pod; status?: PodRuntimeStatus; want: Record<string, unknown> }> = [
    { name: "new pod", pod: pod(), want: { createSandbox: true, containersToStart: ["c"], attempt: 0 } },
    {
      name: "running: nothing",
      pod: pod(),
      status: rt([ctr(pod(), {})]),
      want: { createSandbox: false, killPod: false, containersToStart: [] },
    },
    {
      name: "exited, Always: restart",
      pod: pod(),
      status: rt([ctr(pod(), { state: "exited", exitCode: 1, finishedAt: 99_000 })]),
      want: { containersToStart: ["c"] },
    },
    {
      name: "exited 0, OnFailure: done, kill pod",
      pod: pod({ restartPolicy: "OnFailure" }),
      status: rt([ctr(pod(), { state: "exited", exitCode: 0 })]),
      want: { containersToStart: [], killPod: true },
    },
    {
      name: "exited 1, Never: kill pod",
      pod: pod({ restartPolicy: "Never" }),
      status: rt([ctr(pod(), { state: "exited", exitCode: 1 })]),
      want: { containersToStart: [], killPod: true },
    },
    {
      name: "sandbox died: new sandbox, attempt 1",
      pod: pod(),
      status: rt([ctr(pod(), { state: "exited", exitCode: 137 })], false),
      want: { createSandbox: true, killPod: true, attempt: 1, containersToStart: ["c"] },
    },
    {
      name: "sandbox died, Never, containers ran: stays down",
      pod: pod({ restartPolicy: "Never" }),
      status: rt([ctr(pod(), { state: "exited", exitCode: 137 })], false),
      want: { createSandbox: false, killPod: true },
    },
    {
      name: "init container first",
      pod: pod({ initContainers: [{ name: "i", image: "busybox:1.28" }] }),
      want: { createSandbox: true, nextInitContainerToStart: "i", containersToStart: [] },
    },
    {
      name: "deleted pod: kill",
      pod: pod({}, { deletionTimestamp: "2024-01-01T00:00:00Z" }),
      status: rt([ctr(pod(), {})]),
      want: { killPod: true, createSandbox: false },
    },
  ];
  for (const c of cases) {
    const got = computePodActions(c.pod, c.status, { now, backoff: new CrashLoopBackoff() });
    for (const [k, v] of Object.entries(c.want))
      assert.deepEqual(got[k as keyof typeof got], v, `${c.name}: ${k}`);
  }
});

test("computePodActions: liveness failure kills and restarts", () => {
  const p = pod();
  const got = computePodActions(p, rt([ctr(p, {})]), {
    now: 0,
    backoff: new CrashLoopBackoff(),
    liveness: () => "failure",
  });
  assert.deepEqual(got.containersToStart, ["c"]);
  assert.equal(got.containersToKill[0].message, "Container c failed liveness probe, will be restarted");
});

test("crash-loop back-off: 10s doubling to 5m, CrashLoopBackOff message", () => {
  const b = new CrashLoopBackoff();
  const p = pod();
  const key = `u1/c/${containerHash(p.spec?.containers?.[0] ?? { name: "c" })}`;
  b.next(key, 0, 0);
  const got = computePodActions(p, rt([ctr(p, { state: "exited", exitCode: 1, finishedAt: 1000 })]), {
    now: 5000,
    backoff: b,
  });
  assert.deepEqual(got.containersToStart, []);
  assert.match(got.backingOff[0].message, /^back-off 10s restarting failed container=c pod=p_default\(u1\)$/);
  for (let i = 0; i < 10; i++) b.next(key, 1000, 1000);
  assert.equal(b.current(key), 300_000);
  assert.equal(goDuration(300_000), "5m0s");
  assert.equal(goDuration(20_000), "20s");
});

test("generatePodStatus: running, terminated and waiting", () => {
  const p = pod();
  const base = {
    now: 0,
    hostIP: "172.28.0.101",
    podIP: "10.244.1.2",
    reasons: new Map(),
    readiness: () => undefined,
    started: () => undefined,
  };
  const running = generatePodStatus(p, rt([ctr(p, { startedAt: 1000 })]), base);
  assert.equal(running.phase, "Running");
  assert.equal(running.containerStatuses?.[0].ready, true);
  assert.equal(running.conditions?.find((c) => c.type === "Ready")?.status, "True");
  assert.equal(running.qosClass, "BestEffort");
  const never = pod({ restartPolicy: "Never" });
  const failed = generatePodStatus(
    never,
    rt([ctr(never, { state: "exited", exitCode: 2, reason: "Error" })]),
    base,
  );
  assert.equal(failed.phase, "Failed");
  assert.equal(failed.containerStatuses?.[0].state?.terminated?.reason, "Error");
  const pending = generatePodStatus(p, undefined, {
    ...base,
    reasons: new Map([["c", { reason: "ErrImagePull", message: "x" }]]),
  });
  assert.equal(pending.phase, "Pending");
  assert.equal(pending.containerStatuses?.[0].state?.waiting?.reason, "ErrImagePull");
});

test("QoS classes", () => {
  const r = (req: Record<string, string>, lim: Record<string, string>) =>
    pod({ containers: [{ name: "c", resources: { requests: req, limits: lim } }] });
  assert.equal(podQOSClass(r({}, {})), "BestEffort");
  assert.equal(podQOSClass(r({ cpu: "1", memory: "1Gi" }, { cpu: "1", memory: "1Gi" })), "Guaranteed");
  assert.equal(podQOSClass(r({ cpu: "100m" }, {})), "Burstable");
});

test("env: expansion, fieldRef, service links", () => {
  assert.equal(
    expandVars("a $(X) $$(X) $(Y)", (n) => (n === "X" ? "1" : undefined)),
    "a 1 $(X) $(Y)",
  );
  const p = pod({
    containers: [
      {
        name: "c",
        env: [
          { name: "A", value: "x" },
          { name: "B", value: "$(A)-y" },
          { name: "N", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
          { name: "IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
        ],
      },
    ],
  });
  const svc = {
    metadata: { name: "redis-master", namespace: "default" },
    spec: { clusterIP: "10.96.0.5", ports: [{ port: 6379 }] },
  };
  const env = new Map(
    containerEnv(p.spec?.containers?.[0] ?? { name: "c" }, {
      pod: p,
      podIP: "10.244.1.9",
      hostIP: "h",
      configMaps: new Map(),
      secrets: new Map(),
      services: [svc],
      nodeAllocatable: { cpuMilli: 2000, memoryBytes: 1 << 30 },
    }),
  );
  assert.equal(env.get("B"), "x-y");
  assert.equal(env.get("N"), "p");
  assert.equal(env.get("IP"), "10.244.1.9");
  assert.equal(env.get("REDIS_MASTER_SERVICE_HOST"), "10.96.0.5");
  assert.equal(env.get("REDIS_MASTER_PORT_6379_TCP"), "tcp://10.96.0.5:6379");
  assert.equal(
    serviceEnv([{ metadata: { name: "h" }, spec: { clusterIP: "None", ports: [{ port: 1 }] } }]).length,
    0,
  );
});
