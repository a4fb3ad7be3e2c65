import type { RuntimeConfig } from "../config/index.ts";
import { ConfigError } from "../config/errors.ts";
import { otelVariable } from "./otel-env.ts";
import { resolveSampler, type SamplerSetting } from "./sampler-setting.ts";

/** What tracing needs, resolved from the manifest's `observability` section and the standard OTEL_* variables. */
export interface TracingSettings {
  exporter: "otlp" | "global";
  /** OTLP/HTTP traces URL (exporter "otlp"). */
  endpoint: string;
  headers: Record<string, string>;
  /** Milliseconds a request may take before it is aborted (OTEL_EXPORTER_OTLP_[TRACES_]TIMEOUT, default 10000). */
  timeoutMs: number;
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

export { otelVariable } from "./otel-env.ts";

/** The OTel specification's default per-request timeout (OTEL_EXPORTER_OTLP_TIMEOUT), in milliseconds. */
export const DEFAULT_OTLP_TIMEOUT_MS = 10_000;

/** The manifest's part of one signal's settings (`observability.tracing`, `observability.metrics`). */
export interface OtlpSignalSection {
  readonly enabled: boolean;
  readonly exporter: "otlp" | "global";
  readonly endpoint?: string | undefined;
}

/**
 * One OTLP signal ("traces", "metrics") from the manifest's section and the standard variables: on when the manifest
 * enables it or OTEL_<SIGNAL>_EXPORTER names "otlp", off (undefined) under OTEL_SDK_DISABLED=true or an exporter
 * "none"; its URL from the manifest, OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/<signal>;
 * its headers from OTEL_EXPORTER_OTLP_HEADERS and OTEL_EXPORTER_OTLP_<SIGNAL>_HEADERS; its per-request timeout from
 * OTEL_EXPORTER_OTLP_<SIGNAL>_TIMEOUT or OTEL_EXPORTER_OTLP_TIMEOUT (ms, default 10000).
 *
 * For exporter "otlp" (the built-in one; an SDK behind "global" reads the variables itself) what cannot work is a
 * ConfigError naming the variable: an endpoint that is not an http(s) URL, OTEL_EXPORTER_OTLP_[<SIGNAL>_]PROTOCOL=grpc.
 * What is only worth saying goes to `warnings` (the runtime logs them at start): http/protobuf asked for (JSON is
 * sent), a Content-Type among the headers (dropped), a timeout that is not a positive number (the default is used).
 */
export function otlpSignal(
  signal: "traces" | "metrics",
  manifest: OtlpSignalSection,
  env: Record<string, string | undefined>,
  warnings?: Set<string>,
): { endpoint: string; headers: Record<string, string>; timeoutMs: number } | undefined {
  const upper = signal.toUpperCase();
  const exporters = (otelVariable(env, `OTEL_${upper}_EXPORTER`) ?? "")
    .split(",")
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
  if (otelVariable(env, "OTEL_SDK_DISABLED")?.toLowerCase() === "true" || exporters.includes("none")) return undefined;
  if (!manifest.enabled && !exporters.includes("otlp")) return undefined;
  const builtIn = manifest.exporter === "otlp";
  const section = `observability.${signal === "traces" ? "tracing" : "metrics"}`;
  let endpoint = manifest.endpoint;
  if (endpoint === undefined) {
    const variable = [`OTEL_EXPORTER_OTLP_${upper}_ENDPOINT`, "OTEL_EXPORTER_OTLP_ENDPOINT"].find(
      (name) => otelVariable(env, name) !== undefined,
    );
    const value = variable === undefined ? undefined : otelVariable(env, variable)!;
    if (builtIn && variable !== undefined && value !== undefined && !isHttpUrl(value))
      throw new ConfigError("invalid", [
        {
          path: `${section}.endpoint`,
          value,
          expected: "an http(s) URL such as http://collector:4318",
          message: "must be an http(s) URL (scheme included)",
          variable,
        },
      ]);
    endpoint =
      variable === undefined
        ? `http://localhost:4318/v1/${signal}`
        : variable === "OTEL_EXPORTER_OTLP_ENDPOINT"
          ? `${value!.replace(/\/+$/, "")}/v1/${signal}`
          : value!;
  }
  const headers: Record<string, string> = {};
  for (const variable of ["OTEL_EXPORTER_OTLP_HEADERS", `OTEL_EXPORTER_OTLP_${upper}_HEADERS`]) {
    const pairs = parsePairs(otelVariable(env, variable));
    if (builtIn) checkHeaders(pairs, variable, section);
    Object.assign(headers, pairs);
  }
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase() !== "content-type") continue;
    delete headers[name];
    if (builtIn)
      warnings?.add(
        `OTEL_EXPORTER_OTLP_[${upper}_]HEADERS sets ${name}: ignored, the built-in exporter sends JSON (content-type application/json)`,
      );
  }
  if (builtIn) checkProtocol(upper, section, env, warnings);
  return { endpoint, headers, timeoutMs: otlpTimeout(upper, env, warnings) };
}

