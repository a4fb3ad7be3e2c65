import type { Clock } from "@aral/platform";
import { systemClock } from "@aral/platform";
import { nextDelay, validateBackoff } from "./backoff.ts";
import type { BackoffOptions, BackoffStrategy, JitterMode } from "./backoff.ts";
import { NonRetryableError, ResilienceConfigError, RuntimeError, TimeoutError } from "./errors.ts";
import { abortReason, NEVER_ABORTED } from "./never-aborted.ts";
import {
  describe,
  requireClock,
  requireFunction,
  requireInteger,
  requireOptions,
  requirePositive,
  requireSignal,
  requireString,
} from "./validate.ts";

/** What each call of the retried function is told. */
export interface RetryAttempt {
  /** 1 for the first call, 2 for the first retry, ... */
  attempt: number;
  /** Aborted when the caller's signal aborts or the time budget runs out. */
  signal: AbortSignal;
}

/** Emitted after a failed attempt, just before sleeping for the next one. */
export interface RetryEvent {
  context: string;
  /** The attempt that failed (1-based). */
  attempt: number;
  error: unknown;
  /** How long we sleep before attempt + 1. */
  delayMs: number;
  /** Time since the first call started. */
  elapsedMs: number;
}

export interface RetryOptions {
  /** Total calls, as the seed counts them: 3 -> at most three calls. Integer 1-10, default 3. */
  maxRetries?: number;
  /** First delay, default 1000 ms. */
  backoffMs?: number;
  /** Upper bound of any delay, default 30000 ms. */
  maxBackoffMs?: number;
  /** Default "exponential" (backoffMs * 2^(n-1)); "linear" (backoffMs * n); "constant". */
  backoffStrategy?: BackoffStrategy;
  /** Default "full". */
  jitter?: JitterMode;
  /**
   * Total time allowed for all attempts and sleeps; the running attempt's signal aborts when it runs out, and
   * executeWithRetry rejects then (RuntimeError, reason "budget") even if that attempt ignores its signal.
   */
  budgetMs?: number;
  /**
   * Aborts the running attempt's signal and any sleep; executeWithRetry then rejects with the signal's reason at once,
   * even if the attempt ignores its signal (its late outcome is dropped, as withTimeout drops one).
   */
  signal?: AbortSignal;
  /**
   * Return false to fail at once with the error itself. NonRetryableError always fails at once. One that throws is a
   * ResilienceConfigError naming `retryable` (its throw is the cause).
   */
  retryable?: (error: unknown, attempt: number) => boolean;
  /** Observes each retry; one that throws is reported (console.error, or the handler's logger) and the retries go on. */
  onRetry?: (event: RetryEvent) => void;
  clock?: Clock;
  /** Uniform random in [0, 1) for jitter; default Math.random. A value outside [0, 1] or a throw is a ResilienceConfigError. */
  random?: () => number;
}

/** RetryOptions checked once and filled with defaults (reused by policies and RuntimeErrorHandler). */
export interface ResolvedRetryOptions extends BackoffOptions {
  maxRetries: number;
  budgetMs: number | undefined;
  retryable: ((error: unknown, attempt: number) => boolean) | undefined;
  onRetry: ((event: RetryEvent) => void) | undefined;
  clock: Clock;
}

export const RETRY_DEFAULTS = {
  maxRetries: 3,
  backoffMs: 1000,
  maxBackoffMs: 30_000,
  backoffStrategy: "exponential",
  jitter: "full",
} as const;

/** Every RetryOptions key (`satisfies` keeps the list in step with the interface); any other key is refused. */
export const RETRY_OPTION_KEYS: readonly string[] = Object.keys({
  maxRetries: true,
  backoffMs: true,
  maxBackoffMs: true,
  backoffStrategy: true,
  jitter: true,
  budgetMs: true,
  signal: true,
  retryable: true,
  onRetry: true,
  clock: true,
  random: true,
} satisfies Record<keyof RetryOptions, true>);

/** `owner` names the caller in errors about the options object itself (not an object, an unknown key). */
export function resolveRetryOptions(options: RetryOptions = {}, owner = "executeWithRetry"): ResolvedRetryOptions {
  requireOptions(owner, "options", options, RETRY_OPTION_KEYS);
  const maxRetries = requireInteger("maxRetries", options.maxRetries ?? RETRY_DEFAULTS.maxRetries, 1, 10);
  const backoffMs = options.backoffMs ?? RETRY_DEFAULTS.backoffMs;
  const maxBackoffMs =
    options.maxBackoffMs ?? Math.max(RETRY_DEFAULTS.maxBackoffMs, typeof backoffMs === "number" ? backoffMs : 0);
  const strategy = options.backoffStrategy ?? RETRY_DEFAULTS.backoffStrategy;
  const jitter = options.jitter ?? RETRY_DEFAULTS.jitter;
  validateBackoff({ strategy, backoffMs, maxBackoffMs, jitter });
  if (options.budgetMs !== undefined) requirePositive("budgetMs", options.budgetMs);
  if (options.retryable !== undefined) requireFunction("retryable", options.retryable);
  if (options.onRetry !== undefined) requireFunction("onRetry", options.onRetry);
  if (options.random !== undefined) requireFunction("random", options.random);
  requireClock("clock", options.clock);
  return {
    maxRetries,
    backoffMs,
    maxBackoffMs,
    strategy,
    jitter,
    budgetMs: options.budgetMs,
    retryable: options.retryable,
    onRetry: options.onRetry,
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
  };
}

