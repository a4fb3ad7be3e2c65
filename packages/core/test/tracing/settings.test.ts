import { describe, expect, it } from "vitest";
import { resolveRuntimeConfig } from "../../src/config/index.ts";
import { parsePairs, resolveTracingSettings } from "../../src/tracing/settings.ts";

const runtime = { name: "node", version: "24.0.0" };
const config = (observability: Record<string, unknown> = {}) => resolveRuntimeConfig({ observability }, {});

describe("tracing settings", () => {
  it("are off by default: nothing of OpenTelemetry is loaded", () => {
    expect(resolveTracingSettings(config(), {}, runtime)).toBeUndefined();
  });

  it("OTEL_TRACES_EXPORTER=otlp turns tracing on; the endpoint comes from OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces", () => {
    const settings = resolveTracingSettings(
      config(),
      {
        OTEL_TRACES_EXPORTER: "otlp",
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/",
        OTEL_SERVICE_NAME: "svc",
        OTEL_EXPORTER_OTLP_HEADERS: "authorization=Bearer%20x",
      },
      runtime,
    );
    expect(settings).toMatchObject({
      exporter: "otlp",
      endpoint: "http://collector:4318/v1/traces",
      headers: { authorization: "Bearer x" },
    });
    expect(settings!.resource).toMatchObject({
      "service.name": "svc",
      "process.runtime.name": "node",
      "process.runtime.version": "24.0.0",
    });
  });

  it("the manifest wins over the variables; the traces-specific endpoint over the generic one", () => {
    const manifest = config({
      serviceName: "agent-a",
      tracing: { enabled: true, endpoint: "http://127.0.0.1:9/v1/traces" },
    });
    expect(
      resolveTracingSettings(
        manifest,
        { OTEL_SERVICE_NAME: "svc", OTEL_EXPORTER_OTLP_ENDPOINT: "http://other:4318" },
        runtime,
      ),
    ).toMatchObject({
      endpoint: "http://127.0.0.1:9/v1/traces",
      resource: { "service.name": "agent-a" },
    });
    expect(
      resolveTracingSettings(
        config({ tracing: { enabled: true } }),
        { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://t:1/x", OTEL_EXPORTER_OTLP_ENDPOINT: "http://g:2" },
        runtime,
      )!.endpoint,
    ).toBe("http://t:1/x");
    expect(resolveTracingSettings(config({ tracing: { enabled: true } }), {}, runtime)!.endpoint).toBe(
      "http://localhost:4318/v1/traces",
    );
  });

  it("OTEL_SDK_DISABLED=true and OTEL_TRACES_EXPORTER=none turn it off even when the manifest enables it", () => {
    const on = config({ tracing: { enabled: true } });
    expect(resolveTracingSettings(on, { OTEL_SDK_DISABLED: "true" }, runtime)).toBeUndefined();
    expect(resolveTracingSettings(on, { OTEL_TRACES_EXPORTER: "none" }, runtime)).toBeUndefined();
  });

  it("the manifest section is validated: a bad endpoint or exporter names the field", () => {
    expect(() => config({ tracing: { endpoint: "collector:4318" } })).toThrow(/observability\.tracing\.endpoint/);
    expect(() => config({ tracing: { exporter: "zipkin" } })).toThrow(/observability\.tracing\.exporter/);
  });

  it("OTEL_RESOURCE_ATTRIBUTES pairs become resource attributes; malformed pairs are skipped", () => {
    expect(parsePairs("deployment.environment=prod, team=a%2Cb,broken,=x")).toEqual({
      "deployment.environment": "prod",
      team: "a,b",
    });
  });
});
