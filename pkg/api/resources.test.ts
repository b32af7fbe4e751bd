import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  findByGVK,
  findByShortName,
  findResource,
  findSubresource,
  preferredVersion,
  qualifiedKind,
  qualifiedResource,
  resolveResource,
  resources,
  resourcesInCategory,
} from "./resources.js";
import type { KubeObject } from "./types.js";

describe("catalogue", () => {
  it("lists every resource of issue 4 once per group/version", () => {
    const keys = resources.map((r) => `${r.group}/${r.version}/${r.resource}`);
    assert.equal(new Set(keys).size, keys.length);
    const want = [
      "/v1/namespaces",
      "/v1/pods",
      "/v1/services",
      "/v1/endpoints",
      "/v1/nodes",
      "/v1/events",
      "/v1/configmaps",
      "/v1/secrets",
      "/v1/serviceaccounts",
      "/v1/persistentvolumes",
      "/v1/persistentvolumeclaims",
      "/v1/resourcequotas",
      "/v1/limitranges",
      "/v1/replicationcontrollers",
      "/v1/componentstatuses",
      "/v1/podtemplates",
      "/v1/bindings",
      "apps/v1/deployments",
      "apps/v1/replicasets",
      "apps/v1/statefulsets",
      "apps/v1/daemonsets",
      "apps/v1/controllerrevisions",
      "batch/v1/jobs",
      "batch/v1/cronjobs",
      "autoscaling/v1/horizontalpodautoscalers",
      "autoscaling/v2/horizontalpodautoscalers",
      "policy/v1/poddisruptionbudgets",
      "networking.k8s.io/v1/ingresses",
      "networking.k8s.io/v1/ingressclasses",
      "networking.k8s.io/v1/networkpolicies",
      "discovery.k8s.io/v1/endpointslices",
      "coordination.k8s.io/v1/leases",
      "rbac.authorization.k8s.io/v1/roles",
      "rbac.authorization.k8s.io/v1/rolebindings",
      "rbac.authorization.k8s.io/v1/clusterroles",
      "rbac.authorization.k8s.io/v1/clusterrolebindings",
      "storage.k8s.io/v1/storageclasses",
      "events.k8s.io/v1/events",
      "scheduling.k8s.io/v1/priorityclasses",
      "extensions/v1beta1/deployments",
      "extensions/v1beta1/replicasets",
      "extensions/v1beta1/daemonsets",
      "apps/v1beta1/deployments",
      "apps/v1beta2/statefulsets",
      "networking.k8s.io/v1beta1/ingresses",
    ];
    for (const k of want) assert.ok(keys.includes(k), k);
  });
  it("`all` is exactly upstream's ten", () => {
    assert.deepEqual(
      resourcesInCategory("all")
        .map((r) => r.resource)
        .sort(),
      [
        "cronjobs",
        "daemonsets",
        "deployments",
        "horizontalpodautoscalers",
        "jobs",
        "pods",
        "replicasets",
        "replicationcontrollers",
        "services",
        "statefulsets",
      ],
    );
  });
  it("prefers v1 and autoscaling/v2", () => {
    assert.equal(preferredVersion("apps"), "v1");
    assert.equal(preferredVersion("autoscaling"), "v2");
    assert.equal(preferredVersion("extensions"), "v1beta1");
  });
  it("short names and resolution", () => {
    const cases: [string, string][] = [
      ["po", "/pods"],
      ["svc", "/services"],
      ["deploy", "apps/deployments"],
      ["rs", "apps/replicasets"],
      ["ds", "apps/daemonsets"],
      ["sts", "apps/statefulsets"],
      ["ns", "/namespaces"],
      ["no", "/nodes"],
      ["cm", "/configmaps"],
      ["ep", "/endpoints"],
      ["hpa", "autoscaling/horizontalpodautoscalers"],
      ["cs", "/componentstatuses"],
      ["sa", "/serviceaccounts"],
      ["rc", "/replicationcontrollers"],
      ["ev", "/events"],
      ["pdb", "policy/poddisruptionbudgets"],
      ["cj", "batch/cronjobs"],
      ["ing", "networking.k8s.io/ingresses"],
      ["pvc", "/persistentvolumeclaims"],
      ["pv", "/persistentvolumes"],
      ["sc", "storage.k8s.io/storageclasses"],
      ["netpol", "networking.k8s.io/networkpolicies"],
      ["quota", "/resourcequotas"],
      ["limits", "/limitranges"],
    ];
    for (const [short, want] of cases) {
      const r = findByShortName(short);
      assert.equal(r && `${r.group}/${r.resource}`, want, short);
    }
    assert.equal(resolveResource("deployments.apps")?.version, "v1");
    assert.equal(resolveResource("Deployment")?.resource, "deployments");
    assert.equal(resolveResource("pod")?.resource, "pods");
    assert.equal(resolveResource("events.events.k8s.io")?.group, "events.k8s.io");
  });
  it("subresources as discovery lists them", () => {
    const pods = findResource("", "v1", "pods");
    assert.ok(pods);
    assert.deepEqual(
      pods.subresources?.map((s) => s.name),
      [
        "attach",
        "binding",
        "ephemeralcontainers",
        "eviction",
        "exec",
        "log",
        "portforward",
        "proxy",
        "status",
      ],
    );
    assert.deepEqual(findSubresource(pods, "eviction")?.kind, {
      group: "policy",
      version: "v1",
      kind: "Eviction",
    });
    const deploy = findByGVK("apps", "v1", "Deployment");
    assert.ok(deploy);
    assert.deepEqual(findSubresource(deploy, "scale")?.kind, {
      group: "autoscaling",
      version: "v1",
      kind: "Scale",
    });
    assert.deepEqual(findSubresource(deploy, "scale")?.verbs, ["get", "patch", "update"]);
    assert.equal(deploy.hasStatus, true);
    assert.deepEqual(findResource("", "v1", "namespaces")?.verbs, [
      "create",
      "delete",
      "get",
      "list",
      "patch",
      "update",
      "watch",
    ]);
    assert.deepEqual(findResource("", "v1", "bindings")?.verbs, ["create"]);
    assert.equal(findResource("", "v1", "serviceaccounts")?.subresources?.[0].kind.kind, "TokenRequest");
  });
  it("old betas are stored as v1 and warn", () => {
    const ext = findResource("extensions", "v1beta1", "deployments");
    assert.deepEqual(ext?.storage, { group: "apps", version: "v1" });
    assert.equal(ext?.shortNames, undefined);
    assert.equal(ext?.categories, undefined);
    assert.equal(
      ext?.deprecationWarning,
      "extensions/v1beta1 Deployment is deprecated in v1.8+, unavailable in v1.16+; use apps/v1 Deployment",
    );
    assert.deepEqual(findResource("autoscaling", "v1", "horizontalpodautoscalers")?.storage, {
      group: "autoscaling",
      version: "v2",
    });
  });
  it("qualified names for messages", () => {
    const deploy = findByGVK("apps", "v1", "Deployment");
    assert.ok(deploy);
    assert.equal(qualifiedResource(deploy), "deployments.apps");
    assert.equal(qualifiedKind(deploy), "Deployment.apps");
    const pod = findByGVK("", "v1", "Pod");
    assert.ok(pod);
    assert.equal(qualifiedResource(pod), "pods");
  });
});

