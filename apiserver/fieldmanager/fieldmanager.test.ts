import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../../pkg/api/types.js";
import {
  type ApplyResult,
  apply,
  type FieldManagerOptions,
  fieldSetOf,
  type GroupVersionKind,
  LAST_APPLIED_ANNOTATION,
  resetFieldsFor,
  update,
  updateObject,
} from "./fieldmanager.js";
import { FieldSet } from "./fieldset.js";
import type { ManagedFieldsEntry } from "./managedfields.js";

// biome-ignore lint/suspicious/noExplicitAny: the tests poke into objects of any kind
type Loose = any;

const CM: GroupVersionKind = { group: "", version: "v1", kind: "ConfigMap" };
const DEPLOY: GroupVersionKind = { group: "apps", version: "v1", kind: "Deployment" };
const T1 = "2024-05-01T10:00:00Z";
const T2 = "2024-05-01T11:00:00Z";
const at = (t: string) => ({ now: () => new Date(t) });

function cm(data: Record<string, string>, labels?: Record<string, string>): KubeObject {
  const metadata: KubeObject["metadata"] = { name: "cfg", namespace: "default" };
  if (labels) metadata.labels = labels;
  return { apiVersion: "v1", kind: "ConfigMap", metadata, data };
}

function deploy(containers: Record<string, unknown>[], extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default" },
    spec: {
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers } },
      ...extra,
    },
  };
}

/** As storage returns it: with a uid and a resourceVersion. */
function stored(obj: KubeObject): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, uid: "uid-1", resourceVersion: "7" } };
}

function ok(r: ApplyResult): KubeObject {
  if (!r.ok) assert.fail(`apply failed: ${r.status.message}`);
  return stored(r.object);
}

/** `manager/Operation` -> the owned paths, one string. */
function owners(obj: KubeObject | ManagedFieldsEntry[] | undefined): Record<string, string> {
  const entries = Array.isArray(obj) ? obj : (obj?.metadata?.managedFields ?? []);
  return Object.fromEntries(
    entries.map((e) => [
      `${e.manager}/${e.operation}${e.subresource ? `/${e.subresource}` : ""}`,
      FieldSet.fromFieldsV1(e.fieldsV1).toString(),
    ]),
  );
}

/** An update by `manager` of `live` into `next`, stored. */
function updated(
  live: KubeObject | undefined,
  next: KubeObject,
  manager: string,
  gvk = CM,
  opts?: FieldManagerOptions,
) {
  return stored(updateObject(live, next, manager, gvk, { ...at(T1), ...opts }));
}

function edit(obj: KubeObject, f: (o: Record<string, Loose>) => void): KubeObject {
  const o = structuredClone(obj);
  f(o);
  return o;
}

describe("fieldSetOf", () => {
  it("the fields an applied configuration sets (the brief's example)", () => {
    const pod: KubeObject = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", labels: { app: "x" } },
      spec: { containers: [{ name: "nginx", image: "nginx" }] },
    };
    assert.equal(
      JSON.stringify(fieldSetOf(pod, { group: "", version: "v1", kind: "Pod" }).toFieldsV1()),
      JSON.stringify({
        "f:apiVersion": {},
        "f:kind": {},
        "f:metadata": { "f:labels": { "f:app": {} }, "f:name": {} },
        "f:spec": { "f:containers": { 'k:{"name":"nginx"}': { ".": {}, "f:image": {}, "f:name": {} } } },
      }),
    );
  });
});

