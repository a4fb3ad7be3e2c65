import { isPlatformError } from "@aral/platform";
import type { Platform } from "@aral/platform";

/** How often a supervised runtime looks for its supervisor. */
export const SUPERVISOR_POLL_MS = 1_000;

/** Start time (field 22, clock ticks since boot) of /proc/<pid>/stat: a reused pid has another. */
export function processStartTime(statText: string): string | null {
  const afterName = statText.slice(statText.lastIndexOf(")") + 2).split(" ");
  return afterName[19] ?? null; // fields 3... follow the name; field 22 is the 20th of them
}

/** Whether /proc/<pid>/stat shows a process that has died and waits to be reaped (state Z or X). */
function isDead(statText: string): boolean {
  const state = statText.charAt(statText.lastIndexOf(")") + 2);
  return state === "Z" || state === "X";
}

/**
 * What one look at /proc/<pid>/stat says: the live process's start time; "gone"; "denied" (why: this process may
 * not read it, e.g. Deno without -A); or "unclear" (a failed read that says nothing about the supervisor, such as
 * ESRCH from a process dying between open and read: the next look decides).
 */
type Look = { startTime: string } | "gone" | { denied: string } | "unclear";

async function look(platform: Pick<Platform, "fs">, pid: number): Promise<Look> {
  try {
    const stat = await platform.fs.readTextFile(`/proc/${pid}/stat`);
    const startTime = processStartTime(stat);
    if (isDead(stat)) return "gone";
    return startTime === null ? "unclear" : { startTime };
  } catch (error) {
    if (isPlatformError(error, "NotFound")) return "gone";
    if (isPlatformError(error, "PermissionDenied")) return { denied: error.message };
    return "unclear";
  }
}

export interface SupervisorWatchEvents {
  /** The supervisor has died. Called once. */
  onGone(pid: number): void;
  /** The supervisor cannot be watched (why), e.g. Deno without -A may not read /proc. Called once, then nothing. */
  onUnwatchable?(pid: number, reason: string): void;
}

/** Runs `check` every `intervalMs` (one at a time, never keeping the process alive) until it returns true. */
function pollUntil(intervalMs: number, check: () => boolean | Promise<boolean>, then: () => void): () => void {
  let stopped = false;
  let checking = false;
  const timer = setInterval(() => {
    if (checking || stopped) return;
    checking = true;
    void Promise.resolve()
      .then(check)
      .then((done) => {
        if (!done || stopped) return;
        stop();
        then();
      })
      .finally(() => (checking = false));
  }, intervalMs);
  (timer as { unref?: () => void }).unref?.();
  function stop(): void {
    stopped = true;
    clearInterval(timer);
  }
  return stop;
}

/**
 * Watches the supervisor that started this process (ARAL_SUPERVISOR_PID, set by @aral/supervisor) and calls
 * `onGone` once when it has died (SIGKILL, crash). Started by the supervisor itself (its usual way), the process
 * watches its parent pid, which changes when the parent dies: no /proc read, no permission, any OS. Otherwise, on
 * Linux, /proc/<pid>/stat through the Platform: gone when the entry is gone, shows a dead process, or belongs to a
 * new process under the reused pid (its start time differs). When neither can be read, `onUnwatchable` is told why
 * and nothing is watched. Without the variable, or off Linux with another parent, undefined is returned. Returns
 * the function that stops watching.
 */
export function watchSupervisor(
  platform: Pick<Platform, "fs" | "runtime" | "process">,
  env: Readonly<Record<string, string | undefined>>,
  events: SupervisorWatchEvents,
  intervalMs = SUPERVISOR_POLL_MS,
): (() => void) | undefined {
  const pid = Number(env["ARAL_SUPERVISOR_PID"]);
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  if (platform.process.ppid === pid) {
    return pollUntil(
      intervalMs,
      () => platform.process.ppid !== pid,
      () => events.onGone(pid),
    );
  }
  if (platform.runtime.os !== "linux") return undefined;
  // the supervisor's start time, from the first look that shows it alive
  let baseline: Promise<Look> | undefined = look(platform, pid);
  let startTime: string | undefined;
  let denied: string | undefined;
  return pollUntil(
    intervalMs,
    async () => {
      const now = await (baseline ?? look(platform, pid));
      baseline = undefined;
      if (now === "gone") return true;
      if (now === "unclear") return false;
      if ("denied" in now) {
        if (startTime !== undefined) return false; // readable before: a passing refusal, not a verdict
        denied = now.denied;
        return true;
      }
      startTime ??= now.startTime;
      return now.startTime !== startTime;
    },
    () => {
      if (denied === undefined) events.onGone(pid);
      else events.onUnwatchable?.(pid, denied);
    },
  );
}