describe("definitions never throw", () => {
  it("defaults and validate survive malformed objects", () => {
    const garbage: unknown[] = [
      null,
      0,
      "x",
      [],
      {},
      { a: [1, null, "x"] },
      { containers: [null, 1, { name: 3 }] },
    ];
    for (const def of resources) {
      for (const spec of garbage) {
        for (const metadata of [
          undefined,
          null,
          "x",
          { name: 5, labels: "x", annotations: [1] },
          { name: "ok" },
        ]) {
          const obj = {
            apiVersion: def.group ? `${def.group}/${def.version}` : def.version,
            kind: def.kind,
            metadata,
            spec,
            template: spec,
            data: spec,
          } as KubeObject;
          assert.doesNotThrow(() => {
            def.defaults?.(obj);
            def.validate?.(obj);
            def.validate?.(obj, obj);
          }, `${def.group}/${def.version}/${def.resource}`);
        }
      }
    }
  });
});

describe("old Ingress versions", () => {
  const beta = {
    apiVersion: "networking.k8s.io/v1beta1",
    kind: "Ingress",
    metadata: { name: "test-ingress", namespace: "default" },
    spec: {
      backend: { serviceName: "default-http", servicePort: "http" },
      rules: [
        { http: { paths: [{ path: "/testpath", backend: { serviceName: "test", servicePort: 80 } }] } },
      ],
    },
  };
  it("default, validate and convert to v1 and back", () => {
    const def = findResource("networking.k8s.io", "v1beta1", "ingresses");
    assert.ok(def?.toStorage && def.fromStorage && def.defaults && def.validate);
    const obj = JSON.parse(JSON.stringify(beta)) as KubeObject;
    def.defaults(obj);
    assert.deepEqual(def.validate(obj), []);
    const v1 = def.toStorage(obj);
    assert.deepEqual(v1.spec, {
      defaultBackend: { service: { name: "default-http", port: { name: "http" } } },
      rules: [
        {
          http: {
            paths: [
              {
                path: "/testpath",
                pathType: "ImplementationSpecific",
                backend: { service: { name: "test", port: { number: 80 } } },
              },
            ],
          },
        },
      ],
    });
    assert.equal(v1.apiVersion, "networking.k8s.io/v1");
    const back = def.fromStorage(v1);
    assert.deepEqual(back.spec, obj.spec);
    assert.equal(back.apiVersion, "networking.k8s.io/v1beta1");
  });
});
