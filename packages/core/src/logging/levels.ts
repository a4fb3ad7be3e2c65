import { describeValue } from "../config/describe-value.ts";
/** Log levels and pino's numeric values for them (pino tools read the numbers). */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** A threshold: any level, or "silent" to drop everything. */
export type LogThreshold = LogLevel | "silent";

export const LEVEL_VALUES: Readonly<Record<LogThreshold, number>> = {
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  silent: Number.POSITIVE_INFINITY,
};

/**
 * What `log(level, ...)` takes besides the four: pino's trace (10) and fatal (60), and any of pino's six levels by
 * number. They are written with pino's number, so pino tools name them; trace is below the lowest threshold (debug)
 * and so is never written, as pino at level debug.
 */
export type LogCallLevel = LogLevel | "trace" | "fatal" | 10 | 20 | 30 | 40 | 50 | 60;

/** pino's levels by name; null prototype, so "constructor" and friends are not levels. */
const CALL_LEVEL_VALUES: Readonly<Record<string, number>> = Object.assign(
  Object.create(null) as Record<string, number>,
  {
    trace: 10,
    debug: 20,
    info: 30,
    warn: 40,
    error: 50,
    fatal: 60,
  },
);

/**
 * The number a line is written with for a level as `log()` takes it: pino's names (any case, "warning" for "warn")
 * and numbers (10, 20, ..., 60). 0 for "silent" (nothing is written, as pino's `silent()`); undefined for anything
 * else, which the logger writes at error noting the level it was given.
 */
export function callLevelValue(level: unknown): number | undefined {
  if (typeof level === "string") {
    const value = CALL_LEVEL_VALUES[level];
    if (value !== undefined) return value;
    const text = level.trim().toLowerCase();
    if (text === "silent") return 0;
    return CALL_LEVEL_VALUES[text === "warning" ? "warn" : text];
  }
  return typeof level === "number" && level >= 10 && level <= 60 && level % 10 === 0 ? level : undefined;
}

export class LogLevelError extends Error {
  override readonly name = "LogLevelError";
  readonly value: unknown;
  constructor(value: unknown) {
    super(`Invalid log level ${describeValue(value)}: expected one of debug, info, warn, error, silent`);
    this.value = value;
  }
}

export function isLogThreshold(value: unknown): value is LogThreshold {
  return typeof value === "string" && Object.hasOwn(LEVEL_VALUES, value);
}

/**
 * Reads a level as given in a manifest or `ARAL_LOG_LEVEL` (case and surrounding space ignored;
 * "warning" is accepted for "warn"). `undefined` or "" returns the fallback; anything else unknown
 * is a LogLevelError.
 */
export function parseLogLevel(value: unknown, fallback: LogThreshold = "info"): LogThreshold {
  if (value === undefined) return fallback;
  if (typeof value !== "string") throw new LogLevelError(value);
  const text = value.trim().toLowerCase();
  if (text === "") return fallback;
  const normalized = text === "warning" ? "warn" : text;
  if (!isLogThreshold(normalized)) throw new LogLevelError(value);
  return normalized;
}