/** Headers fetch would refuse on every request (a CR or LF in a value, a bad name): refused at start instead. */
function checkHeaders(pairs: Record<string, string>, variable: string, section: string): void {
  for (const [name, value] of Object.entries(pairs)) {
    try {
      new Headers([[name, value]]);
    } catch {
      throw new ConfigError("invalid", [
        {
          path: section,
          value: name,
          expected: "name=value pairs a request can carry (a token for the name, no CR, LF or NUL in the value)",
          message: `header ${JSON.stringify(name)} cannot be sent: every export would fail`,
          variable,
        },
      ]);
    }
  }
}

/** A URL fetch can POST to: http: or https:, with a host. */
function isHttpUrl(value: string): boolean {
  if (!/^https?:\/\/\S+$/i.test(value)) return false;
  try {
    return new URL(value).host !== "";
  } catch {
    return false;
  }
}

/**
 * The built-in exporters speak OTLP/HTTP with the JSON encoding only. http/protobuf asked for: JSON is sent to the same
 * URL (an OTLP/HTTP receiver such as the Collector's takes both), said once at start. grpc: a gRPC receiver cannot
 * read it, so the start fails naming the variable rather than every export failing after it.
 */
function checkProtocol(
  upper: string,
  section: string,
  env: Record<string, string | undefined>,
  warnings: Set<string> | undefined,
): void {
  const variable = [`OTEL_EXPORTER_OTLP_${upper}_PROTOCOL`, "OTEL_EXPORTER_OTLP_PROTOCOL"].find(
    (name) => otelVariable(env, name) !== undefined,
  );
  if (variable === undefined) return;
  const protocol = otelVariable(env, variable)!.toLowerCase();
  if (protocol === "http/json") return;
  if (protocol === "grpc")
    throw new ConfigError("invalid", [
      {
        path: section,
        value: protocol,
        expected: '"http/json" (or "http/protobuf", sent as http/json)',
        message: `the built-in exporter sends OTLP/HTTP with JSON only, not gRPC: set http/json and the receiver's HTTP endpoint (port 4318), or use exporter "global" with an OpenTelemetry SDK`,
        variable,
      },
    ]);
  warnings?.add(
    protocol === "http/protobuf"
      ? `${variable}=http/protobuf: the built-in exporter sends OTLP/HTTP JSON only (content-type application/json), to the same URL; an OTLP/HTTP receiver such as the Collector's accepts it`
      : `${variable}="${protocol}" is not an OTLP protocol (grpc, http/protobuf, http/json): the built-in exporter sends http/json`,
  );
}

/** OTEL_EXPORTER_OTLP_<SIGNAL>_TIMEOUT, else OTEL_EXPORTER_OTLP_TIMEOUT, in ms; one that is not a positive number is ignored. */
function otlpTimeout(
  upper: string,
  env: Record<string, string | undefined>,
  warnings: Set<string> | undefined,
): number {
  for (const variable of [`OTEL_EXPORTER_OTLP_${upper}_TIMEOUT`, "OTEL_EXPORTER_OTLP_TIMEOUT"]) {
    const text = otelVariable(env, variable);
    if (text === undefined) continue;
    const ms = Number(text);
    if (Number.isFinite(ms) && ms > 0) return Math.min(Math.ceil(ms), 2 ** 31 - 1);
    warnings?.add(`${variable}="${text}" is not a positive number of milliseconds: ignored`);
  }
  return DEFAULT_OTLP_TIMEOUT_MS;
}

/**
 * What the runtime says once at start about the OTLP settings of the signals that are on (deduplicated; see
 * otlpSignal). Throws the ConfigError of a setting that cannot work.
 */
export function otlpStartWarnings(config: RuntimeConfig, env: Record<string, string | undefined>): string[] {
  const warnings = new Set<string>();
  otlpSignal("traces", config.observability.tracing, env, warnings);
  otlpSignal("metrics", config.observability.metrics, env, warnings);
  return [...warnings];
}

/**
 * The agent's name: the `agent` label on every metric and the OpenTelemetry resource's service.name. The manifest's
 * observability.serviceName, else OTEL_SERVICE_NAME, else service.name in OTEL_RESOURCE_ATTRIBUTES, else "aral-agent"
 * (an empty value counts as unset).
 */
export function resolveServiceName(
  config: RuntimeConfig,
  env: Record<string, string | undefined>,
  resourceAttributes: Record<string, string> = parsePairs(otelVariable(env, "OTEL_RESOURCE_ATTRIBUTES")),
): string {
  return (
    config.observability.serviceName ??
    otelVariable(env, "OTEL_SERVICE_NAME") ??
    (resourceAttributes["service.name"] || undefined) ??
    "aral-agent"
  );
}

/**
 * The OpenTelemetry resource of this agent: OTEL_RESOURCE_ATTRIBUTES, service.name (the `agent` label,
 * resolveServiceName), service.instance.id (the `instance_id` label, when given) and the runtime.
 */
export function resolveResource(
  config: RuntimeConfig,
  env: Record<string, string | undefined>,
  runtime: { name: string; version: string; instanceId?: string },
): Record<string, string> {
  const resource: Record<string, string> = { ...parsePairs(otelVariable(env, "OTEL_RESOURCE_ATTRIBUTES")) };
  resource["service.name"] = resolveServiceName(config, env, resource);
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
