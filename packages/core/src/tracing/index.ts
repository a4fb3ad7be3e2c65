export { resolveTracingSettings, parsePairs } from "./settings.ts";
export type { TracingSettings } from "./settings.ts";
export { OtlpHttpExporter } from "./otlp-exporter.ts";
export type { OtlpExporterOptions } from "./otlp-exporter.ts";
export type { SpanRecord } from "./otlp-json.ts";
export type { RuntimeTracing, DependencyTrace, PhaseTrace } from "./runtime-tracing.ts";
export { TracingUnavailableError } from "./errors.ts";
