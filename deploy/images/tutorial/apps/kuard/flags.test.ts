import assert from "node:assert/strict";
import { test } from "node:test";
import { type FlagParse, type FlagSpec, flagUsage, parseFlags } from "./flags.js";

const specs: FlagSpec[] = [
  { name: "address", default: ":8080", usage: "The address to serve on" },
  { name: "keygen-enable", default: false, usage: "Enable KeyGen workload" },
  { name: "keygen-num-to-gen", default: 0, usage: "The number of keys to generate. Set to 0 for infinite" },
];

function values(p: FlagParse): Record<string, unknown> {
  assert.equal(p.kind, "ok", JSON.stringify(p));
  return p.kind === "ok" ? { ...Object.fromEntries(p.values), args: p.args } : {};
}

test("the Jobs chapter's flags parse in every form pflag accepts", () => {
  const cases: [string[], Record<string, unknown>][] = [
    [[], { address: ":8080", "keygen-enable": false, "keygen-num-to-gen": 0, args: [] }],
    [
      ["--keygen-enable", "--keygen-num-to-gen", "10"],
      { address: ":8080", "keygen-enable": true, "keygen-num-to-gen": 10, args: [] },
    ],
    [
      ["--keygen-enable=false", "--keygen-num-to-gen=3", "--address=:9090"],
      { address: ":9090", "keygen-enable": false, "keygen-num-to-gen": 3, args: [] },
    ],
    // `command: ["/kuard", "$(EXTRA_PARAM)"]` passes a plain argument: kept, not an error.
    [
      ["extra-value", "--", "--x"],
      { address: ":8080", "keygen-enable": false, "keygen-num-to-gen": 0, args: ["extra-value", "--x"] },
    ],
  ];
  for (const [argv, want] of cases) assert.deepEqual(values(parseFlags(argv, specs)), want, argv.join(" "));
});

test("errors say what pflag says", () => {
  const cases: [string[], FlagParse][] = [
    [["--nope"], { kind: "error", message: "unknown flag: --nope" }],
    [["-x"], { kind: "error", message: "unknown shorthand flag: 'x' in -x" }],
    [["--keygen-num-to-gen"], { kind: "error", message: "flag needs an argument: --keygen-num-to-gen" }],
    [
      ["--keygen-num-to-gen=ten"],
      {
        kind: "error",
        message:
          'invalid argument "ten" for "--keygen-num-to-gen" flag: strconv.ParseInt: parsing "ten": invalid syntax',
      },
    ],
    [["--help"], { kind: "help" }],
    [["-h"], { kind: "help" }],
  ];
  for (const [argv, want] of cases) assert.deepEqual(parseFlags(argv, specs), want, argv.join(" "));
});

test("usage lists every flag with its non-zero default", () => {
  assert.equal(
    flagUsage("/kuard", specs),
    [
      "Usage of /kuard:",
      '      --address string          The address to serve on (default ":8080")',
      "      --keygen-enable           Enable KeyGen workload",
      "      --keygen-num-to-gen int   The number of keys to generate. Set to 0 for infinite",
      "",
    ].join("\n"),
  );
});
