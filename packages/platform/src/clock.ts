/** The one notion of time core uses: anything that waits or reads the time takes a Clock, so tests can control it. */
export interface Clock {
  /** Milliseconds; only differences are meaningful. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when the signal aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The longest delay setTimeout honours on every runtime (2^31 - 1 ms, ~24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted", "AbortError");
}

/** Real time: performance.now() (monotonic) where available, Date.now() otherwise; sleeps on setTimeout. */
export const systemClock: Clock = {
  // decided on the first call: in Node, touching the `performance` global loads perf_hooks, which an import should not pay for
  now() {
    const now =
      typeof performance !== "undefined" && typeof performance.now === "function"
        ? () => performance.now()
        : () => Date.now();
    systemClock.now = now;
    return now();
  },
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(abortReason(signal!));
      };
      // A delay past MAX_TIMER_MS is waited in steps: handed to setTimeout whole it would fire after ~1 ms.
      let timer: ReturnType<typeof setTimeout>;
      const arm = (left: number): void => {
        timer = setTimeout(
          () => {
            if (left > MAX_TIMER_MS) return arm(left - MAX_TIMER_MS);
            signal?.removeEventListener("abort", onAbort);
            resolve();
          },
          Math.min(left, MAX_TIMER_MS),
        );
      };
      arm(Math.max(0, ms));
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  },
};
