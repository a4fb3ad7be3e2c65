import type { ChildProcess } from "./contract.ts";
import { toPlatformError } from "./errors.ts";

/** The ChildProcess an adapter returns when the command could not be started at all. */
export function failedChild(error: unknown, command: string): ChildProcess {
  const failure = toPlatformError(error, { syscall: "spawn", path: command });
  const status = Promise.reject(failure);
  status.catch(() => {}); // the caller may only look at status later; never an unhandled rejection
  return { pid: 0, stdin: null, stdout: null, stderr: null, status, kill() {} };
}
