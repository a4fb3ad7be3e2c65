import type { JsonValue } from "./to-json-value.ts";

/**
 * JSON with object keys sorted (UTF-16 code-unit order) and no whitespace. For JSON data this
 * equals RFC 8785 (JCS) output, since JCS uses the ECMAScript number and string serialization.
 */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key] as JsonValue)}`).join(",")}}`;
}
