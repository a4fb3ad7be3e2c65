/**
 * The decision of a sampler setting (sampler-setting.ts): which new spans the built-in OTLP exporter records.
 * Pure: no OpenTelemetry import.
 */
import type { SamplerSetting } from "./sampler-setting.ts";

/** The part of a parent's SpanContext the decision reads. */
export interface ParentDecision {
  traceFlags: number;
}

/** Whether a new span of `traceId` (under `parent`, when it has one) is recorded and exported. */
export type Sampler = (traceId: string, parent: ParentDecision | undefined) => boolean;

/** The decision function of a setting. */
export function createSampler(setting: SamplerSetting): Sampler {
  const root = rootSampler(setting);
  if (!setting.name.startsWith("parentbased_")) return (traceId) => root(traceId);
  // ParentBased with the specification's defaults: a sampled parent (remote or local) is followed, so is an unsampled one.
  return (traceId, parent) => (parent ? (parent.traceFlags & 1) === 1 : root(traceId));
}

function rootSampler(setting: SamplerSetting): (traceId: string) => boolean {
  if (setting.name.endsWith("always_on")) return () => true;
  if (setting.name.endsWith("always_off")) return () => false;
  return traceIdRatio(setting.ratio ?? 1);
}

/**
 * TraceIdRatioBased as the specification defines it: a trace is kept when the 56 least significant bits of its id
 * (taken as random) are at least (1 - ratio) x 2^56. Deterministic per trace id, so every process that sees the trace
 * decides alike, and a trace kept at one ratio is kept at every higher one. The comparison is of fixed-width
 * lowercase hex, which orders as the numbers do.
 */
function traceIdRatio(ratio: number): (traceId: string) => boolean {
  const threshold = BigInt(Math.round((1 - ratio) * 2 ** 56));
  if (threshold <= 0n) return () => true;
  if (threshold >= 2n ** 56n) return () => false; // a ratio too small to keep any 56-bit value
  const hex = threshold.toString(16).padStart(14, "0");
  return (traceId) => traceId.slice(-14).toLowerCase() >= hex;
}
