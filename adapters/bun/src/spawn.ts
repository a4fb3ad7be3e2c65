// Bun.spawn runs the child; node:os only for signal numbers, which Bun reports without names.
import type { ChildProcess, ExitStatus, ProcessSignal, SpawnPrimitiveOptions } from "@aral/platform";
import { failedChild } from "@aral/platform";
import { fileSinkToWritable } from "./file-sink-stream.ts";
import { nodeOs } from "./on-first-use.ts";

const BUN_STDIO = { pipe: "pipe", inherit: "inherit", null: "ignore" } as const;

export function spawn(command: string, args: string[] = [], opts: SpawnPrimitiveOptions = {}): ChildProcess {
  const stdin = opts.stdin ?? "null";
  const stdout = opts.stdout ?? "pipe";
  const stderr = opts.stderr ?? "pipe";
  let child: Bun.Subprocess<
    "pipe" | "inherit" | "ignore",
    "pipe" | "inherit" | "ignore",
    "pipe" | "inherit" | "ignore"
  >;
  try {
    child = Bun.spawn([command, ...args], {
      cwd: opts.cwd,
      // no env option at all unless one is asked for: Bun then passes its own environment without a copy per spawn
      ...(opts.env === undefined && !opts.clearEnv ? {} : { env: childEnv(opts) }),
      stdin: BUN_STDIO[stdin],
      stdout: BUN_STDIO[stdout],
      stderr: BUN_STDIO[stderr],
    });
  } catch (error) {
    // Bun throws synchronously when the command (or the cwd) cannot be used; the contract settles `status` instead.
    return failedChild(error, command);
  }

  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  const kill = (signal: ProcessSignal = "SIGTERM") => {
    if (!hasExited()) child.kill(signal);
  };

  const status = child.exited.then((): ExitStatus => toExitStatus(child.exitCode, child.signalCode));

  return {
    pid: child.pid,
    stdin:
      stdin === "pipe" && child.stdin
        ? fileSinkToWritable(child.stdin as Bun.FileSink, { syscall: "write", path: `${command} stdin` })
        : null,
    stdout: stdout === "pipe" ? (child.stdout as ReadableStream<Uint8Array>) : null,
    stderr: stderr === "pipe" ? (child.stderr as ReadableStream<Uint8Array>) : null,
    status,
    kill,
  };
}

/** The parent's environment with opts.env on top, or with clearEnv only opts.env (Bun still finds the command on the parent PATH). */
function childEnv(opts: SpawnPrimitiveOptions): Record<string, string> {
  if (opts.clearEnv) return { ...opts.env };
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(Bun.env)) if (value !== undefined) env[key] = value;
  return Object.assign(env, opts.env);
}

function toExitStatus(code: number | null, signal: string | number | null): ExitStatus {
  if (signal !== null) return { code: null, signal: signalName(signal), success: false };
  return { code, signal: null, success: code === 0 };
}

function signalName(signal: string | number): string {
  if (typeof signal === "string") return signal;
  const entry = Object.entries(nodeOs().constants.signals).find(([, number]) => number === signal);
  return entry ? entry[0] : `SIG${signal}`;
}
