import type { Output } from "./output.ts";

/** The options a command accepts: flags take no value, values take one (`--name value` or `--name=value`). */
export interface ArgumentSpec {
  readonly flags?: readonly string[];
  readonly values?: readonly string[];
  /** Values that may be given more than once (`--allow-env A --allow-env B`), kept in order. */
  readonly lists?: readonly string[];
  /** A short form and the option it stands for, e.g. `{ "-n": "--lines" }`. */
  readonly aliases?: Readonly<Record<string, string>>;
  /** The positionals that must be there, named as the usage line names them, e.g. `["<manifest>"]`. */
  readonly required?: readonly string[];
  /** How many more positionals may follow them (default none). */
  readonly optional?: number;
  /** The first positional ends the options: it and everything after it are positionals (a command and its arguments). */
  readonly stopAtFirstPositional?: boolean;
}

export interface Arguments {
  /** `--help` or `-h` stood where an option may; nothing else was read. */
  readonly help: boolean;
  readonly flags: ReadonlySet<string>;
  readonly values: ReadonlyMap<string, string>;
  readonly lists: ReadonlyMap<string, readonly string[]>;
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
  const lists = new Map<string, string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      if (spec.stopAtFirstPositional) {
        positionals.push(...argv.slice(i));
        break;
      }
      positionals.push(arg);
      continue;
    }
    if (arg === "--help" || arg === "-h") return { help: true, flags, values, lists, positionals };
    const equals = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const written = equals === -1 ? arg : arg.slice(0, equals);
    const name = spec.aliases?.[written] ?? written;
    if (spec.flags?.includes(name)) {
      if (equals !== -1) return `${written} takes no value, got ${JSON.stringify(arg)}`;
      flags.add(name);
      continue;
    }
    const single = spec.values?.includes(name);
    if (!single && !spec.lists?.includes(name)) return `unknown option ${JSON.stringify(arg)}`;
    const value = equals === -1 ? argv[++i] : arg.slice(equals + 1);
    if (value === undefined || value === "" || (equals === -1 && value.startsWith("--")))
      return `${written} needs a value`;
    if (!single) lists.set(name, [...(lists.get(name) ?? []), value]);
    else if (values.has(name)) return `${written} is given twice`;
    else values.set(name, value);
  }
  const required = spec.required ?? [];
  if (positionals.length < required.length) return `missing ${required[positionals.length]}`;
  const max = spec.stopAtFirstPositional ? Number.POSITIVE_INFINITY : required.length + (spec.optional ?? 0);
  if (positionals.length > max) return `unexpected ${JSON.stringify(positionals[max])}`;
  return { help: false, flags, values, lists, positionals };
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
  const args = readArguments(argv, spec);
  if (typeof args === "string") return usageError(output, `${spec.command}: ${args}`, spec.usage);
  if (!args.help) return args;
  output.out(spec.help ?? spec.usage);
  return 0;
}
