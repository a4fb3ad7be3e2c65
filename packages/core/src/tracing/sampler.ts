/**
 * Which traces the built-in OTLP exporter records: the samplers of the OpenTelemetry SDK specification, chosen by
 * the manifest's `observability.tracing.sampleRatio` or the standard OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG.
 * Pure: no OpenTelemetry import (settings.ts resolves it before the API is loaded).
 */

export const SAMPLER_NAMES = [
  "always_on",
  "always_off",
  "traceidratio",
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
] as const;

export type SamplerName = (typeof SAMPLER_NAMES)[number];

/** A sampler and, for the two ratio samplers, the fraction of traces they keep (0 to 1). */
export interface SamplerSetting {
  name: SamplerName;
  ratio?: number;
}

/** What the specification makes the default: follow the parent's decision, record every root. */
export const DEFAULT_SAMPLER: SamplerSetting = { name: "parentbased_always_on" };

/** The part of a parent's SpanContext the decision reads. */
export interface ParentDecision {
  traceFlags: number;
}

/** Whether a new span of `traceId` (under `parent`, when it has one) is recorded and exported. */
export type Sampler = (traceId: string, parent: ParentDecision | undefined) => boolean;

/**
 * The setting from the manifest's ratio (it wins: a parent-based ratio sampler) or the variables. An unknown
 * sampler or an argument that is not a number from 0 to 1 falls back to the specification's default for it and
 * comes back as `warning` (the runtime logs it): the variables are read at start, where the specification asks
 * for a warning rather than a failure.
 */
export function resolveSampler(
  manifestRatio: number | undefined,
  env: Record<string, string | undefined>,
): { setting: SamplerSetting; warning?: string } {
  if (manifestRatio !== undefined) return { setting: { name: "parentbased_traceidratio", ratio: manifestRatio } };
  const raw = env["OTEL_TRACES_SAMPLER"]?.trim().toLowerCase() ?? "";
  if (raw === "") return { setting: DEFAULT_SAMPLER };
  const name = SAMPLER_NAMES.find((known) => known === raw);
  if (!name)
    return {
      setting: DEFAULT_SAMPLER,
      warning: `OTEL_TRACES_SAMPLER="${raw}" is not a sampler this exporter knows (${SAMPLER_NAMES.join(", ")}): using parentbased_always_on`,
    };
  if (!name.endsWith("traceidratio")) return { setting: { name } };
  const arg = env["OTEL_TRACES_SAMPLER_ARG"]?.trim() ?? "";
  if (arg === "") return { setting: { name, ratio: 1 } };
  const ratio = Number(arg);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1)
    return {
      setting: { name, ratio: 1 },
      warning: `OTEL_TRACES_SAMPLER_ARG="${arg}" is not a number from 0 to 1: ${name} keeps every trace (ratio 1)`,
    };
  return { setting: { name, ratio } };
}

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
