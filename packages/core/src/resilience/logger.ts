/** The little a resilience component needs from a logger; the logging area's Logger satisfies it structurally. */
export interface ResilienceLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const consoleLogger: ResilienceLogger = {
  warn: (message, fields) => console.warn(message, fields ?? ""),
  error: (message, fields) => console.error(message, fields ?? ""),
};

/** A plain, JSON-friendly view of any thrown value (Error fields do not survive JSON.stringify). */
export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    const described: Record<string, unknown> = { name: error.name, message: error.message };
    if (error.stack) described["stack"] = error.stack;
    if (error.cause !== undefined) described["cause"] = describeError(error.cause);
    return described;
  }
  return { value: String(error) };
}
