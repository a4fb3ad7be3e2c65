import { MAX_TIMER_MS } from "@aral/platform";
import { describeValue } from "../config/describe-value.ts";
import { closest } from "../config/suggest.ts";
import { ResilienceConfigError } from "./errors.ts";

export function requireInteger(option: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ResilienceConfigError(
      option,
      `${option} must be an integer from ${min} to ${max}, got ${describe(value)}`,
    );
  }
  return value;
}

export function requireNonNegative(option: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > MAX_TIMER_MS) {
    throw new ResilienceConfigError(
      option,
      `${option} must be a finite number from 0 to ${MAX_TIMER_MS} (milliseconds), got ${describe(value)}`,
    );
  }
  return value;
}

export function requirePositive(option: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > MAX_TIMER_MS) {
    throw new ResilienceConfigError(
      option,
      `${option} must be a finite number > 0 and at most ${MAX_TIMER_MS} (milliseconds), got ${describe(value)}`,
    );
  }
  return value;
}

export function requireOneOf<T extends string>(option: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw new ResilienceConfigError(
      option,
      `${option} must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${describe(value)}`,
    );
  }
  return value as T;
}

export function requireFunction(option: string, value: unknown): void {
  if (typeof value !== "function") {
    throw new ResilienceConfigError(option, `${option} must be a function, got ${describe(value)}`);
  }
}

/** undefined or a Clock ({ now(), sleep(ms, signal) }): a wrong one would only fail inside a retry or a breaker. */
export function requireClock(option: string, value: unknown): void {
  const clock = value as { now?: unknown; sleep?: unknown } | null;
  if (
    value !== undefined &&
    (typeof clock !== "object" ||
      clock === null ||
      typeof clock.now !== "function" ||
      typeof clock.sleep !== "function")
  ) {
    throw new ResilienceConfigError(
      option,
      `${option} must be a Clock { now(), sleep(ms, signal) }, got ${describe(value)}`,
    );
  }
}

export function requireString(option: string, value: unknown): string {
  if (typeof value !== "string") {
    throw new ResilienceConfigError(option, `${option} must be a string, got ${describe(value)}`);
  }
  return value;
}

/** undefined or a real AbortSignal: anything else would only fail later, inside an armed timer. */
export function requireSignal(option: string, value: unknown): AbortSignal | undefined {
  if (value !== undefined && !(value instanceof AbortSignal)) {
    throw new ResilienceConfigError(option, `${option} must be an AbortSignal, got ${describe(value)}`);
  }
  return value;
}

/**
 * What every policy checks before it runs, counts or arms anything: the operation is a function and the caller's
 * signal an AbortSignal (or none). Returns the rejection to hand back, or undefined when both are fine.
 */
export function badCall(fn: unknown, signal: unknown): Promise<never> | undefined {
  try {
    requireFunction("fn", fn);
    requireSignal("signal", signal);
    return undefined;
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * An options object (`name`: "options", or a nested one such as "failureRatio") taken by `owner`, with no key
 * outside `known`: a misspelt option would otherwise be ignored without a word.
 */
export function requireOptions<T>(owner: string, name: string, value: T, known: readonly string[]): T {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ResilienceConfigError(name, `${owner} ${name} must be an object, got ${describe(value)}`);
  }
  const path = (key: string) => (name === "options" ? key : `${name}.${key}`);
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const near = closest(key, known) ?? pluralOf(key, known);
    throw new ResilienceConfigError(
      path(key),
      `unknown option ${JSON.stringify(path(key))} for ${owner}` +
        (near ? ` (did you mean ${JSON.stringify(path(near))}?)` : `; known: ${known.map(path).join(", ")}`),
    );
  }
  return value;
}

/** The known plural `key` is the singular of: "maxRetry" is three edits from "maxRetries", too far for closest(). */
function pluralOf(key: string, known: readonly string[]): string | undefined {
  return known.find((k) => k.replace(/ies$/, "y").toLowerCase() === key.toLowerCase());
}

export const describe = describeValue;
