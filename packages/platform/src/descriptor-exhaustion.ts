// Running out of file descriptors is load, not a crash: a server sheds the connections it cannot take,
// says so once per burst, and serves again once descriptors free up.

/** Whether `error` says the process (EMFILE) or the system (ENFILE) has no file descriptor left. */
export function isDescriptorExhaustion(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (e?.code === "EMFILE" || e?.code === "ENFILE") return true;
  const message = typeof e?.message === "string" ? e.message : String(error);
  return /too many open files|EMFILE|ENFILE|os error 2[34]\b/i.test(message);
}

/** Reports after this long without one start a new burst (and are logged again). */
export const EXHAUSTION_QUIET_MS = 5_000;

/**
 * One stderr line per burst of shed connections ("serve: out of file descriptors …"), not one per
 * connection; `report()` returns whether it logged. `now` is injectable for tests.
 */
export function exhaustionLog(
  where: string,
  log: (line: string) => void = (line) => console.error(line),
  now: () => number = Date.now,
): { report(detail: string): boolean } {
  let lastReport = Number.NEGATIVE_INFINITY;
  return {
    report(detail) {
      const at = now();
      const quiet = at - lastReport >= EXHAUSTION_QUIET_MS;
      lastReport = at;
      if (quiet)
        log(
          `serve: out of file descriptors on ${where} (${detail}): shedding connections until descriptors free up; logged once per burst`,
        );
      return quiet;
    },
  };
}
