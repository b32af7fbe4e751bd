// The foundation as a newcomer sees it (issue 3): `npm start` left a cluster whose apiserver kubectl
// can talk to, on a three-member etcd cluster that survives the loss of one member.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compose, eventually, kubectl, ROOT, run } from "../lib/cluster.js";

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
      // A write and a read go through etcd's remaining quorum.
      const name = `foundation-${Date.now()}`;
      const created = await eventually(
        "a namespace create with etcd-2 down",
        async () => {
          const r = await kubectl("create", "namespace", name);
          return r.code === 0 ? r : undefined;
        },
        { timeoutMs: 20_000 },
      );
      assert.match(created.stdout, new RegExp(`namespace/${name} created`));
      // Like the create, the read may first hit the stopped member and time out (the etcd client's failover,
      // noted in issue 4); a user retrying gets the answer.
      const got = await eventually(
        "a namespace read with etcd-2 down",
        async () => {
          const r = await kubectl(
            "--request-timeout=5s",
            "get",
            "namespace",
            name,
            "-o",
            "jsonpath={.metadata.name}",
          );
          return r.code === 0 ? r : undefined;
        },
        { timeoutMs: 30_000 },
      );
      assert.equal(got.stdout, name);
      const ready = await run("curl", [
        "-fsS",
        "--cacert",
        `${ROOT}/.cluster/pki/ca.crt`,
        "https://127.0.0.1:6443/readyz",
      ]);
      assert.equal(ready.code, 0, ready.stderr);
      await kubectl("delete", "namespace", name, "--wait=false");
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
