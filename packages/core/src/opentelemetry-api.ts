/** @opentelemetry/api, the optional peer dependency tracing and the "global" metrics exporter need. */
export type OpenTelemetryApi = typeof import("@opentelemetry/api");

/**
 * Imports @opentelemetry/api only when a feature asks for it (an agent without one never loads it). When it cannot be
 * loaded, throws what `unavailable` makes of the reason, so the start that asked fails with the feature's own error.
 * Lives outside the lazy modules that use the API: their errors are public names, and a lazy module that defined
 * them would be loaded by every import of the package.
 */
export async function importOpenTelemetryApi(
  unavailable: (reason: string, cause: unknown) => Error,
): Promise<OpenTelemetryApi> {
  try {
    return await import("@opentelemetry/api");
  } catch (cause) {
    throw unavailable(cause instanceof Error ? cause.message : String(cause), cause);
  }
}