describe("apply", () => {
  it("first apply owns its fields", () => {
    const r = apply(undefined, cm({ a: "1" }, { app: "x" }), "kubectl", CM, at(T1));
    assert.ok(r.ok);
    assert.deepEqual(r.object.data, { a: "1" });
    assert.deepEqual(r.managedFields, [
      {
        manager: "kubectl",
        operation: "Apply",
        apiVersion: "v1",
        time: T1,
        fieldsType: "FieldsV1",
        fieldsV1: { "f:data": { "f:a": {} }, "f:metadata": { "f:labels": { "f:app": {} } } },
      },
    ]);
    assert.deepEqual(r.object.metadata?.managedFields, r.managedFields);
  });

  it("a second apply by the same manager without a label removes it", () => {
    const live = ok(apply(undefined, cm({ a: "1" }, { app: "x", tier: "web" }), "kubectl", CM, at(T1)));
    const r = apply(live, cm({ a: "1" }, { app: "x" }), "kubectl", CM, at(T2));
    const obj = ok(r);
    assert.deepEqual(obj.metadata?.labels, { app: "x" });
    assert.deepEqual(owners(obj), { "kubectl/Apply": ".data.a\n.metadata.labels.app" });
    assert.equal(obj.metadata?.managedFields?.[0]?.time, T2);
  });

  it("removes a field the applier dropped only when no other manager owns it", () => {
    let live = ok(apply(undefined, cm({ a: "1" }, { tier: "web" }), "a", CM, at(T1)));
    live = ok(apply(live, cm({}, { tier: "web" }), "b", CM, at(T1))); // b shares the label
    live = ok(apply(live, cm({ a: "1" }), "a", CM, at(T2)));
    assert.deepEqual(live.metadata?.labels, { tier: "web" });
    assert.deepEqual(owners(live), { "a/Apply": ".data.a", "b/Apply": ".metadata.labels.tier" });
  });

  it("two appliers setting the same value share ownership", () => {
    let live = ok(apply(undefined, cm({ a: "1", b: "2" }), "a", CM, at(T1)));
    live = ok(apply(live, cm({ a: "1" }), "b", CM, at(T2)));
    assert.deepEqual(owners(live), { "a/Apply": ".data.a\n.data.b", "b/Apply": ".data.a" });
  });

  it("a different value for a field another applier owns is a conflict", () => {
    const live = ok(apply(undefined, cm({ a: "1" }), "a", CM, at(T1)));
    const r = apply(live, cm({ a: "2" }), "b", CM, at(T2));
    assert.ok(!r.ok);
    assert.deepEqual(r.status, {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'Apply failed with 1 conflict: conflict with "a": .data.a',
      reason: "Conflict",
      details: {
        causes: [{ reason: "FieldManagerConflict", message: 'conflict with "a"', field: ".data.a" }],
      },
      code: 409,
    });
  });

  it("conflicts with an Update manager name its version (kubectl's message)", () => {
    const live = updated(undefined, cm({ a: "1" }), "kubectl-client-side-apply");
    const r = apply(live, cm({ a: "2" }), "kubectl", CM, at(T2));
    assert.ok(!r.ok);
    assert.equal(r.status.code, 409);
    assert.equal(
      r.status.message,
      'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.a',
    );
    assert.deepEqual(r.status.details?.causes, [
      {
        reason: "FieldManagerConflict",
        message: 'conflict with "kubectl-client-side-apply" using v1',
        field: ".data.a",
      },
    ]);
  });

  it("lists several conflicts by manager", () => {
    let live = ok(apply(undefined, cm({ a: "1" }), "m1", CM, at(T1)));
    live = ok(apply(live, cm({ b: "1" }), "m2", CM, at(T1)));
    const r = apply(live, cm({ a: "2", b: "2" }), "m3", CM, at(T2));
    assert.ok(!r.ok);
    assert.equal(
      r.status.message,
      'Apply failed with 2 conflicts: conflicts with "m1":\n- .data.a\nconflicts with "m2":\n- .data.b',
    );
  });

  it("force takes the field over", () => {
    const live = ok(apply(undefined, cm({ a: "1", b: "1" }), "a", CM, at(T1)));
    const obj = ok(apply(live, cm({ a: "2" }), "b", CM, { ...at(T2), force: true }));
    assert.deepEqual(obj.data, { a: "2", b: "1" });
    assert.deepEqual(owners(obj), { "a/Apply": ".data.b", "b/Apply": ".data.a" });
  });

  it("an Update after an Apply takes ownership of what it changed", () => {
    let live = ok(
      apply(
        undefined,
        deploy([{ name: "nginx", image: "nginx:1.14" }], { replicas: 2 }),
        "kubectl",
        DEPLOY,
        at(T1),
      ),
    );
    live = updated(
      live,
      edit(live, (o) => (o.spec.replicas = 5)),
      "kubectl-scale",
      DEPLOY,
    );
    assert.equal(owners(live)["kubectl-scale/Update"], ".spec.replicas");
    assert.ok(!owners(live)["kubectl/Apply"]!.includes(".spec.replicas"));
    const r = apply(
      live,
      deploy([{ name: "nginx", image: "nginx:1.14" }], { replicas: 2 }),
      "kubectl",
      DEPLOY,
      at(T2),
    );
    assert.ok(!r.ok);
    assert.equal(
      r.status.message,
      'Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas',
    );
  });

  it("containers merge by name: a dropped container goes, another manager's env stays", () => {
    const v1 = deploy([
      { name: "nginx", image: "nginx:1.14" },
      { name: "sidecar", image: "busybox" },
    ]);
    let live = ok(apply(undefined, v1, "kubectl", DEPLOY, at(T1)));
    live = updated(
      live,
      edit(live, (o) => (o.spec.template.spec.containers[0].env = [{ name: "DEBUG", value: "1" }])),
      "kubectl-edit",
      DEPLOY,
    );
    const obj = ok(apply(live, deploy([{ name: "nginx", image: "nginx:1.16" }]), "kubectl", DEPLOY, at(T2)));
    assert.deepEqual((obj.spec as Loose).template.spec.containers, [
      { name: "nginx", image: "nginx:1.16", env: [{ name: "DEBUG", value: "1" }] },
    ]);
    assert.match(
      owners(obj)["kubectl-edit/Update"]!,
      /\.spec\.template\.spec\.containers\[name="nginx"\]\.env\[name="DEBUG"\]/,
    );
  });

  it("ports merge by containerPort+protocol", () => {
    const ports = (...p: Record<string, unknown>[]) => deploy([{ name: "dns", image: "coredns", ports: p }]);
    let live = ok(
      apply(
        undefined,
        ports({ containerPort: 53, protocol: "UDP" }, { containerPort: 53 }),
        "a",
        DEPLOY,
        at(T1),
      ),
    );
    live = ok(apply(live, ports({ containerPort: 53, protocol: "TCP" }), "a", DEPLOY, at(T2)));
    assert.deepEqual((live.spec as Loose).template.spec.containers[0].ports, [
      { containerPort: 53, protocol: "TCP" },
    ]);
    const r = apply(live, ports({ containerPort: 53, name: "dns-tcp" }), "b", DEPLOY, at(T2));
    assert.ok(r.ok); // a new field of a shared item: no conflict
    const c = apply(ok(r), ports({ containerPort: 53, name: "other" }), "c", DEPLOY, at(T2));
    assert.ok(!c.ok);
    assert.equal(
      c.status.details?.causes?.[0]?.field,
      '.spec.template.spec.containers[name="dns"].ports[containerPort=53,protocol="TCP"].name',
    );
  });

  it("atomic lists are replaced whole and owned whole", () => {
    const args = (...a: string[]) => deploy([{ name: "c", image: "i", args: a }]);
    let live = ok(apply(undefined, args("a", "b"), "m1", DEPLOY, at(T1)));
    live = ok(apply(live, args("a"), "m1", DEPLOY, at(T1)));
    assert.deepEqual((live.spec as Loose).template.spec.containers[0].args, ["a"]);
    const r = apply(live, args("c"), "m2", DEPLOY, at(T2));
    assert.ok(!r.ok);
    assert.equal(r.status.details?.causes?.[0]?.field, '.spec.template.spec.containers[name="c"].args');
    const forced = ok(apply(live, args("c"), "m2", DEPLOY, { ...at(T2), force: true }));
    assert.deepEqual((forced.spec as Loose).template.spec.containers[0].args, ["c"]);
    assert.ok(!owners(forced)["m1/Apply"]!.includes(".args"));
  });

  it("a no-op apply keeps the object and the time", () => {
    const live = ok(apply(undefined, cm({ a: "1" }), "kubectl", CM, at(T1)));
    const r = apply(live, cm({ a: "1" }), "kubectl", CM, at(T2));
    assert.ok(r.ok);
    assert.equal(r.changed, false);
    assert.equal(r.managedFields?.[0]?.time, T1);
  });

  it("the first apply to an untracked object gives the rest to before-first-apply", () => {
    const live = stored(cm({ a: "1", b: "2" }));
    const obj = ok(apply(live, cm({ a: "1" }), "kubectl", CM, at(T2)));
    assert.deepEqual(owners(obj), {
      "kubectl/Apply": ".data.a",
      // a map that appears is owned itself too: `"f:data": {".": {}, ...}`
      "before-first-apply/Update": ".data\n.data.a\n.data.b",
    });
    const r = apply(stored(cm({ a: "1" })), cm({ a: "3" }), "tool", CM, at(T2));
    assert.ok(!r.ok);
    assert.equal(
      r.status.message,
      'Apply failed with 1 conflict: conflict with "before-first-apply" using v1: .data.a',
    );
  });
});

