import { nanosString, toOtlpAttributes } from "../tracing/otlp-json.ts";
import type { Counter } from "./counter.ts";
import type { Gauge } from "./gauge.ts";
import type { Histogram } from "./histogram.ts";
import { otelNameAndUnit } from "./otel-naming.ts";

const CUMULATIVE = 2; // AggregationTemporality.CUMULATIVE

/**
 * The body of POST /v1/metrics (ExportMetricsServiceRequest, JSON encoding) for what a MetricsRegistry holds:
 * counters -> monotonic cumulative Sum (the `_total` suffix dropped, as OpenTelemetry's Prometheus mapping adds it
 * back), gauges -> Gauge, histograms -> cumulative Histogram with explicitBounds. `startMs`: when the cumulative
 * series began (the process's start).
 */
export function metricsExportRequest(
  resource: Record<string, string>,
  scope: { name: string; version: string },
  metrics: readonly (Counter | Gauge | Histogram)[],
  startMs: number,
  nowMs: number,
): string {
  const startTimeUnixNano = nanosString(startMs);
  const timeUnixNano = nanosString(nowMs);
  const out = metrics.map((metric) => {
    const { name, unit } = otelNameAndUnit(metric);
    const head = { name, description: metric.help, unit };
    const points = metric.points();
    if (metric.type === "histogram") {
      return {
        ...head,
        histogram: {
          aggregationTemporality: CUMULATIVE,
          dataPoints: points.map((p) => ({
            attributes: toOtlpAttributes(p.labels),
            startTimeUnixNano,
            timeUnixNano,
            count: String(p.count ?? 0),
            sum: p.sum ?? 0,
            bucketCounts: (p.bucketCounts ?? []).map(String),
            explicitBounds: [...metric.buckets],
          })),
        },
      };
    }
    const dataPoints = points.map((p) => ({
      attributes: toOtlpAttributes(p.labels),
      ...(metric.type === "counter" ? { startTimeUnixNano } : {}),
      timeUnixNano,
      asDouble: p.value ?? 0,
    }));
    return metric.type === "counter"
      ? { ...head, sum: { aggregationTemporality: CUMULATIVE, isMonotonic: true, dataPoints } }
      : { ...head, gauge: { dataPoints } };
  });
  return JSON.stringify({
    resourceMetrics: [
      { resource: { attributes: toOtlpAttributes(resource) }, scopeMetrics: [{ scope, metrics: out }] },
    ],
  });
}
