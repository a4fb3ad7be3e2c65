import { describe, expect, it } from "vitest";
import { resolveRuntimeConfig } from "../../src/config/index.ts";
import { resolveOtlpMetricsSettings } from "../../src/metrics/otlp-settings.ts";

const runtime = { name: "deno", version: "2.0.0", instanceId: "id-1" };
const config = (metrics: Record<string, unknown> = {}, serviceName?: string) =>
  resolveRuntimeConfig({ observability: { metrics, ...(serviceName ? { serviceName } : {}) } }, {});

describe("OTLP metrics settings", () => {
  it("are off by default: the exporter is never loaded", () => {
    expect(resolveOtlpMetricsSettings(config(), {}, runtime)).toBeUndefined();
  });

  it("OTEL_METRICS_EXPORTER=otlp turns the export on: endpoint, interval and headers from the OTEL_* variables", () => {
    const settings = resolveOtlpMetricsSettings(
      config(),
      {
        OTEL_METRICS_EXPORTER: "otlp",
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/",
        OTEL_METRIC_EXPORT_INTERVAL: "15000",
        OTEL_EXPORTER_OTLP_HEADERS: "a=1,b=2",
        OTEL_EXPORTER_OTLP_METRICS_HEADERS: "b=3",
        OTEL_SERVICE_NAME: "svc",
      },
      runtime,
    );
    expect(settings).toMatchObject({
      endpoint: "http://collector:4318/v1/metrics",
      intervalMs: 15_000,
      headers: { a: "1", b: "3" },
    });
    expect(settings!.resource).toMatchObject({
      "service.name": "svc",
      "service.instance.id": "id-1",
      "process.runtime.name": "deno",
    });
  });

  it("the manifest wins over the environment; a metrics-specific endpoint over the base one", () => {
    expect(
      resolveOtlpMetricsSettings(
        config({ enabled: true, endpoint: "https://otel.example/m", interval: 2_000 }, "agent-x"),
        { OTEL_METRIC_EXPORT_INTERVAL: "9", OTEL_SERVICE_NAME: "svc" },
        runtime,
      ),
    ).toMatchObject({ endpoint: "https://otel.example/m", intervalMs: 2_000, resource: { "service.name": "agent-x" } });
    expect(
      resolveOtlpMetricsSettings(
        config({ enabled: true }),
        { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: "http://m:1/x", OTEL_EXPORTER_OTLP_ENDPOINT: "http://b:2" },
        runtime,
      )?.endpoint,
    ).toBe("http://m:1/x");
    expect(resolveOtlpMetricsSettings(config({ enabled: true }), {}, runtime)).toMatchObject({
      endpoint: "http://localhost:4318/v1/metrics",
      intervalMs: 60_000,
    });
  });

  it("an invalid OTEL_METRIC_EXPORT_INTERVAL is ignored (the default applies)", () => {
    for (const value of ["soon", "-5", "0"])
      expect(
        resolveOtlpMetricsSettings(
          config(),
          { OTEL_METRICS_EXPORTER: "otlp", OTEL_METRIC_EXPORT_INTERVAL: value },
          runtime,
        )?.intervalMs,
      ).toBe(60_000);
  });

  it("OTEL_SDK_DISABLED=true and OTEL_METRICS_EXPORTER=none turn it off, even when the manifest enables it", () => {
    expect(
      resolveOtlpMetricsSettings(config({ enabled: true }), { OTEL_SDK_DISABLED: "true" }, runtime),
    ).toBeUndefined();
    expect(
      resolveOtlpMetricsSettings(config({ enabled: true }), { OTEL_METRICS_EXPORTER: "none" }, runtime),
    ).toBeUndefined();
  });

  it('exporter "global" comes from the manifest or ARAL_OBSERVABILITY_METRICS_EXPORTER; OTEL_METRICS_EXPORTER only turns it on', () => {
    expect(resolveOtlpMetricsSettings(config({ enabled: true }), {}, runtime)?.exporter).toBe("otlp");
    expect(resolveOtlpMetricsSettings(config({ enabled: true, exporter: "global" }), {}, runtime)?.exporter).toBe(
      "global",
    );
    const env = { ARAL_OBSERVABILITY_METRICS_EXPORTER: "global", OTEL_METRICS_EXPORTER: "otlp" };
    expect(resolveOtlpMetricsSettings(resolveRuntimeConfig({}, env), env, runtime)?.exporter).toBe("global");
    // As for traces, `exporter` alone does not turn the export on.
    expect(resolveOtlpMetricsSettings(config({ exporter: "global" }), {}, runtime)).toBeUndefined();
    expect(
      resolveOtlpMetricsSettings(config({ enabled: true, exporter: "global" }), { OTEL_SDK_DISABLED: "true" }, runtime),
    ).toBeUndefined();
  });

  it("the manifest rejects an unknown exporter, naming the field and the choices", () => {
    expect(() => config({ enabled: true, exporter: "prometheus" })).toThrow(
      /observability\.metrics\.exporter.*otlp.*global/s,
    );
  });

  it("the manifest rejects a non-URL endpoint with a clear error", () => {
    expect(() => config({ enabled: true, endpoint: "collector:4318" })).toThrow(/observability\.metrics\.endpoint/);
  });
});