/**
 * Calls `fn` until it succeeds, at most `maxRetries` times in all, sleeping with backoff in between.
 * Exhaustion rejects with a RuntimeError ("<context> failed after N attempts") carrying every attempt's error;
 * a NonRetryableError or an error `retryable` refuses rejects at once with that error itself.
 */
export function executeWithRetry<T>(
  fn: (attempt: RetryAttempt) => Promise<T>,
  context: string,
  options: RetryOptions = {},
): Promise<T> {
  let resolved: ResolvedRetryOptions;
  try {
    requireFunction("fn", fn);
    requireString("context", context);
    resolved = resolveRetryOptions(options);
    requireSignal("signal", options.signal);
  } catch (error) {
    return Promise.reject(error);
  }
  return runWithRetry(fn, context, resolved, options.signal);
}

/** executeWithRetry with options already resolved: the hot path (callers have checked `fn` and `signal`). */
export async function runWithRetry<T>(
  fn: (attempt: RetryAttempt) => Promise<T>,
  context: string,
  options: ResolvedRetryOptions,
  signal: AbortSignal | undefined,
): Promise<T> {
  if (signal?.aborted) throw abortReason(signal);
  const { clock, budgetMs } = options;
  const budget = budgetMs === undefined ? undefined : startBudget(clock, budgetMs, context, signal);
  const attemptSignal = budget?.signal ?? signal ?? NEVER_ABORTED;
  const started = budget ? budget.started : clock.now();
  let errors: unknown[] | undefined;
  let previousDelay: number | undefined;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        const call = fn({ attempt, signal: attemptSignal });
        // An attempt that ignores its aborted signal (caller's abort, budget run out) is left behind, as withTimeout
        // leaves a call: executeWithRetry settles at the abort all the same.
        return await (attemptSignal === NEVER_ABORTED ? call : settleOrAbort(call, attemptSignal));
      } catch (error) {
        (errors ??= []).push(error);
        if (signal?.aborted) throw abortReason(signal);
        if (budget?.signal.aborted) throw budgetExhausted(context, budgetMs!, errors);
        if (error instanceof NonRetryableError) throw error;
        if (options.retryable && !isRetryable(options.retryable, error, attempt, context)) throw error;
        if (attempt >= options.maxRetries) {
          throw new RuntimeError(`${context} failed after ${attempt} attempts`, {
            context,
            cause: error,
            attempts: errors,
          });
        }
        const delayMs = nextDelay(options, attempt, previousDelay);
        previousDelay = delayMs;
        const elapsedMs = clock.now() - started;
        if (budget && elapsedMs + delayMs >= budgetMs!) throw budgetExhausted(context, budgetMs!, errors);
        if (options.onRetry) notify(options.onRetry, { context, attempt, error, delayMs, elapsedMs });
        if (delayMs > 0) await clock.sleep(delayMs, signal);
      }
    }
  } finally {
    budget?.stop();
  }
}

/** `promise`, or a rejection with the signal's reason as soon as it aborts; a late outcome is dropped. */
function settleOrAbort<T>(value: T | PromiseLike<T>, signal: AbortSignal): Promise<T> {
  const promise = Promise.resolve(value);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * The caller's retryable() verdict. One that throws is a bug in the predicate, not a verdict: a ResilienceConfigError
 * naming `retryable`, whose message says which attempt's error it was judging (its throw is the cause).
 */
function isRetryable(
  retryable: (error: unknown, attempt: number) => boolean,
  error: unknown,
  attempt: number,
  context: string,
): boolean {
  try {
    return retryable(error, attempt);
  } catch (thrown) {
    throw new ResilienceConfigError(
      "retryable",
      `retryable() threw while judging attempt ${attempt} of ${context} (${describeError(error)}): ${describeError(thrown)}`,
      { cause: thrown },
    );
  }
}

/** onRetry only observes: one that throws is reported and the retries go on, as a breaker's state listeners. */
function notify(onRetry: (event: RetryEvent) => void, event: RetryEvent): void {
  try {
    onRetry(event);
  } catch (error) {
    console.error(`executeWithRetry(${event.context}): onRetry threw; retrying anyway`, error);
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : describe(error);
}

function budgetExhausted(context: string, budgetMs: number, errors: unknown[]): RuntimeError {
  return new RuntimeError(
    `${context} failed after ${errors.length} attempts (time budget of ${budgetMs} ms exhausted)`,
    {
      context,
      cause: errors[errors.length - 1],
      attempts: errors,
      reason: "budget",
    },
  );
}

interface Budget {
  readonly signal: AbortSignal;
  readonly started: number;
  stop(): void;
}

/** A signal that aborts (with a TimeoutError) when the budget runs out or the caller's signal aborts. */
function startBudget(clock: Clock, budgetMs: number, context: string, outer: AbortSignal | undefined): Budget {
  const controller = new AbortController();
  const timer = new AbortController();
  const onOuterAbort = (): void => controller.abort(abortReason(outer!));
  outer?.addEventListener("abort", onOuterAbort, { once: true });
  clock.sleep(budgetMs, timer.signal).then(
    () => controller.abort(new TimeoutError(budgetMs, `${context} (retry budget)`)),
    () => {},
  );
  return {
    signal: controller.signal,
    started: clock.now(),
    stop() {
      timer.abort();
      outer?.removeEventListener("abort", onOuterAbort);
    },
  };
}
