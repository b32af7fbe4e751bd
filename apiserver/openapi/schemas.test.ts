import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkFieldTypes, checkUnknownFields, unknownFieldsOf, zeroNulls } from "./field-validation.js";
import {
  addTypeDocs,
  type ModelTable,
  parseAttributeTypeMap,
  parseModel,
  parseTypeDocs,
} from "./k8s-models.js";
import { buildSchemaSet, definitionNamer, fieldSchema, schemasFor, validationSchemaSet } from "./schemas.js";

const DTS = `import { V1RollingUpdateDeployment } from '../models/V1RollingUpdateDeployment.js';
/**
* DeploymentStrategy describes how to replace existing pods with new ones.
*/
export declare class V1DeploymentStrategy {
    'rollingUpdate'?: V1RollingUpdateDeployment;
    /**
    * Type of deployment. Can be \\"Recreate\\" or \\"RollingUpdate\\". Default is RollingUpdate.
    */
    'type': string;
    static readonly discriminator: string | undefined;
}`;
const JS = `V1DeploymentStrategy.attributeTypeMap = [
    {
        "name": "rollingUpdate",
        "baseName": "rollingUpdate",
        "type": "V1RollingUpdateDeployment",
        "format": ""
    },
    {
        "name": "type",
        "baseName": "type",
        "type": "string",
        "format": ""
    }
];`;

const models: ModelTable = {
  V1Deployment: {
    description: "Deployment enables declarative updates for Pods and ReplicaSets.",
    fields: [
      { name: "apiVersion", type: "string", format: "" },
      { name: "kind", type: "string", format: "" },
      { name: "metadata", type: "V1ObjectMeta", format: "", description: "Standard object's metadata." },
      { name: "spec", type: "V1DeploymentSpec", format: "" },
    ],
  },
  V1ObjectMeta: {
    fields: [
      { name: "name", type: "string", format: "" },
      { name: "labels", type: "{ [key: string]: string; }", format: "" },
      { name: "creationTimestamp", type: "Date", format: "date-time" },
    ],
  },
  V1DeploymentSpec: {
    fields: [
      { name: "replicas", type: "number", format: "int32" },
      { name: "template", type: "V1PodTemplateSpec", format: "" },
      { name: "strategy", type: "V1DeploymentStrategy", format: "" },
    ],
  },
  V1DeploymentStrategy: parseModel(DTS, JS),
  V1RollingUpdateDeployment: { fields: [{ name: "maxSurge", type: "IntOrString", format: "int-or-string" }] },
  V1PodTemplateSpec: { fields: [{ name: "spec", type: "V1PodSpec", format: "" }] },
  V1PodSpec: {
    fields: [{ name: "containers", type: "Array<V1Container>", format: "", required: true }],
  },
  V1Container: {
    fields: [
      { name: "name", type: "string", format: "", required: true },
      { name: "env", type: "Array<V1EnvVar>", format: "" },
      { name: "resources", type: "V1ResourceRequirements", format: "" },
    ],
  },
  V1EnvVar: { fields: [{ name: "name", type: "string", format: "" }] },
  V1ResourceRequirements: { fields: [{ name: "limits", type: "{ [key: string]: string; }", format: "" }] },
  V1RawThing: { fields: [{ name: "raw", type: "any", format: "" }] },
};
const MESSAGES = [
  "k8s.io.api.apps.v1.Deployment",
  "k8s.io.api.apps.v1.DeploymentStrategy",
  "k8s.io.api.core.v1.Container",
  "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta",
  "k8s.io.api.core.v1.Event",
];
const deploy = { group: "apps", version: "v1", kind: "Deployment" };

describe("client-node model parsing", () => {
  it("reads field names, types, formats, descriptions and required from .js and .d.ts", () => {
    assert.equal(parseAttributeTypeMap(JS).length, 2);
    assert.deepEqual(parseModel(DTS, JS), {
      description: "DeploymentStrategy describes how to replace existing pods with new ones.",
      fields: [
        { name: "rollingUpdate", type: "V1RollingUpdateDeployment", format: "" },
        {
          name: "type",
          type: "string",
          format: "",
          description: 'Type of deployment. Can be "Recreate" or "RollingUpdate". Default is RollingUpdate.',
          required: true,
        },
      ],
    });
  });
});

