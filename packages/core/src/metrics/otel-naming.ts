import type { MetricType } from "./metric.ts";

/** The unit OpenTelemetry expects for a Prometheus base-unit suffix (UCUM). */
const UNITS: [suffix: string, unit: string][] = [
  ["_seconds", "s"],
  ["_bytes", "By"],
  ["_ratio", "1"],
];

/**
 * A family's name and unit in OpenTelemetry: a counter loses its `_total` (OpenTelemetry's Prometheus mapping adds it
 * back), the unit comes from the base-unit suffix. Shared by the OTLP exporter and the global-MeterProvider bridge, so
 * both name a family the same way.
 */
export function otelNameAndUnit(metric: { readonly name: string; readonly type: MetricType }): {
  name: string;
  unit: string;
} {
  const name = metric.type === "counter" ? metric.name.replace(/_total$/, "") : metric.name;
  return { name, unit: UNITS.find(([suffix]) => name.endsWith(suffix))?.[1] ?? "" };
}
