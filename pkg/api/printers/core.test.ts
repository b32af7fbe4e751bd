import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { StoredObject } from "../types.js";
import { printerFor } from "./index.js";

const now = new Date("2024-05-01T12:00:00Z");
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const S = 1000;
const M = 60 * S;
const D = 24 * 60 * M;

function obj(kind: string, body: Record<string, unknown>): StoredObject {
  const { metadata, ...rest } = body as { metadata?: Record<string, unknown> };
  return { apiVersion: "v1", kind, metadata: { name: "x", ...(metadata ?? {}) }, ...rest } as StoredObject;
}

function cells(group: string, resource: string, o: StoredObject): unknown[] {
  return printerFor(group, resource).cells(o, now);
}

function pod(name: string, spec: Record<string, unknown>, status: Record<string, unknown>, meta = {}) {
  return obj("Pod", { metadata: { name, ...meta }, spec, status });
}

const two = { containers: [{ name: "a" }, { name: "b" }] };
const one = { containers: [{ name: "a" }] };
const running = { running: {} };

describe("pods", () => {
  it("has upstream's columns, wide ones at priority 1", () => {
    const p = printerFor("", "pods");
    assert.deepEqual(
      p.columns.map((c) => [c.name, c.type, c.priority]),
      [
        ["Name", "string", 0],
        ["Ready", "string", 0],
        ["Status", "string", 0],
        ["Restarts", "string", 0],
        ["Age", "string", 0],
        ["IP", "string", 1],
        ["Node", "string", 1],
        ["Nominated Node", "string", 1],
        ["Readiness Gates", "string", 1],
      ],
    );
    assert.equal(p.columns[0].format, "name");
    assert.match(p.columns[0].description, /^Name must be unique within a namespace/);
  });

  // [description, pod, READY, STATUS, RESTARTS] — mostly upstream's TestPrintPod cases
  const cases: [string, StoredObject, string, string, string][] = [
    [
      "ready count and restarts sum",
      pod("t1", two, {
        phase: "podPhase",
        containerStatuses: [{ ready: true, restartCount: 3, state: running }, { restartCount: 3 }],
      }),
      "1/2",
      "podPhase",
      "6",
    ],
    [
      "waiting reason overrides the phase",
      pod("t2", two, {
        phase: "podPhase",
        containerStatuses: [
          { ready: true, restartCount: 3, state: running },
          { restartCount: 3, state: { waiting: { reason: "ContainerWaitingReason" } } },
        ],
      }),
      "1/2",
      "ContainerWaitingReason",
      "6",
    ],
    [
      "the first container's reason wins (statuses walked backwards)",
      pod("t3", two, {
        phase: "podPhase",
        containerStatuses: [
          { restartCount: 3, state: { waiting: { reason: "ContainerWaitingReason" } } },
          { restartCount: 3, state: { terminated: { reason: "ContainerTerminatedReason" } } },
        ],
      }),
      "0/2",
      "ContainerWaitingReason",
      "6",
    ],
    [
      "pod reason overrides phase",
      pod("t5", two, {
        reason: "podReason",
        phase: "podPhase",
        containerStatuses: [
          { ready: true, restartCount: 3, state: running },
          { ready: true, restartCount: 3 },
        ],
      }),
      "1/2",
      "podReason",
      "6",
    ],
    [
      "completed + running without Ready condition is NotReady",
      pod("t6", two, {
        phase: "Running",
        containerStatuses: [
          { ready: true, restartCount: 3, state: { terminated: { reason: "Completed", exitCode: 0 } } },
          { ready: true, restartCount: 3, state: running },
        ],
      }),
      "1/2",
      "NotReady",
      "6",
    ],
    [
      "completed + running with Ready condition is Running",
      pod("t6b", two, {
        phase: "Running",
        conditions: [{ type: "Ready", status: "True" }],
        containerStatuses: [
          { ready: true, restartCount: 3, state: { terminated: { reason: "Completed", exitCode: 0 } } },
          { ready: true, restartCount: 3, state: running },
        ],
      }),
      "1/2",
      "Running",
      "6",
    ],
    [
      "restarting init container: Init:0/1 with last restart age",
      pod(
        "t7",
        { initContainers: [{ name: "i" }], ...one },
        {
          phase: "podPhase",
          initContainerStatuses: [
            {
              name: "i",
              restartCount: 3,
              state: running,
              lastState: { terminated: { finishedAt: ago(10 * S) } },
            },
          ],
          containerStatuses: [{ restartCount: 0, state: { waiting: {} } }],
        },
      ),
      "0/1",
      "Init:0/1",
      "3 (10s ago)",
    ],
    [
      "second init container running: Init:1/2",
      pod(
        "t9",
        { initContainers: [{ name: "i1" }, { name: "i2" }], ...one },
        {
          phase: "podPhase",
          initContainerStatuses: [
            { name: "i1", state: { terminated: {} } },
            {
              name: "i2",
              restartCount: 3,
              state: running,
              lastState: { terminated: { finishedAt: ago(10 * S) } },
            },
          ],
          containerStatuses: [{ state: { waiting: {} } }],
        },
      ),
      "0/1",
      "Init:1/2",
      "3 (10s ago)",
    ],
    [
      "restarts of finished init containers count while initializing",
      pod(
        "t10",
        { initContainers: [{ name: "i1" }, { name: "i2" }], ...one },
        {
          phase: "podPhase",
          initContainerStatuses: [
            {
              name: "i1",
              restartCount: 2,
              state: { terminated: {} },
              lastState: { terminated: { finishedAt: ago(2 * M) } },
            },
            {
              name: "i2",
              restartCount: 3,
              state: running,
              lastState: { terminated: { finishedAt: ago(10 * S) } },
            },
          ],
          containerStatuses: [{ state: { waiting: {} } }],
        },
      ),
      "0/1",
      "Init:1/2",
      "5 (10s ago)",
    ],
    [
      "after init, only app container restarts count",
      pod(
        "t11",
        { initContainers: [{ name: "i" }], ...one },
        {
          phase: "Running",
          initContainerStatuses: [
            {
              name: "i",
              restartCount: 2,
              state: { terminated: {} },
              lastState: { terminated: { finishedAt: ago(2 * M) } },
            },
          ],
          containerStatuses: [
            { restartCount: 4, state: running, lastState: { terminated: { finishedAt: ago(20 * S) } } },
          ],
        },
      ),
      "0/1",
      "Running",
      "4 (20s ago)",
    ],
    [
      "latest restart across containers",
      pod("t14", two, {
        phase: "Running",
        containerStatuses: [
          {
            ready: true,
            restartCount: 6,
            state: running,
            lastState: { terminated: { finishedAt: ago(5 * D) } },
          },
          {
            ready: true,
            restartCount: 3,
            state: running,
            lastState: { terminated: { finishedAt: ago(20 * D) } },
          },
        ],
      }),
      "2/2",
      "Running",
      "9 (5d ago)",
    ],
    [
      "SchedulingGated",
      pod("t15", two, {
        phase: "podPhase",
        conditions: [{ type: "PodScheduled", status: "False", reason: "SchedulingGated" }],
      }),
      "0/2",
      "SchedulingGated",
      "0",
    ],
    [
      "Succeeded pod shows Completed",
      pod("t16", one, {
        phase: "Succeeded",
        containerStatuses: [{ state: { terminated: { reason: "Completed", exitCode: 0 } } }],
      }),
      "0/1",
      "Completed",
      "0",
    ],
    [
      "Failed pod shows the container reason",
      pod("t17", one, {
        phase: "Failed",
        containerStatuses: [{ state: { terminated: { reason: "Error", exitCode: 1 } } }],
      }),
      "0/1",
      "Error",
      "0",
    ],
    [
      "a terminal pod being deleted keeps its status",
      pod(
        "t18",
        one,
        {
          phase: "Succeeded",
          containerStatuses: [{ state: { terminated: { reason: "Completed", exitCode: 0 } } }],
        },
        { deletionTimestamp: ago(10 * S) },
      ),
      "0/1",
      "Completed",
      "0",
    ],
    [
      "a running pod being deleted is Terminating",
      pod(
        "t19",
        one,
        { phase: "Running", containerStatuses: [{ ready: true, state: running }] },
        { deletionTimestamp: ago(10 * S) },
      ),
      "1/1",
      "Terminating",
      "0",
    ],
    [
      "a pod of a lost node being deleted is Unknown",
      pod(
        "t20",
        one,
        { phase: "Running", reason: "NodeLost", containerStatuses: [{ ready: true, state: running }] },
        { deletionTimestamp: ago(10 * S) },
      ),
      "1/1",
      "Unknown",
      "0",
    ],
    [
      "CrashLoopBackOff with restart age",
      pod("crash", one, {
        phase: "Running",
        containerStatuses: [
          {
            restartCount: 5,
            state: { waiting: { reason: "CrashLoopBackOff" } },
            lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: ago(5 * M) } },
          },
        ],
      }),
      "0/1",
      "CrashLoopBackOff",
      "5 (5m ago)",
    ],
    [
      "ImagePullBackOff",
      pod("img", one, {
        phase: "Pending",
        containerStatuses: [{ state: { waiting: { reason: "ImagePullBackOff" } } }],
      }),
      "0/1",
      "ImagePullBackOff",
      "0",
    ],
    [
      "ContainerCreating",
      pod("cc", one, {
        phase: "Pending",
        containerStatuses: [{ state: { waiting: { reason: "ContainerCreating" } } }],
      }),
      "0/1",
      "ContainerCreating",
      "0",
    ],
    ["a pending pod without statuses", pod("pending", one, { phase: "Pending" }), "0/1", "Pending", "0"],
    [
      "exit code without reason",
      pod("ec", one, { phase: "Running", containerStatuses: [{ state: { terminated: { exitCode: 3 } } }] }),
      "0/1",
      "ExitCode:3",
      "0",
    ],
    [
      "signal without reason",
      pod("sig", one, {
        phase: "Running",
        containerStatuses: [{ state: { terminated: { exitCode: 137, signal: 9 } } }],
      }),
      "0/1",
      "Signal:9",
      "0",
    ],
    [
      "failed init container",
      pod(
        "if",
        { initContainers: [{ name: "i" }], ...one },
        {
          phase: "Pending",
          initContainerStatuses: [{ name: "i", state: { terminated: { exitCode: 1, reason: "Error" } } }],
        },
      ),
      "0/1",
      "Init:Error",
      "0",
    ],
    [
      "init container exit code without reason",
      pod(
        "ie",
        { initContainers: [{ name: "i" }], ...one },
        { phase: "Pending", initContainerStatuses: [{ name: "i", state: { terminated: { exitCode: 2 } } }] },
      ),
      "0/1",
      "Init:ExitCode:2",
      "0",
    ],
    [
      "init container waiting on a bad image",
      pod(
        "iw",
        { initContainers: [{ name: "i" }], ...one },
        {
          phase: "Pending",
          initContainerStatuses: [{ name: "i", state: { waiting: { reason: "ErrImagePull" } } }],
        },
      ),
      "0/1",
      "Init:ErrImagePull",
      "0",
    ],
    [
      "init done, app containers still PodInitializing",
      pod(
        "pi",
        { initContainers: [{ name: "i" }], ...one },
        {
          phase: "Pending",
          initContainerStatuses: [{ name: "i", state: { terminated: { exitCode: 0, reason: "Completed" } } }],
          containerStatuses: [{ state: { waiting: { reason: "PodInitializing" } } }],
        },
      ),
      "0/1",
      "PodInitializing",
      "0",
    ],
    [
      "sidecar (restartable init container) counts as a container",
      pod(
        "sidecar",
        { initContainers: [{ name: "s", restartPolicy: "Always" }], ...one },
        {
          phase: "Running",
          conditions: [{ type: "Initialized", status: "True" }],
          initContainerStatuses: [{ name: "s", ready: true, started: true, restartCount: 1, state: running }],
          containerStatuses: [{ ready: true, restartCount: 2, state: running }],
        },
      ),
      "2/2",
      "Running",
      "3",
    ],
  ];
  for (const [what, p, ready, status, restarts] of cases) {
    it(what, () => {
      const c = cells("", "pods", p);
      assert.deepEqual(c.slice(1, 4), [ready, status, restarts]);
      assert.equal(c[4], "<unknown>");
    });
  }

  it("wide cells: IP, node, nominated node, readiness gates", () => {
    const p = pod(
      "web-1",
      { ...one, nodeName: "node-1", readinessGates: [{ conditionType: "a" }, { conditionType: "b" }] },
      {
        phase: "Running",
        podIP: "10.244.1.5",
        conditions: [
          { type: "a", status: "True" },
          { type: "b", status: "False" },
        ],
        containerStatuses: [{ ready: true, state: running }],
      },
      { creationTimestamp: ago(5 * M) },
    );
    assert.deepEqual(cells("", "pods", p), [
      "web-1",
      "1/1",
      "Running",
      "0",
      "5m",
      "10.244.1.5",
      "node-1",
      "<none>",
      "1/2",
    ]);
    const bare = pod("b", one, { phase: "Pending", podIPs: [{ ip: "10.0.0.9" }] });
    assert.deepEqual(cells("", "pods", bare).slice(5), ["10.0.0.9", "<none>", "<none>", "<none>"]);
  });

  it("row conditions mark finished pods Completed", () => {
    const p = printerFor("", "pods") as { rowConditions?: (o: StoredObject) => unknown };
    assert.deepEqual(p.rowConditions?.(pod("a", one, { phase: "Succeeded" })), [
      {
        type: "Completed",
        status: "True",
        reason: "Succeeded",
        message: "The pod has completed successfully.",
      },
    ]);
    assert.deepEqual(p.rowConditions?.(pod("a", one, { phase: "Failed" })), [
      { type: "Completed", status: "True", reason: "Failed", message: "The pod failed." },
    ]);
    assert.equal(p.rowConditions?.(pod("a", one, { phase: "Running" })), undefined);
  });

  it("never throws on malformed pods", () => {
    for (const bad of [
      obj("Pod", {}),
      obj("Pod", { spec: null, status: "x" }),
      obj("Pod", { spec: { containers: "x", initContainers: 7 }, status: { containerStatuses: [null, 3] } }),
    ]) {
      assert.equal(cells("", "pods", bad).length, 9);
    }
  });
});