// test/integration/apiserver/apply/apply_test.go, with its expected JSON
describe("kube-apiserver's apply integration fixtures", () => {
  it("TestApplyManagedFields: an applier and two merge patches by one updater", () => {
    const applied: KubeObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "test-cm", namespace: "default", labels: { "test-label": "test" } },
      data: { key: "value" },
    };
    let live = ok(apply(undefined, applied, "apply_test", CM, at(T1)));
    live = updated(
      live,
      edit(live, (o) => (o.data["new-key"] = "value")),
      "updater",
      CM,
      at(T1),
    );
    live = updated(
      live,
      edit(live, (o) => (o.data.key = "new value")),
      "updater",
      CM,
      at(T2),
    );
    assert.equal(
      JSON.stringify(live.metadata?.managedFields),
      JSON.stringify([
        {
          manager: "apply_test",
          operation: "Apply",
          apiVersion: "v1",
          time: T1,
          fieldsType: "FieldsV1",
          fieldsV1: { "f:metadata": { "f:labels": { "f:test-label": {} } } },
        },
        {
          manager: "updater",
          operation: "Update",
          apiVersion: "v1",
          time: T2,
          fieldsType: "FieldsV1",
          fieldsV1: { "f:data": { "f:key": {}, "f:new-key": {} } },
        },
      ]),
    );
  });

  it("TestApplyRemovesEmptyManagedFields: nothing but name and namespace, no managedFields", () => {
    const applied: KubeObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "test-cm", namespace: "default" },
    };
    const live = ok(apply(undefined, applied, "apply_test", CM, at(T1)));
    const r = apply(live, applied, "apply_test", CM, at(T2));
    assert.ok(r.ok);
    assert.equal(r.object.metadata?.managedFields, undefined);
  });

  it("TestApplyRemoveContainerPort: a port dropped from the configuration goes", () => {
    const d = (ports?: unknown[]) =>
      deploy([{ name: "nginx", image: "nginx:latest", ...(ports ? { ports } : {}) }], { replicas: 3 });
    const live = ok(
      apply(undefined, d([{ containerPort: 80, protocol: "TCP" }]), "apply_test", DEPLOY, at(T1)),
    );
    const obj = ok(apply(live, d(), "apply_test", DEPLOY, at(T2)));
    assert.deepEqual((obj.spec as Loose).template.spec.containers, [
      { name: "nginx", image: "nginx:latest" },
    ]);
  });

  it("TestApplyConvertsManagedFieldsVersion: the serialized set, `.` first", () => {
    const applied = deploy([{ name: "sidecar", image: "sidecar:latest" }]);
    applied.metadata!.labels = { sidecar_version: "release" };
    delete (applied.spec as Loose).selector;
    delete (applied.spec as Loose).template.metadata;
    const r = apply(undefined, applied, "sidecar_controller", DEPLOY, at(T1));
    assert.ok(r.ok);
    assert.equal(
      JSON.stringify(r.managedFields?.[0]?.fieldsV1),
      '{"f:metadata":{"f:labels":{"f:sidecar_version":{}}},"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\\"name\\":\\"sidecar\\"}":{".":{},"f:image":{},"f:name":{}}}}}}}',
    );
  });
});

