import type { RuntimeConfig } from "../config/index.ts";
import { resolveSampler, type SamplerSetting } from "./sampler-setting.ts";

/** What tracing needs, resolved from the manifest's `observability` section and the standard OTEL_* variables. */
export interface TracingSettings {
  exporter: "otlp" | "global";
  /** OTLP/HTTP traces URL (exporter "otlp"). */
  endpoint: string;
  headers: Record<string, string>;
  /** service.name and the other resource attributes. */
  resource: Record<string, string>;
  /** Which traces exporter "otlp" records (a global provider's SDK samples on its own). */
  sampler: SamplerSetting;
  /** A sampler variable that was not understood, and what was used instead (the runtime logs it). */
  samplerWarning?: string;
}

/**
 * Tracing is on when the manifest says `observability.tracing.enabled` or OTEL_TRACES_EXPORTER names "otlp";
 * OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none turn it off. Returns undefined when off: nothing
 * about OpenTelemetry is loaded then.
 */
export function resolveTracingSettings(
  config: RuntimeConfig,
  env: Record<string, string | undefined>,
  runtime: { name: string; version: string; instanceId?: string },
): TracingSettings | undefined {
  const tracing = config.observability.tracing;
  const signal = otlpSignal("traces", tracing, env);
  if (!signal) return undefined;
  const { setting, warning } = resolveSampler(tracing.sampleRatio, env);
  return {
    exporter: tracing.exporter,
    ...signal,
    resource: resolveResource(config, env, runtime),
    sampler: setting,
    ...(warning === undefined ? {} : { samplerWarning: warning }),
  };
}

/**
 * One OTLP signal ("traces", "metrics") from the manifest's section and the standard variables: on when the manifest
 * enables it or OTEL_<SIGNAL>_EXPORTER names "otlp", off (undefined) under OTEL_SDK_DISABLED=true or an exporter
 * "none"; its URL from the manifest, OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/<signal>;
 * its headers from OTEL_EXPORTER_OTLP_HEADERS and OTEL_EXPORTER_OTLP_<SIGNAL>_HEADERS.
 */
export function otlpSignal(
  signal: "traces" | "metrics",
  manifest: { readonly enabled: boolean; readonly endpoint?: string | undefined },
  env: Record<string, string | undefined>,
): { endpoint: string; headers: Record<string, string> } | undefined {
  const upper = signal.toUpperCase();
  const exporters = (env[`OTEL_${upper}_EXPORTER`] ?? "")
    .split(",")
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
  if ((env["OTEL_SDK_DISABLED"] ?? "").trim().toLowerCase() === "true" || exporters.includes("none")) return undefined;
  if (!manifest.enabled && !exporters.includes("otlp")) return undefined;
  const base = env["OTEL_EXPORTER_OTLP_ENDPOINT"];
  return {
    endpoint:
      manifest.endpoint ??
      env[`OTEL_EXPORTER_OTLP_${upper}_ENDPOINT`] ??
      (base ? `${base.replace(/\/+$/, "")}/v1/${signal}` : `http://localhost:4318/v1/${signal}`),
    headers: {
      ...parsePairs(env["OTEL_EXPORTER_OTLP_HEADERS"]),
      ...parsePairs(env[`OTEL_EXPORTER_OTLP_${upper}_HEADERS`]),
    },
  };
}

/**
 * The OpenTelemetry resource of this agent: OTEL_RESOURCE_ATTRIBUTES, service.name (the `agent` label),
 * service.instance.id (the `instance_id` label, when given) and the runtime.
 */
export function resolveResource(
  config: RuntimeConfig,
  env: Record<string, string | undefined>,
  runtime: { name: string; version: string; instanceId?: string },
): Record<string, string> {
  const resource: Record<string, string> = { ...parsePairs(env["OTEL_RESOURCE_ATTRIBUTES"]) };
  resource["service.name"] =
    config.observability.serviceName ?? env["OTEL_SERVICE_NAME"] ?? resource["service.name"] ?? "aral-agent";
  if (runtime.instanceId !== undefined) resource["service.instance.id"] = runtime.instanceId;
  resource["process.runtime.name"] = runtime.name;
  resource["process.runtime.version"] = runtime.version;
  resource["telemetry.sdk.name"] = "@aral/core";
  resource["telemetry.sdk.language"] = "js";
  return resource;
}

/** `key1=value1,key2=value2` (the OTEL_* list format; values percent-decoded). Malformed pairs are skipped, as the spec says. */
export function parsePairs(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (text ?? "").split(",")) {
    const at = pair.indexOf("=");
    if (at <= 0) continue;
    try {
      out[decodeURIComponent(pair.slice(0, at).trim())] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      // skip a pair that is not valid percent-encoding
    }
  }
  return out;
}
