/** Tracing is on (manifest or OTEL_TRACES_EXPORTER), but @opentelemetry/api (the optional peer dependency) cannot be loaded. */
export class TracingUnavailableError extends Error {
  override readonly name = "TracingUnavailableError";
}
