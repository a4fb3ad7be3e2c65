/** Key names whose values never reach a log line (matched anywhere in the key, case-insensitive). */
export const SECRET_KEY_PATTERN = /token|password|passwd|secret|authorization|cookie|api[-_]?key|credential/i;

export const REDACTED = "[REDACTED]";

export type KeyRedactor = (key: string) => boolean;

/** Secret-looking keys plus `extraKeys` (exact names, case-insensitive). */
export function createKeyRedactor(extraKeys: readonly string[] = []): KeyRedactor {
  const extra = new Set(extraKeys.map((k) => k.toLowerCase()));
  return (key) => SECRET_KEY_PATTERN.test(key) || (extra.size > 0 && extra.has(key.toLowerCase()));
}