describe("kubernetes-types doc comments", () => {
  it("fill in the descriptions client-node drops and give the package", () => {
    const docs =
      parseTypeDocs(`/** DeploymentStrategy describes how to replace existing pods with new ones. */
export interface DeploymentStrategy {
    /** Rolling update config params. Present only if DeploymentStrategyType = RollingUpdate. */
    rollingUpdate?: RollingUpdateDeployment;
    type?: string;
}`);
    const table: ModelTable = {
      V1DeploymentStrategy: {
        fields: [{ name: "rollingUpdate", type: "V1RollingUpdateDeployment", format: "" }],
      },
      CoreV1Event: { fields: [] },
    };
    addTypeDocs(
      table,
      new Map([
        ["apps/v1", docs],
        ["events/v1", parseTypeDocs("/** events.k8s.io Event */\nexport interface Event {\n}")],
      ]),
    );
    assert.deepEqual(table.V1DeploymentStrategy, {
      description: "DeploymentStrategy describes how to replace existing pods with new ones.",
      pkg: "apps",
      fields: [
        {
          name: "rollingUpdate",
          type: "V1RollingUpdateDeployment",
          format: "",
          description:
            "Rolling update config params. Present only if DeploymentStrategyType = RollingUpdate.",
        },
      ],
    });
    assert.deepEqual(table.CoreV1Event, { fields: [] }, "a core Event does not take events/v1's docs");
  });
});

describe("OpenAPI schemas", () => {
  const nameOf = definitionNamer(MESSAGES);
  it("names definitions after Kubernetes' Go packages", () => {
    const cases: [string, string][] = [
      ["V1Deployment", "io.k8s.api.apps.v1.Deployment"],
      ["V1ObjectMeta", "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"],
      ["CoreV1Event", "io.k8s.api.core.v1.Event"],
      ["EventsV1Event", "io.k8s.api.events.v1.Event"],
      ["V1beta1Unknown", "io.k8s.api.core.v1beta1.Unknown"],
    ];
    for (const [model, want] of cases) assert.equal(nameOf(model), want, model);
  });
  it("turns client-node types into OpenAPI field schemas", () => {
    const cases: [string, string, unknown][] = [
      ["string", "", { type: "string" }],
      ["number", "int32", { type: "integer", format: "int32" }],
      ["Date", "date-time", { type: "string", format: "date-time" }],
      ["boolean", "", { type: "boolean" }],
      ["Array<string>", "", { type: "array", items: { type: "string" } }],
      ["{ [key: string]: string; }", "", { type: "object", additionalProperties: { type: "string" } }],
      [
        "IntOrString",
        "int-or-string",
        { allOf: [{ $ref: "#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString" }] },
      ],
      ["V1Container", "", { allOf: [{ $ref: "#/components/schemas/io.k8s.api.core.v1.Container" }] }],
    ];
    for (const [type, format, want] of cases) assert.deepEqual(fieldSchema(type, format, nameOf), want, type);
  });
  it("marks served kinds with x-kubernetes-group-version-kind and keeps references for explain", () => {
    const set = buildSchemaSet(models, [deploy], MESSAGES);
    const d = set.schemas["io.k8s.api.apps.v1.Deployment"];
    assert.deepEqual(d?.["x-kubernetes-group-version-kind"], [deploy]);
    assert.equal(d?.description, "Deployment enables declarative updates for Pods and ReplicaSets.");
    assert.deepEqual(d?.properties?.metadata, {
      allOf: [{ $ref: "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" }],
      description: "Standard object's metadata.",
    });
    assert.deepEqual(set.schemas["io.k8s.api.core.v1.PodSpec"]?.required, ["containers"]);
    const served = [{ def: deploy }] as Parameters<typeof schemasFor>[1];
    const names = Object.keys(schemasFor(set, served));
    assert.ok(names.includes("io.k8s.api.apps.v1.DeploymentStrategy"));
    assert.ok(names.includes("io.k8s.apimachinery.pkg.util.intstr.IntOrString"));
    assert.ok(!names.includes("io.k8s.api.core.v1.RawThing"), "only what the GV's kinds reference");
  });
});