describe("services", () => {
  const svc = (spec: Record<string, unknown>, status: Record<string, unknown> = {}) =>
    obj("Service", { metadata: { name: "web", creationTimestamp: ago(2 * D) }, spec, status });
  const cases: [string, StoredObject, unknown[]][] = [
    [
      "ClusterIP",
      svc({
        type: "ClusterIP",
        clusterIP: "10.96.0.10",
        clusterIPs: ["10.96.0.10"],
        ports: [{ port: 80, protocol: "TCP" }],
        selector: { app: "web" },
      }),
      ["web", "ClusterIP", "10.96.0.10", "<none>", "80/TCP", "2d", "app=web"],
    ],
    [
      "NodePort with two ports",
      svc({
        type: "NodePort",
        clusterIP: "10.96.1.1",
        ports: [
          { port: 80, nodePort: 30080, protocol: "TCP" },
          { port: 53, nodePort: 30053, protocol: "UDP" },
        ],
      }),
      ["web", "NodePort", "10.96.1.1", "<none>", "80:30080/TCP,53:30053/UDP", "2d", "<none>"],
    ],
    [
      "LoadBalancer pending",
      svc({
        type: "LoadBalancer",
        clusterIP: "10.96.1.2",
        ports: [{ port: 80, nodePort: 31000, protocol: "TCP" }],
      }),
      ["web", "LoadBalancer", "10.96.1.2", "<pending>", "80:31000/TCP", "2d", "<none>"],
    ],
    [
      "LoadBalancer with ingress and external IPs",
      svc(
        {
          type: "LoadBalancer",
          clusterIP: "10.96.1.2",
          externalIPs: ["1.1.1.1"],
          ports: [{ port: 80, nodePort: 31000 }],
        },
        {
          loadBalancer: { ingress: [{ ip: "172.18.0.9" }, { hostname: "lb.example" }, { ip: "172.18.0.2" }] },
        },
      ),
      [
        "web",
        "LoadBalancer",
        "10.96.1.2",
        "172.18.0.2,172.18.0.9,lb.example,1.1.1.1",
        "80:31000/TCP",
        "2d",
        "<none>",
      ],
    ],
    [
      "headless without ports",
      svc({ type: "ClusterIP", clusterIP: "None" }),
      ["web", "ClusterIP", "None", "<none>", "<none>", "2d", "<none>"],
    ],
    [
      "ExternalName",
      svc({ type: "ExternalName", externalName: "db.example.com" }),
      ["web", "ExternalName", "<none>", "db.example.com", "<none>", "2d", "<none>"],
    ],
  ];
  for (const [what, s, want] of cases) it(what, () => assert.deepEqual(cells("", "services", s), want));
});

