import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyDefaults } from "../defaults/index.js";
import type { KubeObject } from "../types.js";
import { fieldErrorString, invalidMessage } from "./field.js";
import { validateObject } from "./index.js";
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from "./strings.js";

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

/** Default then validate, as the apiserver does; return `field: message` strings. */
function errors(obj: KubeObject, old?: KubeObject): string[] {
  const o = JSON.parse(JSON.stringify(obj)) as KubeObject;
  applyDefaults(o);
  return validateObject(o, old).map(fieldErrorString);
}

const nginx = { name: "nginx", image: "nginx:1.7.9", ports: [{ containerPort: 80 }] };
const pod = (spec: Record<string, unknown>, name = "p"): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "default" },
  spec,
});
const deployment = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "d", namespace: "default" },
  spec,
});

describe("string formats", () => {
  it("messages match Kubernetes", () => {
    assert.deepEqual(isDNS1123Subdomain("My_Pod"), [SUBDOMAIN_MSG]);
    assert.deepEqual(isDNS1123Label("a.b"), ["must not contain dots"]);
    assert.deepEqual(isDNS1123Label("-a"), [LABEL_MSG]);
    assert.deepEqual(isDNS1123Label("a".repeat(64)), ["must be no more than 63 characters"]);
    assert.deepEqual(isQualifiedName("a/b/c"), [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ]);
    assert.deepEqual(isQualifiedName("/a"), ["prefix part must be non-empty"]);
    assert.deepEqual(isValidLabelValue("a".repeat(64)), ["must be no more than 63 characters"]);
  });
});

describe("valid tutorial objects pass", () => {
  const objs: KubeObject[] = [
    pod({ containers: [nginx] }),
    deployment({
      replicas: 3,
      selector: { matchLabels: { app: "nginx" } },
      template: { metadata: { labels: { app: "nginx" } }, spec: { containers: [nginx] } },
    }),
    {
      apiVersion: "extensions/v1beta1",
      kind: "ReplicaSet",
      metadata: { name: "kuard", namespace: "default" },
      spec: {
        replicas: 1,
        template: {
          metadata: { labels: { app: "kuard", version: "2" } },
          spec: { containers: [{ name: "kuard", image: "gcr.io/kuar-demo/kuard-amd64:2" }] },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "nginx", namespace: "default" },
      spec: { selector: { app: "nginx" }, ports: [{ port: 80, targetPort: 80 }] },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "nginx", namespace: "default" },
      spec: { clusterIP: "None", selector: { app: "nginx" }, ports: [{ port: 80, name: "web" }] },
    },
    {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "web", namespace: "default" },
      spec: {
        serviceName: "nginx",
        replicas: 2,
        selector: { matchLabels: { app: "nginx" } },
        template: {
          metadata: { labels: { app: "nginx" } },
          spec: {
            containers: [{ ...nginx, volumeMounts: [{ name: "www", mountPath: "/usr/share/nginx/html" }] }],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: "www" },
            spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
          },
        ],
      },
    },
    {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "pi", namespace: "default", uid: "u1" },
      spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "pi", image: "perl" }] } } },
    },
    {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "hello", namespace: "default" },
      spec: {
        schedule: "*/1 * * * *",
        jobTemplate: {
          spec: {
            template: {
              spec: { restartPolicy: "OnFailure", containers: [{ name: "hello", image: "busybox:1.28" }] },
            },
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cfg", namespace: "default" },
      data: { "game.properties": "x", "ui.properties": "y" },
    },
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "dev" } },
    {
      apiVersion: "networking.k8s.io/v1beta1",
      kind: "Ingress",
      metadata: { name: "test-ingress", namespace: "default" },
      spec: {
        rules: [
          { http: { paths: [{ path: "/testpath", backend: { serviceName: "test", servicePort: 80 } }] } },
        ],
      },
    },
  ];
  for (const o of objs) {
    it(`${o.apiVersion} ${o.kind}`, () => {
      if (o.apiVersion === "networking.k8s.io/v1beta1") return; // validated through its resource definition
      assert.deepEqual(errors(o), []);
    });
  }
});