describe("unknown fields (fieldValidation)", () => {
  const set = buildSchemaSet(models, [deploy], MESSAGES);
  const name = "io.k8s.api.apps.v1.Deployment";
  const cases: [string, unknown, string[]][] = [
    [
      "a valid object as kubectl sends it",
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "x", creationTimestamp: null, labels: { a: "b" } },
        spec: { replicas: 1, strategy: { type: "Recreate", rollingUpdate: { maxSurge: "25%" } } },
      },
      [],
    ],
    ["top-level and spec fields", { spec: { foo: 1 }, bar: true }, ["spec.foo", "bar"]],
    [
      "inside arrays, with indices",
      {
        spec: {
          template: { spec: { containers: [{ name: "a" }, { name: "b", imagee: "x", env: [{ nam: 1 }] }] } },
        },
      },
      ["spec.template.spec.containers[1].imagee", "spec.template.spec.containers[1].env[0].nam"],
    ],
    [
      "map values are not fields",
      { spec: { template: { spec: { containers: [{ resources: { limits: { cpu: "1", x: "2" } } }] } } } },
      [],
    ],
    ["field names are case-sensitive", { Spec: {} }, ["Spec"]],
  ];
  for (const [title, body, want] of cases) {
    it(title, () => assert.deepEqual(unknownFieldsOf(set, name, body), want));
  }
  it("kinds without a schema are not checked", () => {
    const served = { def: { group: "metrics.k8s.io", version: "v1beta1", kind: "NodeMetrics" } };
    assert.deepEqual(
      checkUnknownFields(set, served as Parameters<typeof checkUnknownFields>[1], { foo: 1 } as never),
      [],
    );
    assert.deepEqual(
      checkUnknownFields(null, served as Parameters<typeof checkUnknownFields>[1], { foo: 1 } as never),
      [],
    );
  });
});

describe("wrong JSON types", () => {
  const set = buildSchemaSet(models, [deploy], MESSAGES);
  const served = { def: deploy } as Parameters<typeof checkFieldTypes>[1];
  const cases: [unknown, string | null][] = [
    [{ spec: { replicas: 2, template: { spec: { containers: [{ name: "c" }] } } } }, null],
    [{ spec: { replicas: null, strategy: { rollingUpdate: { maxSurge: 1 } } } }, null],
    [
      { spec: { replicas: "2" } },
      "json: cannot unmarshal string into Go struct field Deployment.spec.replicas of type int32",
    ],
    [
      { spec: { replicas: 1.5 } },
      "json: cannot unmarshal number 1.5 into Go struct field Deployment.spec.replicas of type int32",
    ],
    [
      { spec: { template: { spec: { containers: [""] } } } },
      "json: cannot unmarshal string into Go struct field Deployment.spec.template.spec.containers of type v1.Container",
    ],
    [
      { metadata: { labels: { a: 1 } } },
      "json: cannot unmarshal number into Go struct field Deployment.metadata.labels of type string",
    ],
    [
      { spec: [] },
      "json: cannot unmarshal array into Go struct field Deployment.spec of type v1.DeploymentSpec",
    ],
  ];
  for (const [body, want] of cases) {
    it(JSON.stringify(body), () => assert.equal(checkFieldTypes(set, served, body as never), want));
  }
});

describe("nulls as Go decodes them", () => {
  it("drops null fields and zeroes null array items", () => {
    const set = buildSchemaSet(models, [deploy], MESSAGES);
    const body = {
      metadata: { name: "x", creationTimestamp: null },
      spec: { replicas: null, template: { spec: { containers: [null, { name: "c", env: [null] }] } } },
    };
    zeroNulls(set, { def: deploy } as Parameters<typeof zeroNulls>[1], body as never);
    assert.deepEqual(body, {
      metadata: { name: "x" },
      spec: { template: { spec: { containers: [{}, { name: "c", env: [{}] }] } } },
    });
  });
});

