import type { Platform } from "@aral/platform";

/**
 * Sends `signal` to processes the supervisor did not spawn itself (an instance's grandchildren, a process
 * group): the Platform can only signal its own children, so this runs the shell's `kill`. A negative id is
 * a process group. Processes that are already gone are not an error.
 */
export async function signalProcesses(
  platform: Pick<Platform, "process">,
  signal: "TERM" | "KILL",
  ids: readonly number[],
): Promise<void> {
  const targets = ids.filter((id) => Number.isInteger(id) && id !== 0 && id !== 1 && id !== -1);
  if (targets.length === 0) return;
  const child = platform.process.spawn(
    "/bin/sh",
    ["-c", `kill -s ${signal} -- "$@" 2>/dev/null; exit 0`, "aral-kill", ...targets.map(String)],
    {
      stdin: "null",
      stdout: "null",
      stderr: "null",
    },
  );
  await child.status.catch(() => undefined);
}