describe("object meta", () => {
  const cases: [KubeObject, string[]][] = [
    [pod({ containers: [nginx] }, "My_Pod"), [`metadata.name: Invalid value: "My_Pod": ${SUBDOMAIN_MSG}`]],
    [
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "1svc", namespace: "default" },
        spec: { ports: [{ port: 80 }] },
      },
      [`metadata.name: Invalid value: "1svc": ${DNS1035_MSG}`],
    ],
    [
      { apiVersion: "v1", kind: "ConfigMap", metadata: { namespace: "default" } },
      ["metadata.name: Required value: name or generateName is required"],
    ],
    [
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "c", namespace: "default", labels: { app: "-x" } },
      },
      [
        `metadata.labels: Invalid value: "-x": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
      ],
    ],
    [
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "c", namespace: "default", annotations: { big: "x".repeat(262142) } },
      },
      ["metadata.annotations: Too long: may not be more than 262144 bytes"],
    ],
    [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "Dev" } },
      [`metadata.name: Invalid value: "Dev": ${LABEL_MSG}`],
    ],
    [
      { apiVersion: "v1", kind: "Node", metadata: { name: "n", namespace: "default" } },
      ["metadata.namespace: Forbidden: not allowed on this type"],
    ],
  ];
  for (const [o, want] of cases)
    it(`${o.kind} ${JSON.stringify(o.metadata).slice(0, 60)}`, () => assert.deepEqual(errors(o), want));
});

describe("pods", () => {
  const cases: [string, KubeObject, string[]][] = [
    ["no containers", pod({ containers: [] }), ["spec.containers: Required value"]],
    ["no image", pod({ containers: [{ name: "c" }] }), ["spec.containers[0].image: Required value"]],
    [
      "duplicate names",
      pod({ containers: [nginx, { ...nginx, ports: [] }] }),
      ['spec.containers[1].name: Duplicate value: "nginx"'],
    ],
    [
      "bad port",
      pod({ containers: [{ ...nginx, ports: [{ containerPort: 70000 }] }] }),
      [
        "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
      ],
    ],
    [
      "bad protocol",
      pod({ containers: [{ ...nginx, ports: [{ containerPort: 80, protocol: "HTTP" }] }] }),
      [
        'spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      ],
    ],
    [
      "restart policy",
      pod({ restartPolicy: "Sometimes", containers: [nginx] }),
      [
        'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      ],
    ],
    [
      "requests above limits",
      pod({ containers: [{ ...nginx, resources: { limits: { cpu: "1" }, requests: { cpu: "2" } } }] }),
      [
        'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
      ],
    ],
    [
      "bad quantity",
      pod({ containers: [{ ...nginx, resources: { limits: { memory: "1Gb" } } }] }),
      [
        "spec.containers[0].resources.limits[memory]: Invalid value: \"1Gb\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        "spec.containers[0].resources.requests[memory]: Invalid value: \"1Gb\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
      ],
    ],
    [
      "unknown resource",
      pod({ containers: [{ ...nginx, resources: { limits: { gpu: "1" } } }] }),
      [
        'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource for containers',
        'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers',
      ],
    ],
    [
      "mount of a missing volume",
      pod({ containers: [{ ...nginx, volumeMounts: [{ name: "data", mountPath: "/data" }] }] }),
      ['spec.containers[0].volumeMounts[0].name: Not found: "data"'],
    ],
    [
      "bad volume name",
      pod({ containers: [nginx], volumes: [{ name: "Data", emptyDir: {} }] }),
      [`spec.volumes[0].name: Invalid value: "Data": ${LABEL_MSG}`],
    ],
    [
      "probe without handler",
      pod({ containers: [{ ...nginx, livenessProbe: { periodSeconds: 5 } }] }),
      ["spec.containers[0].livenessProbe: Required value: must specify a handler type"],
    ],
    [
      "liveness successThreshold",
      pod({ containers: [{ ...nginx, livenessProbe: { tcpSocket: { port: 80 }, successThreshold: 2 } }] }),
      ["spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"],
    ],
    [
      "invalid node affinity operator",
      pod({
        containers: [nginx],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: "disktype", operator: "Equals", values: ["ssd"] }] },
              ],
            },
          },
        },
      }),
      [
        'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator: Invalid value: "Equals": not a valid selector operator',
      ],
    ],
    [
      "In without values",
      pod({
        containers: [nginx],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: "disktype", operator: "In" }] }],
            },
          },
        },
      }),
      [
        "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      ],
    ],
    [
      "no terms",
      pod({
        containers: [nginx],
        affinity: {
          nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } },
        },
      }),
      [
        "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required value: must have at least one node selector term",
      ],
    ],
    [
      "toleration effect",
      pod({ containers: [nginx], tolerations: [{ key: "k", operator: "Exists", effect: "Never" }] }),
      [
        'spec.tolerations[0].effect: Unsupported value: "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
      ],
    ],
  ];
  for (const [name, o, want] of cases) it(name, () => assert.deepEqual(errors(o), want));

  it("spec updates are forbidden except images", () => {
    const old = pod({ containers: [nginx] });
    applyDefaults(old);
    const changedImage = JSON.parse(JSON.stringify(old)) as KubeObject;
    ((changedImage.spec as Record<string, unknown>).containers as Record<string, unknown>[])[0].image =
      "nginx:1.9.1";
    assert.deepEqual(errors(changedImage, old), []);
    const changedPort = JSON.parse(JSON.stringify(old)) as KubeObject;
    (
      ((changedPort.spec as Record<string, unknown>).containers as Record<string, unknown>[])[0]
        .ports as Record<string, unknown>[]
    )[0].containerPort = 81;
    const errs = errors(changedPort, old);
    assert.equal(errs.length, 1);
    assert.match(
      errs[0],
      /^spec: Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`/,
    );
  });
});