describe("endpoints", () => {
  const ep = (subsets: unknown) =>
    obj("Endpoints", { metadata: { name: "web", creationTimestamp: ago(30 * S) }, subsets });
  it("formats ip:port, truncating after three", () => {
    assert.deepEqual(cells("", "endpoints", ep(undefined)), ["web", "<none>", "30s"]);
    assert.deepEqual(
      cells(
        "",
        "endpoints",
        ep([{ addresses: [{ ip: "10.0.0.1" }, { ip: "10.0.0.2" }], ports: [{ port: 80 }] }]),
      ),
      ["web", "10.0.0.1:80,10.0.0.2:80", "30s"],
    );
    assert.deepEqual(
      cells(
        "",
        "endpoints",
        ep([{ addresses: [{ ip: "10.0.0.1" }, { ip: "10.0.0.2" }], ports: [{ port: 80 }, { port: 443 }] }]),
      )[1],
      "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...",
    );
    assert.deepEqual(cells("", "endpoints", ep([{ addresses: [{ ip: "10.0.0.1" }] }]))[1], "10.0.0.1");
    assert.deepEqual(
      cells("", "endpoints", ep([{ addresses: [{ ip: "fd00::1" }], ports: [{ port: 80 }] }]))[1],
      "[fd00::1]:80",
    );
  });
});

