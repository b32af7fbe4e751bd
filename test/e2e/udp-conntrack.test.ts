// Stale UDP conntrack entries (issue 8): a client that keeps sending from one source port to a ClusterIP
// is moved to the new pod once the old one is gone. Without kube-proxy's cleanup (proxy/conntrack.ts) the
// node's conntrack entry keeps DNATing that client to the dead pod's address, and since each datagram
// refreshes the entry it never times out: the client never hears from the new pod.
//
// Run on the compose cluster: `npx tsc -p tsconfig.json && node --test dist/test/e2e/udp-conntrack.test.js`.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eventually, kubectl, kubectlWithInput } from "../lib/cluster.js";

const NS = `udp-ct-e2e-${Date.now().toString(36)}`;
const k = (...args: string[]) => kubectl("-n", NS, ...args);
// An image every cluster has (deploy/images/tutorial): busybox's tools plus Node.js.
const IMAGE = "tskube/tutorial-node:bookworm";
const PORT = 5353;
const SOURCE_PORT = 40000;

async function ok(p: Promise<{ code: number; stdout: string; stderr: string }>): Promise<string> {
  const r = await p;
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

// Answers every datagram with the pod's hostname (its pod name).
const ECHO_SERVER = `
const s = require("dgram").createSocket("udp4");
const host = require("os").hostname();
s.on("message", (m, r) => s.send(host, r.port, r.address));
s.bind(${PORT});
`;

// Sends a datagram every 0.5 s from one fixed source port (so every datagram is the same conntrack entry)
// and prints "<ms since epoch> <replier>" for each answer.
const CLIENT = `
const s = require("dgram").createSocket("udp4");
const target = process.argv[1];
s.on("message", (m) => console.log(Date.now() + " " + m));
s.on("error", (e) => console.log("error " + e.message));
s.bind(${SOURCE_PORT}, () => setInterval(() => s.send("ping", ${PORT}, target), 500));
`;

interface Reply {
  at: number;
  from: string;
}

async function replies(): Promise<Reply[]> {
  const out = await ok(k("logs", "client"));
  return out
    .split("\n")
    .map((l) => /^(\d+) (\S+)$/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ at: Number(m[1]), from: m[2] }));
}

async function echoPods(): Promise<{ name: string; ip: string }[]> {
  const out = await ok(
    k(
      "get",
      "pods",
      "-l",
      "app=udp-echo",
      "-o",
      'jsonpath={range .items[*]}{.metadata.name} {.status.podIP} {.metadata.deletionTimestamp}{"\\n"}{end}',
    ),
  );
  return out
    .split("\n")
    .map((l) => l.trim().split(" "))
    .filter((f) => f[0] && f.length === 2)
    .map(([name, ip]) => ({ name, ip }));
}

describe("UDP service conntrack", { timeout: 300_000 }, () => {
  before(async () => {
    await ok(kubectl("create", "namespace", NS));
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "udp-echo", namespace: NS },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "udp-echo" } },
        template: {
          metadata: { labels: { app: "udp-echo" } },
          spec: {
            terminationGracePeriodSeconds: 5,
            containers: [
              {
                name: "echo",
                image: IMAGE,
                imagePullPolicy: "IfNotPresent",
                command: ["node", "-e", ECHO_SERVER],
                ports: [{ containerPort: PORT, protocol: "UDP" }],
              },
            ],
          },
        },
      },
    };
    const service = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "udp-echo", namespace: NS },
      spec: {
        selector: { app: "udp-echo" },
        ports: [{ name: "echo", port: PORT, targetPort: PORT, protocol: "UDP" }],
      },
    };
    await ok(kubectlWithInput(JSON.stringify(deployment), "apply", "-f", "-"));
    await ok(kubectlWithInput(JSON.stringify(service), "apply", "-f", "-"));
    await ok(k("rollout", "status", "deployment/udp-echo", "--timeout=120s"));
  });
  after(async () => {
    await kubectl("delete", "namespace", NS, "--wait=false");
  });

  it("moves a client that keeps sending from one source port to the new pod once the old one is gone", async (t) => {
    const clusterIP = await ok(k("get", "svc", "udp-echo", "-o", "jsonpath={.spec.clusterIP}"));
    const [old] = await echoPods();
    assert.ok(old, "one udp-echo pod");
    const client = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "client", namespace: NS },
      spec: {
        restartPolicy: "Never",
        containers: [
          {
            name: "c",
            image: IMAGE,
            imagePullPolicy: "IfNotPresent",
            command: ["node", "-e", CLIENT, clusterIP],
          },
        ],
      },
    };
    await ok(kubectlWithInput(JSON.stringify(client), "apply", "-f", "-"));
    await ok(k("wait", "--for=condition=Ready", "pod/client", "--timeout=90s"));
    await eventually(
      `the client to hear from ${old.name}`,
      async () => ((await replies()).some((r) => r.from === old.name) ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 1000 },
    );

    // kubectl waits until the pod is gone; the Deployment has started its replacement meanwhile.
    await ok(k("delete", "pod", old.name, "--timeout=60s"));
    const gone = Date.now();
    await ok(k("rollout", "status", "deployment/udp-echo", "--timeout=120s"));
    const ready = Date.now();
    const [fresh] = await echoPods();
    assert.ok(fresh && fresh.name !== old.name, `a new udp-echo pod (have ${fresh?.name})`);
    // With the same address the old entry would reach the new pod anyway, and this would prove nothing.
    assert.notEqual(fresh.ip, old.ip, "the new pod must have another address for this test to mean anything");

    const first = await eventually(
      `the client to hear from the new pod ${fresh.name} (the old entry to ${old.ip} stuck?)`,
      async () => (await replies()).find((r) => r.from === fresh.name),
      { timeoutMs: 10_000, intervalMs: 500 },
    ).catch(async (err: Error) => {
      const tail = (await replies()).slice(-5);
      throw new Error(`${err.message}; last replies: ${JSON.stringify(tail)}`);
    });
    t.diagnostic(
      `old pod gone -> first reply from the new pod: ${first.at - gone} ms (new pod Ready after ${ready - gone} ms)`,
    );
  });
});
