/** A finished span as the exporter sends it. Times are epoch nanoseconds as decimal strings (OTLP JSON). */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpAttribute[];
  events: { name: string; timeUnixNano: string; attributes: OtlpAttribute[] }[];
  status: { code: number; message?: string };
}

export interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}

type OtlpValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: OtlpValue[] } };

/** An attribute value of the OpenTelemetry API in OTLP JSON; undefined for values OTLP cannot carry. */
export function toOtlpValue(value: unknown): OtlpValue | undefined {
  if (typeof value === "string") return { stringValue: value };
  if (typeof value === "boolean") return { boolValue: value };
  if (typeof value === "number") return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  if (Array.isArray(value)) {
    const values = value.map(toOtlpValue).filter((v): v is OtlpValue => v !== undefined);
    return { arrayValue: { values } };
  }
  return undefined;
}

export function toOtlpAttributes(attributes: Record<string, unknown> | undefined): OtlpAttribute[] {
  const out: OtlpAttribute[] = [];
  for (const [key, raw] of Object.entries(attributes ?? {})) {
    const value = toOtlpValue(raw);
    if (value !== undefined) out.push({ key, value });
  }
  return out;
}

/** The body of POST /v1/traces (ExportTraceServiceRequest, JSON encoding). */
export function exportRequest(
  resource: Record<string, string>,
  scope: { name: string; version: string },
  spans: SpanRecord[],
): string {
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: toOtlpAttributes(resource) }, scopeSpans: [{ scope, spans }] }],
  });
}

/** Epoch milliseconds (fractional) as epoch nanoseconds in a decimal string, without losing precision past 2^53. */
export function nanosString(epochMs: number): string {
  const whole = Math.floor(epochMs);
  const fraction = Math.round((epochMs - whole) * 1e6);
  return (BigInt(whole) * 1_000_000n + BigInt(fraction)).toString();
}
