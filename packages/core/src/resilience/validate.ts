import { MAX_TIMER_MS } from "@aral/platform";
import { describeValue } from "../config/describe-value.ts";
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

export const describe = describeValue;
