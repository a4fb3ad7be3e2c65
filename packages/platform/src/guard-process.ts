import type { ChildProcess, ProcessApi, ProcessSignal, SpawnOptions, StdioMode } from "./contract.ts";
import { childView } from "./child-view.ts";
import {
  envKeyError,
  envValueError,
  functionError,
  misuse,
  optionalAbortSignalError,
  optionalBooleanError,
  optionalChoiceError,
  optionalIntegerError,
  optionsError,
  pathError,
  spell,
} from "./guard-checks.ts";

const STDIO_MODES: ReadonlySet<string> = new Set<StdioMode>(["pipe", "inherit", "null"]);
const STDIO_SPELLED = spell(STDIO_MODES);
const KILL_SIGNALS: ReadonlySet<string> = new Set<ProcessSignal>(["SIGTERM", "SIGKILL", "SIGINT", "SIGHUP"]);
const KILL_SPELLED = spell(KILL_SIGNALS);
const SPAWN = "process.spawn";

function argsError(args: unknown): TypeError | undefined {
  if (args === undefined) return undefined;
  if (!Array.isArray(args)) return misuse(SPAWN, "args", "an array of strings", args, "object");
  for (let i = 0; i < args.length; i++) {
    const arg: unknown = args[i];
    if (typeof arg !== "string" || arg.includes("\0"))
      return misuse(SPAWN, `args[${i}]`, "a string without NUL characters", arg, "string");
  }
  return undefined;
}

function childEnvError(env: unknown): TypeError | undefined {
  if (env === undefined) return undefined;
  const error = optionsError(SPAWN, "opts.env", env);
  if (error) return error;
  for (const key in env as Record<string, unknown>) {
    if (!Object.hasOwn(env as object, key)) continue;
    const keyError = envKeyError(SPAWN, "opts.env key", key);
    if (keyError) return keyError;
    const valueError = envValueError(SPAWN, `opts.env.${key}`, (env as Record<string, unknown>)[key]);
    if (valueError) return valueError;
  }
  return undefined;
}

function spawnError(command: unknown, args: unknown, opts: SpawnOptions | undefined): TypeError | undefined {
  return (
    pathError(SPAWN, "command", command) ??
    argsError(args) ??
    optionsError(SPAWN, "opts", opts) ??
    (opts === undefined
      ? undefined
      : ((opts.cwd === undefined ? undefined : pathError(SPAWN, "opts.cwd", opts.cwd)) ??
        childEnvError(opts.env) ??
        optionalBooleanError(SPAWN, "opts.clearEnv", opts.clearEnv) ??
        optionalChoiceError(SPAWN, "opts.stdin", opts.stdin, STDIO_MODES, STDIO_SPELLED) ??
        optionalChoiceError(SPAWN, "opts.stdout", opts.stdout, STDIO_MODES, STDIO_SPELLED) ??
        optionalChoiceError(SPAWN, "opts.stderr", opts.stderr, STDIO_MODES, STDIO_SPELLED) ??
        optionalAbortSignalError(SPAWN, "opts.signal", opts.signal)))
  );
}

/** The adapter's child with kill() checked; every other member read live from it. */
function guardChild(child: ChildProcess): ChildProcess {
  return childView(child, {
    kill(signal) {
      const error = optionalChoiceError("ChildProcess.kill", "signal", signal, KILL_SIGNALS, KILL_SPELLED);
      if (error) throw error;
      child.kill(signal);
    },
  });
}

export function guardProcess(proc: ProcessApi): ProcessApi {
  return {
    spawn(command, args, opts) {
      const error = spawnError(command, args, opts);
      if (error) throw error;
      return guardChild(proc.spawn(command, args, opts));
    },
    get pid() {
      return proc.pid;
    },
    get ppid() {
      return proc.ppid;
    },
    cwd: () => proc.cwd(),
    get argv() {
      return proc.argv;
    },
    get execPath() {
      return proc.execPath;
    },
    exit(code) {
      const error = optionalIntegerError("process.exit", "code", code, 0, 255, "0 to 255");
      if (error) throw error;
      return proc.exit(code);
    },
    onUncaught(handler) {
      const error = functionError("process.onUncaught", "handler", handler);
      if (error) throw error;
      return proc.onUncaught(handler);
    },
  };
}
