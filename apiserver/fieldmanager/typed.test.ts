import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FieldSet } from "./fieldset.js";
import {
  addedFieldsV1,
  compare,
  dropNulls,
  merge,
  removeItems,
  rootType,
  toFieldSet,
  validate,
} from "./typed.js";

const deployment = rootType("apps", "Deployment");
const pod = rootType("", "Pod");
const service = rootType("", "Service");
const configMap = rootType("", "ConfigMap");

const podSpec = (spec: Record<string, unknown>) => ({ spec: { template: { spec } } });

describe("toFieldSet", () => {
  const cases: [string, ReturnType<typeof rootType>, unknown, unknown][] = [
    [
      "the brief's example: labels as map keys, containers by name",
      deployment,
      {
        metadata: { labels: { app: "x" } },
        spec: { containers: [{ name: "nginx", image: "nginx" }] },
      },
      { "f:metadata": { "f:labels": { "f:app": {} } }, "f:spec": { "f:containers": {} } },
    ],
    [
      "containers by name, their ports by containerPort+protocol (TCP by default)",
      deployment,
      podSpec({
        containers: [
          {
            name: "web",
            image: "nginx",
            ports: [{ containerPort: 80 }, { containerPort: 53, protocol: "UDP", name: "dns" }],
          },
        ],
      }),
      {
        "f:spec": {
          "f:template": {
            "f:spec": {
              "f:containers": {
                'k:{"name":"web"}': {
                  "f:image": {},
                  "f:name": {},
                  "f:ports": {
                    'k:{"containerPort":53,"protocol":"UDP"}': {
                      "f:containerPort": {},
                      "f:name": {},
                      "f:protocol": {},
                      ".": {},
                    },
                    'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} },
                  },
                  ".": {},
                },
              },
            },
          },
        },
      },
    ],
    [
      "atomic lists (args, tolerations) and atomic structs (selector) are leaves",
      deployment,
      {
        spec: {
          selector: { matchLabels: { app: "x" } },
          template: {
            spec: { tolerations: [{ key: "k" }], containers: [{ name: "c", args: ["-v", "2"] }] },
          },
        },
      },
      {
        "f:spec": {
          "f:selector": {},
          "f:template": {
            "f:spec": {
              "f:containers": { 'k:{"name":"c"}': { ".": {}, "f:args": {}, "f:name": {} } },
              "f:tolerations": {},
            },
          },
        },
      },
    ],
    [
      "finalizers are a set (v:), env and volumeMounts keyed",
      pod,
      {
        metadata: { finalizers: ["b", "a"] },
        spec: {
          containers: [
            { name: "c", env: [{ name: "A", value: "1" }], volumeMounts: [{ mountPath: "/d", name: "v" }] },
          ],
        },
      },
      {
        "f:metadata": { "f:finalizers": { 'v:"a"': {}, 'v:"b"': {} } },
        "f:spec": {
          "f:containers": {
            'k:{"name":"c"}': {
              "f:env": { 'k:{"name":"A"}': { ".": {}, "f:name": {}, "f:value": {} } },
              "f:name": {},
              "f:volumeMounts": { 'k:{"mountPath":"/d"}': { ".": {}, "f:mountPath": {}, "f:name": {} } },
              ".": {},
            },
          },
        },
      },
    ],
    [
      "service ports by port+protocol; the selector map is atomic",
      service,
      { spec: { selector: { app: "x" }, ports: [{ port: 80, targetPort: 8080 }] } },
      {
        "f:spec": {
          "f:ports": { 'k:{"port":80,"protocol":"TCP"}': { ".": {}, "f:port": {}, "f:targetPort": {} } },
          "f:selector": {},
        },
      },
    ],
    [
      "configmap data keys; an empty map owns nothing",
      configMap,
      { data: { a: "1" }, binaryData: {} },
      { "f:data": { "f:a": {} } },
    ],
  ];
  for (const [name, type, obj, want] of cases) {
    it(name, () => assert.deepEqual(toFieldSet(obj, type).toFieldsV1(), want));
  }
});

