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
 * One stderr line per burst of shed connections ("serve: out of file descriptors ..."), not one per
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

/** The soft limit on open files in the text of /proc/self/limits ("Max open files"), or undefined (unlimited, absent). */
export function softOpenFileLimit(limitsText: string): number | undefined {
  const line = limitsText.split("\n").find((l) => l.startsWith("Max open files"));
  const soft = line?.slice("Max open files".length).trim().split(/\s+/)[0];
  const limit = Number(soft);
  return soft === undefined || soft === "unlimited" || !Number.isInteger(limit) ? undefined : limit;
}

/**
 * For a runtime whose server sheds the connections it cannot accept without a word (Bun.serve surfaces no accept
 * error): samples the descriptors in use every `intervalMs` and, at `ratio` of `limit` - or when counting them
 * finds no descriptor left (EMFILE) - says so once per burst. `limit` may be a reader, called on the first sample
 * (off the caller's start path) and again until it gives a number; `undefined` (no limit, nothing to read) stops
 * the sampling. The timer keeps no process alive. Returns stop().
 */
export function watchDescriptorUse(
  where: string,
  limit: number | (() => number | undefined),
  countOpen: () => number,
  options: { intervalMs?: number; ratio?: number; log?: (line: string) => void } = {},
): () => void {
  const { intervalMs = 1_000, ratio = 0.95, log } = options;
  const exhaustion = exhaustionLog(where, log);
  let known = typeof limit === "number" ? limit : undefined;
  const sample = (): void => {
    if (known === undefined && typeof limit === "function") {
      try {
        known = limit();
      } catch (error) {
        if (isDescriptorExhaustion(error))
          exhaustion.report("all descriptors in use"); // read again next time
        else clearInterval(timer); // nothing to read (no /proc): nothing to watch
        return;
      }
      if (known === undefined) {
        clearInterval(timer); // no limit
        return;
      }
    }
    try {
      const open = countOpen();
      if (open >= (known as number) * ratio) exhaustion.report(`${open} of ${known} descriptors open`);
    } catch (error) {
      if (isDescriptorExhaustion(error)) exhaustion.report(`all ${known} descriptors in use`);
    }
  };
  const timer = setInterval(sample, intervalMs);
  (timer as { unref?: () => void }).unref?.();
  return () => clearInterval(timer);
}