describe("old beta versions served from a v1 kind", () => {
  const extDeploy = {
    group: "extensions",
    version: "v1beta1",
    kind: "Deployment",
    storage: { group: "apps", version: "v1" },
  };
  const extIngress = {
    group: "extensions",
    version: "v1beta1",
    kind: "Ingress",
    storage: { group: "networking.k8s.io", version: "v1" },
  };
  const set = buildSchemaSet(models, [deploy, extDeploy, extIngress], MESSAGES);

  it("get the v1 schema under their own package and GVK, with the fields only they had", () => {
    const name = set.byKind.get("extensions/v1beta1/Deployment");
    assert.equal(name, "io.k8s.api.extensions.v1beta1.Deployment");
    assert.deepEqual(set.schemas[name!]?.["x-kubernetes-group-version-kind"], [
      { group: "extensions", version: "v1beta1", kind: "Deployment" },
    ]);
    assert.deepEqual(set.schemas["io.k8s.api.apps.v1.Deployment"]?.["x-kubernetes-group-version-kind"], [
      deploy,
    ]);
    const body = {
      spec: { replicas: 1, rollbackTo: { revision: 2 }, template: { spec: { containers: [{ name: "a" }] } } },
    };
    assert.deepEqual(unknownFieldsOf(set, name!, body), []);
    assert.deepEqual(unknownFieldsOf(set, name!, { spec: { rollbackTo: { rev: 1 }, foo: 1 } }), [
      "spec.rollbackTo.rev",
      "spec.foo",
    ]);
    assert.deepEqual(unknownFieldsOf(set, "io.k8s.api.apps.v1.Deployment", body), ["spec.rollbackTo"]);
    const names = Object.keys(schemasFor(set, [{ def: extDeploy }] as Parameters<typeof schemasFor>[1]));
    assert.ok(names.includes("io.k8s.api.extensions.v1beta1.DeploymentSpec"));
    assert.ok(names.includes("io.k8s.api.extensions.v1beta1.RollbackConfig"));
  });

  it("Ingress v1beta1 (other backend fields than v1) stays without a schema", () => {
    assert.equal(set.byKind.get("extensions/v1beta1/Ingress"), undefined);
  });
});

describe("validationSchemaSet (kept for field validation)", () => {
  const full = buildSchemaSet(models, [deploy], MESSAGES);
  const compact = validationSchemaSet(models, [deploy], MESSAGES);

  it("keeps what the served kinds reference, without doc comments", () => {
    assert.deepEqual(compact.byKind, full.byKind);
    const names = Object.keys(compact.schemas);
    assert.ok(names.includes("io.k8s.api.apps.v1.DeploymentStrategy"));
    assert.ok(!names.includes("io.k8s.api.core.v1.RawThing"), "referenced by no served kind");
    assert.ok(!JSON.stringify(compact.schemas).includes('"description"'));
    assert.equal(full.schemas["io.k8s.api.apps.v1.Deployment"]?.description !== undefined, true);
  });

  it("validates as the described set does", () => {
    const served = { def: deploy } as Parameters<typeof checkFieldTypes>[1];
    const bodies = [
      { spec: { replicas: 1, template: { spec: { containers: [{ name: "a" }] } } } },
      { spec: { replicas: "1" } },
      { spec: { strategy: { type: 3, rollingUpdate: { maxSurge: "25%" } } } },
      { spec: { strategy: { typo: "Recreate" } }, foo: 1 },
    ];
    for (const body of bodies) {
      assert.equal(
        checkFieldTypes(compact, served, body as never),
        checkFieldTypes(full, served, body as never),
      );
      assert.deepEqual(
        unknownFieldsOf(compact, "io.k8s.api.apps.v1.Deployment", body),
        unknownFieldsOf(full, "io.k8s.api.apps.v1.Deployment", body),
      );
    }
  });
});
