import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { comparable, genericName, parseTable, parseWatch } from "./lib.js";

describe("parseTable", () => {
  it("cuts cells at the header's columns, keeping empty cells empty", () => {
    const out = [
      "NAME                 STATUS    MESSAGE              ERROR",
      "scheduler            Healthy   ok                   ",
      'etcd-0               Healthy   {"health":"true"}    ',
      "",
    ].join("\n");
    assert.deepEqual(parseTable(out), [
      { NAME: "scheduler", STATUS: "Healthy", MESSAGE: "ok", ERROR: "" },
      { NAME: "etcd-0", STATUS: "Healthy", MESSAGE: '{"health":"true"}', ERROR: "" },
    ]);
  });

  it("keeps multi-word column names and skips lines before the named first column", () => {
    const out = [
      "deployment.apps/nginx-deployment ",
      "REVISION  CHANGE-CAUSE",
      "1         <none>",
      "2         kubectl set image deployment/nginx nginx=nginx:1.9.1 --record=true",
    ].join("\n");
    assert.deepEqual(parseTable(out, "REVISION"), [
      { REVISION: "1", "CHANGE-CAUSE": "<none>" },
      { REVISION: "2", "CHANGE-CAUSE": "kubectl set image deployment/nginx nginx=nginx:1.9.1 --record=true" },
    ]);
    const ds = "NAME      DESIRED   NODE SELECTOR   AGE\nfluentd   3         <none>          2m\n";
    assert.deepEqual(parseTable(ds), [
      { NAME: "fluentd", DESIRED: "3", "NODE SELECTOR": "<none>", AGE: "2m" },
    ]);
  });

  it("returns no rows for empty output or a missing header", () => {
    assert.deepEqual(parseTable(""), []);
    assert.deepEqual(parseTable("No resources found\n", "NAME"), []);
  });
});

describe("parseWatch", () => {
  it("splits each watch line on whitespace", () => {
    const out = [
      "NAME    READY   STATUS    RESTARTS   AGE",
      "web-0   0/1     Pending   0          0s",
      "web-0   1/1     Running   0          19s",
      "web-1   0/1     Pending   0          0s",
    ].join("\n");
    assert.deepEqual(
      parseWatch(out).map((r) => `${r.NAME} ${r.READY} ${r.STATUS}`),
      ["web-0 0/1 Pending", "web-0 1/1 Running", "web-1 0/1 Pending"],
    );
  });
});

describe("genericName", () => {
  const cases: [string, string][] = [
    ["frontend-9sxlb", "frontend-*"],
    ["nginx-deployment-75675f5897-7cz7q", "nginx-deployment-*-*"],
    ["nginx-deployment-75675f5897", "nginx-deployment-*"],
    ["bandicoot-staging", "bandicoot-staging"],
    ["alpaca-prod", "alpaca-prod"],
    ["web-0", "web-0"],
    ["kuard", "kuard"],
  ];
  for (const [name, want] of cases) {
    it(`${name} → ${want}`, () => assert.equal(genericName(name), want));
  }

  it("comparable drops AGE and generalizes NAME", () => {
    assert.deepEqual(comparable([{ NAME: "frontend-9sxlb", READY: "1/1", AGE: "3s" }]), [
      { NAME: "frontend-*", READY: "1/1" },
    ]);
  });
});