describe("nodes", () => {
  const node = (
    labels: Record<string, string>,
    spec: Record<string, unknown>,
    status: Record<string, unknown>,
  ) => obj("Node", { metadata: { name: "node-1", labels, creationTimestamp: ago(3 * D) }, spec, status });
  it("Ready, roles, version and wide info", () => {
    const n = node(
      { "node-role.kubernetes.io/control-plane": "", "kubernetes.io/role": "worker" },
      {},
      {
        conditions: [
          { type: "MemoryPressure", status: "False" },
          { type: "Ready", status: "True" },
        ],
        addresses: [
          { type: "InternalIP", address: "172.18.0.3" },
          { type: "Hostname", address: "node-1" },
        ],
        nodeInfo: {
          kubeletVersion: "v1.32.0",
          osImage: "Debian GNU/Linux 12 (bookworm)",
          kernelVersion: "6.1.0",
          containerRuntimeVersion: "docker://20.10.24",
        },
      },
    );
    assert.deepEqual(cells("", "nodes", n), [
      "node-1",
      "Ready",
      "control-plane,worker",
      "3d",
      "v1.32.0",
      "172.18.0.3",
      "<none>",
      "Debian GNU/Linux 12 (bookworm)",
      "6.1.0",
      "docker://20.10.24",
    ]);
  });
  it("NotReady / Unknown / SchedulingDisabled", () => {
    assert.equal(
      cells(
        "",
        "nodes",
        node({}, { unschedulable: true }, { conditions: [{ type: "Ready", status: "True" }] }),
      )[1],
      "Ready,SchedulingDisabled",
    );
    assert.equal(
      cells("", "nodes", node({}, {}, { conditions: [{ type: "Ready", status: "Unknown" }] }))[1],
      "NotReady",
    );
    assert.equal(cells("", "nodes", node({}, { unschedulable: true }, {}))[1], "Unknown,SchedulingDisabled");
    const bare = cells("", "nodes", node({}, {}, {}));
    assert.deepEqual(bare.slice(2), [
      "<none>",
      "3d",
      "",
      "<none>",
      "<none>",
      "<unknown>",
      "<unknown>",
      "<unknown>",
    ]);
  });
});

