import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Node, Pod, Taint, Toleration } from "kubernetes-types/core/v1";
import {
  computeZoneState,
  desiredTaints,
  evictionDecision,
  notReadyConditions,
  staleNodeConditions,
  TAINT_NOT_READY,
  TAINT_UNREACHABLE,
  toleratesTaint,
  zoneEvictionRate,
} from "./decide.js";

const NOW = Date.parse("2024-05-01T10:00:00Z");
const T = (s: number) => new Date(NOW + s * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

describe("staleNodeConditions", () => {
  it("sets Ready and the pressure conditions Unknown with upstream's reason and message", () => {
    const node: Node = {
      metadata: { name: "n1" },
      status: {
        conditions: [
          {
            type: "Ready",
            status: "True",
            reason: "KubeletReady",
            lastHeartbeatTime: T(-20),
            lastTransitionTime: T(-100),
          },
          { type: "MemoryPressure", status: "False" },
        ],
      },
    };
    const conds = staleNodeConditions(node, NOW)!;
    const ready = conds.find((c) => c.type === "Ready")!;
    assert.equal(ready.status, "Unknown");
    assert.equal(ready.reason, "NodeStatusUnknown");
    assert.equal(ready.message, "Kubelet stopped posting node status.");
    assert.equal(ready.lastHeartbeatTime, T(-20));
    assert.equal(ready.lastTransitionTime, T(0));
    assert.equal(conds.find((c) => c.type === "MemoryPressure")?.status, "Unknown");
    assert.equal(conds.find((c) => c.type === "DiskPressure")?.reason, "NodeStatusNeverUpdated");
    assert.equal(conds.find((c) => c.type === "PIDPressure")?.message, "Kubelet never posted node status.");
  });
  it("changes nothing once everything is Unknown", () => {
    const node: Node = { metadata: { name: "n1" }, status: { conditions: staleNodeConditions({}, NOW) } };
    assert.equal(staleNodeConditions(node, NOW + 5000), undefined);
  });
});

describe("desiredTaints", () => {
  const other: Taint = { key: "dedicated", value: "gpu", effect: "NoSchedule" };
  const cases: {
    name: string;
    current: Taint[];
    ready: string | undefined;
    may: boolean;
    want: string[] | undefined;
  }[] = [
    { name: "ready, nothing to do", current: [other], ready: "True", may: true, want: undefined },
    {
      name: "unknown adds both unreachable taints",
      current: [other],
      ready: "Unknown",
      may: true,
      want: ["dedicated:NoSchedule", `${TAINT_UNREACHABLE}:NoSchedule`, `${TAINT_UNREACHABLE}:NoExecute`],
    },
    {
      name: "rate limiter holds NoExecute back",
      current: [],
      ready: "Unknown",
      may: false,
      want: [`${TAINT_UNREACHABLE}:NoSchedule`],
    },
    {
      name: "False gets not-ready taints, drops unreachable ones",
      current: [
        { key: TAINT_UNREACHABLE, effect: "NoSchedule" },
        { key: TAINT_UNREACHABLE, effect: "NoExecute" },
      ],
      ready: "False",
      may: true,
      want: [`${TAINT_NOT_READY}:NoSchedule`, `${TAINT_NOT_READY}:NoExecute`],
    },
    {
      name: "ready again removes lifecycle taints only",
      current: [
        other,
        { key: TAINT_UNREACHABLE, effect: "NoSchedule" },
        { key: TAINT_UNREACHABLE, effect: "NoExecute" },
      ],
      ready: "True",
      may: true,
      want: ["dedicated:NoSchedule"],
    },
    {
      name: "already tainted: unchanged",
      current: [
        { key: TAINT_UNREACHABLE, effect: "NoSchedule" },
        { key: TAINT_UNREACHABLE, effect: "NoExecute", timeAdded: T(-3) },
      ],
      ready: "Unknown",
      may: true,
      want: undefined,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = desiredTaints(c.current, c.ready, NOW, c.may);
      assert.deepEqual(
        got?.map((t) => `${t.key}:${t.effect}`),
        c.want,
      );
      const ne = got?.find((t) => t.effect === "NoExecute" && !c.current.includes(t));
      if (ne) assert.equal(ne.timeAdded, T(0));
    });
  }
});

