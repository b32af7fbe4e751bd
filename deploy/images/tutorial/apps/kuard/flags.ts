// Command-line flags the way kuard's Go flag library (spf13/pflag) reads them: --name=value,
// --name value, --bool, --bool=false; arguments that are not flags are kept and ignored by kuard (the
// ConfigMap example runs `/kuard $(EXTRA_PARAM)`); errors and help text in pflag's words.

export type FlagValue = boolean | number | string;

export interface FlagSpec {
  name: string;
  default: FlagValue;
  usage: string;
}

export type FlagParse =
  | { kind: "ok"; values: Map<string, FlagValue>; args: string[] }
  | { kind: "help" }
  | { kind: "error"; message: string };

const goTrue = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const goFalse = new Set(["0", "f", "F", "FALSE", "false", "False"]);

function convert(spec: FlagSpec, raw: string): FlagValue | { error: string } {
  const invalid = (fn: string) => ({
    error: `invalid argument "${raw}" for "--${spec.name}" flag: ${fn}: parsing "${raw}": invalid syntax`,
  });
  switch (typeof spec.default) {
    case "boolean":
      if (goTrue.has(raw)) return true;
      if (goFalse.has(raw)) return false;
      return invalid("strconv.ParseBool");
    case "number":
      return /^[+-]?\d+$/.test(raw) ? Number.parseInt(raw, 10) : invalid("strconv.ParseInt");
    default:
      return raw;
  }
}

export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): FlagParse {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values = new Map<string, FlagValue>(specs.map((s) => [s.name, s.default]));
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      args.push(arg);
      continue;
    }
    if (!arg.startsWith("--")) {
      const c = arg[1]!;
      if (c === "h") return { kind: "help" };
      return { kind: "error", message: `unknown shorthand flag: '${c}' in ${arg}` };
    }
    const eq = arg.indexOf("=");
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const spec = byName.get(name);
    if (!spec) {
      if (name === "help") return { kind: "help" };
      return { kind: "error", message: `unknown flag: --${name}` };
    }
    let raw: string;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else if (typeof spec.default === "boolean") raw = "true";
    else if (i + 1 < argv.length) raw = argv[++i]!;
    else return { kind: "error", message: `flag needs an argument: --${name}` };
    const value = convert(spec, raw);
    if (typeof value === "object") return { kind: "error", message: value.error };
    values.set(name, value);
  }
  return { kind: "ok", values, args };
}

/** pflag's PrintDefaults: one line per flag, names aligned, defaults that are not zero shown. */
export function flagUsage(program: string, specs: readonly FlagSpec[]): string {
  const left = specs.map((s) => {
    const kind = typeof s.default === "boolean" ? "" : typeof s.default === "number" ? " int" : " string";
    return `      --${s.name}${kind}`;
  });
  const width = Math.max(...left.map((l) => l.length)) + 3;
  const lines = specs.map((s, i) => {
    const zero = s.default === false || s.default === 0 || s.default === "";
    const dflt = zero
      ? ""
      : typeof s.default === "string"
        ? ` (default "${s.default}")`
        : ` (default ${s.default})`;
    return `${left[i]!.padEnd(width)}${s.usage}${dflt}`;
  });
  return `Usage of ${program}:\n${lines.join("\n")}\n`;
}