describe("events", () => {
  it("core/v1 event cells, wide ones included", () => {
    const e = obj("Event", {
      metadata: { name: "web-1.17a" },
      type: "Normal",
      reason: "Scheduled",
      message: "Successfully assigned default/web-1 to node-1 \n",
      involvedObject: { kind: "Pod", name: "web-1", fieldPath: "spec.containers{nginx}" },
      source: { component: "default-scheduler" },
      firstTimestamp: ago(5 * M),
      lastTimestamp: ago(2 * M),
      count: 3,
    });
    assert.deepEqual(cells("", "events", e), [
      "2m",
      "Normal",
      "Scheduled",
      "pod/web-1",
      "spec.containers{nginx}",
      "default-scheduler",
      "Successfully assigned default/web-1 to node-1",
      "5m",
      3,
      "web-1.17a",
    ]);
  });
  it("new-style events: eventTime, series, reporting controller", () => {
    const e = obj("Event", {
      metadata: { name: "e" },
      type: "Warning",
      reason: "BackOff",
      message: "Back-off restarting failed container",
      involvedObject: { kind: "Pod", name: "p" },
      eventTime: "2024-05-01T11:50:00.000000Z",
      reportingController: "kubelet",
      reportingInstance: "node-1",
      series: { count: 7, lastObservedTime: "2024-05-01T11:59:00.000000Z" },
    });
    assert.deepEqual(cells("", "events", e), [
      "60s",
      "Warning",
      "BackOff",
      "pod/p",
      "",
      "kubelet, node-1",
      "Back-off restarting failed container",
      "10m",
      7,
      "e",
    ]);
  });
  it("events.k8s.io/v1 events map note/regarding/deprecated fields", () => {
    const e = {
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata: { name: "e2" },
      type: "Normal",
      reason: "Pulled",
      note: "pulled",
      regarding: { kind: "Node", name: "" },
      deprecatedSource: { component: "kubelet", host: "node-2" },
      deprecatedFirstTimestamp: ago(3 * M),
      deprecatedLastTimestamp: ago(1 * M),
      deprecatedCount: 2,
    } as StoredObject;
    assert.deepEqual(cells("events.k8s.io", "events", e), [
      "60s",
      "Normal",
      "Pulled",
      "node",
      "",
      "kubelet, node-2",
      "pulled",
      "3m",
      2,
      "e2",
    ]);
  });
  it("event columns: LAST SEEN TYPE REASON OBJECT MESSAGE by default", () => {
    const cols = printerFor("", "events")
      .columns.filter((c) => c.priority === 0)
      .map((c) => c.name);
    assert.deepEqual(cols, ["Last Seen", "Type", "Reason", "Object", "Message"]);
  });
});

