import type { ChildProcess, ExitStatus, FileInfo, ProcessApi, SpawnOptions } from "./contract.ts";
import { childView } from "./child-view.ts";
import { PlatformError, isPlatformError } from "./errors.ts";

/** What an adapter's spawn is handed: the options without `signal` (abort -> kill is derived). */
export type SpawnPrimitiveOptions = Omit<SpawnOptions, "signal">;

/** The process API an adapter maps: its spawn() never sees an abort signal. */
export type ProcessPrimitives = Omit<ProcessApi, "spawn"> & {
  spawn(command: string, args?: string[], opts?: SpawnPrimitiveOptions): ChildProcess;
};

/**
 * spawn() with what every runtime needs on top: aborting `opts.signal` sends SIGTERM (at once when it
 * is already aborted), and a start that fails NotFound while `opts.cwd` is missing names the
 * directory, not the command (runtimes report a missing cwd as a missing command).
 */
export function deriveProcess(proc: ProcessPrimitives, stat: (path: string) => Promise<FileInfo>): ProcessApi {
  const api = Object.defineProperties({}, Object.getOwnPropertyDescriptors(proc)) as ProcessApi;
  api.spawn = (command, args, opts = {}) => {
    const { signal, ...rest } = opts;
    const child = proc.spawn(command, args, rest);
    const status = diagnoseStart(child.status, command, opts.cwd, stat);
    if (signal !== undefined) {
      const abort = () => child.kill("SIGTERM");
      if (signal.aborted) abort();
      else {
        signal.addEventListener("abort", abort, { once: true });
        const unsubscribe = () => signal.removeEventListener("abort", abort);
        status.then(unsubscribe, unsubscribe);
      }
    }
    return childView(child, { status, kill: (name) => child.kill(name) });
  };
  return api;
}

function diagnoseStart(
  status: Promise<ExitStatus>,
  command: string,
  cwd: string | undefined,
  stat: (path: string) => Promise<FileInfo>,
): Promise<ExitStatus> {
  const diagnosed = status.catch(async (error: unknown) => {
    if (cwd === undefined || !isPlatformError(error, "NotFound") || error.path === cwd) throw error;
    const cwdMissing = await stat(cwd).then(
      () => false,
      (statError: unknown) => isPlatformError(statError, "NotFound"),
    );
    if (!cwdMissing) throw error;
    throw new PlatformError(
      "NotFound",
      `NotFound: spawn '${command}' failed: working directory '${cwd}' does not exist`,
      { syscall: "spawn", path: cwd, cause: error },
    );
  });
  diagnosed.catch(() => {}); // the caller may look at status only later; never an unhandled rejection
  return diagnosed;
}
