/** A short, safe rendering of any value for error messages: never throws, never prints megabytes. */
export function describeValue(value: unknown, maxLength = 80): string {
  if (value === undefined) return "undefined";
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "symbol" || typeof value === "function") return String(value);
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Array.isArray(value) ? "[array]" : "[object]";
  }
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}\u2026` : text;
}