describe("apply after client-side apply (kubectl's last-applied annotation)", () => {
  const csa = (data: Record<string, string>) => {
    const o = cm(data);
    o.metadata!.annotations = { [LAST_APPLIED_ANNOTATION]: `${JSON.stringify(cm(data))}\n` };
    return o;
  };

  it("does not conflict on fields the annotation holds with their live values, and syncs it", () => {
    const live = updated(undefined, csa({ a: "1" }), "kubectl-client-side-apply");
    const obj = ok(apply(live, cm({ a: "2" }), "kubectl", CM, at(T2)));
    assert.deepEqual(obj.data, { a: "2" });
    assert.deepEqual(owners(obj)["kubectl/Apply"], ".data.a");
    assert.equal(
      obj.metadata?.annotations?.[LAST_APPLIED_ANNOTATION],
      '{"apiVersion":"v1","data":{"a":"2"},"kind":"ConfigMap","metadata":{"name":"cfg","namespace":"default"}}\n',
    );
  });

  it("still conflicts where another manager changed the value since", () => {
    let live = updated(undefined, csa({ a: "1" }), "kubectl-client-side-apply");
    live = updated(
      live,
      edit(live, (o) => (o.data.a = "9")),
      "kubectl-edit",
    );
    const r = apply(live, cm({ a: "2" }), "kubectl", CM, at(T2));
    assert.ok(!r.ok);
    assert.equal(
      r.status.message,
      'Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .data.a',
    );
  });

  it("only for the manager kubectl", () => {
    const live = updated(undefined, csa({ a: "1" }), "kubectl-client-side-apply");
    assert.ok(!apply(live, cm({ a: "2" }), "other", CM, at(T2)).ok);
  });
});

