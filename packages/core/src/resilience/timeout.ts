import type { Clock } from "@aral/platform";
import { systemClock } from "@aral/platform";
import { TimeoutError } from "./errors.ts";
import { abortReason } from "./never-aborted.ts";
import { badCall, requireClock, requireOptions, requirePositive } from "./validate.ts";

export interface TimeoutOptions {
  /** The caller's signal: aborting it aborts the call too (and rejects with its reason). */
  signal?: AbortSignal;
  clock?: Clock;
  /** Names the call in the TimeoutError message. */
  what?: string;
}

const TIMEOUT_OPTION_KEYS = Object.keys({ signal: true, clock: true, what: true } satisfies Record<
  keyof TimeoutOptions,
  true
>);

/**
 * Runs `fn` with a signal that aborts after `ms`; rejects with a TimeoutError at that moment (a call that ignores
 * its signal keeps running in the background, but its late result is dropped).
 */
export function withTimeout<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  ms: number,
  options: TimeoutOptions = {},
): Promise<T> {
  try {
    requirePositive("timeout ms", ms);
    requireOptions("withTimeout", "options", options, TIMEOUT_OPTION_KEYS);
    requireClock("clock", options.clock);
  } catch (error) {
    return Promise.reject(error);
  }
  return runWithTimeout(fn, ms, options.clock ?? systemClock, options.signal, options.what);
}

export function runWithTimeout<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  ms: number,
  clock: Clock,
  outer: AbortSignal | undefined,
  what = "Operation",
): Promise<T> {
  const bad = badCall(fn, outer);
  if (bad) return bad;
  if (outer?.aborted) return Promise.reject(abortReason(outer));
  const controller = new AbortController();
  const timer = new AbortController();
  return new Promise<T>((resolve, reject) => {
    const finish = (): void => {
      timer.abort();
      outer?.removeEventListener("abort", onOuterAbort);
    };
    const onOuterAbort = (): void => {
      finish();
      const reason = abortReason(outer!);
      controller.abort(reason);
      reject(reason);
    };
    outer?.addEventListener("abort", onOuterAbort, { once: true });
    clock.sleep(ms, timer.signal).then(
      () => {
        outer?.removeEventListener("abort", onOuterAbort);
        const error = new TimeoutError(ms, what);
        controller.abort(error);
        reject(error);
      },
      () => {},
    );
    let call: Promise<T>;
    try {
      call = Promise.resolve(fn(controller.signal));
    } catch (error) {
      call = Promise.reject(error);
    }
    call.then(
      (value) => {
        finish();
        resolve(value);
      },
      (error: unknown) => {
        finish();
        reject(error);
      },
    );
  });
}
