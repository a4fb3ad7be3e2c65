import { describeValue } from "../config/describe-value.ts";

/** Key names whose values never reach a log line (matched anywhere in the key, case-insensitive). */
export const SECRET_KEY_PATTERN = /token|password|passwd|secret|authorization|cookie|api[-_]?key|credential/i;

export const REDACTED = "[REDACTED]";

export type KeyRedactor = (key: string) => boolean;

/**
 * Secret-looking keys plus `extraKeys` (exact names, case-insensitive): an array of key names, or one name as a
 * string. Anything else (a number, an array holding a non-string, ...) is a TypeError naming the `redact` option.
 */
export function createKeyRedactor(extraKeys: string | readonly string[] = []): KeyRedactor {
  const keys = typeof extraKeys === "string" ? [extraKeys] : extraKeys;
  if (!Array.isArray(keys) || !keys.every((key) => typeof key === "string")) {
    throw new TypeError(
      `Invalid log option redact: expected a key name or an array of key names, got ${describeValue(extraKeys)}`,
    );
  }
  const extra = new Set(keys.map((k) => k.toLowerCase()));
  return (key) => SECRET_KEY_PATTERN.test(key) || (extra.size > 0 && extra.has(key.toLowerCase()));
}
