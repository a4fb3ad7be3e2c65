import type { ChildProcess, ExitStatus } from "./contract.ts";

/** A view of an adapter's child: pid and stdio read live from it (they may be set after spawn returns), with its own kill() and, optionally, status. */
export function childView(
  child: ChildProcess,
  own: { kill: ChildProcess["kill"]; status?: Promise<ExitStatus> },
): ChildProcess {
  return {
    get pid() {
      return child.pid;
    },
    get stdin() {
      return child.stdin;
    },
    get stdout() {
      return child.stdout;
    },
    get stderr() {
      return child.stderr;
    },
    get status() {
      return own.status ?? child.status;
    },
    kill: own.kill,
  };
}
