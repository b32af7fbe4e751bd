// Server-side apply and metadata.managedFields (issue 4), on the apiserver with a real etcd and the
// real kubectl: apply --server-side (create, no-op re-apply, conflicts after `kubectl scale`, force,
// pruning), the managers of create/label and of a /status write, the options' checks, and client-side
// apply still working next to it. kubectl is required: without it every test fails.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ManagedFieldsEntry } from "kubernetes-types/meta/v1";
import { kubectlPath, type RunResult } from "../../lib/cluster.js";
import { type Harness, kubectlWith, startHarness } from "./harness.js";

let h: Harness;
let work: string;

function kubectl(args: string[]): Promise<RunResult> {
  return kubectlWith(h.kubeconfig, args);
}

async function ok(...args: string[]): Promise<string> {
  const r = await kubectl(args);
  assert.equal(r.code, 0, `kubectl ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** Writes a manifest into the work folder and returns its path. */
function manifest(name: string, text: string): string {
  const f = join(work, name);
  writeFileSync(f, text);
  return f;
}

type Obj = {
  metadata: {
    resourceVersion: string;
    generation?: number;
    labels?: Record<string, string>;
    managedFields?: ManagedFieldsEntry[];
  };
  spec?: { replicas?: number };
  data?: Record<string, string>;
};

/** The object as `kubectl get -o json --show-managed-fields` shows it. */
async function getObj(kind: string, name: string): Promise<Obj> {
  return JSON.parse(await ok("get", kind, name, "-o", "json", "--show-managed-fields")) as Obj;
}

/** `manager/Operation[/subresource]` of each entry. */
function managers(o: Obj): string[] {
  return (o.metadata.managedFields ?? []).map(
    (e) => `${e.manager}/${e.operation}${e.subresource ? `/${e.subresource}` : ""}`,
  );
}

function entry(o: Obj, manager: string, operation = "Update"): ManagedFieldsEntry {
  const e = o.metadata.managedFields?.find((x) => x.manager === manager && x.operation === operation);
  assert.ok(e, `no ${manager}/${operation} entry in ${JSON.stringify(o.metadata.managedFields)}`);
  return e;
}

const deployment = (name: string, replicas: number, labels: Record<string, string>) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
${Object.entries(labels)
  .map(([k, v]) => `    ${k}: "${v}"`)
  .join("\n")}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
        - name: nginx
          image: nginx:1.7.9
          ports:
            - containerPort: 80
`;

before(async () => {
  work = mkdtempSync(join(tmpdir(), "ssa-"));
  h = await startHarness();
});

after(async () => {
  await h?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("kubectl apply --server-side", () => {
  it("kubectl is installed (the tests below need it)", () => {
    assert.ok(kubectlPath());
  });

  it("creates the object; its fields belong to manager kubectl, operation Apply", async () => {
    const f = manifest("web.yaml", deployment("web", 2, { app: "web", tier: "front" }));
    assert.equal(
      (await ok("apply", "--server-side", "-f", f)).trim(),
      "deployment.apps/web serverside-applied",
    );
    const o = await getObj("deployment", "web");
    assert.deepEqual(managers(o), ["kubectl/Apply"]);
    const e = entry(o, "kubectl", "Apply");
    assert.equal(e.apiVersion, "apps/v1");
    assert.equal(e.fieldsType, "FieldsV1");
    assert.match(String(e.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(e.fieldsV1, {
      "f:metadata": { "f:labels": { "f:app": {}, "f:tier": {} } },
      "f:spec": {
        "f:replicas": {},
        "f:selector": {},
        "f:template": {
          "f:metadata": { "f:labels": { "f:app": {} } },
          "f:spec": {
            "f:containers": {
              'k:{"name":"nginx"}': {
                ".": {},
                "f:image": {},
                "f:name": {},
                "f:ports": {
                  'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} },
                },
              },
            },
          },
        },
      },
    });
    // kubectl hides them unless asked
    const plain = JSON.parse(await ok("get", "deployment", "web", "-o", "json")) as Obj;
    assert.equal(plain.metadata.managedFields, undefined);
    const yaml = await ok("get", "deployment", "web", "-o", "yaml", "--show-managed-fields");
    assert.match(yaml, /managedFields:\n {2}- apiVersion: apps\/v1\n {4}fieldsType: FieldsV1\n {4}fieldsV1:/);
    assert.match(yaml, / {4}manager: kubectl\n {4}operation: Apply\n {4}time: /);
  });

  it("re-applying the same manifest changes nothing (resourceVersion, generation, time)", async () => {
    const before = await getObj("deployment", "web");
    const f = join(work, "web.yaml");
    assert.equal(
      (await ok("apply", "--server-side", "-f", f)).trim(),
      "deployment.apps/web serverside-applied",
    );
    const again = await getObj("deployment", "web");
    assert.equal(again.metadata.resourceVersion, before.metadata.resourceVersion);
    assert.equal(again.metadata.generation, before.metadata.generation);
    assert.deepEqual(again.metadata.managedFields, before.metadata.managedFields);
  });

  it("a label the manifest no longer sets (and nobody else owns) is removed", async () => {
    const f = manifest("web.yaml", deployment("web", 2, { app: "web" }));
    await ok("apply", "--server-side", "-f", f);
    const o = await getObj("deployment", "web");
    assert.deepEqual(o.metadata.labels, { app: "web" });
    assert.equal(o.metadata.generation, 1, "a label is not spec: generation stays");
    const fields = entry(o, "kubectl", "Apply").fieldsV1 as Record<string, unknown>;
    assert.deepEqual(fields["f:metadata"], { "f:labels": { "f:app": {} } });
  });

  it("a label another manager took over stays when the applier drops it", async () => {
    await ok(
      "apply",
      "--server-side",
      "-f",
      manifest("web.yaml", deployment("web", 2, { app: "web", a: "1" })),
    );
    // an update that changes the value takes the field (an update with the same value would not)
    await ok("label", "deployment", "web", "a=2", "--overwrite");
    await ok("apply", "--server-side", "-f", manifest("web.yaml", deployment("web", 2, { app: "web" })));
    const o = await getObj("deployment", "web");
    assert.deepEqual(o.metadata.labels, { app: "web", a: "2" });
    assert.deepEqual((entry(o, "kubectl-label").fieldsV1 as Record<string, unknown>)["f:metadata"], {
      "f:labels": { "f:a": {} },
    });
  });
});

describe("conflicts", () => {
  const file = () => join(work, "conflict.yaml");

  it("after `kubectl scale`, applying the old replicas fails with upstream's message and exit code 1", async () => {
    const f = manifest("conflict.yaml", deployment("conflict", 2, { app: "conflict" }));
    assert.equal((await ok("apply", "-f", f)).trim(), "deployment.apps/conflict created");
    assert.deepEqual(managers(await getObj("deployment", "conflict")), ["kubectl-client-side-apply/Update"]);
    await ok("scale", "deployment", "conflict", "--replicas=3");
    // kubectl scale (manager "kubectl", its User-Agent) took .spec.replicas through the scale subresource,
    // recorded on the Deployment as upstream's ScaleHandler does.
    const scaled = await getObj("deployment", "conflict");
    assert.deepEqual(managers(scaled).sort(), ["kubectl-client-side-apply/Update", "kubectl/Update/scale"]);
    assert.deepEqual(entry(scaled, "kubectl").fieldsV1, { "f:spec": { "f:replicas": {} } });
    const r = await kubectl(["apply", "--server-side", "-f", f]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(
      r.stderr,
      `error: Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas
Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the \`--force-conflicts\` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts
`,
    );
    assert.equal((await getObj("deployment", "conflict")).spec?.replicas, 3, "nothing was written");
  });

  it("the API answers 409 with one FieldManagerConflict cause", async () => {
    const r = await h.client.req(
      "PATCH",
      "/apis/apps/v1/namespaces/default/deployments/conflict?fieldManager=other&force=false",
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "conflict" }, spec: { replicas: 7 } },
      { "Content-Type": "application/apply-patch+yaml" },
    );
    assert.equal(r.status, 409, r.text);
    const s = r.json<{ reason: string; details: { causes: unknown[] } }>();
    assert.equal(s.reason, "Conflict");
    assert.deepEqual(s.details.causes, [
      {
        reason: "FieldManagerConflict",
        message: 'conflict with "kubectl" with subresource "scale" using apps/v1',
        field: ".spec.replicas",
      },
    ]);
  });

  it("--force-conflicts takes .spec.replicas over", async () => {
    assert.equal(
      (await ok("apply", "--server-side", "--force-conflicts", "-f", file())).trim(),
      "deployment.apps/conflict serverside-applied",
    );
    const o = await getObj("deployment", "conflict");
    assert.equal(o.spec?.replicas, 2);
    // scale made it 2, the forced apply 3; kubectl's follow-up writes (the managedFields migration off
    // client-side apply and the re-apply that prunes) change no spec
    assert.equal(o.metadata.generation, 3);
    assert.ok(!managers(o).includes("kubectl-client-side-apply/Update"), "kubectl migrated its entry");
    const applied = entry(o, "kubectl", "Apply").fieldsV1 as { "f:spec"?: Record<string, unknown> };
    assert.ok(applied["f:spec"]?.["f:replicas"], JSON.stringify(applied));
    for (const e of o.metadata.managedFields ?? []) {
      if (e.manager === "kubectl" && e.operation === "Apply") continue;
      const spec = (e.fieldsV1 as { "f:spec"?: Record<string, unknown> })["f:spec"];
      assert.equal(spec?.["f:replicas"], undefined, `${e.manager} still owns .spec.replicas`);
    }
  });
});

describe("managers of other writes", () => {
  it("kubectl create then kubectl label: two Update entries", async () => {
    await ok("create", "configmap", "two", "--from-literal=a=1");
    await ok("label", "configmap", "two", "env=dev");
    const o = await getObj("configmap", "two");
    assert.deepEqual(managers(o).sort(), ["kubectl-create/Update", "kubectl-label/Update"]);
    const create = entry(o, "kubectl-create");
    assert.equal(create.apiVersion, "v1");
    assert.equal(create.fieldsType, "FieldsV1");
    assert.deepEqual(create.fieldsV1, { "f:data": { ".": {}, "f:a": {} } });
    assert.deepEqual(entry(o, "kubectl-label").fieldsV1, {
      "f:metadata": { "f:labels": { ".": {}, "f:env": {} } },
    });
  });

  it("a /status patch has its own entry with subresource status", async () => {
    await ok(
      "patch",
      "deployment",
      "web",
      "--subresource=status",
      "--type=merge",
      "-p",
      '{"status":{"observedGeneration":1}}',
    );
    const o = await getObj("deployment", "web");
    const e = o.metadata.managedFields?.find((x) => x.subresource === "status");
    assert.ok(e, JSON.stringify(o.metadata.managedFields));
    assert.equal(e.manager, "kubectl-patch");
    assert.equal(e.operation, "Update");
    assert.deepEqual(e.fieldsV1, { "f:status": { "f:observedGeneration": {} } });
    // the main resource's managers do not own status
    for (const x of o.metadata.managedFields ?? [])
      if (!x.subresource) assert.equal((x.fieldsV1 as Record<string, unknown>)["f:status"], undefined);
  });

  it("a PUT without ?fieldManager= is the User-Agent's first token", async () => {
    const path = "/api/v1/namespaces/default/configmaps/two";
    const cur = (await h.client.req("GET", path)).json<Obj>();
    cur.data = { a: "2" };
    const r = await h.client.req("PUT", path, cur, { "User-Agent": "my-tool/1.0 (linux)" });
    assert.equal(r.status, 200, r.text);
    const o = r.json<Obj>();
    assert.deepEqual(managers(o).sort(), ["kubectl-create/Update", "kubectl-label/Update", "my-tool/Update"]);
    assert.deepEqual(entry(o, "my-tool").fieldsV1, { "f:data": { "f:a": {} } });
    // kubectl-create keeps the map itself, not the key it no longer set last
    assert.deepEqual(entry(o, "kubectl-create").fieldsV1, { "f:data": {} });
  });
});

describe("request options", () => {
  const path = "/api/v1/namespaces/default/configmaps/opts";
  const body = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "opts" }, data: { a: "1" } };
  const applyType = { "Content-Type": "application/apply-patch+yaml" };

  it("an apply without ?fieldManager= is refused", async () => {
    const r = await h.client.req("PATCH", path, body, applyType);
    assert.equal(r.status, 422, r.text);
    assert.equal(
      r.json().message,
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
  });

  it("?force= on a merge patch is refused", async () => {
    const r = await h.client.req(
      "PATCH",
      `${path}?force=true`,
      { data: { b: "2" } },
      {
        "Content-Type": "application/merge-patch+json",
      },
    );
    assert.equal(r.status, 422, r.text);
    assert.equal(
      r.json().message,
      'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
    );
  });

  it("a manager name with a control character is refused on create", async () => {
    const r = await h.client.req("POST", "/api/v1/namespaces/default/configmaps?fieldManager=a%09b", body);
    assert.equal(r.status, 422, r.text);
    assert.match(
      String(r.json().message),
      /^CreateOptions\.meta\.k8s\.io "" is invalid: fieldManager: Invalid value/,
    );
  });

  it("an apply through the API creates (201), then answers 200 without a write", async () => {
    const first = await h.client.req("PATCH", `${path}?fieldManager=tool`, body, applyType);
    assert.equal(first.status, 201, first.text);
    const second = await h.client.req("PATCH", `${path}?fieldManager=tool`, body, applyType);
    assert.equal(second.status, 200, second.text);
    assert.equal(second.json<Obj>().metadata.resourceVersion, first.json<Obj>().metadata.resourceVersion);
  });
});

describe("client-side kubectl apply next to it", () => {
  const cmYaml = (data: Record<string, string>) =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: csa\ndata:\n${Object.entries(data)
      .map(([k, v]) => `  ${k}: "${v}"`)
      .join("\n")}\n`;

  it("created, unchanged, configured; a key dropped from the file is removed", async () => {
    const f = manifest("csa.yaml", cmYaml({ a: "1", b: "2" }));
    assert.equal((await ok("apply", "-f", f)).trim(), "configmap/csa created");
    assert.equal((await ok("apply", "-f", f)).trim(), "configmap/csa unchanged");
    manifest("csa.yaml", cmYaml({ a: "1" }));
    assert.equal((await ok("apply", "-f", f)).trim(), "configmap/csa configured");
    const o = await getObj("configmap", "csa");
    assert.deepEqual(o.data, { a: "1" });
    assert.deepEqual(managers(o), ["kubectl-client-side-apply/Update"]);
    const fields = entry(o, "kubectl-client-side-apply").fieldsV1 as Record<string, Record<string, unknown>>;
    assert.deepEqual(fields["f:data"], { ".": {}, "f:a": {} });
  });
});
