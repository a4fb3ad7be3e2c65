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
