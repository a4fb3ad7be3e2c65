import { ResilienceConfigError } from "./errors.ts";
import { describe, requireNonNegative, requireOneOf } from "./validate.ts";

export const BACKOFF_STRATEGIES = ["exponential", "linear", "constant"] as const;
export type BackoffStrategy = (typeof BACKOFF_STRATEGIES)[number];

/**
 * "none": the computed delay; "full": uniform in [0, delay] (AWS "full jitter");
 * "decorrelated": uniform in [backoffMs, 3 * previous delay], capped (AWS "decorrelated jitter"; grows on its own,
 * so the strategy is not used).
 */
export const JITTER_MODES = ["full", "decorrelated", "none"] as const;
export type JitterMode = (typeof JITTER_MODES)[number];

export interface BackoffOptions {
  strategy: BackoffStrategy;
  backoffMs: number;
  maxBackoffMs: number;
  jitter: JitterMode;
  /** Uniform random number in [0, 1); injectable for tests. */
  random: () => number;
}

export function validateBackoff(options: {
  strategy?: unknown;
  backoffMs?: unknown;
  maxBackoffMs?: unknown;
  jitter?: unknown;
}): void {
  if (options.strategy !== undefined) requireOneOf("backoffStrategy", options.strategy, BACKOFF_STRATEGIES);
  if (options.jitter !== undefined) requireOneOf("jitter", options.jitter, JITTER_MODES);
  if (options.backoffMs !== undefined) requireNonNegative("backoffMs", options.backoffMs);
  if (options.maxBackoffMs !== undefined) requireNonNegative("maxBackoffMs", options.maxBackoffMs);
  if (
    typeof options.backoffMs === "number" &&
    typeof options.maxBackoffMs === "number" &&
    options.maxBackoffMs < options.backoffMs
  ) {
    throw new ResilienceConfigError(
      "maxBackoffMs",
      `maxBackoffMs (${options.maxBackoffMs}) must not be smaller than backoffMs (${options.backoffMs})`,
    );
  }
}

/** The delay before the retry that follows failed attempt number `failedAttempt` (1-based), without jitter. */
export function baseDelay(
  strategy: BackoffStrategy,
  backoffMs: number,
  maxBackoffMs: number,
  failedAttempt: number,
): number {
  const raw =
    strategy === "exponential"
      ? backoffMs * 2 ** (failedAttempt - 1)
      : strategy === "linear"
        ? backoffMs * failedAttempt
        : backoffMs;
  return Math.min(raw, maxBackoffMs);
}

/** The delay to sleep after failed attempt `failedAttempt`; `previousDelay` feeds decorrelated jitter. */
export function nextDelay(options: BackoffOptions, failedAttempt: number, previousDelay: number | undefined): number {
  const { strategy, backoffMs, maxBackoffMs, jitter, random } = options;
  switch (jitter) {
    case "none":
      return baseDelay(strategy, backoffMs, maxBackoffMs, failedAttempt);
    case "full":
      return draw(random) * baseDelay(strategy, backoffMs, maxBackoffMs, failedAttempt);
    case "decorrelated": {
      const upper = Math.max(backoffMs, (previousDelay ?? backoffMs) * 3);
      return Math.min(maxBackoffMs, backoffMs + draw(random) * (upper - backoffMs));
    }
  }
}

/**
 * One number from the injected `random`, which must be in [0, 1]: NaN would retry at once without a word, 50 would
 * sleep fifty times maxBackoffMs. A bad value or a throw is a ResilienceConfigError naming `random`.
 */
function draw(random: () => number): number {
  let value: unknown;
  try {
    value = random();
  } catch (error) {
    throw new ResilienceConfigError("random", `random() threw: ${messageOf(error)}`, { cause: error });
  }
  if (typeof value !== "number" || !(value >= 0 && value <= 1))
    throw new ResilienceConfigError("random", `random() must return a number from 0 to 1, got ${describe(value)}`);
  return value;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : describe(error);
}