describe("simple core kinds", () => {
  const t = { creationTimestamp: ago(90 * S) };
  const cases: [string, string, StoredObject, unknown[]][] = [
    [
      "namespaces",
      "Active",
      obj("Namespace", { metadata: { name: "default", ...t }, status: { phase: "Active" } }),
      ["default", "Active", "90s"],
    ],
    [
      "configmaps",
      "data + binaryData",
      obj("ConfigMap", {
        metadata: { name: "cm", ...t },
        data: { a: "1", b: "2" },
        binaryData: { c: "AA==" },
      }),
      ["cm", 3, "90s"],
    ],
    ["configmaps", "empty", obj("ConfigMap", { metadata: { name: "cm", ...t } }), ["cm", 0, "90s"]],
    [
      "secrets",
      "Opaque",
      obj("Secret", { metadata: { name: "s", ...t }, type: "Opaque", data: { u: "YQ==", p: "Yg==" } }),
      ["s", "Opaque", 2, "90s"],
    ],
    [
      "serviceaccounts",
      "default",
      obj("ServiceAccount", { metadata: { name: "default", ...t } }),
      ["default", 0, "90s"],
    ],
    [
      "componentstatuses",
      "healthy",
      obj("ComponentStatus", {
        metadata: { name: "etcd-0" },
        conditions: [{ type: "Healthy", status: "True", message: "ok" }],
      }),
      ["etcd-0", "Healthy", "ok", ""],
    ],
    [
      "componentstatuses",
      "unhealthy",
      obj("ComponentStatus", {
        metadata: { name: "scheduler" },
        conditions: [{ type: "Healthy", status: "False", error: "refused" }],
      }),
      ["scheduler", "Unhealthy", "", "refused"],
    ],
    [
      "replicationcontrollers",
      "rc",
      obj("ReplicationController", {
        metadata: { name: "rc", ...t },
        spec: {
          replicas: 3,
          selector: { app: "a" },
          template: { spec: { containers: [{ name: "n", image: "nginx" }] } },
        },
        status: { replicas: 3, readyReplicas: 2 },
      }),
      ["rc", 3, 3, 2, "90s", "n", "nginx", "app=a"],
    ],
    [
      "resourcequotas",
      "request and limit columns",
      obj("ResourceQuota", {
        metadata: { name: "q", ...t },
        status: {
          hard: { "requests.cpu": "1", pods: "10", "limits.memory": "2Gi", "limits.cpu": "2" },
          used: { "requests.cpu": "500m", pods: "3", "limits.memory": "512Mi" },
        },
      }),
      ["q", "pods: 3/10, requests.cpu: 500m/1", "limits.cpu: 0/2, limits.memory: 512Mi/2Gi", "90s"],
    ],
  ];
  for (const [resource, what, o, want] of cases)
    it(`${resource}: ${what}`, () => assert.deepEqual(cells("", resource, o), want));
});

