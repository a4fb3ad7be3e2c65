// OTEL_EXPORTER_OTLP_TRACES_HEADERS on a real OTLP/HTTP trace export to 127.0.0.1: its headers arrive, over
// OTEL_EXPORTER_OTLP_HEADERS where both name one, percent-decoded; the metrics-only variable does not reach traces.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPlatform } from "../../../../adapters/node/src/index.ts";
import { AralRuntime } from "../../src/index.ts";

interface Received {
  path: string | undefined;
  headers: IncomingHttpHeaders;
  spans: number;
}

const received: Received[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    let text = "";
    request.on("data", (chunk: Buffer) => (text += chunk.toString()));
    request.on("end", () => {
      let spans = 0;
      try {
        for (const resource of JSON.parse(text).resourceSpans ?? [])
          for (const scope of resource.scopeSpans ?? []) spans += (scope.spans ?? []).length;
      } catch {
        // not an OTLP JSON body: recorded with no spans
      }
      received.push({ path: request.url, headers: request.headers, spans });
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

/** Starts and stops an agent with `env` (tracing on through OTEL_TRACES_EXPORTER): the stop flushes its spans. */
async function run(env: Record<string, string>): Promise<void> {
  const runtime = new AralRuntime(
    { lifecycle: { healthcheck: { enabled: false } } },
    {
      platform: createPlatform(),
      logSink: () => {},
      handleSignals: false,
      env: { OTEL_TRACES_EXPORTER: "otlp", OTEL_EXPORTER_OTLP_ENDPOINT: base, ...env },
    },
  );
  await runtime.start();
  await runtime.stop();
}

describe("OTEL_EXPORTER_OTLP_TRACES_HEADERS on a real trace export", () => {
  it("its headers arrive with every trace request, percent-decoded, and win over OTEL_EXPORTER_OTLP_HEADERS", async () => {
    received.length = 0;
    await run({
      OTEL_EXPORTER_OTLP_HEADERS: "x-common=from-general,x-both=general",
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: "authorization=Bearer%20s3cr%3Dt,x-both=traces, x-tenant = acme ",
      OTEL_EXPORTER_OTLP_METRICS_HEADERS: "x-metrics-only=1",
    });
    const traces = received.filter((r) => r.path === "/v1/traces");
    expect(traces.length, JSON.stringify(received.map((r) => r.path))).toBeGreaterThan(0);
    expect(traces.reduce((sum, r) => sum + r.spans, 0)).toBeGreaterThan(0);
    for (const request of traces) {
      expect(request.headers).toMatchObject({
        authorization: "Bearer s3cr=t",
        "x-both": "traces",
        "x-common": "from-general",
        "x-tenant": "acme",
        "content-type": "application/json",
      });
      expect(request.headers["x-metrics-only"]).toBeUndefined();
    }
  });

  it("without it, a trace request carries none of those headers (the test can tell)", async () => {
    received.length = 0;
    await run({});
    const traces = received.filter((r) => r.path === "/v1/traces");
    expect(traces.length).toBeGreaterThan(0);
    for (const request of traces) {
      expect(request.headers.authorization).toBeUndefined();
      expect(request.headers["x-both"]).toBeUndefined();
    }
  });
});