describe("zones", () => {
  it("computes the zone state as ComputeZoneState", () => {
    assert.equal(computeZoneState(["True", "True", "Unknown"]), "Normal");
    assert.equal(computeZoneState(["True", "Unknown", "Unknown"]), "Normal");
    assert.equal(computeZoneState(["Unknown", "Unknown", "False"]), "FullDisruption");
    assert.equal(computeZoneState(["True", "Unknown", "Unknown", "False"]), "PartialDisruption");
  });
  it("picks the tainting rate", () => {
    const o = { evictionRate: 10, secondaryEvictionRate: 0.01, largeClusterSizeThreshold: 50 };
    assert.equal(zoneEvictionRate("Normal", 3, o), 10);
    assert.equal(zoneEvictionRate("PartialDisruption", 10, o), 0);
    assert.equal(zoneEvictionRate("PartialDisruption", 100, o), 0.01);
    assert.equal(zoneEvictionRate("FullDisruption", 3, o), 0);
  });
});

describe("taint manager", () => {
  const unreachable: Taint = { key: TAINT_UNREACHABLE, effect: "NoExecute", timeAdded: T(-10) };
  it("matches tolerations as ToleratesTaint", () => {
    const cases: [Toleration, Taint, boolean][] = [
      [{ operator: "Exists" }, unreachable, true],
      [{ key: TAINT_UNREACHABLE, operator: "Exists", effect: "NoExecute" }, unreachable, true],
      [{ key: TAINT_UNREACHABLE, operator: "Exists", effect: "NoSchedule" }, unreachable, false],
      [{ key: "a", value: "b" }, { key: "a", value: "b", effect: "NoExecute" }, true],
      [{ key: "a", value: "c" }, { key: "a", value: "b", effect: "NoExecute" }, false],
      [{ key: "a", operator: "Equal" }, { key: "a", effect: "NoExecute" }, true],
    ];
    for (const [tol, taint, want] of cases)
      assert.equal(toleratesTaint(tol, taint), want, JSON.stringify(tol));
  });
  const pod = (tolerations?: Toleration[], created = T(-600)): Pod => ({
    metadata: { name: "p", namespace: "default", creationTimestamp: created },
    spec: { containers: [], tolerations },
  });
  const cases: { name: string; pod: Pod; taints: Taint[]; want: ReturnType<typeof evictionDecision> }[] = [
    { name: "no taints", pod: pod(), taints: [], want: { kind: "keep" } },
    { name: "not tolerated: now", pod: pod(), taints: [unreachable], want: { kind: "evict" } },
    {
      name: "tolerated 15 s, taint 10 s old: wait 5 s",
      pod: pod([{ key: TAINT_UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: 15 }]),
      taints: [unreachable],
      want: { kind: "wait", ms: 5000 },
    },
    {
      name: "tolerated 5 s, taint 10 s old: evict",
      pod: pod([{ key: TAINT_UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: 5 }]),
      taints: [unreachable],
      want: { kind: "evict" },
    },
    {
      name: "pod created after the taint counts from its creation",
      pod: pod(
        [{ key: TAINT_UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: 15 }],
        T(-2),
      ),
      taints: [unreachable],
      want: { kind: "wait", ms: 13000 },
    },
    {
      name: "tolerated forever",
      pod: pod([{ operator: "Exists" }]),
      taints: [unreachable],
      want: { kind: "keep" },
    },
    {
      name: "one of two taints not tolerated",
      pod: pod([{ key: TAINT_UNREACHABLE, operator: "Exists" }]),
      taints: [unreachable, { key: "x", effect: "NoExecute" }],
      want: { kind: "evict" },
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(evictionDecision(c.pod, c.taints, NOW), c.want));
});

describe("notReadyConditions", () => {
  it("sets Ready False and leaves a not-ready pod alone", () => {
    const p: Pod = {
      status: {
        phase: "Running",
        conditions: [
          { type: "Ready", status: "True" },
          { type: "PodScheduled", status: "True" },
        ],
      },
    };
    const st = notReadyConditions(p, NOW)!;
    assert.equal(st.conditions?.find((c) => c.type === "Ready")?.status, "False");
    assert.equal(st.phase, "Running");
    assert.equal(notReadyConditions({ status: st }, NOW), undefined);
  });
});
