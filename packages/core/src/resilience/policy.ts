import type { Clock } from "@aral/platform";
import { systemClock } from "@aral/platform";
import { CircuitBreaker } from "./circuit-breaker.ts";
import type { CircuitBreakerOptions } from "./circuit-breaker.ts";
import { ResilienceConfigError } from "./errors.ts";
import { RETRY_OPTION_KEYS, resolveRetryOptions, runWithRetry } from "./retry.ts";
import type { RetryOptions } from "./retry.ts";
import { runWithTimeout } from "./timeout.ts";
import { badCall, describe, requireClock, requireOptions, requirePositive, requireString } from "./validate.ts";

/** One resilience behaviour around a call; policies nest with compose(). */
export interface Policy {
  execute<T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T>;
}

/** The signal comes with each execute() call, not with the policy. */
const RETRY_POLICY_KEYS = [...RETRY_OPTION_KEYS.filter((key) => key !== "signal"), "context"];

/** Retries the inner call (see executeWithRetry); `context` names it in the RuntimeError. */
export function retryPolicy(options: Omit<RetryOptions, "signal"> & { context?: string } = {}): Policy {
  const { context = "operation", ...retry } = requireOptions("retryPolicy", "options", options, RETRY_POLICY_KEYS);
  requireString("context", context);
  const resolved = resolveRetryOptions(retry, "retryPolicy");
  return {
    execute<T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
      return badCall(fn, signal) ?? runWithRetry((attempt) => fn(attempt.signal), context, resolved, signal);
    },
  };
}

/** A circuit breaker as a policy: an existing breaker (e.g. from circuitBreakers.get) or options for a new one. */
export function breakerPolicy(breaker: CircuitBreaker | CircuitBreakerOptions): Policy {
  return breaker instanceof CircuitBreaker ? breaker : new CircuitBreaker(breaker);
}

/** Aborts the inner call's signal after `ms` and rejects with TimeoutError. */
export function timeoutPolicy(ms: number, options: { clock?: Clock; what?: string } = {}): Policy {
  requirePositive("timeout ms", ms);
  requireOptions("timeoutPolicy", "options", options, ["clock", "what"]);
  requireClock("clock", options.clock);
  const clock = options.clock ?? systemClock;
  return {
    execute<T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
      return runWithTimeout(fn, ms, clock, signal, options.what);
    },
  };
}

/**
 * Nests policies in the order written: compose(retry, breaker, timeout) runs retry outermost, so each retry
 * goes through the breaker and each call gets its own timeout. Any order is allowed.
 */
export function compose(...policies: Policy[]): Policy {
  policies.forEach((policy, index) => {
    if (policy === null || typeof policy !== "object" || typeof policy.execute !== "function") {
      throw new ResilienceConfigError(
        `policies[${index}]`,
        `compose() takes policies (objects with execute), got ${describe(policy)} at position ${index}`,
      );
    }
  });
  if (policies.length === 0) {
    return { execute: (fn, signal) => badCall(fn, signal) ?? fn(signal ?? new AbortController().signal) };
  }
  const chain = policies.reduceRight((inner, outer) => ({
    execute<T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
      return outer.execute((s) => inner.execute(fn, s), signal);
    },
  }));
  // Checked once, outside every layer: a bad call must not be retried or counted by a breaker inside.
  return { execute: (fn, signal) => badCall(fn, signal) ?? chain.execute(fn, signal) };
}
