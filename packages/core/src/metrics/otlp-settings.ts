import type { RuntimeConfig } from "../config/index.ts";
import { otelVariable, otlpSignal, resolveResource } from "../tracing/settings.ts";

/** What the metrics export needs, from the manifest's `observability.metrics` and the standard OTEL_* variables. */
export interface OtlpMetricsSettings {
  /** "otlp": the built-in OTLP/HTTP JSON exporter; "global": instruments on the app's registered MeterProvider. */
  exporter: "otlp" | "global";
  /** OTLP/HTTP metrics URL (exporter "otlp"). */
  endpoint: string;
  headers: Record<string, string>;
  /** Milliseconds a request may take before it is aborted (OTEL_EXPORTER_OTLP_[METRICS_]TIMEOUT, default 10000). */
  timeoutMs: number;
  /** Milliseconds between exports. */
  intervalMs: number;
  /** service.name, service.instance.id and the other resource attributes. */
  resource: Record<string, string>;
}

const DEFAULT_INTERVAL_MS = 60_000;

/**
 * On when the manifest says `observability.metrics.enabled` or OTEL_METRICS_EXPORTER names "otlp";
 * OTEL_SDK_DISABLED=true or OTEL_METRICS_EXPORTER=none turn it off. Undefined when off: the exporter is never loaded.
 * Which way the metrics go is the manifest's `exporter` (ARAL_OBSERVABILITY_METRICS_EXPORTER), as for traces.
 */
export function resolveOtlpMetricsSettings(
  config: RuntimeConfig,
  env: Record<string, string | undefined>,
  runtime: { name: string; version: string; instanceId?: string },
): OtlpMetricsSettings | undefined {
  const metrics = config.observability.metrics;
  const signal = otlpSignal("metrics", metrics, env);
  if (!signal) return undefined;
  const fromEnv = Number(otelVariable(env, "OTEL_METRIC_EXPORT_INTERVAL"));
  // An unparsable or non-positive OTEL_METRIC_EXPORT_INTERVAL is ignored, as the spec says of invalid values.
  const intervalMs =
    metrics.interval ??
    (Number.isFinite(fromEnv) && fromEnv > 0 ? Math.min(fromEnv, 2 ** 31 - 1) : DEFAULT_INTERVAL_MS);
  return { exporter: metrics.exporter, ...signal, intervalMs, resource: resolveResource(config, env, runtime) };
}
