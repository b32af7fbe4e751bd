import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  decodeMessage,
  decodeProtobufObject,
  encodeEnvelope,
  encodeMessage,
  isProtobufBody,
  ProtobufDecodeError,
  protoTypeName,
} from "./index.js";

const b64 = (s: string) => new Uint8Array(Buffer.from(s, "base64"));

// Bodies captured from the real kubectl 1.32 (`kubectl create ... --dry-run=server` against a
// stub server on 127.0.0.1), with the objects they decode to.
const captured: [string, string, unknown][] = [
  [
    "create deployment web --image=nginx:1.7.9 --replicas=0 --port=80",
    "azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50EsUBCiYKA3dlYhIAGgdkZWZhdWx0IgAqADIAOABCAFoKCgNhcHASA3dlYhKMAQgAEgwKCgoDYXBwEgN3ZWIacgocCgASABoAIgAqADIAOABCAFoKCgNhcHASA3dlYhJSEjQKBW5naW54EgtuZ2lueDoxLjcuOSoAMgoKABAAGFAiACoAQgBqAHIAgAEAiAEAkAEAogEAGgAyAEIASgBSAFgAYABoAIIBAIoBAJoBAMIBACICCgAoADgAGgwIABAAGAAgACgAOAAaACIA",
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "default", labels: { app: "web" } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: {
            containers: [
              { name: "nginx", image: "nginx:1.7.9", ports: [{ containerPort: 80 }], resources: {} },
            ],
          },
        },
        strategy: {},
      },
      status: {},
    },
  ],
  [
    "create configmap game --from-literal=a=1 --from-literal=b=2",
    "azhzAAoPCgJ2MRIJQ29uZmlnTWFwEi0KGwoEZ2FtZRIAGgdkZWZhdWx0IgAqADIAOABCABIGCgFhEgExEgYKAWISATIaACIA",
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "game", namespace: "default" },
      data: { a: "1", b: "2" },
    },
  ],
  [
    "create secret generic s1 --from-literal=user=admin",
    "azhzAAoMCgJ2MRIGU2VjcmV0EiwKGQoCczESABoHZGVmYXVsdCIAKgAyADgAQgASDQoEdXNlchIFYWRtaW4aABoAIgA=",
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s1", namespace: "default" },
      data: { user: "YWRtaW4=" },
    },
  ],
  [
    "create namespace ns1",
    "azhzAAoPCgJ2MRIJTmFtZXNwYWNlEhsKEwoDbnMxEgAaACIAKgAyADgAQgASABoCCgAaACIA",
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "ns1" }, spec: {}, status: {} },
  ],
  [
    "create service nodeport web --tcp=80:8080 --node-port=30080",
    "azhzAAoNCgJ2MRIHU2VydmljZRJxCiYKA3dlYhIAGgdkZWZhdWx0IgAqADIAOABCAFoKCgNhcHASA3dlYhJDCh0KBzgwLTgwODASA1RDUBhQIgcIABCQPxoAKIDrARIKCgNhcHASA3dlYhoAIghOb2RlUG9ydDoAQgBSAFoAYABoABoCCgAaACIA",
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace: "default", labels: { app: "web" } },
      spec: {
        ports: [{ name: "80-8080", protocol: "TCP", port: 80, targetPort: 8080, nodePort: 30080 }],
        selector: { app: "web" },
        type: "NodePort",
      },
      status: { loadBalancer: {} },
    },
  ],
  [
    "create cronjob hello --image=busybox:1.28 --schedule='*/1 * * * *' -- echo hi",
    "azhzAAoTCghiYXRjaC92MRIHQ3JvbkpvYhK+AQocCgVoZWxsbxIAGgdkZWZhdWx0IgAqADIAOABCABKbAQoLKi8xICogKiAqICoaACqJAQoVCgVoZWxsbxIAGgAiACoAMgA4AEIAEnAybgoQCgASABoAIgAqADIAOABCABJaEjMKBWhlbGxvEgxidXN5Ym94OjEuMjgaBGVjaG8aAmhpKgBCAGoAcgCAAQCIAQCQAQCiAQAaCU9uRmFpbHVyZTIAQgBKAFIAWABgAGgAggEAigEAmgEAwgEAGgAaACIA",
    {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "hello", namespace: "default" },
      spec: {
        schedule: "*/1 * * * *",
        jobTemplate: {
          metadata: { name: "hello" },
          spec: {
            template: {
              metadata: {},
              spec: {
                containers: [
                  { name: "hello", image: "busybox:1.28", command: ["echo", "hi"], resources: {} },
                ],
                restartPolicy: "OnFailure",
              },
            },
          },
        },
      },
      status: {},
    },
  ],
  [
    "create serviceaccount sa1",
    "azhzAAoUCgJ2MRIOU2VydmljZUFjY291bnQSHAoaCgNzYTESABoHZGVmYXVsdCIAKgAyADgAQgAaACIA",
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "sa1", namespace: "default" } },
  ],
  [
    "create priorityclass high --value=0 --description=x (value has no omitempty: 0 stays)",
    "azhzAAolChRzY2hlZHVsaW5nLms4cy5pby92MRINUHJpb3JpdHlDbGFzcxIzChQKBGhpZ2gSABoAIgAqADIAOABCABAAGAAiAXgqFFByZWVtcHRMb3dlclByaW9yaXR5GgAiAA==",
    {
      apiVersion: "scheduling.k8s.io/v1",
      kind: "PriorityClass",
      metadata: { name: "high" },
      value: 0,
      description: "x",
      preemptionPolicy: "PreemptLowerPriority",
    },
  ],
  [
    "create rolebinding rb1 --role=r1 --user=jane --serviceaccount=default:sa1",
    "azhzAAorChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEgtSb2xlQmluZGluZxKQAQoaCgNyYjESABoHZGVmYXVsdCIAKgAyADgAQgASKQoEVXNlchIZcmJhYy5hdXRob3JpemF0aW9uLms4cy5pbxoEamFuZSIAEiAKDlNlcnZpY2VBY2NvdW50EgAaA3NhMSIHZGVmYXVsdBolChlyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvEgRSb2xlGgJyMRoAIgA=",
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "rb1", namespace: "default" },
      subjects: [
        { kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "jane" },
        { kind: "ServiceAccount", name: "sa1", namespace: "default" },
      ],
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "r1" },
    },
  ],
  [
    "create pdb p1 --selector=app=web --min-available=0",
    "azhzAAogCglwb2xpY3kvdjESE1BvZERpc3J1cHRpb25CdWRnZXQSPwoZCgJwMRIAGgdkZWZhdWx0IgAqADIAOABCABIWCgYIABAAGgASDAoKCgNhcHASA3dlYhoKCAAYACAAKAAwABoAIgA=",
    {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "p1", namespace: "default" },
      spec: { minAvailable: 0, selector: { matchLabels: { app: "web" } } },
      status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
    },
  ],
  [
    "create ingress ing1 --rule='a.example/=web:80,tls=sec' --class=nginx",
    "azhzAAofChRuZXR3b3JraW5nLms4cy5pby92MRIHSW5ncmVzcxJoChsKBGluZzESABoHZGVmYXVsdCIAKgAyADgAQgASRRIQCglhLmV4YW1wbGUSA3NlYxoqCglhLmV4YW1wbGUSHQobChkKAS8SDSILCgN3ZWISBAoAEFAaBUV4YWN0IgVuZ2lueBoCCgAaACIA",
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: "ing1", namespace: "default" },
      spec: {
        ingressClassName: "nginx",
        tls: [{ hosts: ["a.example"], secretName: "sec" }],
        rules: [
          {
            host: "a.example",
            http: {
              paths: [
                { path: "/", pathType: "Exact", backend: { service: { name: "web", port: { number: 80 } } } },
              ],
            },
          },
        ],
      },
      status: { loadBalancer: {} },
    },
  ],
  [
    "create token sa1 --duration=10m",
    "azhzAAooChhhdXRoZW50aWNhdGlvbi5rOHMuaW8vdjESDFRva2VuUmVxdWVzdBIdChAKABIAGgAiACoAMgA4AEIAEgMg2AQaBAoAEgAaACIA",
    {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      metadata: {},
      spec: { expirationSeconds: 600 },
      status: { token: "" },
    },
  ],
];

