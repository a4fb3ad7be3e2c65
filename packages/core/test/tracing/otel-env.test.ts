// The standard OTEL_* variables as an agent reads them, against a real OTLP/HTTP receiver on 127.0.0.1: an empty
// value is unset, the service name is decided once for the `agent` label and the OTLP resource, and what the built-in
// exporters cannot honour (gRPC, an endpoint without a scheme, a Content-Type header) is said at start.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPlatform } from "../../../../adapters/node/src/index.ts";
import { resolveRuntimeConfig } from "../../src/config/index.ts";
import { AralRuntime } from "../../src/index.ts";
import { resolveOtlpMetricsSettings } from "../../src/metrics/otlp-settings.ts";
import { otelVariable, resolveServiceName, resolveTracingSettings } from "../../src/tracing/settings.ts";

interface Export {
  path: string | undefined;
  contentType: string | string[] | undefined;
  serviceName: string | undefined;
}

const received: Export[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    let text = "";
    request.on("data", (chunk: Buffer) => (text += chunk.toString()));
    request.on("end", () => {
      let serviceName: string | undefined;
      try {
        const attributes = JSON.parse(text).resourceMetrics[0].resource.attributes as {
          key: string;
          value: { stringValue?: string };
        }[];
        serviceName = attributes.find((a) => a.key === "service.name")?.value.stringValue;
      } catch {
        // not an OTLP JSON body: recorded without a service name
      }
      received.push({ path: request.url, contentType: request.headers["content-type"], serviceName });
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Starts an agent with `env`, reads its `agent` label and its warnings, stops it (the final OTLP export). */
async function run(env: Record<string, string>): Promise<{ agent: string | undefined; warnings: string[] }> {
  const logs: { level: string; msg: string; event?: string }[] = [];
  const runtime = new AralRuntime(
    { lifecycle: { healthcheck: { enabled: false } } },
    {
      platform: createPlatform(),
      logSink: (line) => logs.push(JSON.parse(line)),
      handleSignals: false,
      env: { OTEL_METRICS_EXPORTER: "otlp", ...env },
    },
  );
  await runtime.start();
  const agent = /agent="([^"]*)"/.exec(await runtime.prometheusMetrics())?.[1];
  await runtime.stop();
  return { agent, warnings: logs.filter((l) => l.event === "otlp.settings").map((l) => l.msg) };
}

describe("OTEL_* variables, as an agent reads them", () => {
  it("an empty OTEL_SERVICE_NAME or OTEL_EXPORTER_OTLP_METRICS_ENDPOINT is unset (the specification)", async () => {
    received.length = 0;
    const { agent } = await run({
      OTEL_EXPORTER_OTLP_ENDPOINT: base,
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: "",
      OTEL_SERVICE_NAME: "",
    });
    expect(agent).toBe("aral-agent");
    expect(received.at(-1)).toMatchObject({ path: "/v1/metrics", serviceName: "aral-agent" });
  });

  it("service.name from OTEL_RESOURCE_ATTRIBUTES is the `agent` label and the resource's service.name alike", async () => {
    received.length = 0;
    const { agent } = await run({
      OTEL_EXPORTER_OTLP_ENDPOINT: base,
      OTEL_RESOURCE_ATTRIBUTES: "service.name=from-resource,team=a",
    });
    expect(agent).toBe("from-resource");
    expect(received.at(-1)).toMatchObject({ path: "/v1/metrics", serviceName: "from-resource" });
  });

  it("a Content-Type in OTEL_EXPORTER_OTLP_HEADERS is dropped with a warning: the collector gets application/json only", async () => {
    received.length = 0;
    const { warnings } = await run({
      OTEL_EXPORTER_OTLP_ENDPOINT: base,
      OTEL_EXPORTER_OTLP_HEADERS: "Content-Type=application/x-protobuf",
    });
    expect(received.at(-1)).toMatchObject({ contentType: "application/json", serviceName: "aral-agent" });
    expect(warnings).toEqual([
      "OTEL_EXPORTER_OTLP_[METRICS_]HEADERS sets Content-Type: ignored, the built-in exporter sends JSON (content-type application/json)",
    ]);
  });

  it("OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf is one warning at start; JSON is sent and arrives", async () => {
    received.length = 0;
    const { warnings } = await run({ OTEL_EXPORTER_OTLP_ENDPOINT: base, OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf" });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^OTEL_EXPORTER_OTLP_PROTOCOL=http\/protobuf: the built-in exporter sends OTLP\/HTTP JSON only/,
    );
    expect(received.at(-1)).toMatchObject({ path: "/v1/metrics", contentType: "application/json" });
  });

  it("OTEL_EXPORTER_OTLP_PROTOCOL=grpc or an endpoint without a scheme fails the start, naming the variable", async () => {
    received.length = 0;
    await expect(run({ OTEL_EXPORTER_OTLP_ENDPOINT: base, OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" })).rejects.toThrow(
      /observability\.metrics \[from OTEL_EXPORTER_OTLP_PROTOCOL\]: the built-in exporter sends OTLP\/HTTP with JSON only, not gRPC/,
    );
    await expect(
      run({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${base.replace("http://", "")}/v1/metrics` }),
    ).rejects.toThrow(
      /observability\.metrics\.endpoint \[from OTEL_EXPORTER_OTLP_METRICS_ENDPOINT\]: must be an http\(s\) URL/,
    );
    expect(received).toEqual([]);
  });

  it("a header that cannot be sent (a CR/LF in its value, a bad name) fails the start, naming the variable", async () => {
    received.length = 0;
    await expect(
      run({ OTEL_EXPORTER_OTLP_ENDPOINT: base, OTEL_EXPORTER_OTLP_HEADERS: "x-ok=1,x-token=a%0D%0AInjected: 1" }),
    ).rejects.toThrow(/\[from OTEL_EXPORTER_OTLP_HEADERS\]: header "x-token" cannot be sent: every export would fail/);
    await expect(
      run({ OTEL_EXPORTER_OTLP_ENDPOINT: base, OTEL_EXPORTER_OTLP_METRICS_HEADERS: "bad name=1" }),
    ).rejects.toThrow(/\[from OTEL_EXPORTER_OTLP_METRICS_HEADERS\]: header "bad name" cannot be sent/);
    expect(received).toEqual([]);
  });
});

describe("the OTEL_* reading rules", () => {
  const config = (observability: Record<string, unknown> = {}) => resolveRuntimeConfig({ observability }, {});
  const runtime = { name: "node", version: "24.0.0" };

  it("otelVariable: empty and blank values are unset, others trimmed", () => {
    expect(otelVariable({ A: "" }, "A")).toBeUndefined();
    expect(otelVariable({ A: "  " }, "A")).toBeUndefined();
    expect(otelVariable({ A: " x " }, "A")).toBe("x");
    expect(otelVariable({}, "A")).toBeUndefined();
  });

  it("the service name: manifest > OTEL_SERVICE_NAME > OTEL_RESOURCE_ATTRIBUTES service.name > aral-agent", () => {
    const attributes = "service.name=from-resource";
    expect(
      resolveServiceName(config({ serviceName: "m" }), {
        OTEL_SERVICE_NAME: "s",
        OTEL_RESOURCE_ATTRIBUTES: attributes,
      }),
    ).toBe("m");
    expect(resolveServiceName(config(), { OTEL_SERVICE_NAME: "s", OTEL_RESOURCE_ATTRIBUTES: attributes })).toBe("s");
    expect(resolveServiceName(config(), { OTEL_SERVICE_NAME: " ", OTEL_RESOURCE_ATTRIBUTES: attributes })).toBe(
      "from-resource",
    );
    expect(resolveServiceName(config(), { OTEL_RESOURCE_ATTRIBUTES: "service.name=" })).toBe("aral-agent");
  });

  it("the timeout: OTEL_EXPORTER_OTLP_<SIGNAL>_TIMEOUT > OTEL_EXPORTER_OTLP_TIMEOUT > 10000; empty or invalid ones are skipped", () => {
    const on = config({ tracing: { enabled: true }, metrics: { enabled: true } });
    expect(resolveTracingSettings(on, {}, runtime)!.timeoutMs).toBe(10_000);
    expect(
      resolveTracingSettings(
        on,
        { OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: "", OTEL_EXPORTER_OTLP_TIMEOUT: "2500" },
        runtime,
      )!.timeoutMs,
    ).toBe(2_500);
    expect(
      resolveOtlpMetricsSettings(
        on,
        { OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: "750", OTEL_EXPORTER_OTLP_TIMEOUT: "2500" },
        runtime,
      )!.timeoutMs,
    ).toBe(750);
    expect(resolveOtlpMetricsSettings(on, { OTEL_EXPORTER_OTLP_TIMEOUT: "soon" }, runtime)!.timeoutMs).toBe(10_000);
  });

  it('exporter "global" leaves the protocol and endpoint to the SDK: no refusal', () => {
    const global = config({ tracing: { enabled: true, exporter: "global" } });
    expect(
      resolveTracingSettings(
        global,
        { OTEL_EXPORTER_OTLP_PROTOCOL: "grpc", OTEL_EXPORTER_OTLP_ENDPOINT: "c:4317" },
        runtime,
      ),
    ).toMatchObject({ exporter: "global" });
  });
});
