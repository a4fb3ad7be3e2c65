import type { Platform } from "@aral/platform";

/** How often a supervised runtime looks for its supervisor. */
export const SUPERVISOR_POLL_MS = 1_000;

/** Start time (field 22, clock ticks since boot) of /proc/<pid>/stat: a reused pid has another. */
export function processStartTime(statText: string): string | null {
  const afterName = statText.slice(statText.lastIndexOf(")") + 2).split(" ");
  return afterName[19] ?? null; // fields 3... follow the name; field 22 is the 20th of them
}

async function startTimeOf(platform: Pick<Platform, "fs">, pid: number): Promise<string | null> {
  try {
    return processStartTime(await platform.fs.readTextFile(`/proc/${pid}/stat`));
  } catch {
    return null;
  }
}

/**
 * Watches the supervisor that started this process (ARAL_SUPERVISOR_PID, set by @aral/supervisor) and calls
 * `onGone` once when it has died (SIGKILL, crash): its /proc entry is gone or belongs to a new process. Linux
 * only (/proc, read through the Platform); elsewhere, or without the variable, nothing is watched and
 * undefined is returned. Returns the function that stops watching.
 */
export function watchSupervisor(
  platform: Pick<Platform, "fs" | "runtime">,
  env: Readonly<Record<string, string | undefined>>,
  onGone: (pid: number) => void,
  intervalMs = SUPERVISOR_POLL_MS,
): (() => void) | undefined {
  const pid = Number(env["ARAL_SUPERVISOR_PID"]);
  if (!Number.isInteger(pid) || pid <= 1 || platform.runtime.os !== "linux") return undefined;
  let started: Promise<string | null> | undefined = startTimeOf(platform, pid);
  let checking = false;
  const timer = setInterval(() => {
    if (checking || started === undefined) return;
    checking = true;
    void Promise.all([started, startTimeOf(platform, pid)])
      .then(([first, now]) => {
        if (started === undefined || (first !== null && now === first)) return;
        started = undefined;
        clearInterval(timer);
        onGone(pid);
      })
      .finally(() => (checking = false));
  }, intervalMs);
  // Never the reason the process stays alive.
  (timer as { unref?: () => void }).unref?.();
  return () => {
    started = undefined;
    clearInterval(timer);
  };
}