describe("bodies sent by the real kubectl 1.32", () => {
  for (const [what, body, want] of captured) {
    it(what, () => {
      const buf = b64(body);
      assert.equal(isProtobufBody(buf), true);
      assert.deepEqual(decodeProtobufObject(buf), want);
    });
  }
});

describe("bodies encoded with the same definitions", () => {
  it("a Pod: volumes inline, probes with IntOrString, quantities, times, pointer zeros", () => {
    const pod = {
      metadata: {
        name: "web-1",
        namespace: "default",
        creationTimestamp: { seconds: 1714564800, nanos: 0 },
        ownerReferences: [
          { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-abc", uid: "u1", controller: true },
        ],
      },
      spec: {
        volumes: [
          { name: "data", volumeSource: { emptyDir: { medium: "", sizeLimit: { string: "1Gi" } } } },
          {
            name: "cfg",
            volumeSource: { configMap: { localObjectReference: { name: "game" }, defaultMode: 420 } },
          },
        ],
        containers: [
          {
            name: "nginx",
            image: "nginx:1.7.9",
            ports: [{ name: "", containerPort: 80, protocol: "TCP", hostPort: 0 }],
            env: [{ name: "A", value: "" }],
            resources: { limits: { cpu: { string: "500m" } }, requests: { memory: { string: "128Mi" } } },
            livenessProbe: {
              handler: { httpGet: { path: "/healthz", port: { type: 1, strVal: "http" } } },
              initialDelaySeconds: 0,
              periodSeconds: 10,
            },
            readinessProbe: { handler: { tcpSocket: { port: { type: 0, intVal: 8080 } } } },
            stdin: false,
            terminationMessagePath: "/dev/termination-log",
          },
        ],
        terminationGracePeriodSeconds: 0,
        automountServiceAccountToken: false,
        restartPolicy: "Always",
        hostNetwork: false,
        dnsPolicy: "",
      },
      status: { phase: "Pending", startTime: { seconds: 1714564801, nanos: 0 } },
    };
    const body = encodeEnvelope("v1", "Pod", encodeMessage("k8s.io.api.core.v1.Pod", pod));
    assert.deepEqual(decodeProtobufObject(body), {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: "web-1",
        namespace: "default",
        creationTimestamp: "2024-05-01T12:00:00Z",
        ownerReferences: [
          { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-abc", uid: "u1", controller: true },
        ],
      },
      spec: {
        volumes: [
          { name: "data", emptyDir: { sizeLimit: "1Gi" } },
          { name: "cfg", configMap: { name: "game", defaultMode: 420 } },
        ],
        containers: [
          {
            name: "nginx",
            image: "nginx:1.7.9",
            ports: [{ containerPort: 80, protocol: "TCP" }],
            env: [{ name: "A" }],
            resources: { limits: { cpu: "500m" }, requests: { memory: "128Mi" } },
            livenessProbe: { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 10 },
            readinessProbe: { tcpSocket: { port: 8080 } },
            terminationMessagePath: "/dev/termination-log",
          },
        ],
        restartPolicy: "Always",
        terminationGracePeriodSeconds: 0,
        automountServiceAccountToken: false,
      },
      status: { phase: "Pending", startTime: "2024-05-01T12:00:01Z" },
    });
  });

  it("HorizontalPodAutoscaler v1 and v2, Job pointer fields, Role rules", () => {
    const v1 = encodeMessage("k8s.io.api.autoscaling.v1.HorizontalPodAutoscaler", {
      metadata: { name: "web" },
      spec: {
        scaleTargetRef: { kind: "Deployment", name: "web", apiVersion: "apps/v1" },
        minReplicas: 1,
        maxReplicas: 5,
        targetCPUUtilizationPercentage: 80,
      },
      status: { currentReplicas: 0, desiredReplicas: 0 },
    });
    assert.deepEqual(decodeProtobufObject(encodeEnvelope("autoscaling/v1", "HorizontalPodAutoscaler", v1)), {
      apiVersion: "autoscaling/v1",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: "web" },
      spec: {
        scaleTargetRef: { kind: "Deployment", name: "web", apiVersion: "apps/v1" },
        minReplicas: 1,
        maxReplicas: 5,
        targetCPUUtilizationPercentage: 80,
      },
      status: { currentReplicas: 0, desiredReplicas: 0 },
    });
    const v2 = encodeMessage("k8s.io.api.autoscaling.v2.HorizontalPodAutoscaler", {
      metadata: { name: "web" },
      spec: {
        scaleTargetRef: { kind: "Deployment", name: "web" },
        maxReplicas: 3,
        metrics: [
          {
            type: "Resource",
            resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } },
          },
        ],
      },
    });
    assert.deepEqual(decodeProtobufObject(encodeEnvelope("autoscaling/v2", "HorizontalPodAutoscaler", v2)), {
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: "web" },
      spec: {
        scaleTargetRef: { kind: "Deployment", name: "web" },
        maxReplicas: 3,
        metrics: [
          {
            type: "Resource",
            resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } },
          },
        ],
      },
    });
    const job = encodeMessage("k8s.io.api.batch.v1.Job", {
      metadata: { name: "pi" },
      spec: {
        parallelism: 0,
        backoffLimit: 0,
        suspend: false,
        template: { spec: { containers: [{ name: "pi" }] } },
      },
    });
    assert.deepEqual(
      (decodeProtobufObject(encodeEnvelope("batch/v1", "Job", job)) as { spec: unknown }).spec,
      {
        parallelism: 0,
        backoffLimit: 0,
        suspend: false,
        template: { spec: { containers: [{ name: "pi" }] } },
      },
    );
    const role = encodeMessage("k8s.io.api.rbac.v1.ClusterRole", {
      metadata: { name: "reader" },
      rules: [{ verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] }],
    });
    assert.deepEqual(
      decodeProtobufObject(encodeEnvelope("rbac.authorization.k8s.io/v1", "ClusterRole", role)),
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name: "reader" },
        rules: [{ verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] }],
      },
    );
  });

  it("Secret bytes are base64, MicroTime keeps microseconds", () => {
    const secret = encodeMessage("k8s.io.api.core.v1.Secret", {
      metadata: { name: "s" },
      data: { k: new Uint8Array([0, 1, 255]) },
      type: "Opaque",
    });
    assert.deepEqual(decodeProtobufObject(encodeEnvelope("v1", "Secret", secret)), {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s" },
      data: { k: "AAH/" },
      type: "Opaque",
    });
    const lease = encodeMessage("k8s.io.api.coordination.v1.LeaseSpec", {
      holderIdentity: "node-1",
      renewTime: { seconds: 1714564800, nanos: 123456789 },
    });
    assert.deepEqual(decodeMessage("k8s.io.api.coordination.v1.LeaseSpec", lease), {
      holderIdentity: "node-1",
      renewTime: "2024-05-01T12:00:00.123456Z",
    });
  });
});