describe("validate", () => {
  const cases: [string, unknown, string[]][] = [
    ["a valid pod", { spec: { containers: [{ name: "a" }, { name: "b" }] } }, []],
    [
      "duplicate keys",
      { spec: { containers: [{ name: "c", env: [{ name: "A" }, { name: "A" }] }] } },
      ['.spec.containers[name="c"].env: duplicate entries for key [name="A"]'],
    ],
    [
      "an item without its key",
      { spec: { containers: [{ image: "x" }] } },
      [
        '.spec.containers: element 0: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)',
      ],
    ],
  ];
  for (const [name, obj, want] of cases) it(name, () => assert.deepEqual(validate(obj, pod), want));
});

describe("merge", () => {
  const containers = (...names: string[]) => ({ spec: { containers: names.map((name) => ({ name })) } });
  const names = (o: unknown) =>
    ((o as { spec: { containers: { name: string }[] } }).spec.containers ?? []).map((c) => c.name);
  const order: [string, string[], string[], string[]][] = [
    ["appends new items", ["a", "b"], ["c"], ["a", "b", "c"]],
    ["keeps live-only items where they were", ["x", "a"], ["a", "y"], ["x", "a", "y"]],
    ["shared items take the applied order", ["a", "b", "c"], ["c", "b"], ["a", "c", "b"]],
    ["swaps", ["a", "b"], ["b", "a"], ["b", "a"]],
  ];
  for (const [name, live, applied, want] of order) {
    it(`list order: ${name}`, () =>
      assert.deepEqual(names(merge(containers(...live), containers(...applied), pod)), want));
  }

  it("merges items by key, maps by key, replaces leaves and atomic values", () => {
    const live = {
      metadata: { labels: { a: "1", b: "2" } },
      spec: {
        nodeSelector: { disk: "ssd", zone: "a" },
        containers: [{ name: "c", image: "v1", args: ["x"], ports: [{ containerPort: 80, name: "http" }] }],
      },
    };
    const applied = {
      metadata: { labels: { b: "3" } },
      spec: {
        nodeSelector: { zone: "b" },
        containers: [
          { name: "c", args: ["y"], ports: [{ containerPort: 80, protocol: "TCP", hostPort: 8080 }] },
        ],
      },
    };
    assert.deepEqual(merge(live, applied, pod), {
      metadata: { labels: { a: "1", b: "3" } },
      spec: {
        nodeSelector: { zone: "b" },
        containers: [
          {
            name: "c",
            image: "v1",
            args: ["y"],
            ports: [{ containerPort: 80, name: "http", protocol: "TCP", hostPort: 8080 }],
          },
        ],
      },
    });
  });
});

describe("compare", () => {
  it("reports added, modified and removed leaves; added maps and list items themselves too", () => {
    const c = compare(
      { data: { a: "1", b: "2" }, spec: { containers: [{ name: "old", image: "x" }] } },
      {
        data: { a: "9" },
        metadata: { labels: { l: "v" } },
        spec: { containers: [{ name: "new", image: "y" }] },
      },
      pod,
    );
    assert.equal(c.modified.toString(), ".data.a");
    assert.equal(
      c.removed.toString(),
      [
        ".data.b",
        '.spec.containers[name="old"]',
        '.spec.containers[name="old"].image',
        '.spec.containers[name="old"].name',
      ].join("\n"),
    );
    assert.equal(
      c.added.toString(),
      [
        ".metadata.labels",
        ".metadata.labels.l",
        '.spec.containers[name="new"]',
        '.spec.containers[name="new"].image',
        '.spec.containers[name="new"].name',
      ].join("\n"),
    );
  });

  it("sees an empty struct appearing as a leaf, and atomic lists as one field", () => {
    const c = compare(
      { spec: { tolerations: [{ key: "a" }] } },
      { spec: { tolerations: [{ key: "b" }], securityContext: {} } },
      pod,
    );
    assert.equal(c.modified.toString(), ".spec.tolerations");
    assert.equal(c.added.toString(), ".spec.securityContext");
  });

  it("reports a pointer struct that appears or goes itself, not a struct held by value", () => {
    const c = compare(
      { spec: { strategy: { type: "Recreate" } } },
      { spec: { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } } } },
      deployment,
    );
    assert.equal(c.modified.toString(), ".spec.strategy.type");
    assert.equal(
      c.added.toString(),
      [".spec.strategy.rollingUpdate", ".spec.strategy.rollingUpdate.maxSurge"].join("\n"),
    );
    const probe = { name: "c", readinessProbe: { httpGet: { path: "/", port: 80 } } };
    const gone = compare(
      podSpec({ containers: [probe] }),
      podSpec({ containers: [{ name: "c" }] }),
      deployment,
    );
    assert.equal(
      gone.removed.toString(),
      [
        '.spec.template.spec.containers[name="c"].readinessProbe',
        '.spec.template.spec.containers[name="c"].readinessProbe.httpGet',
        '.spec.template.spec.containers[name="c"].readinessProbe.httpGet.path',
        '.spec.template.spec.containers[name="c"].readinessProbe.httpGet.port',
      ].join("\n"),
    );
  });
});