describe("apply refusals", () => {
  const cases: [string, KubeObject, number, string][] = [
    [
      "another kind",
      { apiVersion: "v1", kind: "Secret", metadata: { name: "cfg" } },
      400,
      "invalid object type: /v1, Kind=Secret",
    ],
    [
      "managedFields set",
      { ...cm({}), metadata: { name: "cfg", managedFields: [] } },
      400,
      "metadata.managedFields must be nil",
    ],
  ];
  for (const [name, body, code, message] of cases) {
    it(name, () => {
      const r = apply(undefined, body, "kubectl", CM, at(T1));
      assert.ok(!r.ok);
      assert.equal(r.status.code, code);
      assert.equal(r.status.message, message);
    });
  }

  it("duplicate list keys, as kube-apiserver's 500", () => {
    const r = apply(undefined, deploy([{ name: "a" }, { name: "a" }]), "kubectl", DEPLOY, at(T1));
    assert.ok(!r.ok);
    assert.equal(r.status.code, 500);
    assert.equal(
      r.status.message,
      'failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers: duplicate entries for key [name="a"]',
    );
  });
});

describe("update", () => {
  it("a create owns what it sets, containers and labels with their `.`, not name or namespace", () => {
    const mf = update(
      undefined,
      deploy([{ name: "nginx", image: "nginx", resources: {} }]),
      "kubectl-create",
      DEPLOY,
      at(T1),
    );
    assert.deepEqual(mf, [
      {
        manager: "kubectl-create",
        operation: "Update",
        apiVersion: "apps/v1",
        time: T1,
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:spec": {
            "f:selector": {},
            "f:template": {
              "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
              "f:spec": {
                "f:containers": {
                  'k:{"name":"nginx"}': { ".": {}, "f:image": {}, "f:name": {}, "f:resources": {} },
                },
              },
            },
          },
        },
      },
    ]);
  });

  it("the same manager's updates add up; other managers lose what it changes", () => {
    let live = updated(undefined, cm({ a: "1", b: "1" }), "m1");
    live = updated(
      live,
      edit(live, (o) => (o.data.a = "2")),
      "m2",
    );
    live = updated(
      live,
      edit(live, (o) => (o.data.c = "3")),
      "m2",
    );
    assert.deepEqual(owners(live), { "m1/Update": ".data\n.data.b", "m2/Update": ".data.a\n.data.c" });
  });

  it("a removed field leaves its owner", () => {
    let live = updated(undefined, cm({ a: "1", b: "1" }), "m1");
    live = updated(
      live,
      edit(live, (o) => delete o.data.b),
      "m2",
    );
    assert.deepEqual(owners(live), { "m1/Update": ".data\n.data.a" });
  });

  it("does not track an existing object that has no managedFields", () => {
    const live = stored(cm({ a: "1" }));
    assert.equal(update(live, cm({ a: "2" }), "kubectl-edit", CM, at(T1)), undefined);
  });

  it("managedFields: [] in the request resets tracking; entries in it replace the live ones", () => {
    const live = updated(undefined, cm({ a: "1" }), "m1");
    assert.equal(
      update(live, { ...cm({ a: "2" }), metadata: { name: "cfg", managedFields: [] } }, "m2", CM, at(T1)),
      undefined,
    );
    // TestClearManagedFieldsWithMergePatch: `{"metadata":{"managedFields":[{}]}}`
    const cleared = { ...cm({ a: "2" }), metadata: { name: "cfg", managedFields: [{}] } };
    assert.equal(update(live, cleared, "m2", CM, at(T1)), undefined);
    const given = [
      {
        manager: "x",
        operation: "Update",
        apiVersion: "v1",
        fieldsType: "FieldsV1",
        fieldsV1: { "f:data": { "f:a": {} } },
      },
    ];
    const mf = update(
      live,
      { ...cm({ a: "1" }), metadata: { name: "cfg", managedFields: given } },
      "m2",
      CM,
      at(T1),
    );
    assert.deepEqual(owners(mf), { "x/Update": ".data.a" });
  });

  it("status through the main resource is not owned; /status writes have their own entry", () => {
    const opts = { resetFields: resetFieldsFor("Deployment", "", true) };
    const next = { ...deploy([{ name: "c", image: "i" }]), status: { replicas: 1 } };
    const live = updated(undefined, next, "kubectl-create", DEPLOY, opts);
    assert.ok(!owners(live)["kubectl-create/Update"]!.includes(".status"));
    const st = { subresource: "status", resetFields: resetFieldsFor("Deployment", "status", true) };
    const after = updated(
      live,
      edit(live, (o) => {
        o.status = { replicas: 3 };
        o.spec.replicas = 9; // ignored on /status
      }),
      "kube-controller-manager",
      DEPLOY,
      st,
    );
    assert.equal(owners(after)["kube-controller-manager/Update/status"], ".status.replicas");
  });

  it("caps Update entries at 10, merging the oldest into ancient-changes", () => {
    let live = updated(undefined, cm({}), "m0");
    for (let i = 0; i <= 10; i++) {
      const t = `2024-05-01T10:00:${String(i).padStart(2, "0")}Z`;
      live = stored(
        updateObject(
          live,
          edit(live, (o) => (o.data[`k${i}`] = "v")),
          `m${i}`,
          CM,
          at(t),
        ),
      );
    }
    const o = owners(live);
    assert.equal(Object.keys(o).length, 10);
    assert.equal(o["ancient-changes/Update"], ".data\n.data.k0\n.data.k1");
    assert.equal(o["m10/Update"], ".data.k10");
  });
});
