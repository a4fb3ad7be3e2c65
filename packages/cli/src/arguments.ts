import type { Output } from "./output.ts";

/** The options a command accepts: flags take no value, values take one (`--name value` or `--name=value`). */
export interface ArgumentSpec {
  readonly flags?: readonly string[];
  readonly values?: readonly string[];
  /** A short form and the option it stands for, e.g. `{ "-n": "--lines" }`. */
  readonly aliases?: Readonly<Record<string, string>>;
  /** The positionals that must be there, named as the usage line names them, e.g. `["<manifest>"]`. */
  readonly required?: readonly string[];
  /** How many more positionals may follow them (default none). */
  readonly optional?: number;
}

export interface Arguments {
  readonly flags: ReadonlySet<string>;
  readonly values: ReadonlyMap<string, string>;
  readonly positionals: readonly string[];
}

/**
 * `argv` read against `spec`, or a message naming the first argument that does not fit: an option the command
 * does not know, a value missing or given twice, a value given to a flag. A script that misspells `--json` gets
 * an error, not text it cannot parse; so does a positional missing or one too many. `--` ends the options; `-`
 * alone is a positional.
 */
export function readArguments(argv: readonly string[], spec: ArgumentSpec): Arguments | string {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const equals = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const written = equals === -1 ? arg : arg.slice(0, equals);
    const name = spec.aliases?.[written] ?? written;
    if (spec.flags?.includes(name)) {
      if (equals !== -1) return `${written} takes no value, got ${JSON.stringify(arg)}`;
      flags.add(name);
    } else if (spec.values?.includes(name)) {
      const value = equals === -1 ? argv[++i] : arg.slice(equals + 1);
      if (value === undefined || value === "" || (equals === -1 && value.startsWith("--")))
        return `${written} needs a value`;
      if (values.has(name)) return `${written} is given twice`;
      values.set(name, value);
    } else return `unknown option ${JSON.stringify(arg)}`;
  }
  const required = spec.required ?? [];
  if (positionals.length < required.length) return `missing ${required[positionals.length]}`;
  const max = required.length + (spec.optional ?? 0);
  if (positionals.length > max) return `unexpected ${JSON.stringify(positionals[max])}`;
  return { flags, values, positionals };
}

/** A usage error: the message, then the usage line, on stderr; exit code 2. */
export function usageError(output: Output, message: string, usage: string): 2 {
  output.err(`${message}\n${usage}`);
  return 2;
}

export interface CommandSpec extends ArgumentSpec {
  /** How messages start, e.g. "aral check". */
  readonly command: string;
  readonly usage: string;
  /** What --help prints (default the usage line). */
  readonly help?: string;
}

/**
 * A command's arguments, or the exit code when there is nothing to run: 0 after `--help` (or `-h`) printed the
 * help, 2 after a usage error was printed.
 */
export function commandArguments(output: Output, argv: readonly string[], spec: CommandSpec): Arguments | 0 | 2 {
  const end = argv.indexOf("--");
  const options = end === -1 ? argv : argv.slice(0, end);
  if (options.includes("--help") || options.includes("-h")) {
    output.out(spec.help ?? spec.usage);
    return 0;
  }
  const args = readArguments(argv, spec);
  return typeof args === "string" ? usageError(output, `${spec.command}: ${args}`, spec.usage) : args;
}