describe("removeItems", () => {
  it("removes members whole, and maps left empty", () => {
    const obj = {
      metadata: { labels: { a: "1" }, annotations: { x: "1", y: "2" } },
      spec: { containers: [{ name: "a", image: "i" }, { name: "b" }] },
    };
    const set = FieldSet.fromFieldsV1({
      "f:metadata": { "f:labels": { "f:a": {} }, "f:annotations": { "f:x": {} } },
      "f:spec": { "f:containers": { 'k:{"name":"a"}': {} } },
    });
    assert.deepEqual(removeItems(obj, set, pod), {
      metadata: { annotations: { y: "2" } },
      spec: { containers: [{ name: "b" }] },
    });
  });
});

describe("addedFieldsV1", () => {
  const strip = FieldSet.of(
    [{ field: "apiVersion" }],
    [{ field: "kind" }],
    [{ field: "metadata" }],
    [{ field: "metadata" }, { field: "name" }],
    [{ field: "metadata" }, { field: "namespace" }],
  );
  const status = FieldSet.of([{ field: "status" }]);
  const podSpecOnly = FieldSet.of([{ field: "spec" }], [{ field: "metadata" }, { field: "ownerReferences" }]);
  const objects: [string, ReturnType<typeof rootType>, unknown, FieldSet | undefined][] = [
    [
      "a ConfigMap",
      configMap,
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { b: "2", a: "1" } },
      undefined,
    ],
    [
      "a Deployment as kubectl create makes it, status reset",
      deployment,
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "d", namespace: "default", labels: { app: "d" }, annotations: { x: null } },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: "d" } },
          strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
          template: {
            metadata: { creationTimestamp: null, labels: { app: "d" } },
            spec: {
              containers: [
                {
                  name: "nginx",
                  image: "nginx",
                  ports: [{ containerPort: 80 }, { containerPort: 53, protocol: "UDP" }],
                  env: [{ name: "A", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }],
                  resources: {},
                  readinessProbe: { httpGet: { path: "/", port: 80 }, periodSeconds: 10 },
                },
              ],
              securityContext: {},
              tolerations: [{ key: "k", operator: "Exists" }],
              volumes: [{ name: "v", configMap: { name: "cm", items: [{ key: "a", path: "a" }] } }],
            },
          },
        },
        status: { replicas: 0 },
      },
      status,
    ],
    [
      "a Service: ports by port+protocol, a set of strings, an empty map",
      service,
      {
        metadata: { name: "s", labels: {} },
        spec: {
          ports: [{ port: 80, targetPort: 8080 }],
          clusterIPs: ["10.0.0.1", "10.0.0.1"],
          selector: { a: "b" },
        },
      },
      status,
    ],
    [
      "a pod through /status: spec and ownerReferences reset, conditions by type",
      pod,
      {
        metadata: { name: "p", ownerReferences: [{ uid: "u", name: "rs" }] },
        spec: { containers: [{ name: "c" }] },
        status: { conditions: [{ type: "Ready", status: "True", lastProbeTime: null }], phase: "Running" },
      },
      podSpecOnly,
    ],
    [
      "nothing but stripped fields",
      configMap,
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } },
      undefined,
    ],
  ];
  for (const [name, type, obj, skip] of objects) {
    it(`${name}: as compare({}, obj).added, skipped and stripped`, () => {
      const added = compare({}, dropNulls(obj), type, skip).added;
      const want = (skip ? added.recursiveDifference(skip) : added).difference(strip);
      const got = addedFieldsV1(obj, type, skip, strip);
      if (want.empty()) assert.equal(got, undefined);
      else assert.equal(JSON.stringify(got), JSON.stringify(want.toFieldsV1()));
    });
  }
});