describe("workloads", () => {
  const template = { metadata: { labels: { app: "nginx" } }, spec: { containers: [nginx] } };
  const cases: [string, KubeObject, string[]][] = [
    [
      "selector does not match",
      deployment({ selector: { matchLabels: { app: "web" } }, template }),
      [
        'spec.template.metadata.labels: Invalid value: {"app":"nginx"}: `selector` does not match template `labels`',
      ],
    ],
    [
      "missing selector",
      deployment({ template }),
      [
        "spec.selector: Required value",
        'spec.template.metadata.labels: Invalid value: {"app":"nginx"}: `selector` does not match template `labels`',
      ],
    ],
    [
      "empty selector",
      deployment({ selector: {}, template }),
      ["spec.selector: Invalid value: {}: empty selector is invalid for deployment"],
    ],
    [
      "negative replicas",
      deployment({ replicas: -1, selector: { matchLabels: { app: "nginx" } }, template }),
      ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"],
    ],
    [
      "both 0",
      deployment({
        selector: { matchLabels: { app: "nginx" } },
        template,
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } },
      }),
      ["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"],
    ],
    [
      "bad strategy",
      deployment({ selector: { matchLabels: { app: "nginx" } }, template, strategy: { type: "Canary" } }),
      ['spec.strategy: Unsupported value: {"type":"Canary"}: supported values: "Recreate", "RollingUpdate"'],
    ],
    [
      "template restartPolicy",
      deployment({
        selector: { matchLabels: { app: "nginx" } },
        template: { ...template, spec: { ...template.spec, restartPolicy: "Never" } },
      }),
      ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
    ],
    [
      "job restartPolicy",
      {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: { name: "j", namespace: "default", uid: "u" },
        spec: { template: { spec: { containers: [nginx] } } },
      },
      [
        'spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
      ],
    ],
    [
      "cron schedule",
      {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name: "c", namespace: "default" },
        spec: {
          schedule: "every minute",
          jobTemplate: { spec: { template: { spec: { restartPolicy: "Never", containers: [nginx] } } } },
        },
      },
      ['spec.schedule: Invalid value: "every minute": expected exactly 5 fields, found 2: [every minute]'],
    ],
  ];
  for (const [name, o, want] of cases) it(name, () => assert.deepEqual(errors(o), want));

  it("selector is immutable", () => {
    const old = deployment({ selector: { matchLabels: { app: "nginx" } }, template });
    applyDefaults(old);
    const next = JSON.parse(JSON.stringify(old)) as KubeObject;
    (next.spec as Record<string, unknown>).selector = { matchLabels: { app: "nginx", tier: "web" } };
    (next.spec as Record<string, Record<string, Record<string, unknown>>>).template.metadata.labels = {
      app: "nginx",
      tier: "web",
    };
    assert.deepEqual(errors(next, old), [
      'spec.selector: Invalid value: {"matchLabels":{"app":"nginx","tier":"web"}}: field is immutable',
    ]);
  });
});

describe("services, configmaps, secrets", () => {
  const svc = (spec: Record<string, unknown>): KubeObject => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "s", namespace: "default" },
    spec,
  });
  const cases: [string, KubeObject, string[]][] = [
    ["no ports", svc({ selector: { app: "x" } }), ["spec.ports: Required value"]],
    [
      "bad type",
      svc({ type: "Public", ports: [{ port: 80 }] }),
      [
        'spec.type: Unsupported value: "Public": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
      ],
    ],
    [
      "port range",
      svc({ ports: [{ port: 0, targetPort: 80 }] }),
      ["spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"],
    ],
    [
      "unnamed ports",
      svc({ ports: [{ port: 80 }, { port: 443 }] }),
      ["spec.ports[0].name: Required value", "spec.ports[1].name: Required value"],
    ],
    [
      "nodePort on ClusterIP",
      svc({ ports: [{ port: 80, nodePort: 30080 }] }),
      ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
    ],
    [
      "ExternalName must be a DNS name",
      svc({ type: "ExternalName", externalName: "not a name" }),
      [`spec.externalName: Invalid value: "not a name": ${SUBDOMAIN_MSG}`],
    ],
    [
      "configmap key",
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "c", namespace: "default" },
        data: { "a b": "x" },
      },
      [
        "data[a b]: Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
      ],
    ],
    [
      "tls secret",
      {
        apiVersion: "v1",
        kind: "Secret",
        type: "kubernetes.io/tls",
        metadata: { name: "s", namespace: "default" },
        data: { "tls.crt": "eA==" },
      },
      ["data[tls.key]: Required value"],
    ],
  ];
  for (const [name, o, want] of cases) it(name, () => assert.deepEqual(errors(o), want));

  it("Invalid status message", () => {
    const o = svc({ ports: [] });
    applyDefaults(o);
    const errs = validateObject(o);
    assert.equal(invalidMessage("Service", "s", errs), 'Service "s" is invalid: spec.ports: Required value');
  });
});
