/**
 * An OTEL_* variable's value, trimmed; undefined when it is unset, empty or blank (the specification: an empty value
 * is unset). Every OTEL_* read goes through it.
 */
export function otelVariable(env: Record<string, string | undefined>, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}
