import type { ChildProcess, ExitStatus, ProcessSignal, SpawnPrimitiveOptions, StdioMode } from "@aral/platform";
import { failedChild, toPlatformError } from "@aral/platform";

const STDIO_MODES: Record<StdioMode, "piped" | "inherit" | "null"> = {
  pipe: "piped",
  inherit: "inherit",
  null: "null",
};

/** Deno reports a signal death as code 128+n plus the signal; the contract wants code null then. */
function toExitStatus(status: Deno.CommandStatus): ExitStatus {
  if (status.signal !== null) return { code: null, signal: status.signal, success: false };
  return { code: status.code, signal: null, success: status.code === 0 };
}

function isAlreadyTerminated(error: unknown): boolean {
  return error instanceof TypeError && /already terminated/i.test(error.message);
}

export function spawn(command: string, args: string[] = [], opts: SpawnPrimitiveOptions = {}): ChildProcess {
  const options: Deno.CommandOptions = {
    args,
    clearEnv: opts.clearEnv ?? false,
    stdin: STDIO_MODES[opts.stdin ?? "null"],
    stdout: STDIO_MODES[opts.stdout ?? "pipe"],
    stderr: STDIO_MODES[opts.stderr ?? "pipe"],
  };
  if (opts.cwd !== undefined) options.cwd = opts.cwd;
  if (opts.env !== undefined) options.env = opts.env;

  let child: Deno.ChildProcess;
  try {
    // A missing command, a missing cwd or a non-executable file throws here, synchronously.
    child = new Deno.Command(command, options).spawn();
  } catch (error) {
    return failedChild(error, command);
  }

  let exited = false;
  const kill = (signal: ProcessSignal = "SIGTERM"): void => {
    if (exited) return;
    try {
      child.kill(signal);
    } catch (error) {
      // The child can exit between our check and the kill; that is the documented no-op.
      if (isAlreadyTerminated(error)) return;
      throw toPlatformError(error, { syscall: "kill", path: command });
    }
  };

  const status = child.status
    .then(
      (raw) => toExitStatus(raw),
      (error) => {
        throw toPlatformError(error, { syscall: "wait", path: command });
      },
    )
    .finally(() => {
      exited = true;
    });

  return {
    pid: child.pid,
    stdin: options.stdin === "piped" ? child.stdin : null,
    stdout: options.stdout === "piped" ? child.stdout : null,
    stderr: options.stderr === "piped" ? child.stderr : null,
    status,
    kill,
  };
}
