// The tutorial images, checked the way a tutorial reader meets them: each image run briefly with Docker,
// looked at from inside (docker exec ... curl), as the documents in shared/seeds do. Builds whatever is
// missing first (deploy/scripts/build-tutorial-images.sh; seconds when everything is there).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { loadCatalogue, repoRoot } from "./catalogue.js";

const run = promisify(execFile);
const root = repoRoot();
const catalogue = loadCatalogue(root);
/** Every container this run starts carries it, so that `after` removes them all whatever happened. */
const runLabel = `tskube.test=tutorial-images-${process.pid}`;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function dockerResult(args: string[], timeoutMs = 60_000): Promise<Result> {
  try {
    const { stdout, stderr } = await run("docker", args, { maxBuffer: 16 << 20, timeout: timeoutMs });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === "number" ? e.code : -1,
      stdout: e.stdout ?? "",
      stderr: e.stderr ?? String(err),
    };
  }
}

async function docker(...args: string[]): Promise<string> {
  const r = await dockerResult(args);
  assert.equal(r.code, 0, `docker ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout;
}

/** Starts a container in the background; its id. */
async function start(image: string, opts: string[] = [], args: string[] = []): Promise<string> {
  return (await docker("run", "-d", "--label", runLabel, ...opts, image, ...args)).trim();
}

/** `curl -s` inside the container: the body, with the status code on a last line. */
async function curl(id: string, ...args: string[]): Promise<{ status: number; body: string }> {
  const out = await docker("exec", id, "curl", "-s", "-w", "\n%{http_code}", ...args);
  const nl = out.lastIndexOf("\n");
  return { status: Number(out.slice(nl + 1)), body: out.slice(0, nl) };
}

/** Waits until the URL answers inside the container (the app has started). */
async function waitHttp(id: string, url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await dockerResult(["exec", id, "curl", "-s", "-o", "/dev/null", url]);
    if (r.code === 0) return;
    if (Date.now() > deadline) {
      const logs = await dockerResult(["logs", id]);
      assert.fail(`${url} never answered in ${id}: ${logs.stdout}${logs.stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Waits until the port accepts connections, without sending a request (some apps count them). */
async function waitPort(id: string, port: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await dockerResult(["exec", id, "bash", "-c", `echo -n > /dev/tcp/127.0.0.1/${port}`]);
    if (r.code === 0) return;
    if (Date.now() > deadline) assert.fail(`port ${port} never opened in ${id}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function waitLog(id: string, text: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await dockerResult(["logs", id]);
    const logs = r.stdout + r.stderr;
    if (logs.includes(text)) return logs;
    if (Date.now() > deadline) assert.fail(`"${text}" never appeared in the logs of ${id}: ${logs}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const dockerUp = (await dockerResult(["info"], 15_000)).code === 0;

describe("tutorial images", {
  skip: dockerUp ? false : "no Docker engine",
  concurrency: 4,
  timeout: 600_000,
}, () => {
  before(async () => {
    const script = join(root, "deploy/scripts/build-tutorial-images.sh");
    const r = await new Promise<Result>((resolve) => {
      execFile(
        "bash",
        [script],
        { cwd: root, maxBuffer: 16 << 20, timeout: 540_000 },
        (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }),
      );
    });
    assert.equal(r.code, 0, `building the tutorial images failed:\n${r.stdout}${r.stderr}`);
  });

  after(async () => {
    const ids = (await dockerResult(["ps", "-aq", "--filter", `label=${runLabel}`])).stdout
      .split(/\s+/)
      .filter(Boolean);
    if (ids.length > 0) await dockerResult(["rm", "-f", ...ids]);
  });

  it("every image the catalogue names exists, and the broken names do not", async () => {
    const names = catalogue.builds.flatMap((b) => b.names);
    assert.ok(names.length >= 40, "the catalogue lists the tutorials' images");
    const ids = await docker("image", "inspect", "-f", "{{.Id}}", ...names);
    assert.equal(ids.trim().split("\n").length, names.length);
    for (const name of catalogue.absent) {
      const r = await dockerResult(["image", "inspect", name]);
      assert.notEqual(r.code, 0, `${name} must not exist: the tutorials use it as a broken image`);
    }
    assert.deepEqual(catalogue.absent, ["nginx:1.91", "nginx:sometag"]);
  });

  it("nginx (every tag) serves the default page on port 80, with sh, curl, hostname and tar", async () => {
    const nginx = catalogue.builds.find((b) => b.recipe === "nginx")!;
    for (const tag of [
      "nginx:1.7.9",
      "nginx:1.9.1",
      "nginx:1.10.0",
      "nginx:1.11",
      "nginx:1.14.2",
      "nginx:1.16.1",
    ]) {
      assert.ok(nginx.names.includes(tag), tag);
    }
    for (const tag of [
      "nginx:alpine",
      "nginx:latest",
      "k8s.gcr.io/nginx-slim:0.7",
      "k8s.gcr.io/nginx-slim:0.8",
    ]) {
      assert.ok(nginx.names.includes(tag), tag);
    }
    assert.ok(nginx.names.includes("gcr.io/google_containers/nginx-slim:0.8"));
    const ids = new Set(
      (await docker("image", "inspect", "-f", "{{.Id}}", ...nginx.names)).trim().split("\n"),
    );
    assert.equal(ids.size, 1, "one image under every nginx name");

    const id = await start("k8s.gcr.io/nginx-slim:0.8", ["--hostname", "web-0"]);
    await waitHttp(id, "http://localhost/");
    const page = await curl(id, "localhost");
    assert.equal(page.status, 200);
    assert.match(page.body, /<title>Welcome to nginx!<\/title>/);
    // The StatefulSet tutorial: hostname, and the page replaced through /usr/share/nginx/html.
    assert.equal(await docker("exec", id, "sh", "-c", "hostname"), "web-0\n");
    await docker("exec", id, "sh", "-c", "echo $(hostname) > /usr/share/nginx/html/index.html");
    assert.equal((await curl(id, "localhost")).body, "web-0\n");
    await docker("exec", id, "sh", "-c", "command -v tar curl hostname");
    assert.match(await docker("logs", id), /"GET \/ HTTP\/1.1" 200/, "access log on stdout");
  });

  it("busybox:1.28's nslookup prints what the StatefulSet tutorial shows", async () => {
    // No network: the names come from /etc/hosts, so the output is the same on every machine.
    const r = await dockerResult([
      "run",
      "--rm",
      "--label",
      runLabel,
      "--network",
      "none",
      "--dns",
      "10.0.0.10",
      "--add-host",
      "kube-dns.kube-system.svc.cluster.local:10.0.0.10",
      "--add-host",
      "web-0.nginx:10.244.1.6",
      "busybox:1.28",
      "sh",
      "-c",
      "nslookup web-0.nginx; nslookup web-9.nginx; echo rc=$?; readlink -f /bin/sh; command -v wget ping",
    ]);
    assert.equal(
      r.stdout,
      [
        "Server:    10.0.0.10",
        "Address 1: 10.0.0.10 kube-dns.kube-system.svc.cluster.local",
        "",
        "Name:      web-0.nginx",
        "Address 1: 10.244.1.6 web-0.nginx",
        "Server:    10.0.0.10",
        "Address 1: 10.0.0.10 kube-dns.kube-system.svc.cluster.local",
        "",
        "rc=1",
        "/usr/bin/bash",
        "/usr/bin/wget",
        "/usr/bin/ping",
        "",
      ].join("\n"),
    );
    assert.equal(r.stderr, "nslookup: can't resolve 'web-9.nginx'\n");
    const ids = new Set(
      (await docker("image", "inspect", "-f", "{{.Id}}", "busybox", "busybox:1.28", "k8s.gcr.io/busybox"))
        .trim()
        .split("\n"),
    );
    assert.equal(ids.size, 1);
  });

  it("kuard: the UI, /healthy and /ready that can be made to fail, /kuard with extra arguments", async () => {
    const id = await start(
      "gcr.io/kuar-demo/kuard-amd64:blue",
      ["--hostname", "kuard", "--entrypoint", "/kuard"],
      ["extra-value"],
    );
    await waitHttp(id, "http://localhost:8080/healthy");
    const page = await curl(id, "localhost:8080/");
    assert.match(page.body, /<samp>kuard<\/samp>/);
    assert.match(page.body, /v0\.10\.0-blue/);
    for (const tab of [
      "Server Env",
      "Memory",
      "Liveness Probe",
      "Readiness Probe",
      "DNS Query",
      "KeyGen Workload",
      "MemQ Server",
    ]) {
      assert.ok(page.body.includes(tab), tab);
    }
    assert.deepEqual(await curl(id, "localhost:8080/healthy"), { status: 200, body: "ok" });
    await curl(id, "-X", "PUT", "localhost:8080/healthy/api", "-d", '{"failNext":2}');
    assert.deepEqual(await curl(id, "localhost:8080/healthy"), { status: 500, body: "fail, 1 left" });
    assert.deepEqual(await curl(id, "localhost:8080/healthy"), { status: 500, body: "fail, 0 left" });
    assert.deepEqual(await curl(id, "localhost:8080/healthy"), { status: 200, body: "ok" });
    await curl(id, "-X", "PUT", "localhost:8080/ready/api?failNext=-1");
    assert.deepEqual(await curl(id, "localhost:8080/ready"), { status: 500, body: "fail, permanent" });
    const env = JSON.parse((await curl(id, "localhost:8080/env/api")).body) as { commandLine: string[] };
    assert.deepEqual(env.commandLine, ["/kuard", "extra-value"]);
    assert.match((await curl(id, "localhost:8080/fs/etc/")).body, /<a href="hostname">hostname<\/a>/);
    await docker("exec", id, "ash", "-c", "date");
  });

  it("kuard: the Jobs chapter's keygen flags and MemQ work queue", async () => {
    const image = "gcr.io/kuar-demo/kuard-amd64:1";
    const oneshot = await dockerResult(
      [
        "run",
        "--rm",
        "--label",
        runLabel,
        image,
        "--keygen-enable",
        "--keygen-exit-on-complete",
        "--keygen-num-to-gen",
        "2",
      ],
      120_000,
    );
    assert.equal(oneshot.code, 0, oneshot.stderr);
    assert.match(oneshot.stderr, /\(ID 0x[0-9a-f]+ 2\/2\) Item done: SHA256:[A-Za-z0-9+/]{43}\n/);
    const failing = await dockerResult(
      [
        "run",
        "--rm",
        "--label",
        runLabel,
        image,
        "--keygen-enable",
        "--keygen-exit-on-complete",
        "--keygen-exit-code=1",
        "--keygen-num-to-gen=1",
      ],
      120_000,
    );
    assert.equal(failing.code, 1);

    const queue = await start(image);
    await waitHttp(queue, "http://localhost:8080/healthy");
    await curl(queue, "-X", "PUT", "localhost:8080/memq/server/queues/keygen");
    for (let i = 0; i < 3; i++) {
      const m = await curl(
        queue,
        "-X",
        "POST",
        "localhost:8080/memq/server/queues/keygen/enqueue",
        "-d",
        `work-item-${i}`,
      );
      assert.match(m.body, new RegExp(`^\\{"kind":"message","id":"[0-9a-f]{32}","body":"work-item-${i}"`));
    }
    assert.equal(
      (await curl(queue, "localhost:8080/memq/server/stats")).body,
      '{"kind":"stats","queues":[{"name":"keygen","depth":3,"enqueued":3,"dequeued":0,"drained":0}]}\n',
    );
    const ip = (
      await docker("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", queue)
    ).trim();
    const consumer = await dockerResult(
      [
        "run",
        "--rm",
        "--label",
        runLabel,
        image,
        "--keygen-enable",
        "--keygen-exit-on-complete",
        `--keygen-memq-server=http://${ip}:8080/memq/server`,
        "--keygen-memq-queue=keygen",
      ],
      120_000,
    );
    assert.equal(consumer.code, 0, consumer.stderr);
    assert.equal(consumer.stderr.match(/Item done: SHA256:/g)?.length, 3);
    assert.match(
      (await curl(queue, "localhost:8080/memq/server/stats")).body,
      /"depth":0,"enqueued":3,"dequeued":3/,
    );
  });

  it("the learn-kubernetes hello app shows the tutorial's page; version 2 says so", async () => {
    const v1 = await start("tsouche/learn-kubernetes:part3", ["--hostname", "6de75d8df956"]);
    const v2 = await start("tsouche/learn-kubernetes:part3v2", ["--hostname", "6de75d8df956"]);
    await Promise.all([waitHttp(v1, "http://localhost/"), waitHttp(v2, "http://localhost/")]);
    assert.equal(
      (await curl(v1, "http://localhost")).body,
      "<h3>Hello World!</h3><b>Hostname:</b> 6de75d8df956<br/>",
    );
    assert.equal(
      (await curl(v2, "http://localhost")).body,
      "<h3>Hello World! - this is version 2</h3><b>Hostname:</b> 6de75d8df956<br/>",
    );
    const same = await docker(
      "image",
      "inspect",
      "-f",
      "{{.Id}}",
      "app-hello",
      "tsouche/learn-kubernetes:part3",
    );
    assert.equal(new Set(same.trim().split("\n")).size, 1);
  });

  it("google-samples/hello-app answers with its version and hostname on 8080", async () => {
    for (const [tag, version] of [
      ["1.0", "1.0.0"],
      ["2.0", "2.0.0"],
    ]) {
      const id = await start(`gcr.io/google-samples/hello-app:${tag}`, ["--hostname", "pod1"]);
      await waitHttp(id, "http://localhost:8080/");
      assert.equal(
        (await curl(id, "localhost:8080")).body,
        `Hello, world!\nVersion: ${version}\nHostname: pod1\n`,
      );
    }
  });

  it("luksa/kubia and its versions answer as the book shows", async () => {
    const cases: [string, string[]][] = [
      ["luksa/kubia", ["200 You've hit kubia-hst84\n"]],
      ["luksa/kubia:v1", ["200 This is v1 running in pod kubia-hst84\n"]],
      ["luksa/kubia:v2", ["200 This is v2 running in pod kubia-hst84\n"]],
      [
        "luksa/kubia:v3",
        [
          ...Array(4).fill("200 This is v3 running in pod kubia-hst84\n"),
          "500 Some internal error has occurred! This is pod kubia-hst84\n",
        ],
      ],
      [
        "luksa/kubia-unhealthy",
        [...Array(5).fill("200 You've hit kubia-hst84\n"), "500 I'm not well. Please restart me!"],
      ],
    ];
    await Promise.all(
      cases.map(async ([image, answers]) => {
        const id = await start(image, ["--hostname", "kubia-hst84"]);
        await waitPort(id, 8080);
        const got: string[] = [];
        for (let i = 0; i < answers.length; i++) {
          const r = await curl(id, "localhost:8080");
          got.push(`${r.status} ${r.body}`);
        }
        assert.deepEqual(got, answers, image);
        assert.match(await waitLog(id, "Received request from"), /^Kubia server starting\.\.\.\n/);
      }),
    );
  });

  it("redis answers redis-cli, and sh runs the StatefulSet's `source` scripts", async () => {
    const id = await start("redis:3.2.7-alpine");
    await waitLog(id, "Ready to accept connections");
    assert.equal(await docker("exec", id, "redis-cli", "-p", "6379", "set", "foo", "10"), "OK\n");
    assert.equal(await docker("exec", id, "redis-cli", "-p", "6379", "get", "foo"), "10\n");
    assert.equal(
      await docker("exec", id, "redis-cli", "config", "get", "protected-mode"),
      "protected-mode\nno\n",
    );
    await docker("exec", id, "sh", "-c", "echo '[[ a == a ]] && echo ok' > /tmp/init.sh");
    assert.equal(await docker("exec", id, "sh", "-c", "source /tmp/init.sh"), "ok\n");
    await docker("exec", id, "sh", "-c", "command -v redis-sentinel");
  });

  it("gb-frontend serves the guestbook page on port 80", async () => {
    const id = await start("gcr.io/google_samples/gb-frontend:v3");
    await waitHttp(id, "http://localhost/");
    const page = await curl(id, "localhost/");
    assert.equal(page.status, 200);
    assert.match(page.body, /<title>Guestbook<\/title>/);
  });

  it("ssd-monitor prints SSD OK; the fluentd images start their log tailer", async () => {
    const ssd = await start("luksa/ssd-monitor");
    await waitLog(ssd, "SSD OK\n");
    for (const image of [
      "fluent/fluentd:v0.14.10",
      "fluentd/fluentd:v0.14.10",
      "quay.io/fluentd_elasticsearch/fluentd:v2.5.2",
    ]) {
      const id = await start(image);
      await waitLog(id, "[info]: starting fluentd");
    }
  });
});