describe("envelope and errors", () => {
  it("recognizes the k8s\\0 prefix", () => {
    assert.equal(isProtobufBody(Buffer.from("k8s\0rest")), true);
    assert.equal(isProtobufBody(Buffer.from('{"kind":"Pod"}')), false);
    assert.equal(isProtobufBody(Buffer.from("k8s")), false);
  });
  it("maps apiVersion/kind to message types", () => {
    assert.equal(protoTypeName("apps/v1", "Deployment"), "k8s.io.api.apps.v1.Deployment");
    assert.equal(protoTypeName("v1", "ConfigMap"), "k8s.io.api.core.v1.ConfigMap");
    assert.equal(
      protoTypeName("authentication.k8s.io/v1", "TokenRequest"),
      "k8s.io.api.authentication.v1.TokenRequest",
    );
    assert.equal(protoTypeName("example.com/v1", "Widget"), undefined);
    assert.equal(protoTypeName("v1", "NoSuchKind"), undefined);
  });
  it("rejects bodies it cannot decode", () => {
    const reject = (buf: Uint8Array, reason: string) =>
      assert.throws(
        () => decodeProtobufObject(buf),
        (e: unknown) => e instanceof ProtobufDecodeError && e.reason === reason,
      );
    reject(Buffer.from("{}"), "BadRequest");
    reject(Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0xff, 0xff]), "BadRequest");
    reject(encodeEnvelope("example.com/v1", "Widget", new Uint8Array()), "UnsupportedMediaType");
    reject(encodeEnvelope("v1", "ConfigMap", Uint8Array.of(0x0a, 0x05, 0x01)), "BadRequest");
  });
});
