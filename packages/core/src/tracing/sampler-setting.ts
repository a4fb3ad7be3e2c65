/**
 * Which sampler the built-in OTLP exporter uses: the samplers of the OpenTelemetry SDK specification, chosen by the
 * manifest's `observability.tracing.sampleRatio` or the standard OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG.
 * Resolved at start whether or not tracing loads; the decision itself (sampler.ts) loads with tracing.
 */
import { otelVariable } from "./otel-env.ts";

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
  const raw = otelVariable(env, "OTEL_TRACES_SAMPLER")?.toLowerCase() ?? "";
  if (raw === "") return { setting: DEFAULT_SAMPLER };
  const name = SAMPLER_NAMES.find((known) => known === raw);
  if (!name)
    return {
      setting: DEFAULT_SAMPLER,
      warning: `OTEL_TRACES_SAMPLER="${raw}" is not a sampler this exporter knows (${SAMPLER_NAMES.join(", ")}): using parentbased_always_on`,
    };
  if (!name.endsWith("traceidratio")) return { setting: { name } };
  const arg = otelVariable(env, "OTEL_TRACES_SAMPLER_ARG") ?? "";
  if (arg === "") return { setting: { name, ratio: 1 } };
  const ratio = Number(arg);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1)
    return {
      setting: { name, ratio: 1 },
      warning: `OTEL_TRACES_SAMPLER_ARG="${arg}" is not a number from 0 to 1: ${name} keeps every trace (ratio 1)`,
    };
  return { setting: { name, ratio } };
}
