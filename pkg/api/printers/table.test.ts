import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { StoredObject } from "../types.js";
import { defaultPrinter, hasPrinter, printerFor, toTable } from "./index.js";

const now = new Date("2024-05-01T12:00:00Z");

const cm: StoredObject = {
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: {
    name: "game",
    namespace: "default",
    uid: "u1",
    resourceVersion: "42",
    creationTimestamp: "2024-05-01T11:59:00Z",
    labels: { app: "game" },
  },
  data: { a: "1" },
};

describe("toTable", () => {
  it("builds metav1.Table with PartialObjectMetadata rows by default", () => {
    const t = toTable(printerFor("", "configmaps"), [cm], now, { listMeta: { resourceVersion: "50" } });
    assert.deepEqual(Object.keys(t), ["kind", "apiVersion", "metadata", "columnDefinitions", "rows"]);
    assert.equal(t.kind, "Table");
    assert.equal(t.apiVersion, "meta.k8s.io/v1");
    assert.deepEqual(t.metadata, { resourceVersion: "50" });
    assert.deepEqual(
      t.columnDefinitions?.map((c) => [c.name, c.type, c.format, c.priority]),
      [
        ["Name", "string", "name", 0],
        ["Data", "string", "", 0],
        ["Age", "string", "", 0],
      ],
    );
    assert.deepEqual(t.rows, [
      {
        cells: ["game", 1, "60s"],
        object: { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: cm.metadata },
      },
    ]);
    // survives a JSON round trip unchanged (what the apiserver writes)
    assert.deepEqual(JSON.parse(JSON.stringify(t)), t);
  });

  it("includeObject=Object embeds the full object, None omits it", () => {
    const full = toTable(printerFor("", "configmaps"), [cm], now, { includeObject: "Object" });
    assert.equal(full.rows[0].object, cm);
    const none = toTable(printerFor("", "configmaps"), [cm], now, { includeObject: "None" });
    assert.equal("object" in none.rows[0], false);
  });

  it("v1beta1 tables carry v1beta1 partial metadata; noHeaders drops column definitions", () => {
    const t = toTable(printerFor("", "configmaps"), [cm], now, {
      apiVersion: "meta.k8s.io/v1beta1",
      noHeaders: true,
    });
    assert.equal(t.apiVersion, "meta.k8s.io/v1beta1");
    assert.equal(t.columnDefinitions, undefined);
    assert.equal(t.rows[0].object?.apiVersion, "meta.k8s.io/v1beta1");
  });

  it("an empty list is an empty rows array", () => {
    const t = toTable(printerFor("", "pods"), [], now, { listMeta: { resourceVersion: "7" } });
    assert.deepEqual(t.rows, []);
    assert.equal(t.columnDefinitions?.length, 9);
  });

  it("row conditions for finished pods", () => {
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "done" },
      spec: { containers: [{ name: "c" }] },
      status: { phase: "Succeeded" },
    } as StoredObject;
    const t = toTable(printerFor("", "pods"), [pod], now);
    assert.deepEqual(Object.keys(t.rows[0]), ["cells", "conditions", "object"]);
    assert.equal(t.rows[0].conditions?.[0].type, "Completed");
  });

  it("the default table: NAME and CREATED AT in RFC 3339 UTC", () => {
    assert.equal(printerFor("", "limitranges"), defaultPrinter);
    assert.equal(hasPrinter("", "limitranges"), false);
    assert.equal(hasPrinter("apps", "deployments"), true);
    const lr = {
      apiVersion: "v1",
      kind: "LimitRange",
      metadata: { name: "lr", creationTimestamp: "2024-05-01T11:00:00.000Z" },
    };
    const t = toTable(undefined, [lr as StoredObject], now);
    assert.deepEqual(
      t.columnDefinitions?.map((c) => [c.name, c.type, c.format]),
      [
        ["Name", "string", "name"],
        ["Created At", "date", ""],
      ],
    );
    assert.deepEqual(t.rows[0].cells, ["lr", "2024-05-01T11:00:00Z"]);
  });

  it("pads or cuts cells and survives a throwing printer", () => {
    const broken = {
      columns: printerFor("", "configmaps").columns,
      cells: () => {
        throw new Error("boom");
      },
    };
    const t = toTable(broken, [cm], now);
    assert.deepEqual(t.rows[0].cells, ["game", "<unknown>", "<unknown>"]);
  });

  it("every registered printer yields one cell per column for an empty object", () => {
    const resources: [string, string][] = [
      ["", "pods"],
      ["", "services"],
      ["", "nodes"],
      ["", "events"],
      ["", "endpoints"],
      ["", "namespaces"],
      ["", "secrets"],
      ["", "configmaps"],
      ["", "serviceaccounts"],
      ["", "persistentvolumes"],
      ["", "persistentvolumeclaims"],
      ["", "componentstatuses"],
      ["", "resourcequotas"],
      ["", "replicationcontrollers"],
      ["", "podtemplates"],
      ["apps", "deployments"],
      ["apps", "replicasets"],
      ["apps", "statefulsets"],
      ["apps", "daemonsets"],
      ["apps", "controllerrevisions"],
      ["batch", "jobs"],
      ["batch", "cronjobs"],
      ["autoscaling", "horizontalpodautoscalers"],
      ["policy", "poddisruptionbudgets"],
      ["networking.k8s.io", "ingresses"],
      ["networking.k8s.io", "ingressclasses"],
      ["networking.k8s.io", "networkpolicies"],
      ["discovery.k8s.io", "endpointslices"],
      ["events.k8s.io", "events"],
      ["rbac.authorization.k8s.io", "rolebindings"],
      ["rbac.authorization.k8s.io", "clusterrolebindings"],
      ["storage.k8s.io", "storageclasses"],
      ["storage.k8s.io", "volumeattachments"],
      ["storage.k8s.io", "csinodes"],
      ["storage.k8s.io", "csidrivers"],
      ["storage.k8s.io", "csistoragecapacities"],
      ["coordination.k8s.io", "leases"],
      ["scheduling.k8s.io", "priorityclasses"],
      ["node.k8s.io", "runtimeclasses"],
      ["certificates.k8s.io", "certificatesigningrequests"],
      ["admissionregistration.k8s.io", "mutatingwebhookconfigurations"],
      ["admissionregistration.k8s.io", "validatingwebhookconfigurations"],
      ["admissionregistration.k8s.io", "validatingadmissionpolicies"],
      ["admissionregistration.k8s.io", "validatingadmissionpolicybindings"],
      ["flowcontrol.apiserver.k8s.io", "flowschemas"],
      ["flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations"],
    ];
    const empty = { apiVersion: "v1", kind: "X", metadata: { name: "n" } } as StoredObject;
    const garbage = {
      apiVersion: "v1",
      kind: "X",
      metadata: { name: "n" },
      spec: 5,
      status: "x",
      data: [1],
    } as StoredObject;
    for (const [g, r] of resources) {
      assert.equal(hasPrinter(g, r), true, `${g}/${r}`);
      const p = printerFor(g, r);
      assert.equal(p.cells(empty, now).length, p.columns.length, `${g}/${r}`);
      assert.equal(p.cells(garbage, now).length, p.columns.length, `${g}/${r} garbage`);
      assert.ok(p.columns.every((c) => typeof c.description === "string"));
    }
  });
});
