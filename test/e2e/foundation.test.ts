// The foundation as a newcomer sees it (issue 3): `npm start` left a cluster whose apiserver kubectl
// can talk to, on a three-member etcd cluster that survives the loss of one member.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compose, kubectl, ROOT, run } from "../lib/cluster.js";

describe("foundation", () => {
  it("kubectl version prints the server's version", async () => {
    const r = await kubectl("version");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Client Version: v1\.32/);
    assert.match(r.stdout, /Server Version: v1\.32\.\d+/);
  });

  it("etcd is a cluster of three started members", async () => {
    const r = await compose("exec", "-T", "etcd-1", "etcdctl", "member", "list");
    assert.equal(r.code, 0, r.stderr);
    const members = r.stdout.trim().split("\n");
    assert.equal(members.length, 3, r.stdout);
    for (const name of ["etcd-1", "etcd-2", "etcd-3"]) {
      assert.ok(
        members.some((m) => m.includes(", started, ") && m.includes(`, ${name}, `)),
        `${name} not started: ${r.stdout}`,
      );
    }
  });

  it("the apiserver keeps answering with one etcd member stopped", async () => {
    const stop = await compose("stop", "-t", "1", "etcd-2");
    assert.equal(stop.code, 0, stop.stderr);
    try {
      // Writes and reads go through etcd's remaining quorum, each on its first try: the apiserver's
      // etcd client must fail over from the stopped member by itself (deadlines + keepalive).
      const names: string[] = [];
      for (let i = 0; i < 5; i++) {
        const name = `foundation-${Date.now()}-${i}`;
        const created = await kubectl("--request-timeout=15s", "create", "namespace", name);
        assert.equal(created.code, 0, created.stderr);
        assert.match(created.stdout, new RegExp(`namespace/${name} created`));
        const got = await kubectl(
          "--request-timeout=15s",
          "get",
          "namespace",
          name,
          "-o",
          "jsonpath={.metadata.name}",
        );
        assert.equal(got.code, 0, got.stderr);
        assert.equal(got.stdout, name);
        names.push(name);
      }
      const ready = await run("curl", [
        "-fsS",
        "--cacert",
        `${ROOT}/.cluster/pki/ca.crt`,
        "https://127.0.0.1:6443/readyz",
      ]);
      assert.equal(ready.code, 0, ready.stderr);
      await kubectl("delete", "namespace", ...names, "--wait=false");
    } finally {
      const start = await compose("start", "etcd-2");
      assert.equal(start.code, 0, start.stderr);
    }
  });

  it("npm start run twice in a row: the second is a no-op that says so", async () => {
    // The first brings the cluster back to full health (the test above restarted an etcd member).
    const first = await run("bash", ["deploy/scripts/start.sh"], { timeoutMs: 300_000 });
    assert.equal(first.code, 0, first.stderr + first.stdout);
    const r = await run("bash", ["deploy/scripts/start.sh"], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /already up/);
    assert.match(r.stdout, /export KUBECONFIG=/);
  });
});