describe("persistent volumes and claims", () => {
  it("pv", () => {
    const pv = obj("PersistentVolume", {
      metadata: { name: "pv1", creationTimestamp: ago(10 * M) },
      spec: {
        capacity: { storage: "1024Mi" },
        accessModes: ["ReadWriteOnce"],
        persistentVolumeReclaimPolicy: "Retain",
        claimRef: { namespace: "default", name: "data" },
        storageClassName: "standard",
        volumeMode: "Filesystem",
      },
      status: { phase: "Bound" },
    });
    assert.deepEqual(cells("", "persistentvolumes", pv), [
      "pv1",
      "1Gi",
      "RWO",
      "Retain",
      "Bound",
      "default/data",
      "standard",
      "<unset>",
      "",
      "10m",
      "Filesystem",
    ]);
  });
  it("pvc bound and pending", () => {
    const bound = obj("PersistentVolumeClaim", {
      metadata: { name: "data", creationTimestamp: ago(10 * M) },
      spec: { volumeName: "pv1", storageClassName: "standard", resources: { requests: { storage: "1Gi" } } },
      status: { phase: "Bound", accessModes: ["ReadWriteOnce"], capacity: { storage: "1Gi" } },
    });
    assert.deepEqual(cells("", "persistentvolumeclaims", bound), [
      "data",
      "Bound",
      "pv1",
      "1Gi",
      "RWO",
      "standard",
      "<unset>",
      "10m",
      "<unset>",
    ]);
    const pending = obj("PersistentVolumeClaim", {
      metadata: {
        name: "p",
        deletionTimestamp: ago(1 * S),
        annotations: { "volume.beta.kubernetes.io/storage-class": "old" },
      },
      spec: { storageClassName: "standard" },
      status: { phase: "Pending" },
    });
    assert.deepEqual(cells("", "persistentvolumeclaims", pending).slice(0, 6), [
      "p",
      "Terminating",
      "",
      "",
      "",
      "old",
    ]);
  });
});
