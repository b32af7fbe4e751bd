import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "kubernetes-types/core/v1";
import {
  counterDelta,
  type EndpointStatus,
  isPodReady,
  leaderOf,
  longestGap,
  readyByNode,
  readyOutside,
  requestCounts,
  serviceOfHolder,
  total,
} from "./decide.js";

const pod = (node: string, ready: boolean, deleting = false): Pod => ({
  metadata: { name: "p", ...(deleting ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}) },
  spec: { nodeName: node, containers: [] },
  status: { phase: "Running", conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
});

describe("chaos decisions", () => {
  it("counts ready, not-deleting pods per node", () => {
    const pods = [pod("a", true), pod("a", true), pod("b", true), pod("b", false), pod("c", true, true)];
    assert.equal(isPodReady(pods[3] as Pod), false);
    assert.deepEqual(
      [...readyByNode(pods)],
      [
        ["a", 2],
        ["b", 1],
      ],
    );
    assert.equal(readyOutside(pods, "a"), 1);
    assert.equal(readyOutside(pods, ""), 3);
  });

  const st = (endpoint: string, id: string, leader: string): EndpointStatus => ({
    Endpoint: endpoint,
    Status: { header: { member_id: id }, leader },
  });
  for (const c of [
    {
      name: "leader found",
      in: [st("http://etcd-1:2379", "1", "2"), st("http://etcd-2:2379", "2", "2")],
      want: "etcd-2",
    },
    { name: "no leader (0)", in: [st("http://etcd-1:2379", "1", "0")], want: undefined },
    { name: "leader not among the answers", in: [st("http://etcd-1:2379", "1", "3")], want: undefined },
  ])
    it(`leaderOf: ${c.name}`, () => assert.equal(leaderOf(c.in)?.member, c.want));

  for (const c of [
    { name: "no ack at all", acks: [], from: 0, to: 10, want: 10 },
    { name: "gap in the middle", acks: [1, 2, 8, 9], from: 0, to: 10, want: 6 },
    { name: "acks outside the window ignored", acks: [-5, 3, 20], from: 0, to: 10, want: 7 },
    { name: "unsorted", acks: [9, 1, 5], from: 0, to: 10, want: 4 },
  ])
    it(`longestGap: ${c.name}`, () => assert.equal(longestGap(c.acks, c.from, c.to), c.want));

  it("parses apiserver_request_total per resource and verb", () => {
    const text = [
      "# HELP apiserver_request_total x",
      'apiserver_request_total{verb="LIST",resource="pods",code="200"} 3',
      'apiserver_request_total{verb="LIST",resource="pods",code="500"} 1',
      'apiserver_request_total{verb="WATCH",resource="pods",code="200"} 7',
      'apiserver_request_total{verb="LIST",resource="nodes",code="200"} 2',
    ].join("\n");
    const lists = requestCounts(text, "LIST");
    assert.deepEqual(
      [...lists],
      [
        ["pods", 4],
        ["nodes", 2],
      ],
    );
    assert.equal(total(requestCounts(text, "WATCH")), 7);
    const later = new Map([
      ["pods", 6],
      ["nodes", 2],
      ["services", 1],
    ]);
    assert.deepEqual(
      [...counterDelta(lists, later)],
      [
        ["pods", 2],
        ["services", 1],
      ],
    );
  });

  it("maps a Lease holder to its compose service", () => {
    assert.equal(serviceOfHolder("scheduler-2_2ae71495-9471-4923-905c-30191550c94d"), "scheduler-2");
    assert.equal(
      serviceOfHolder("controller-manager_4497f3a6-6d96-47d3-baa2-783686f86871"),
      "controller-manager",
    );
  });
});
